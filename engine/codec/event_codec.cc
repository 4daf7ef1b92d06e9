#include "engine/codec/event_codec.h"

#include <exception>
#include <string>
#include <vector>

#include "google/protobuf/duration.pb.h"

namespace tillvaxt::codec {
namespace {

using google::protobuf::RepeatedPtrField;

template <typename Repeated>
void CopyStrings(const std::vector<std::string>& from, Repeated* to) {
  to->Reserve(static_cast<int>(from.size()));
  for (const std::string& s : from) to->Add()->assign(s);
}

std::vector<std::string> Strings(const RepeatedPtrField<std::string>& from) {
  return std::vector<std::string>(from.begin(), from.end());
}

void CompanyToProto(const domain::Company& c, storage::v1::Company* p) {
  p->set_name(c.name);
  p->set_org_number(c.org_number);
  p->set_municipality(c.municipality);
  p->set_size(c.size);
  p->set_industry(c.industry);
}

domain::Company CompanyFromProto(const storage::v1::Company& p) {
  return {p.name(), p.org_number(), p.municipality(), p.size(), p.industry()};
}

void ContactToProto(const domain::Contact& c, storage::v1::Contact* p) {
  p->set_name(c.name);
  p->set_email(c.email);
  p->set_phone(c.phone);
}

domain::Contact ContactFromProto(const storage::v1::Contact& p) {
  return {p.name(), p.email(), p.phone()};
}

void MatchesToProto(const std::vector<domain::Match>& from,
                    RepeatedPtrField<storage::v1::Match>* to) {
  to->Reserve(static_cast<int>(from.size()));
  for (const domain::Match& m : from) {
    storage::v1::Match* p = to->Add();
    p->set_actor(m.actor);
    p->set_score(m.score);
    CopyStrings(m.reasons, p->mutable_reasons());
  }
}

std::vector<domain::Match> MatchesFromProto(const RepeatedPtrField<storage::v1::Match>& from) {
  std::vector<domain::Match> out;
  out.reserve(static_cast<size_t>(from.size()));
  for (const storage::v1::Match& p : from)
    out.push_back({p.actor(), p.score(), Strings(p.reasons())});
  return out;
}

void OutcomeToProto(const domain::Outcome& o, storage::v1::Outcome* p) {
  p->set_kind(o.kind);
  p->set_note(o.note);
}

void EffectToProto(const domain::Outcome& o, storage::v1::Effect* p) {
  p->set_kind(o.kind);
  p->set_note(o.note);
}

}  // namespace

google::protobuf::Timestamp TimeToProto(base::Time t) {
  const int64_t ms = base::ToUnixMillis(t);
  int64_t seconds = ms / 1000;
  int64_t rem = ms % 1000;
  if (rem < 0) {  // nanos must be non-negative: borrow a second
    rem += 1000;
    seconds -= 1;
  }
  google::protobuf::Timestamp ts;
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<int32_t>(rem * 1'000'000));
  return ts;
}

base::Time TimeFromProto(const google::protobuf::Timestamp& ts) {
  return base::FromUnixMillis(ts.seconds() * 1000 + ts.nanos() / 1'000'000);
}

google::protobuf::Duration MillisToProto(base::Millis d) {
  google::protobuf::Duration p;
  p.set_seconds(d.count() / 1000);
  p.set_nanos(static_cast<int32_t>((d.count() % 1000) * 1'000'000));
  return p;
}

base::Millis MillisFromProto(const google::protobuf::Duration& p) {
  return base::Millis(p.seconds() * 1000 + p.nanos() / 1'000'000);
}

events::v1::EventType EventTypeToProto(domain::EventType type) {
  using domain::EventType;
  switch (type) {
    case EventType::kUnspecified:
      return events::v1::EVENT_TYPE_UNSPECIFIED;
    case EventType::kCreated:
      return events::v1::CREATED;
    case EventType::kTriaged:
      return events::v1::TRIAGED;
    case EventType::kRouted:
      return events::v1::ROUTED;
    case EventType::kEscalated:
      return events::v1::ESCALATED;
    case EventType::kUnmatched:
      return events::v1::UNMATCHED;
    case EventType::kClaimed:
      return events::v1::CLAIMED;
    case EventType::kDeclined:
      return events::v1::DECLINED;
    case EventType::kReleased:
      return events::v1::RELEASED;
    case EventType::kReassigned:
      return events::v1::REASSIGNED;
    case EventType::kResolved:
      return events::v1::RESOLVED;
    case EventType::kReopened:
      return events::v1::REOPENED;
    case EventType::kFollowUpCreated:
      return events::v1::FOLLOW_UP_CREATED;
    case EventType::kEffectRecorded:
      return events::v1::EFFECT_RECORDED;
    case EventType::kOfferLinked:
      return events::v1::OFFER_LINKED;
    case EventType::kTransitioned:
      return events::v1::TRANSITIONED;
    case EventType::kSlaWarning:
      return events::v1::SLA_WARNING;
    case EventType::kSlaOverdue:
      return events::v1::SLA_OVERDUE;
    case EventType::kEffectReminder:
      return events::v1::EFFECT_REMINDER;
  }
  return events::v1::EVENT_TYPE_UNSPECIFIED;
}

