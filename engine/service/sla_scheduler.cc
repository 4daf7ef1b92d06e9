#include "engine/service/sla_scheduler.h"

#include <algorithm>
#include <exception>
#include <map>
#include <utility>

namespace tillvaxt::service {
namespace {

using domain::Event;
using domain::EventType;

// Rounds of DueCases in one RunOnce: each firing makes its case due again for planning.
constexpr int kMaxRounds = 64;

bool Pauses(const domain::Workflow& wf, const std::string& state) {
  const domain::State* s = wf.FindState(state);
  return s != nullptr && s->pauses_sla;
}

// States in which an effect may still be recorded (the from states of RECORD_EFFECT
// transitions): there the effect reminders run.
bool AwaitsEffect(const domain::Workflow& wf, const std::string& state) {
  for (const domain::Transition& t : wf.transitions) {
    if (t.effect == domain::Effect::kRecordEffect &&
        std::find(t.from.begin(), t.from.end(), state) != t.from.end()) {
      return true;
    }
  }
  return false;
}

Event SystemEvent(const domain::Case& c, EventType type, const std::string& action, base::Time now,
                  int64_t seq) {
  Event e;
  e.case_id = c.id;
  e.seq = seq;
  e.type = type;
  e.action = action;
  e.time = now;
  e.user = domain::Principal::System().username;
  e.from_state = c.state;
  e.to_state = c.state;
  e.level = c.level;
  e.deadline = c.deadline;
  e.sla_remaining = c.sla_remaining;
  return e;
}

// What the current SLA clock of the case has already recorded, found by walking its history
// back to where the clock started: the last entry into a state (or ROUTED) that was not a
// pause boundary; pauses do not restart the clock.
struct ClockHistory {
  std::optional<base::Time> start;
  int warned_percent = 0;  // the highest SLA_WARNING recorded
  bool overdue = false;    // SLA_OVERDUE recorded
};

ClockHistory ScanClock(const domain::Workflow& wf, const std::vector<Event>& history) {
  ClockHistory h;
  for (auto it = history.rbegin(); it != history.rend(); ++it) {
    const Event& e = *it;
    if (e.type == EventType::kSlaWarning) h.warned_percent = std::max(h.warned_percent, e.percent);
    if (e.type == EventType::kSlaOverdue) h.overdue = true;
    const bool entered = e.to_state != e.from_state || e.type == EventType::kRouted;
    if (entered && !Pauses(wf, e.from_state) && !Pauses(wf, e.to_state)) {
      h.start = e.time;
      break;
    }
  }
  return h;
}

}  // namespace

int CurrentWarningPercent(const domain::Workflow& wf, const std::vector<Event>& history) {
  return ScanClock(wf, history).warned_percent;
}

base::Time AddMonths(base::Time t, int months) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const auto time_of_day = t - day;
  std::chrono::year_month_day ymd{day};
  ymd += std::chrono::months(months);
  if (!ymd.ok()) ymd = ymd.year() / ymd.month() / std::chrono::last;
  return std::chrono::sys_days(ymd) + time_of_day;
}

