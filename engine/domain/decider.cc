// The workflow engine: validation, role and scope checks, effects, routing on the ladder and
// deadlines, as specified in docs/WORKFLOW.md ("Semantics of effects").
//
// Every event of one decision is applied at once to a scratch copy of the case, so later events
// of the same decision see the state, level, candidates and deadline the earlier ones left (and
// the Decider never disagrees with the fold).
//
// Decisions where the specification leaves room (each is deliberate):
// - Scopes: OWN_NODE holds when the caller's node is the case's node; CANDIDATE when the
//   caller's actor is among the candidates; ASSIGNEE when it is the assignee; ANY always. The
//   scope is checked for whatever role the permit names.
// - The claim race answers ABORTED for any actor in involved_actors once the case has an
//   assignee, the assignee's own colleagues included: their claim lost the race too.
// - Escalating (or every candidate declining) on the top level gives UNMATCHED directly, with
//   the reason; the fold also clears the assignee on UNMATCHED (see case_apply.cc).
// - The NO_MATCH climbs after triage, escalate, decline and release keep the state the case is
//   in until ROUTED or UNMATCHED moves it (the events in between are bookkeeping of the ladder).
// - Create takes the workflow version from the configuration when the draft names none.
// - A title's length is counted in characters (UTF-8 code points), not bytes: Swedish titles.
// - Both Decide (FAILED_PRECONDITION, after the reason check) and AllowedActions require the
//   case preconditions a well-formed command cannot supply: claim needs no assignee yet,
//   release and reassign need one. So AllowedActions lists exactly what Decide accepts.
// - Deciding on a case that does not exist (version 0) is NOT_FOUND, after the action check.
// - Field names of effect checks follow the API's JSON: "childId", "offerId",
//   "monthsAfterClose", "outcome.kind", "effect.kind", "actor", "needs", "areas".
// - WAITING pauses the SLA: it has no deadline, and its events carry the time that was left
//   (sla_remaining); resuming into a state with an SLA sets deadline = resume + that time, so
//   time spent waiting on the company never counts against the actor.
#include "engine/domain/decider.h"

#include <algorithm>
#include <utility>

#include "engine/domain/calendar.h"
#include "engine/domain/org_number.h"

