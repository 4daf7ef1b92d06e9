// Evolve: how one event changes a case (the Fold section of docs/WORKFLOW.md).
//
// Mechanical on purpose: every decision (who, which level, which deadline) was taken by the
// Decider and is recorded in the event, so replaying the log always gives the same case, even
// after the configuration changed.
#include <algorithm>

#include "engine/domain/decider.h"

namespace tillvaxt::domain {
namespace {

void AddUnique(std::vector<std::string>& list, const std::string& value) {
  if (value.empty()) return;
  if (std::find(list.begin(), list.end(), value) == list.end()) list.push_back(value);
}

void Remove(std::vector<std::string>& list, const std::string& value) {
  list.erase(std::remove(list.begin(), list.end(), value), list.end());
}

}  // namespace

void Apply(Case& c, const Event& e) {
  c.version = e.seq;
  c.update_time = e.time;
  const bool state_changed = !e.to_state.empty() && e.to_state != c.state;
  if (!e.to_state.empty()) c.state = e.to_state;
  // A ROUTED event restarts the clock of the matched state even when the case was already
  // MATCHED (a release or a new level gives the new candidates their full time).
  if (state_changed || e.type == EventType::kRouted) c.state_time = e.time;
  c.deadline = e.deadline;
  c.sla_remaining = e.sla_remaining;
  if (!e.level.empty()) c.level = e.level;

  switch (e.type) {
    case EventType::kUnspecified:
      break;
    case EventType::kCreated: {
      c.id = e.case_id;
      c.create_time = e.time;
      c.highest_level = c.level;
      if (e.created) {
        const CaseDraft& d = *e.created;
        c.title = d.title;
        c.description = d.description;
        c.company = d.company;
        c.contact = d.contact;
        c.node = d.node;
        c.parent_id = d.parent_id;
        c.needs = d.needs;
        c.areas = d.areas;
        c.workflow_version = d.workflow_version;
      }
      break;
    }
    case EventType::kTriaged:
      c.needs = e.needs;
      c.areas = e.areas;
      break;
    case EventType::kRouted:
      c.matches = e.matches;
      c.candidates.clear();
      for (const Match& m : e.matches) {
        c.candidates.push_back(m.actor);
        AddUnique(c.involved_actors, m.actor);
      }
      break;
    case EventType::kEscalated:
      c.highest_level = c.level;
      c.candidates.clear();
      c.matches.clear();
      c.declined.clear();
      c.assignee.clear();
      break;
    case EventType::kUnmatched:
      // Also the assignee: an assignee escalating from the top level leaves a case that no
      // actor on any level holds.
      c.candidates.clear();
      c.matches.clear();
      c.assignee.clear();
      break;
    case EventType::kClaimed:
      c.assignee = e.actor;
      c.candidates.clear();
      AddUnique(c.involved_actors, e.actor);
      break;
    case EventType::kDeclined:
      Remove(c.candidates, e.actor);
      c.matches.erase(std::remove_if(c.matches.begin(), c.matches.end(),
                                     [&](const Match& m) { return m.actor == e.actor; }),
                      c.matches.end());
      AddUnique(c.declined, e.actor);
      break;
    case EventType::kReleased:
      c.assignee.clear();
      AddUnique(c.declined, e.actor);
      break;
    case EventType::kReassigned:
      c.assignee = e.actor;
      AddUnique(c.involved_actors, e.actor);
      break;
    case EventType::kResolved:
      c.outcome = e.outcome;
      break;
    case EventType::kReopened:
      c.outcome = Outcome{};
      break;
    case EventType::kFollowUpCreated:
      AddUnique(c.child_ids, e.related_case_id);
      break;
    case EventType::kEffectRecorded:
      c.effects.push_back(RecordedEffect{e.outcome, e.months_after_close, e.time});
      break;
    case EventType::kOfferLinked:
      AddUnique(c.offer_ids, e.offer_id);
      break;
    case EventType::kTransitioned:
      if (!e.feedback.empty()) c.feedback = e.feedback;
      break;
    case EventType::kSlaWarning:
    case EventType::kSlaOverdue:
    case EventType::kEffectReminder:
      // Records of timers that fired (each fires once); the case itself does not change.
      break;
  }
}

Case Fold(const std::vector<Event>& events) {
  Case c;
  for (const Event& e : events) Apply(c, e);
  return c;
}

}  // namespace tillvaxt::domain
