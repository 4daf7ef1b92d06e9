// The to-do list of one user (GET /v1/todo): what waits on them now, in four lists.
//
//   follow_ups_due  coordinators: cases whose effect reminder (EFFECT_REMINDER) was recorded and
//                   is not yet answered by an effect (recordEffect) or a follow-up case
//                   (followUp) after it, and that the reminder is addressed to them: the
//                   coordinator who closed the case, or every coordinator of its node when that
//                   user is gone (the rule of the notifications, notifications.h ClosedBy)
//   waiting_on_me   actors: the cases assigned to their actor in a state where the assignee must
//                   act (open, not pausing the SLA, and a transition from it permits the
//                   ASSIGNEE); coordinators: their node's cases in the intake states (the states
//                   a TRIAGE transition leaves from, and where it leads when that is not
//                   terminal: NEW and TRIAGED in the shipped workflows)
//   sla_at_risk     cases with an SLA warning (SLA_WARNING) recorded on their current SLA clock
//                   whose deadline has not passed: for actors the assigned ones, for
//                   coordinators their node's
//   claims_lapsing  actors: the cases their actor may claim (a candidate, in a state a CLAIM
//                   transition leaves from) whose deadline is at most config.claim_warning away
// Managers and admins get four empty lists: nothing is addressed to them. Status updates due
// are not part of it yet.
//
// Every case comes through CaseService::List, so it is a VisibleCase: the caller's visibility,
// the title as they see it and their anonymised flag. Each list holds at most
// TodoOptions::max_items cases (most urgent first) and counts all of them.
//
// The histories the lists need (warnings, reminders) are read once per case version and kept
// (bounded), so asking again after every live event is cheap. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/thread_annotations.h"
#include "engine/base/time.h"
#include "engine/domain/principal.h"
#include "engine/service/case_service.h"
#include "engine/store/case_log.h"
#include "engine/store/user_store.h"

namespace tillvaxt::service {

struct TodoOptions {
  // The effect reminders' months after closing (as SlaSchedulerOptions): a closed case younger
  // than the first cannot have a reminder, so its history is not read.
  std::vector<int> effect_reminder_months = {3, 6, 12};
  size_t max_items = 100;       // per list
  int max_cases = 20'000;       // cases read per list at most (the count stops there)
  size_t max_cached = 200'000;  // case histories' facts kept
};

struct TodoItem {
  VisibleCase c;
  // When it became due: the effect reminder's or the SLA warning's time.
  std::optional<base::Time> since;
  int percent = 0;             // sla_at_risk: the highest warning of the current clock
  int months_after_close = 0;  // follow_ups_due: the reminder's months
};

struct TodoList {
  int64_t count = 0;  // all of them, also beyond `items`
  std::vector<TodoItem> items;
};

struct Todo {
  TodoList follow_ups_due;
  TodoList waiting_on_me;
  TodoList sla_at_risk;
  TodoList claims_lapsing;
  int64_t total = 0;  // distinct cases on any list (one may be on two: waiting and at risk)
};

class TodoService {
 public:
  // REQUIRES: every reference outlives the service. `log` gives the histories, `users` tells
  // whether the coordinator who closed a case is still there.
  TodoService(CaseService& cases, store::CaseLog& log, store::UserStore& users,
              const base::Clock& clock, TodoOptions options = {});

  base::Result<Todo> ForUser(const domain::Principal& who);

 private:
  // What a case's history says for the lists, at one version.
  struct Facts {
    int64_t version = 0;
    int warned_percent = 0;  // on the current SLA clock
    std::optional<base::Time> warned_at;
    bool reminder_open = false;  // the latest effect reminder is not answered
    base::Time reminded_at{};
    int reminder_months = 0;
    std::string closed_by;
  };

  base::Result<std::vector<VisibleCase>> ListAll(const domain::Principal& who,
                                                 store::CaseFilter filter);
  base::Result<Facts> FactsOf(const VisibleCase& c);

  CaseService& cases_;
  store::CaseLog& log_;
  store::UserStore& users_;
  const base::Clock& clock_;
  TodoOptions options_;

  std::mutex mu_;
  std::unordered_map<std::string, Facts> facts_ GUARDED_BY(mu_);  // by case id
};

}  // namespace tillvaxt::service