SlaPlan PlanSla(const domain::Workflow& wf, const domain::Decider& decider, const domain::Case& c,
                const std::vector<Event>& history, base::Time now,
                const std::vector<int>& reminder_months) {
  SlaPlan plan;
  int64_t seq = c.version;
  auto earliest = [&plan](base::Time t) {
    if (!plan.next || t < *plan.next) plan.next = t;
  };

  // Effect reminders after CLOSED, until an effect is recorded.
  if (AwaitsEffect(wf, c.state) && c.effects.empty()) {
    int reminded = 0;
    for (const Event& e : history) {
      if (e.type == EventType::kEffectReminder) reminded = std::max(reminded, e.months_after_close);
    }
    std::vector<int> months = reminder_months;
    std::sort(months.begin(), months.end());
    int due = 0;
    for (int m : months) {
      if (m <= reminded) continue;
      const base::Time at = AddMonths(c.state_time, m);
      if (at <= now) {
        due = m;  // of several that came due meanwhile, the latest stands for them all
      } else {
        earliest(at);
        break;
      }
    }
    if (due > 0) {
      Event e = SystemEvent(c, EventType::kEffectReminder, "effectReminder", now, ++seq);
      e.months_after_close = due;
      plan.record.push_back(std::move(e));
    }
  }

  // The SLA of the current state; a paused clock (no deadline) has nothing due.
  const domain::Sla* sla = wf.FindSla(c.state);
  if (sla == nullptr || !c.deadline) return plan;
  const ClockHistory clock = ScanClock(wf, history);
  const std::string reason = sla->reason.empty() ? "SLA" : sla->reason;
  if (now >= *c.deadline) {
    if (clock.overdue) return plan;  // already handled (a notice, or a firing that failed)
    if (!sla->fire.empty()) {
      plan.fire = sla->fire;
      plan.fire_reason = reason;
    } else {
      Event e = SystemEvent(c, EventType::kSlaOverdue, "sla", now, ++seq);
      e.reason = reason;
      plan.record.push_back(std::move(e));
    }
    return plan;
  }
  earliest(*c.deadline);
  if (!clock.start) return plan;
  const std::optional<base::Time> full = decider.DeadlineFor(wf, c.state, *clock.start);
  if (!full || *full <= *clock.start) return plan;
  const base::Millis length = *full - *clock.start;
  std::vector<int> percents = sla->warn_percent;
  std::sort(percents.begin(), percents.end());
  int due = 0;
  for (int p : percents) {
    if (p <= clock.warned_percent || p <= 0 || p >= 100) continue;
    const base::Time at = *c.deadline - length * (100 - p) / 100;
    if (at <= now) {
      due = p;
    } else {
      earliest(at);
      break;
    }
  }
  if (due > 0) {
    Event e = SystemEvent(c, EventType::kSlaWarning, "sla", now, ++seq);
    e.percent = due;
    e.reason = reason;
    plan.record.push_back(std::move(e));
  }
  return plan;
}

SlaScheduler::SlaScheduler(CaseService& cases, store::Timers& timers, store::CaseLog& log,
                           const base::Clock& clock, SlaSchedulerOptions options)
    : cases_(cases), timers_(timers), log_(log), clock_(clock), options_(std::move(options)) {}

SlaScheduler::~SlaScheduler() { Stop(); }

void SlaScheduler::Start() {
  std::lock_guard lock(mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void SlaScheduler::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SlaScheduler::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    lock.unlock();
    try {
      RunOnce(clock_.Now());
    } catch (const std::exception& e) {
      Log(std::string("SLA scheduler pass failed: ") + e.what());
    }
    lock.lock();
    cv_.wait_for(lock, options_.tick, [this] { return stopping_; });
  }
}

void SlaScheduler::Log(const std::string& message) const {
  if (options_.log) options_.log(message);
}

SlaPassStats SlaScheduler::totals() const {
  std::lock_guard lock(totals_mu_);
  return totals_;
}

SlaPassStats SlaScheduler::RunOnce(base::Time now) {
  SlaPassStats pass;
  // A case comes back within one pass when it changed (a firing makes it due for planning);
  // the same version twice means it is stuck, and it waits for the next pass.
  std::map<std::string, int64_t> seen;
  for (int round = 0; round < kMaxRounds; ++round) {
    auto due = timers_.DueCases(now, options_.batch);
    if (!due.ok()) {
      Log("SLA scheduler: " + due.status().ToString());
      ++pass.failures;
      break;
    }
    int handled = 0;
    for (const domain::Case& c : *due) {
      auto [it, inserted] = seen.try_emplace(c.id, c.version);
      if (!inserted) {
        if (it->second == c.version) continue;
        it->second = c.version;
      }
      ++handled;
      ++pass.planned;
      base::Status why;
      switch (Handle(c, now, why)) {
        case Outcome::kPlanned:
          break;
        case Outcome::kFired:
          ++pass.fired;
          break;
        case Outcome::kRecorded:
          ++pass.recorded;
          break;
        case Outcome::kConflict:
          ++pass.conflicts;
          break;
        case Outcome::kFailed:
          ++pass.failures;
          break;
        case Outcome::kStoreUnavailable:
          ++pass.failures;
          pass.store_unavailable = true;
          NoteStoreState(why);
          break;
      }
      if (pass.store_unavailable) break;
    }
    if (handled == 0 || pass.store_unavailable) break;
  }
  if (!pass.store_unavailable && pass.planned > 0) NoteStoreState(base::Status());
  std::lock_guard lock(totals_mu_);
  totals_.planned += pass.planned;
  totals_.fired += pass.fired;
  totals_.recorded += pass.recorded;
  totals_.conflicts += pass.conflicts;
  totals_.failures += pass.failures;
  return pass;
}