namespace tillvaxt::domain {
namespace {

using base::FieldViolation;
using base::Result;
using base::Status;

bool Has(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool IsBlank(const std::string& s) {
  return std::all_of(s.begin(), s.end(),
                     [](char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r'; });
}

size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (char ch : s) n += (static_cast<unsigned char>(ch) & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

template <size_t N>
bool OneOf(const std::string& value, const char* const (&options)[N]) {
  for (const char* option : options) {
    if (value == option) return true;
  }
  return false;
}

bool ValidEmail(const std::string& email) {
  const size_t at = email.find('@');
  return at != std::string::npos && at > 0 && at + 1 < email.size() &&
         email.find('@', at + 1) == std::string::npos;
}

Status Invalid(std::vector<FieldViolation> violations) {
  std::string message;
  for (const FieldViolation& v : violations) {
    if (!message.empty()) message += "; ";
    message += v.field + ": " + v.description;
  }
  return base::InvalidArgument(std::move(message), std::move(violations));
}

bool ScopeHolds(Scope scope, const Case& c, const Principal& who) {
  switch (scope) {
    case Scope::kAny:
      return true;
    case Scope::kOwnNode:
      return !who.node.empty() && who.node == c.node;
    case Scope::kCandidate:
      return !who.actor.empty() && Has(c.candidates, who.actor);
    case Scope::kAssignee:
      return !who.actor.empty() && who.actor == c.assignee;
  }
  return false;
}

bool Permitted(const Transition& t, const Case& c, const Principal& who) {
  return std::any_of(t.permits.begin(), t.permits.end(), [&](const Permit& p) {
    return p.role == who.role && ScopeHolds(p.scope, c, who);
  });
}

bool ClaimRaceLost(const Transition& t, const Case& c, const Principal& who) {
  return t.effect == Effect::kClaim && !c.assignee.empty() && who.role == Role::kActor &&
         !who.actor.empty() && Has(c.involved_actors, who.actor);
}

// The preconditions on the case itself that an effect needs beyond state, role and scope.
bool CasePreconditionsHold(const Transition& t, const Case& c) {
  switch (t.effect) {
    case Effect::kClaim:
      return c.assignee.empty();
    case Effect::kRelease:
    case Effect::kReassign:
      return !c.assignee.empty();
    default:
      return true;
  }
}

// Accumulates the events of one decision, numbering them and applying each to a scratch case.
class Emitter {
 public:
  Emitter(const Decider& decider, const Workflow& wf, const Case& c, const Principal& who,
          const std::string& action, Time now)
      : decider_(decider), wf_(wf), work_(c), who_(who), action_(action), now_(now) {}

  const Case& work() const { return work_; }

  // Fills the common fields (to_state "" = stays, level "" = unchanged) and applies the event.
  void Emit(Event e) {
    e.case_id = work_.id;
    e.seq = work_.version + 1;
    e.time = now_;
    e.user = who_.username;
    e.action = action_;
    e.from_state = work_.state;
    if (e.to_state.empty()) e.to_state = work_.state;
    if (e.level.empty()) e.level = work_.level;
    // A new state, or new candidates (ROUTED: a new level or a release), restarts the clock.
    if (e.to_state != e.from_state || e.type == EventType::kRouted) {
      SetClock(e);
    } else {
      e.deadline = work_.deadline;
      e.sla_remaining = work_.sla_remaining;
    }
    Apply(work_, e);
    events_.push_back(std::move(e));
  }

  std::vector<Event> Take() { return std::move(events_); }

 private:
  // Entering a state that pauses the SLA stops the clock and keeps the time left (a case that
  // was already overdue keeps zero); leaving the pause into a state with an SLA gives back
  // exactly that time. Any other entry starts the new state's full SLA.
  void SetClock(Event& e) const {
    const State* to = wf_.FindState(e.to_state);
    const State* from = wf_.FindState(e.from_state);
    if (to != nullptr && to->pauses_sla) {
      e.deadline = std::nullopt;
      if (work_.deadline) {
        e.sla_remaining = std::max(base::Millis(0), *work_.deadline - now_);
      } else {
        e.sla_remaining = work_.sla_remaining;
      }
      return;
    }
    e.deadline = decider_.DeadlineFor(wf_, e.to_state, now_);
    if (from != nullptr && from->pauses_sla && work_.sla_remaining && e.deadline) {
      e.deadline = now_ + *work_.sla_remaining;
    }
  }

  const Decider& decider_;
  const Workflow& wf_;
  Case work_;
  const Principal& who_;
  const std::string& action_;
  Time now_;
  std::vector<Event> events_;
};

}  // namespace

Decider::Decider(const Config& config) : config_(config), router_(config) {}

std::optional<Time> Decider::DeadlineFor(const Workflow& wf, const std::string& state,
                                         Time entered) const {
  const State* s = wf.FindState(state);
  if (s == nullptr || s->pauses_sla) return std::nullopt;
  const Sla* sla = wf.FindSla(state);
  if (sla == nullptr) return std::nullopt;
  if (sla->business_days > 0) return AddBusinessDays(entered, sla->business_days);
  if (sla->duration.count() > 0) return entered + sla->duration;
  return std::nullopt;
}

Result<std::vector<Event>> Decider::Create(const Principal& who, CaseDraft draft,
                                           const std::string& id, Time now) const {
  if (who.role != Role::kCoordinator) {
    return base::PermissionDenied(std::string("only a coordinator may log a case, not ") +
                                  RoleName(who.role));
  }
  if (draft.node.empty()) draft.node = who.node;
  if (draft.node != who.node) {
    return base::PermissionDenied("a coordinator of '" + who.node +
                                  "' may not log a case at node '" + draft.node + "'");
  }

  std::vector<FieldViolation> v;
  if (id.empty()) v.push_back({"id", "required"});
  if (IsBlank(draft.title)) {
    v.push_back({"title", "required"});
  } else if (Utf8Length(draft.title) > 200) {
    v.push_back({"title", "longer than 200 characters"});
  }
  if (IsBlank(draft.company.name)) v.push_back({"company.name", "required"});
  if (IsBlank(draft.company.org_number)) {
    v.push_back({"company.orgNumber", "required"});
  } else {
    std::string why;
    std::optional<std::string> normalized = NormalizeOrgNumber(draft.company.org_number, &why);
    if (normalized) {
      draft.company.org_number = *normalized;
    } else {
      v.push_back({"company.orgNumber",
                   "not a valid Swedish organisation number" + (why.empty() ? "" : ": " + why)});
    }
  }
  if (!draft.company.size.empty() && !OneOf(draft.company.size, kCompanySizes)) {
    v.push_back({"company.size", "must be MICRO, SMALL, MEDIUM or LARGE"});
  }
  if (!draft.contact.email.empty() && !ValidEmail(draft.contact.email)) {
    v.push_back({"contact.email", "not an e-mail address"});
  }
  for (const std::string& need : draft.needs) {
    if (!config_.HasNeed(need)) v.push_back({"needs", "unknown need '" + need + "'"});
  }
  for (const std::string& area : draft.areas) {
    if (!config_.HasArea(area)) v.push_back({"areas", "unknown area '" + area + "'"});
  }
  if (!config_.HasNode(draft.node)) v.push_back({"node", "unknown node '" + draft.node + "'"});
  if (config_.levels.empty()) return base::Internal("the configuration has no levels");
  if (!v.empty()) return Invalid(std::move(v));

  if (draft.workflow_version == 0) draft.workflow_version = config_.workflow.version;
  Event e;
  e.case_id = id;
  e.seq = 1;
  e.type = EventType::kCreated;
  e.action = "create";
  e.time = now;
  e.user = who.username;
  e.to_state = config_.workflow.initial_state;
  e.level = config_.levels.front();
  e.deadline = DeadlineFor(config_.workflow, e.to_state, now);
  e.created = std::move(draft);
  std::vector<Event> events;
  events.push_back(std::move(e));
  return events;
}

namespace {

// Routes the (scratch) case from `start_level`: an ESCALATED "NO_MATCH" for each level passed
// with no candidates, then ROUTED, or UNMATCHED past the top.
void RouteFrom(Emitter& out, const Config& config, const Workflow& wf, const Router& router,
               const std::string& start_level, const std::vector<std::string>& exclude,
               const LoadFn& load) {
  RouteResult r = router.Route(out.work(), start_level, exclude, load);
  // Past the top there is no next level: the last level tried ends in UNMATCHED instead.
  size_t climbs = r.climbed.size();
  if (r.level.empty() && climbs > 0) --climbs;
  for (size_t i = 0; i < climbs; ++i) {
    const int next = config.LevelIndex(r.climbed[i]) + 1;
    Event e;
    e.type = EventType::kEscalated;
    e.reason = "NO_MATCH";
    e.from_level = r.climbed[i];
    e.level = config.levels[static_cast<size_t>(next)];
    out.Emit(std::move(e));
  }
  Event e;
  if (!r.level.empty()) {
    e.type = EventType::kRouted;
    e.to_state = wf.matched_state;
    e.level = r.level;
    e.matches = std::move(r.matches);
  } else {
    e.type = EventType::kUnmatched;
    e.to_state = wf.unmatched_state;
    e.reason = "NO_MATCH";
  }
  out.Emit(std::move(e));
}

// One level up and routed again from there; UNMATCHED directly on the top level.
void EscalateFrom(Emitter& out, const Config& config, const Workflow& wf, const Router& router,
                  const std::string& reason, const LoadFn& load) {
  const int index = config.LevelIndex(out.work().level);
  if (index < 0 || static_cast<size_t>(index) + 1 >= config.levels.size()) {
    Event e;
    e.type = EventType::kUnmatched;
    e.to_state = wf.unmatched_state;
    e.reason = reason;
    out.Emit(std::move(e));
    return;
  }
  Event e;
  e.type = EventType::kEscalated;
  e.reason = reason;
  e.from_level = out.work().level;
  e.level = config.levels[static_cast<size_t>(index) + 1];
  out.Emit(std::move(e));
  RouteFrom(out, config, wf, router, out.work().level, {}, load);
}

}  // namespace

Result<std::vector<Event>> Decider::Decide(const Workflow& wf, const Case& c, const Principal& who,
                                           const Command& cmd, Time now,
                                           const DecisionInputs& inputs) const {
  const LoadFn load = [&inputs](const std::string& actor) {
    auto it = inputs.open_cases.find(actor);
    return it == inputs.open_cases.end() ? 0 : it->second;
  };
  const Transition* t = wf.FindTransition(cmd.action);
  if (t == nullptr) return base::NotFound("unknown action '" + cmd.action + "'");
  if (c.version == 0) return base::NotFound("case '" + c.id + "' does not exist");
  // Before the state check: the loser of a claim race sees the winner's state, and must learn
  // that it lost (409 ABORTED), not that claiming is impossible in general.
  if (ClaimRaceLost(*t, c, who)) return base::Aborted("case already claimed by another actor");
  if (!Has(t->from, c.state)) {
    return base::FailedPrecondition("cannot " + t->name + " a case in state " + c.state);
  }
  if (!Permitted(*t, c, who)) {
    return base::PermissionDenied(std::string(RoleName(who.role)) + " '" + who.username +
                                  "' may not " + t->name + " this case");
  }
  if (t->reason_required && IsBlank(cmd.reason)) return base::InvalidField("reason", "required");
  if (!CasePreconditionsHold(*t, c)) {
    return base::FailedPrecondition(c.assignee.empty()
                                        ? "cannot " + t->name + " a case with no assignee"
                                        : "cannot " + t->name + " a case already claimed");
  }

  Emitter out(*this, wf, c, who, t->name, now);
  Event e;
  e.to_state = t->to;
  e.reason = cmd.reason;
  switch (t->effect) {
    case Effect::kNone:
      e.type = EventType::kTransitioned;
      e.feedback = cmd.feedback;
      out.Emit(std::move(e));
      break;

    case Effect::kTriage: {
      std::vector<FieldViolation> v;
      if (cmd.needs.empty()) v.push_back({"needs", "at least one need is required"});
      for (const std::string& need : cmd.needs) {
        if (!config_.HasNeed(need)) v.push_back({"needs", "unknown need '" + need + "'"});
      }
      for (const std::string& area : cmd.areas) {
        if (!config_.HasArea(area)) v.push_back({"areas", "unknown area '" + area + "'"});
      }
      if (!v.empty()) return Invalid(std::move(v));
      e.type = EventType::kTriaged;
      e.needs = cmd.needs;
      e.areas = cmd.areas;
      out.Emit(std::move(e));
      RouteFrom(out, config_, wf, router_, out.work().level, out.work().declined, load);
      break;
    }

    case Effect::kEscalate:
      EscalateFrom(out, config_, wf, router_, cmd.reason, load);
      break;

    case Effect::kClaim:
      e.type = EventType::kClaimed;
      e.actor = who.actor;
      out.Emit(std::move(e));
      break;

    case Effect::kDecline:
      e.type = EventType::kDeclined;
      e.actor = who.actor;
      out.Emit(std::move(e));
      if (out.work().candidates.empty()) {
        EscalateFrom(out, config_, wf, router_, "ALL_DECLINED", load);
      }
      break;

    case Effect::kRelease:
      e.type = EventType::kReleased;
      e.actor = c.assignee;
      out.Emit(std::move(e));
      // Same level, without the actors that declined it or let it go (the releaser is now
      // among the declined).
      RouteFrom(out, config_, wf, router_, out.work().level, out.work().declined, load);
      break;

    case Effect::kReassign: {
      const Actor* actor = config_.FindActor(cmd.actor);
      if (actor == nullptr) {
        return base::InvalidField(
            "actor", cmd.actor.empty() ? "required" : "unknown actor '" + cmd.actor + "'");
      }
      if (cmd.actor == c.assignee) {
        return base::InvalidField("actor", "'" + cmd.actor + "' is already the assignee");
      }
      const bool serves = std::any_of(c.needs.begin(), c.needs.end(),
                                      [&](const std::string& n) { return Has(actor->needs, n); });
      if (!serves) {
        return base::InvalidField("actor", "'" + cmd.actor + "' serves none of the case's needs");
      }
      e.type = EventType::kReassigned;
      e.actor = cmd.actor;
      out.Emit(std::move(e));
      break;
    }

    case Effect::kResolve:
      if (!OneOf(cmd.outcome.kind, kOutcomeKinds)) {
        return base::InvalidField("outcome.kind",
                                  "unknown outcome kind '" + cmd.outcome.kind + "'");
      }
      e.type = EventType::kResolved;
      e.outcome = cmd.outcome;
      out.Emit(std::move(e));
      break;

    case Effect::kReopen:
      e.type = EventType::kReopened;
      out.Emit(std::move(e));
      break;

    case Effect::kFollowUp: {
      std::vector<FieldViolation> v;
      if (cmd.child_id.empty()) v.push_back({"childId", "required"});
      if (IsBlank(cmd.title)) v.push_back({"title", "required"});
      if (!v.empty()) return Invalid(std::move(v));
      e.type = EventType::kFollowUpCreated;
      e.related_case_id = cmd.child_id;
      out.Emit(std::move(e));
      break;
    }

    case Effect::kRecordEffect: {
      std::vector<FieldViolation> v;
      if (!OneOf(cmd.effect.kind, kEffectKinds)) {
        v.push_back({"effect.kind", "unknown effect kind '" + cmd.effect.kind + "'"});
      }
      if (cmd.months_after_close < 1 || cmd.months_after_close > 120) {
        v.push_back({"monthsAfterClose", "must be between 1 and 120"});
      }
      if (!v.empty()) return Invalid(std::move(v));
      e.type = EventType::kEffectRecorded;
      e.outcome = cmd.effect;
      e.months_after_close = cmd.months_after_close;
      out.Emit(std::move(e));
      break;
    }

    case Effect::kLinkOffer:
      if (IsBlank(cmd.offer_id)) return base::InvalidField("offerId", "required");
      if (Has(c.offer_ids, cmd.offer_id)) {
        return base::FailedPrecondition("offer '" + cmd.offer_id + "' is already linked");
      }
      if (!inputs.offer_linkable.ok()) return inputs.offer_linkable;
      e.type = EventType::kOfferLinked;
      e.offer_id = cmd.offer_id;
      out.Emit(std::move(e));
      break;
  }
  return out.Take();
}

std::vector<std::string> Decider::AllowedActions(const Workflow& wf, const Case& c,
                                                 const Principal& who) const {
  std::vector<std::string> allowed;
  if (c.version == 0) return allowed;
  for (const Transition& t : wf.transitions) {
    if (Has(t.from, c.state) && Permitted(t, c, who) && CasePreconditionsHold(t, c)) {
      allowed.push_back(t.name);
    }
  }
  return allowed;
}

}  // namespace tillvaxt::domain
