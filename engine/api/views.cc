#include "engine/api/views.h"

#include "engine/codec/event_codec.h"

namespace tillvaxt::api {
namespace {

const char* EffectName(domain::Effect effect) {
  switch (effect) {
    case domain::Effect::kNone:
      return "NONE";
    case domain::Effect::kTriage:
      return "TRIAGE";
    case domain::Effect::kEscalate:
      return "ESCALATE";
    case domain::Effect::kClaim:
      return "CLAIM";
    case domain::Effect::kDecline:
      return "DECLINE";
    case domain::Effect::kRelease:
      return "RELEASE";
    case domain::Effect::kReassign:
      return "REASSIGN";
    case domain::Effect::kResolve:
      return "RESOLVE";
    case domain::Effect::kReopen:
      return "REOPEN";
    case domain::Effect::kFollowUp:
      return "FOLLOW_UP";
    case domain::Effect::kRecordEffect:
      return "RECORD_EFFECT";
    case domain::Effect::kLinkOffer:
      return "LINK_OFFER";
  }
  return "NONE";
}

const char* ScopeName(domain::Scope scope) {
  switch (scope) {
    case domain::Scope::kAny:
      return "";
    case domain::Scope::kOwnNode:
      return "OWN_NODE";
    case domain::Scope::kCandidate:
      return "CANDIDATE";
    case domain::Scope::kAssignee:
      return "ASSIGNEE";
  }
  return "";
}

template <typename Repeated>
void CopyStrings(const std::vector<std::string>& from, Repeated* to) {
  to->Reserve(static_cast<int>(from.size()));
  for (const std::string& s : from) to->Add()->assign(s);
}

void MatchesView(const std::vector<domain::Match>& from,
                 google::protobuf::RepeatedPtrField<api::v1::Match>* to) {
  to->Reserve(static_cast<int>(from.size()));
  for (const domain::Match& m : from) {
    api::v1::Match* p = to->Add();
    p->set_actor(m.actor);
    p->set_score(m.score);
    CopyStrings(m.reasons, p->mutable_reasons());
  }
}

}  // namespace

api::v1::Case CaseView(const service::VisibleCase& c) {
  api::v1::Case p;
  p.set_id(c.id);
  p.set_title(c.title);
  p.set_description(c.description);
  api::v1::Company* company = p.mutable_company();
  company->set_name(c.company.name);
  company->set_org_number(c.company.org_number);
  company->set_municipality(c.company.municipality);
  company->set_size(c.company.size);
  company->set_industry(c.company.industry);
  api::v1::Contact* contact = p.mutable_contact();
  contact->set_name(c.contact.name);
  contact->set_email(c.contact.email);
  contact->set_phone(c.contact.phone);
  CopyStrings(c.needs, p.mutable_needs());
  CopyStrings(c.areas, p.mutable_areas());
  p.set_node(c.node);
  p.set_level(c.level);
  p.set_highest_level(c.highest_level);
  p.set_state(c.state);
  CopyStrings(c.candidates, p.mutable_candidates());
  CopyStrings(c.declined, p.mutable_declined());
  CopyStrings(c.involved_actors, p.mutable_involved_actors());
  p.set_assignee(c.assignee);
  MatchesView(c.matches, p.mutable_matches());
  if (c.outcome != domain::Outcome{}) {
    p.mutable_outcome()->set_kind(c.outcome.kind);
    p.mutable_outcome()->set_note(c.outcome.note);
  }
  p.set_feedback(c.feedback);
  p.set_parent_id(c.parent_id);
  CopyStrings(c.child_ids, p.mutable_child_ids());
  CopyStrings(c.offer_ids, p.mutable_offer_ids());
  for (const domain::RecordedEffect& r : c.effects) {
    api::v1::RecordedEffect* pr = p.add_effects();
    pr->mutable_effect()->set_kind(r.effect.kind);
    pr->mutable_effect()->set_note(r.effect.note);
    pr->set_months_after_close(r.months_after_close);
    *pr->mutable_time() = codec::TimeToProto(r.time);
  }
  p.set_version(c.version);
  p.set_workflow_version(c.workflow_version);
  *p.mutable_create_time() = codec::TimeToProto(c.create_time);
  *p.mutable_update_time() = codec::TimeToProto(c.update_time);
  *p.mutable_state_time() = codec::TimeToProto(c.state_time);
  if (c.deadline) *p.mutable_deadline() = codec::TimeToProto(*c.deadline);
  if (c.sla_remaining) *p.mutable_sla_remaining() = codec::MillisToProto(*c.sla_remaining);
  CopyStrings(c.allowed_actions(), p.mutable_allowed_actions());
  p.set_anonymised(c.anonymised());
  return p;
}

api::v1::Case RelatedCaseView(const service::RelatedCase& c) {
  api::v1::Case p;
  p.set_id(c.id);
  p.set_title(c.title);
  p.set_node(c.node);
  p.set_level(c.level);
  p.set_state(c.state);
  *p.mutable_create_time() = codec::TimeToProto(c.create_time);
  return p;
}

api::v1::Offer OfferView(const domain::Offer& o) {
  api::v1::Offer p;
  p.set_id(o.id);
  p.set_actor(o.actor);
  p.set_level(o.level);
  p.set_kind(o.kind);
  p.set_title(o.title);
  p.set_description(o.description);
  CopyStrings(o.needs, p.mutable_needs());
  CopyStrings(o.areas, p.mutable_areas());
  CopyStrings(o.nodes, p.mutable_nodes());
  p.set_url(o.url);
  if (o.valid_from) *p.mutable_valid_from() = codec::TimeToProto(*o.valid_from);
  if (o.valid_until) *p.mutable_valid_until() = codec::TimeToProto(*o.valid_until);
  p.set_state(o.state);
  p.set_reason(o.reason);
  for (const domain::OfferRecipients& r : o.recipients) {
    api::v1::OfferRecipients* pr = p.add_recipients();
    pr->set_level(r.level);
    CopyStrings(r.actors, pr->mutable_actors());
    CopyStrings(r.nodes, pr->mutable_nodes());
    *pr->mutable_time() = codec::TimeToProto(r.time);
  }
  p.set_version(o.version);
  *p.mutable_create_time() = codec::TimeToProto(o.create_time);
  *p.mutable_update_time() = codec::TimeToProto(o.update_time);
  return p;
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
  MatchesView(e.matches, v.mutable_matches());
  CopyStrings(e.needs, v.mutable_needs());
  CopyStrings(e.areas, v.mutable_areas());
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
    if (domain::Routes(t.effect)) {
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

domain::Company CompanyFromApi(const api::v1::Company& p) {
  return {p.name(), p.org_number(), p.municipality(), p.size(), p.industry()};
}

domain::Contact ContactFromApi(const api::v1::Contact& p) {
  return {p.name(), p.email(), p.phone()};
}

std::string CaseEtag(const domain::Case& c) { return "\"v" + std::to_string(c.version) + "\""; }

}  // namespace tillvaxt::api