void SlaScheduler::NoteStoreState(const base::Status& unavailable) {
  bool refusing = !unavailable.ok();
  {
    std::lock_guard lock(totals_mu_);
    if (refusing == store_refusing_) return;
    store_refusing_ = refusing;
  }
  Log(refusing ? "SLA scheduler: the store refuses writes (" + unavailable.ToString() +
                     "); due timers wait until it takes them again"
               : "SLA scheduler: the store takes writes again");
}

SlaScheduler::Outcome SlaScheduler::Handle(const domain::Case& c, base::Time now,
                                           base::Status& why) {
  auto backoff = [&](const base::Status& failure) {
    if (failure.code() == base::Code::kUnavailable) {
      why = failure;
      return Outcome::kStoreUnavailable;
    }
    Log("SLA timer of case " + c.id + ": " + failure.ToString());
    (void)timers_.SetNextTimer(c.id, c.version, now + options_.retry_after);
    return Outcome::kFailed;
  };
  auto history = log_.GetEvents(c.id);
  if (!history.ok()) return backoff(history.status());
  const domain::Workflow& wf = cases_.WorkflowOf(c);
  SlaPlan plan = PlanSla(wf, cases_.decider(), c, *history, now, options_.effect_reminder_months);

  if (!plan.fire.empty()) {
    domain::Command cmd;
    cmd.action = plan.fire;
    cmd.reason = plan.fire_reason;
    auto fired = cases_.Act(domain::Principal::System(), c.id, cmd, c.version);
    if (fired.ok()) return Outcome::kFired;
    if (fired.status().code() == base::Code::kAborted) return Outcome::kConflict;
    if (fired.status().code() == base::Code::kUnavailable) return backoff(fired.status());
    // The configured transition cannot fire (e.g. the workflow changed): tell the coordinators
    // once instead, so the case does not come back every tick.
    Log("SLA of case " + c.id + ": cannot " + plan.fire + ": " + fired.status().ToString());
    Event e;
    e.case_id = c.id;
    e.seq = c.version + 1;
    e.type = EventType::kSlaOverdue;
    e.action = "sla";
    e.time = now;
    e.user = domain::Principal::System().username;
    e.from_state = e.to_state = c.state;
    e.level = c.level;
    e.deadline = c.deadline;
    e.sla_remaining = c.sla_remaining;
    e.reason = plan.fire_reason + ": " + plan.fire + " failed: " + fired.status().message();
    plan.record = {std::move(e)};
  }
  if (!plan.record.empty()) {
    auto recorded = cases_.RecordSystemEvents(c, std::move(plan.record));
    if (recorded.ok()) return Outcome::kRecorded;
    if (recorded.status().code() == base::Code::kAborted) return Outcome::kConflict;
    return backoff(recorded.status());
  }
  base::Status st = timers_.SetNextTimer(c.id, c.version, plan.next);
  if (st.ok()) return Outcome::kPlanned;
  if (st.code() == base::Code::kAborted) return Outcome::kConflict;
  return backoff(st);
}

}  // namespace tillvaxt::service
