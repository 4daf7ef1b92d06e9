#include "engine/service/todo_service.h"

#include <algorithm>
#include <map>
#include <utility>

#include "engine/service/notifications.h"
#include "engine/service/sla_scheduler.h"

namespace tillvaxt::service {
namespace {

using domain::Effect;
using domain::EventType;
using domain::Role;

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

void AddUnique(std::vector<std::string>* items, const std::string& item) {
  if (!item.empty() && !Contains(*items, item)) items->push_back(item);
}

// The from-states of the transitions with `effect`.
std::vector<std::string> StatesLeftBy(const domain::Workflow& wf, Effect effect) {
  std::vector<std::string> out;
  for (const domain::Transition& t : wf.transitions) {
    if (t.effect != effect) continue;
    for (const std::string& from : t.from) AddUnique(&out, from);
  }
  return out;
}

// Where a coordinator's intake work is: the states TRIAGE leaves from and leads to (when the
// latter is not terminal).
std::vector<std::string> IntakeStates(const domain::Workflow& wf) {
  std::vector<std::string> out = StatesLeftBy(wf, Effect::kTriage);
  for (const domain::Transition& t : wf.transitions) {
    if (t.effect != Effect::kTriage || t.to.empty()) continue;
    const domain::State* to = wf.FindState(t.to);
    if (to != nullptr && !to->terminal) AddUnique(&out, t.to);
  }
  return out;
}

// States in which the assignee must act: open, not pausing the SLA, and some transition from it
// is permitted to the assignee.
bool AssigneeActs(const domain::Workflow& wf, const std::string& state) {
  const domain::State* s = wf.FindState(state);
  if (s == nullptr || !s->open || s->pauses_sla) return false;
  for (const domain::Transition& t : wf.transitions) {
    if (!Contains(t.from, state)) continue;
    for (const domain::Permit& p : t.permits) {
      if (p.role == Role::kActor &&
          (p.scope == domain::Scope::kAssignee || p.scope == domain::Scope::kAny)) {
        return true;
      }
    }
  }
  return false;
}

std::vector<std::string> OpenStates(const domain::Workflow& wf) {
  std::vector<std::string> out;
  for (const domain::State& s : wf.states) {
    if (s.open) out.push_back(s.name);
  }
  return out;
}

// Earliest deadline first; cases without one last; then oldest first.
bool ByDeadline(const TodoItem& a, const TodoItem& b) {
  if (a.c.deadline.has_value() != b.c.deadline.has_value()) return a.c.deadline.has_value();
  if (a.c.deadline && *a.c.deadline != *b.c.deadline) return *a.c.deadline < *b.c.deadline;
  if (a.c.create_time != b.c.create_time) return a.c.create_time < b.c.create_time;
  return a.c.id < b.c.id;
}

// Longest due first.
bool BySince(const TodoItem& a, const TodoItem& b) {
  if (a.since != b.since) return a.since < b.since;
  return a.c.id < b.c.id;
}

TodoList Finish(std::vector<TodoItem> items, bool (*order)(const TodoItem&, const TodoItem&),
                size_t max_items) {
  std::sort(items.begin(), items.end(), order);
  TodoList list;
  list.count = static_cast<int64_t>(items.size());
  if (items.size() > max_items) items.erase(items.begin() + max_items, items.end());
  list.items = std::move(items);
  return list;
}

}  // namespace

TodoService::TodoService(CaseService& cases, store::CaseLog& log, store::UserStore& users,
                         const base::Clock& clock, TodoOptions options)
    : cases_(cases), log_(log), users_(users), clock_(clock), options_(std::move(options)) {}

base::Result<std::vector<VisibleCase>> TodoService::ListAll(const domain::Principal& who,
                                                            store::CaseFilter filter) {
  std::vector<VisibleCase> out;
  filter.page_size = 1000;
  while (static_cast<int>(out.size()) < options_.max_cases) {
    auto page = cases_.List(who, filter);
    if (!page.ok()) return page.status();
    for (VisibleCase& c : page->cases) out.push_back(std::move(c));
    if (page->next_page_token.empty()) break;
    filter.page_token = page->next_page_token;
  }
  return out;
}

base::Result<TodoService::Facts> TodoService::FactsOf(const VisibleCase& c) {
  {
    std::lock_guard lock(mu_);
    auto it = facts_.find(c.id);
    if (it != facts_.end() && it->second.version == c.version) return it->second;
  }
  auto history = log_.GetEvents(c.id);
  if (!history.ok()) return history.status();
  Facts f;
  f.version = c.version;
  f.warned_percent = CurrentWarningPercent(cases_.WorkflowOf(c), *history);
  for (const domain::Event& e : *history) {
    if (e.type == EventType::kSlaWarning && e.percent == f.warned_percent) f.warned_at = e.time;
    if (e.type == EventType::kEffectReminder) {
      f.reminder_open = true;
      f.reminded_at = e.time;
      f.reminder_months = e.months_after_close;
      f.closed_by = ClosedBy(*history, e);
    } else if (e.type == EventType::kEffectRecorded || e.type == EventType::kFollowUpCreated) {
      f.reminder_open = false;
    }
  }
  if (f.warned_percent == 0) f.warned_at.reset();
  std::lock_guard lock(mu_);
  if (facts_.size() >= options_.max_cached) facts_.clear();
  facts_[c.id] = f;
  return f;
}

base::Result<Todo> TodoService::ForUser(const domain::Principal& who) {
  Todo todo;
  const bool coordinator = who.role == Role::kCoordinator && !who.node.empty();
  const bool actor = who.role == Role::kActor && !who.actor.empty();
  if (!coordinator && !actor) return todo;
  const domain::Workflow& wf = cases_.config().workflow;
  const base::Time now = clock_.Now();

  std::vector<TodoItem> waiting, at_risk, lapsing, follow_ups;

  // The open cases that are the caller's: assigned to their actor, or at their node.
  store::CaseFilter mine;
  mine.open_only = true;
  mine.open_states = OpenStates(wf);
  if (actor) mine.assignee = who.actor;
  auto open = ListAll(who, mine);
  if (!open.ok()) return open.status();
  const std::vector<std::string> intake = IntakeStates(wf);
  for (const VisibleCase& c : *open) {
    const domain::Workflow& own = cases_.WorkflowOf(c);
    if (actor ? AssigneeActs(own, c.state) : Contains(intake, c.state)) {
      waiting.push_back({c, std::nullopt});
    }
    const domain::Sla* sla = own.FindSla(c.state);
    if (c.deadline && *c.deadline > now && sla != nullptr && !sla->warn_percent.empty()) {
      auto facts = FactsOf(c);
      if (!facts.ok()) return facts.status();
      if (facts->warned_percent > 0) {
        at_risk.push_back({c, facts->warned_at, facts->warned_percent});
      }
    }
  }

  if (actor) {
    // The cases the actor may still claim, whose claim deadline is near.
    for (const std::string& state : StatesLeftBy(wf, Effect::kClaim)) {
      store::CaseFilter f;
      f.candidate = who.actor;
      f.state = state;
      auto claimable = ListAll(who, f);
      if (!claimable.ok()) return claimable.status();
      for (const VisibleCase& c : *claimable) {
        if (c.deadline && *c.deadline > now && *c.deadline - now <= cases_.config().claim_warning) {
          lapsing.push_back({c, std::nullopt});
        }
      }
    }
  }

  if (coordinator) {
    // Closed cases whose effect reminder waits for an answer. No reminder comes before the
    // first reminder month, so younger cases are not read.
    int first_month = 0;
    for (int m : options_.effect_reminder_months) {
      if (m > 0 && (first_month == 0 || m < first_month)) first_month = m;
    }
    std::map<std::string, bool> still_here;  // closer -> still a coordinator of the node
    for (const std::string& state : StatesLeftBy(wf, Effect::kRecordEffect)) {
      store::CaseFilter f;
      f.state = state;
      auto closed = ListAll(who, f);
      if (!closed.ok()) return closed.status();
      for (const VisibleCase& c : *closed) {
        if (first_month > 0 && AddMonths(c.state_time, first_month) > now) continue;
        auto facts = FactsOf(c);
        if (!facts.ok()) return facts.status();
        if (!facts->reminder_open) continue;
        bool mine_to_answer = facts->closed_by == who.username;
        if (!mine_to_answer) {
          auto [it, fresh] = still_here.try_emplace(facts->closed_by, false);
          if (fresh && !facts->closed_by.empty()) {
            auto user = users_.GetUser(facts->closed_by);
            if (user.ok()) {
              it->second = StillCoordinates(*user, c.node);
            } else if (user.status().code() != base::Code::kNotFound) {
              return user.status();
            }
          }
          mine_to_answer = !it->second;  // the closer is gone: every coordinator's
        }
        if (mine_to_answer) {
          TodoItem item{c, facts->reminded_at};
          item.months_after_close = facts->reminder_months;
          follow_ups.push_back(std::move(item));
        }
      }
    }
  }

  std::vector<std::string> distinct;
  for (const auto* list : {&follow_ups, &waiting, &at_risk, &lapsing}) {
    for (const TodoItem& item : *list) distinct.push_back(item.c.id);
  }
  std::sort(distinct.begin(), distinct.end());
  todo.total = std::unique(distinct.begin(), distinct.end()) - distinct.begin();
  todo.follow_ups_due = Finish(std::move(follow_ups), BySince, options_.max_items);
  todo.waiting_on_me = Finish(std::move(waiting), ByDeadline, options_.max_items);
  todo.sla_at_risk = Finish(std::move(at_risk), ByDeadline, options_.max_items);
  todo.claims_lapsing = Finish(std::move(lapsing), ByDeadline, options_.max_items);
  return todo;
}

}  // namespace tillvaxt::service
