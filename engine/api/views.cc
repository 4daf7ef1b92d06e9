#include "engine/api/views.h"

#include "engine/auth/visibility.h"
#include "engine/codec/event_codec.h"

namespace tillvaxt::api {
namespace {

const char* EffectName(domain::Effect effect) {
  switch (effect) {
    case domain::Effect::kNone: return "NONE";
    case domain::Effect::kTriage: return "TRIAGE";
    case domain::Effect::kEscalate: return "ESCALATE";
    case domain::Effect::kClaim: return "CLAIM";
    case domain::Effect::kDecline: return "DECLINE";
    case domain::Effect::kRelease: return "RELEASE";
    case domain::Effect::kReassign: return "REASSIGN";
    case domain::Effect::kResolve: return "RESOLVE";
    case domain::Effect::kReopen: return "REOPEN";
    case domain::Effect::kFollowUp: return "FOLLOW_UP";
    case domain::Effect::kRecordEffect: return "RECORD_EFFECT";
    case domain::Effect::kLinkOffer: return "LINK_OFFER";
  }
  return "NONE";
}

const char* ScopeName(domain::Scope scope) {
  switch (scope) {
    case domain::Scope::kAny: return "";
    case domain::Scope::kOwnNode: return "OWN_NODE";
    case domain::Scope::kCandidate: return "CANDIDATE";
    case domain::Scope::kAssignee: return "ASSIGNEE";
  }
  return "";
}

bool Routes(domain::Effect e) {
  return e == domain::Effect::kTriage || e == domain::Effect::kEscalate ||
         e == domain::Effect::kDecline || e == domain::Effect::kRelease;
}

}  // namespace

api::v1::Case CaseView(const service::CaseService& cases, const domain::Principal& who,
                       const domain::Case& c) {
  api::v1::Case view = codec::CaseToProto(c);
  for (const std::string& action : cases.AllowedActions(who, c)) view.add_allowed_actions(action);
  view.set_anonymised(!auth::SeesIdentity(who, c, cases.config()));
  return view;
}

api::v1::CaseEvent EventView(const domain::Event& e) {
  api::v1::CaseEvent v;
  v.set_case_id(e.case_id);
  v.set_seq(e.seq);
  v.set_type(domain::EventTypeName(e.type));
  *v.mutable_time() = codec::TimeToProto(e.time);
  v.set_user(e.user);
  v.set_level(e.level);
  v.set_from_level(e.from_level);
  v.set_from_state(e.from_state);
  v.set_to_state(e.to_state);
  v.set_reason(e.reason.empty() ? e.feedback : e.reason);
  v.set_action(e.action);
  v.set_actor(e.actor);
  for (const domain::Match& m : e.matches) {
    auto* pm = v.add_matches();
    pm->set_actor(m.actor);
    pm->set_score(m.score);
    for (const std::string& r : m.reasons) pm->add_reasons(r);
  }
  for (const std::string& n : e.needs) v.add_needs(n);
  for (const std::string& a : e.areas) v.add_areas(a);
  if (e.type == domain::EventType::kEffectRecorded) {
    v.mutable_effect()->set_kind(e.outcome.kind);
    v.mutable_effect()->set_note(e.outcome.note);
    v.set_months_after_close(e.months_after_close);
  } else if (!e.outcome.kind.empty()) {
    v.mutable_outcome()->set_kind(e.outcome.kind);
    v.mutable_outcome()->set_note(e.outcome.note);
  }
  if (e.type == domain::EventType::kEffectReminder) v.set_months_after_close(e.months_after_close);
  v.set_percent(e.percent);
  v.set_offer_id(e.offer_id);
  v.set_related_case_id(e.related_case_id);
  return v;
}

api::v1::ConfigView ConfigView(const domain::Config& config) {
  api::v1::ConfigView v;
  v.mutable_region()->set_id(config.region_id);
  v.mutable_region()->set_name(config.region_name);
  auto add_named = [](const std::vector<domain::Named>& items, auto* out) {
    for (const domain::Named& n : items) {
      auto* item = out->Add();
      item->set_id(n.id);
      item->set_name(n.name);
    }
  };
  add_named(config.nodes, v.mutable_nodes());
  add_named(config.needs, v.mutable_needs());
  add_named(config.areas, v.mutable_areas());
  for (const std::string& level : config.levels) v.add_levels(level);
  for (const domain::Actor& a : config.actors) {
    auto* pa = v.add_actors();
    pa->set_id(a.id);
    pa->set_name(a.name);
    pa->set_level(a.level);
    for (const auto& n : a.needs) pa->add_needs(n);
    for (const auto& n : a.areas) pa->add_areas(n);
    for (const auto& n : a.nodes) pa->add_nodes(n);
    pa->set_capacity(a.capacity);
    pa->set_url(a.url);
    pa->set_description(a.description);
  }
  for (const char* k : domain::kOutcomeKinds) v.add_outcome_kinds(k);
  for (const char* k : domain::kEffectKinds) v.add_effect_kinds(k);
  return v;
}

api::v1::WorkflowView WorkflowView(const domain::Workflow& wf) {
  api::v1::WorkflowView v;
  v.set_version(wf.version);
  v.set_initial_state(wf.initial_state);
  for (const domain::State& s : wf.states) {
    auto* ps = v.add_states();
    ps->set_name(s.name);
    ps->set_terminal(s.terminal);
    ps->set_open(s.open);
    ps->set_pauses_sla(s.pauses_sla);
    if (const domain::Sla* sla = wf.FindSla(s.name)) {
      ps->set_deadline(sla->business_days > 0
                           ? std::to_string(sla->business_days) + " business days"
                           : base::FormatDuration(sla->duration));
    }
  }
  for (const domain::Transition& t : wf.transitions) {
    auto* pt = v.add_transitions();
    pt->set_name(t.name);
    for (const auto& f : t.from) pt->add_from(f);
    pt->set_to(t.to);
    for (const domain::Permit& p : t.permits) {
      std::string role = domain::RoleName(p.role);
      bool seen = false;
      for (const auto& r : pt->roles()) seen = seen || r == role;
      if (!seen) pt->add_roles(role);
      std::string scope = ScopeName(p.scope);
      pt->add_scopes(scope.empty() ? role : role + "/" + scope);
    }
    pt->set_effect(EffectName(t.effect));
    pt->set_reason_required(t.reason_required);
    if (Routes(t.effect)) {
      pt->add_may_lead_to(wf.matched_state);
      pt->add_may_lead_to(wf.unmatched_state);
    }
  }
  return v;
}

api::v1::User UserView(const domain::Principal& who, const std::string& display_name,
                       const std::string& email) {
  api::v1::User u;
  u.set_username(who.username);
  u.set_role(domain::RoleName(who.role));
  u.set_node(who.node);
  u.set_actor(who.actor);
  u.set_display_name(display_name);
  u.set_email(email);
  return u;
}

std::string CaseEtag(const domain::Case& c) { return "\"v" + std::to_string(c.version) + "\""; }

}  // namespace tillvaxt::api
