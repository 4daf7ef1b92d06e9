#include "engine/codec/offer_codec.h"

#include <utility>

#include "engine/codec/event_codec.h"

namespace tillvaxt::codec {
namespace {

using StringList = google::protobuf::RepeatedPtrField<std::string>;

std::vector<std::string> ToVector(const StringList& items) { return {items.begin(), items.end()}; }

void Fill(StringList* out, const std::vector<std::string>& items) {
  out->Reserve(static_cast<int>(items.size()));
  for (const std::string& s : items) out->Add()->assign(s);
}

std::optional<base::Time> OptionalTime(bool has, const google::protobuf::Timestamp& ts) {
  if (!has) return std::nullopt;
  return TimeFromProto(ts);
}

events::v1::OfferEventType TypeToProto(domain::OfferEventType type) {
  switch (type) {
    case domain::OfferEventType::kPublished:
      return events::v1::OFFER_PUBLISHED;
    case domain::OfferEventType::kChannelled:
      return events::v1::OFFER_CHANNELLED;
    case domain::OfferEventType::kWithdrawn:
      return events::v1::OFFER_WITHDRAWN;
    case domain::OfferEventType::kExpired:
      return events::v1::OFFER_EXPIRED;
    case domain::OfferEventType::kUnspecified:
      break;
  }
  return events::v1::OFFER_EVENT_TYPE_UNSPECIFIED;
}

domain::OfferEventType TypeFromProto(events::v1::OfferEventType type) {
  switch (type) {
    case events::v1::OFFER_PUBLISHED:
      return domain::OfferEventType::kPublished;
    case events::v1::OFFER_CHANNELLED:
      return domain::OfferEventType::kChannelled;
    case events::v1::OFFER_WITHDRAWN:
      return domain::OfferEventType::kWithdrawn;
    case events::v1::OFFER_EXPIRED:
      return domain::OfferEventType::kExpired;
    default:
      break;
  }
  return domain::OfferEventType::kUnspecified;
}

}  // namespace

storage::v1::OfferRow OfferToRow(const domain::Offer& o) {
  storage::v1::OfferRow p;
  p.set_id(o.id);
  p.set_actor(o.actor);
  p.set_level(o.level);
  p.set_kind(o.kind);
  p.set_title(o.title);
  p.set_description(o.description);
  Fill(p.mutable_needs(), o.needs);
  Fill(p.mutable_areas(), o.areas);
  Fill(p.mutable_nodes(), o.nodes);
  p.set_url(o.url);
  if (o.valid_from) *p.mutable_valid_from() = TimeToProto(*o.valid_from);
  if (o.valid_until) *p.mutable_valid_until() = TimeToProto(*o.valid_until);
  p.set_state(o.state);
  p.set_reason(o.reason);
  for (const domain::OfferRecipients& r : o.recipients) {
    storage::v1::OfferRecipients* pr = p.add_recipients();
    pr->set_level(r.level);
    Fill(pr->mutable_actors(), r.actors);
    Fill(pr->mutable_nodes(), r.nodes);
    *pr->mutable_time() = TimeToProto(r.time);
  }
  p.set_version(o.version);
  *p.mutable_create_time() = TimeToProto(o.create_time);
  *p.mutable_update_time() = TimeToProto(o.update_time);
  return p;
}

domain::Offer OfferFromRow(const storage::v1::OfferRow& p) {
  domain::Offer o;
  o.id = p.id();
  o.actor = p.actor();
  o.level = p.level();
  o.kind = p.kind();
  o.title = p.title();
  o.description = p.description();
  o.needs = ToVector(p.needs());
  o.areas = ToVector(p.areas());
  o.nodes = ToVector(p.nodes());
  o.url = p.url();
  o.valid_from = OptionalTime(p.has_valid_from(), p.valid_from());
  o.valid_until = OptionalTime(p.has_valid_until(), p.valid_until());
  o.state = p.state();
  o.reason = p.reason();
  for (const storage::v1::OfferRecipients& pr : p.recipients()) {
    o.recipients.push_back(
        {pr.level(), ToVector(pr.actors()), ToVector(pr.nodes()), TimeFromProto(pr.time())});
  }
  o.version = p.version();
  o.create_time = TimeFromProto(p.create_time());
  o.update_time = TimeFromProto(p.update_time());
  return o;
}

events::v1::OfferDraft OfferDraftToProto(const domain::OfferDraft& d) {
  events::v1::OfferDraft p;
  p.set_kind(d.kind);
  p.set_title(d.title);
  p.set_description(d.description);
  Fill(p.mutable_needs(), d.needs);
  Fill(p.mutable_areas(), d.areas);
  Fill(p.mutable_nodes(), d.nodes);
  p.set_url(d.url);
  if (d.valid_from) *p.mutable_valid_from() = TimeToProto(*d.valid_from);
  if (d.valid_until) *p.mutable_valid_until() = TimeToProto(*d.valid_until);
  return p;
}

domain::OfferDraft OfferDraftFromProto(const events::v1::OfferDraft& p) {
  domain::OfferDraft d;
  d.kind = p.kind();
  d.title = p.title();
  d.description = p.description();
  d.needs = ToVector(p.needs());
  d.areas = ToVector(p.areas());
  d.nodes = ToVector(p.nodes());
  d.url = p.url();
  d.valid_from = OptionalTime(p.has_valid_from(), p.valid_from());
  d.valid_until = OptionalTime(p.has_valid_until(), p.valid_until());
  return d;
}

events::v1::OfferEvent OfferEventToProto(const domain::OfferEvent& e) {
  events::v1::OfferEvent p;
  p.set_offer_id(e.offer_id);
  p.set_seq(e.seq);
  p.set_type(TypeToProto(e.type));
  *p.mutable_time() = TimeToProto(e.time);
  p.set_user(e.user);
  p.set_actor(e.actor);
  if (e.type == domain::OfferEventType::kChannelled) {
    p.set_level(e.recipients.level);
    Fill(p.mutable_actors(), e.recipients.actors);
    Fill(p.mutable_nodes(), e.recipients.nodes);
  } else {
    p.set_level(e.level);
  }
  if (e.draft) *p.mutable_draft() = OfferDraftToProto(*e.draft);
  p.set_reason(e.reason);
  return p;
}

domain::OfferEvent OfferEventFromProto(const events::v1::OfferEvent& p) {
  domain::OfferEvent e;
  e.offer_id = p.offer_id();
  e.seq = p.seq();
  e.type = TypeFromProto(p.type());
  e.time = TimeFromProto(p.time());
  e.user = p.user();
  e.actor = p.actor();
  if (e.type == domain::OfferEventType::kChannelled) {
    // The recipients carry the event's time: they were reached when it was committed.
    e.recipients = {p.level(), ToVector(p.actors()), ToVector(p.nodes()), e.time};
  } else {
    e.level = p.level();
  }
  if (p.has_draft()) e.draft = OfferDraftFromProto(p.draft());
  e.reason = p.reason();
  return e;
}

std::string SerializeOffer(const domain::Offer& offer) {
  return OfferToRow(offer).SerializeAsString();
}

base::Result<domain::Offer> ParseOffer(std::string_view bytes) {
  storage::v1::OfferRow p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return base::Internal("cannot parse a stored offer");
  }
  return OfferFromRow(p);
}

std::string SerializeOfferEvent(const domain::OfferEvent& e) {
  return OfferEventToProto(e).SerializeAsString();
}

base::Result<domain::OfferEvent> ParseOfferEvent(std::string_view bytes) {
  events::v1::OfferEvent p;
  if (!p.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return base::Internal("cannot parse a stored offer event");
  }
  return OfferEventFromProto(p);
}

}  // namespace tillvaxt::codec