domain::EventType EventTypeFromProto(events::v1::EventType type) {
  using domain::EventType;
  switch (type) {
    case events::v1::CREATED:
      return EventType::kCreated;
    case events::v1::TRIAGED:
      return EventType::kTriaged;
    case events::v1::ROUTED:
      return EventType::kRouted;
    case events::v1::ESCALATED:
      return EventType::kEscalated;
    case events::v1::UNMATCHED:
      return EventType::kUnmatched;
    case events::v1::CLAIMED:
      return EventType::kClaimed;
    case events::v1::DECLINED:
      return EventType::kDeclined;
    case events::v1::RELEASED:
      return EventType::kReleased;
    case events::v1::REASSIGNED:
      return EventType::kReassigned;
    case events::v1::RESOLVED:
      return EventType::kResolved;
    case events::v1::REOPENED:
      return EventType::kReopened;
    case events::v1::FOLLOW_UP_CREATED:
      return EventType::kFollowUpCreated;
    case events::v1::EFFECT_RECORDED:
      return EventType::kEffectRecorded;
    case events::v1::OFFER_LINKED:
      return EventType::kOfferLinked;
    case events::v1::TRANSITIONED:
      return EventType::kTransitioned;
    case events::v1::SLA_WARNING:
      return EventType::kSlaWarning;
    case events::v1::SLA_OVERDUE:
      return EventType::kSlaOverdue;
    case events::v1::EFFECT_REMINDER:
      return EventType::kEffectReminder;
    default:
      return EventType::kUnspecified;
  }
}

events::v1::Created DraftToProto(const domain::CaseDraft& d) {
  events::v1::Created p;
  p.set_title(d.title);
  p.set_description(d.description);
  CompanyToProto(d.company, p.mutable_company());
  ContactToProto(d.contact, p.mutable_contact());
  p.set_node(d.node);
  p.set_parent_id(d.parent_id);
  p.set_workflow_version(d.workflow_version);
  CopyStrings(d.needs, p.mutable_needs());
  CopyStrings(d.areas, p.mutable_areas());
  return p;
}

domain::CaseDraft DraftFromProto(const events::v1::Created& p) {
  domain::CaseDraft d;
  d.title = p.title();
  d.description = p.description();
  d.company = CompanyFromProto(p.company());
  d.contact = ContactFromProto(p.contact());
  d.node = p.node();
  d.parent_id = p.parent_id();
  d.workflow_version = p.workflow_version();
  d.needs = Strings(p.needs());
  d.areas = Strings(p.areas());
  return d;
}

events::v1::CaseEvent EventToProto(const domain::Event& e) {
  events::v1::CaseEvent p;
  p.set_case_id(e.case_id);
  p.set_seq(e.seq);
  p.set_type(EventTypeToProto(e.type));
  p.set_action(e.action);
  *p.mutable_time() = TimeToProto(e.time);
  p.set_user(e.user);
  p.set_from_state(e.from_state);
  p.set_to_state(e.to_state);
  p.set_level(e.level);
  p.set_from_level(e.from_level);
  p.set_reason(e.reason);
  p.set_actor(e.actor);
  MatchesToProto(e.matches, p.mutable_matches());
  CopyStrings(e.needs, p.mutable_needs());
  CopyStrings(e.areas, p.mutable_areas());
  if (e.type == domain::EventType::kEffectRecorded) {
    if (e.outcome != domain::Outcome{}) EffectToProto(e.outcome, p.mutable_effect());
  } else if (e.outcome != domain::Outcome{}) {
    OutcomeToProto(e.outcome, p.mutable_outcome());
  }
  p.set_months_after_close(e.months_after_close);
  p.set_offer_id(e.offer_id);
  p.set_related_case_id(e.related_case_id);
  p.set_feedback(e.feedback);
  if (e.deadline) *p.mutable_deadline() = TimeToProto(*e.deadline);
  p.set_percent(e.percent);
  if (e.sla_remaining) *p.mutable_sla_remaining() = MillisToProto(*e.sla_remaining);
  if (e.created) *p.mutable_created() = DraftToProto(*e.created);
  return p;
}

