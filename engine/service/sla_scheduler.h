// The SLA scheduler: the clock that keeps cases moving ("SLA timers").
//
// Per state with an SLA (the workflow's `slas`), from the case's deadline:
// - warnings at each warn_percent of the SLA time (SLA_WARNING with `percent`);
// - at the deadline, the Sla's `fire` transition is fired as SYSTEM with the Sla's reason
//   (MATCHED: escalate "SLA"; CLAIMED: release "CLAIM_EXPIRED"), or, for an SLA that only
//   notifies (NEW, IN_PROGRESS), one SLA_OVERDUE event that the node's coordinators see;
// - in a state from which `recordEffect` may be fired (CLOSED), EFFECT_REMINDER events at 3, 6
//   and 12 months after entering it, until an effect is recorded.
// Each timer is recorded as an event on the case, so it fires once: the plan of a case is
// derived from its history, never from memory, and survives restarts.
//
// Finding due work: the store keeps a `next_timer` per case (store/timers.h). Every write of
// a case's projection sets it to the write's time, so each changed case comes up once; the
// scheduler then plans the case from its history and sets the exact time of its next timer
// (the next warning, the deadline or the next reminder) or none. A tick asks the store, through
// an index, only for the cases whose next_timer has come.
//
// Exactly once: every firing is an append at the case version the plan was made on
// (optimistic concurrency). Two schedulers (two instances, or a restart that overlaps) that
// plan the same case race on that version; one wins, the other gets ABORTED and drops its plan.
// After downtime, what is overdue fires at the first tick, once: of several warnings (or
// reminders) that came due meanwhile only the latest is recorded, and none once the deadline
// itself has passed (the deadline's action supersedes them).
//
// Time: the warning at p % of a state's SLA comes at deadline - (100 - p) % of the SLA's full
// length, the length measured in wall-clock time from where the clock started (business-day
// deadlines included). Pauses (WAITING) move the deadline on (domain Decider) and thereby the
// warnings; warnings recorded before a pause count after it.
//
// Thread-safety: RunOnce may be called from any thread, also while the scheduler's own thread
// runs (they then race on case versions as two instances would). Start/Stop from one thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/time.h"
#include "engine/domain/case.h"
#include "engine/domain/config.h"
#include "engine/domain/decider.h"
#include "engine/service/case_service.h"
#include "engine/store/case_log.h"
#include "engine/store/timers.h"

namespace tillvaxt::service {

struct SlaSchedulerOptions {
  std::chrono::milliseconds tick{1000};
  int batch = 200;  // cases per store query
  std::vector<int> effect_reminder_months = {3, 6, 12};
  // How long a case whose timer failed for a reason other than a concurrent change waits
  // before it is tried again.
  std::chrono::milliseconds retry_after{60'000};
  // Problems (a store error, a firing refused); default: nowhere.
  std::function<void(const std::string&)> log;
};

// What is due for one case: pure, so it is tested without a store.
struct SlaPlan {
  std::vector<domain::Event> record;  // to append now (numbered from the case's version + 1)
  std::string fire;                   // a transition to fire as SYSTEM now ("" = none)
  std::string fire_reason;
  std::optional<base::Time> next;  // when to look again if nothing happens to the case
};

// `history` is the case's full history (the case is its fold).
SlaPlan PlanSla(const domain::Workflow& wf, const domain::Decider& decider, const domain::Case& c,
                const std::vector<domain::Event>& history, base::Time now,
                const std::vector<int>& reminder_months);

// The highest SLA_WARNING percent recorded on the case's current SLA clock (since the clock
// last started: entering the state, or a routing; a pause and its resumption do not restart
// it); 0 when none. `history` is the case's full history. (The to-do list's "SLA at risk".)
int CurrentWarningPercent(const domain::Workflow& wf, const std::vector<domain::Event>& history);

// `t` plus `months` calendar months (UTC date; the day clamped to the month's last day).
base::Time AddMonths(base::Time t, int months);

struct SlaPassStats {
  int planned = 0;    // cases looked at
  int fired = 0;      // transitions fired (escalations, claim lapses)
  int recorded = 0;   // warnings, overdue notices and reminders recorded
  int conflicts = 0;  // lost a race on the case version (someone else changed it)
  int failures = 0;
  // The store refused a write as unavailable (e.g. its disk is full): the pass stopped there,
  // and the cases left wait for the next tick unchanged.
  bool store_unavailable = false;
};

class SlaScheduler {
 public:
  // Finds due cases through `timers`, reads their history from `log` and fires through
  // `cases`. REQUIRES: all of them and the clock outlive the scheduler.
  SlaScheduler(CaseService& cases, store::Timers& timers, store::CaseLog& log,
               const base::Clock& clock, SlaSchedulerOptions options = {});
  ~SlaScheduler();
  SlaScheduler(const SlaScheduler&) = delete;
  SlaScheduler& operator=(const SlaScheduler&) = delete;

  // Runs RunOnce(clock.Now()) every tick on a thread of its own until Stop.
  void Start();
  void Stop();

  // Fires everything due at `now` and plans every changed case, until nothing due is left
  // (bounded). Firings of transitions run at the service clock's time.
  SlaPassStats RunOnce(base::Time now);

  // Totals since construction.
  SlaPassStats totals() const;

 private:
  enum class Outcome { kPlanned, kFired, kRecorded, kConflict, kFailed, kStoreUnavailable };
  // On kStoreUnavailable, `why` says what the store answered.
  Outcome Handle(const domain::Case& c, base::Time now, base::Status& why);
  // Logs when the store starts refusing writes and when it takes them again: once each, not
  // once per case and tick, so a full disk does not flood the log (and fill the next disk).
  void NoteStoreState(const base::Status& unavailable);
  void Log(const std::string& message) const;
  void Loop();

  CaseService& cases_;
  store::Timers& timers_;
  store::CaseLog& log_;
  const base::Clock& clock_;
  SlaSchedulerOptions options_;

  mutable std::mutex totals_mu_;
  SlaPassStats totals_;
  bool store_refusing_ = false;  // guarded by totals_mu_

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace tillvaxt::service