domain::Event EventFromProto(const events::v1::CaseEvent& p) {
  domain::Event e;
  e.case_id = p.case_id();
  e.seq = p.seq();
  e.type = EventTypeFromProto(p.type());
  e.action = p.action();
  e.time = TimeFromProto(p.time());
  e.user = p.user();
  e.from_state = p.from_state();
  e.to_state = p.to_state();
  e.level = p.level();
  e.from_level = p.from_level();
  e.reason = p.reason();
  e.actor = p.actor();
  e.matches = MatchesFromProto(p.matches());
  e.needs = Strings(p.needs());
  e.areas = Strings(p.areas());
  if (e.type == domain::EventType::kEffectRecorded) {
    e.outcome = {p.effect().kind(), p.effect().note()};
  } else {
    e.outcome = {p.outcome().kind(), p.outcome().note()};
  }
  e.months_after_close = p.months_after_close();
  e.offer_id = p.offer_id();
  e.related_case_id = p.related_case_id();
  e.feedback = p.feedback();
  if (p.has_deadline()) e.deadline = TimeFromProto(p.deadline());
  e.percent = p.percent();
  if (p.has_sla_remaining()) e.sla_remaining = MillisFromProto(p.sla_remaining());
  if (p.has_created()) e.created = DraftFromProto(p.created());
  return e;
}

storage::v1::CaseRow CaseToRow(const domain::Case& c) {
  storage::v1::CaseRow p;
  p.set_id(c.id);
  p.set_title(c.title);
  p.set_description(c.description);
  CompanyToProto(c.company, p.mutable_company());
  ContactToProto(c.contact, p.mutable_contact());
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
  MatchesToProto(c.matches, p.mutable_matches());
  if (c.outcome != domain::Outcome{}) OutcomeToProto(c.outcome, p.mutable_outcome());
  p.set_feedback(c.feedback);
  p.set_parent_id(c.parent_id);
  CopyStrings(c.child_ids, p.mutable_child_ids());
  CopyStrings(c.offer_ids, p.mutable_offer_ids());
  for (const domain::RecordedEffect& r : c.effects) {
    storage::v1::RecordedEffect* pr = p.add_effects();
    EffectToProto(r.effect, pr->mutable_effect());
    pr->set_months_after_close(r.months_after_close);
    *pr->mutable_time() = TimeToProto(r.time);
  }
  p.set_version(c.version);
  p.set_workflow_version(c.workflow_version);
  *p.mutable_create_time() = TimeToProto(c.create_time);
  *p.mutable_update_time() = TimeToProto(c.update_time);
  *p.mutable_state_time() = TimeToProto(c.state_time);
  if (c.deadline) *p.mutable_deadline() = TimeToProto(*c.deadline);
  if (c.sla_remaining) *p.mutable_sla_remaining() = MillisToProto(*c.sla_remaining);
  return p;
}

domain::Case CaseFromRow(const storage::v1::CaseRow& p) {
  domain::Case c;
  c.id = p.id();
  c.title = p.title();
  c.description = p.description();
  c.company = CompanyFromProto(p.company());
  c.contact = ContactFromProto(p.contact());
  c.needs = Strings(p.needs());
  c.areas = Strings(p.areas());
  c.node = p.node();
  c.level = p.level();
  c.highest_level = p.highest_level();
  c.state = p.state();
  c.candidates = Strings(p.candidates());
  c.declined = Strings(p.declined());
  c.involved_actors = Strings(p.involved_actors());
  c.assignee = p.assignee();
  c.matches = MatchesFromProto(p.matches());
  c.outcome = {p.outcome().kind(), p.outcome().note()};
  c.feedback = p.feedback();
  c.parent_id = p.parent_id();
  c.child_ids = Strings(p.child_ids());
  c.offer_ids = Strings(p.offer_ids());
  c.effects.reserve(static_cast<size_t>(p.effects_size()));
  for (const storage::v1::RecordedEffect& r : p.effects()) {
    c.effects.push_back(
        {{r.effect().kind(), r.effect().note()}, r.months_after_close(), TimeFromProto(r.time())});
  }
  c.version = p.version();
  c.workflow_version = p.workflow_version();
  c.create_time = TimeFromProto(p.create_time());
  c.update_time = TimeFromProto(p.update_time());
  c.state_time = TimeFromProto(p.state_time());
  if (p.has_deadline()) c.deadline = TimeFromProto(p.deadline());
  if (p.has_sla_remaining()) c.sla_remaining = MillisFromProto(p.sla_remaining());
  return c;
}

std::string SerializeEvent(const domain::Event& e) { return EventToProto(e).SerializeAsString(); }

base::Result<domain::Event> ParseEvent(std::string_view bytes) {
  try {
    events::v1::CaseEvent p;
    if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return base::Internal("event payload is not a valid CaseEvent (" +
                            std::to_string(bytes.size()) + " bytes)");
    }
    return EventFromProto(p);
  } catch (const std::exception& ex) {
    return base::Internal(std::string("parsing an event payload: ") + ex.what());
  }
}

std::string SerializeCase(const domain::Case& c) { return CaseToRow(c).SerializeAsString(); }

base::Result<domain::Case> ParseCase(std::string_view bytes) {
  try {
    storage::v1::CaseRow p;
    if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return base::Internal("case body is not a valid CaseRow (" + std::to_string(bytes.size()) +
                            " bytes)");
    }
    return CaseFromRow(p);
  } catch (const std::exception& ex) {
    return base::Internal(std::string("parsing a case body: ") + ex.what());
  }
}

}  // namespace tillvaxt::codec
