#include "engine/codec/event_codec.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "tillvaxt/api/v1/cases.pb.h"

namespace tillvaxt::codec {
namespace {

using base::FromUnixMillis;
using domain::EventType;

// Every field set to a distinct non-default value, so a field the codec forgets fails the
// round trip.
domain::CaseDraft FullDraft() {
  domain::CaseDraft d;
  d.title = "Exportstöd för maskintillverkare";
  d.description = "Vill nå Tyskland";
  d.company = {"Maskin AB", "556677-8899", "Eskilstuna", "SMALL", "Tillverkning"};
  d.contact = {"Åsa Öberg", "asa@maskin.se", "+46 16 123 45"};
  d.node = "eskilstuna";
  d.parent_id = "C-parent";
  d.needs = {"export", "financing"};
  d.areas = {"smart-industri"};
  d.workflow_version = 3;
  return d;
}

domain::Event FullEvent(EventType type) {
  domain::Event e;
  e.case_id = "C-1";
  e.seq = 7;
  e.type = type;
  e.action = "claim";
  e.time = FromUnixMillis(1'767'225'600'123);
  e.user = "anna";
  e.from_state = "MATCHED";
  e.to_state = "CLAIMED";
  e.level = "REGIONAL";
  e.from_level = "LOCAL";
  e.reason = "SLA";
  e.actor = "almi";
  e.matches = {{"almi", 4.5, {"need:financing", "load:3"}}, {"rise", 2, {"area:smart-industri"}}};
  e.needs = {"financing"};
  e.areas = {"smart-industri", "life-science"};
  e.outcome = {"FINANCING", "Lån beviljat"};
  e.months_after_close = 6;
  e.offer_id = "offer-9";
  e.related_case_id = "C-2";
  e.feedback = "Bra jobbat";
  e.deadline = FromUnixMillis(1'767'830'400'000);
  e.percent = 75;
  e.sla_remaining = base::Millis(90'061'001);
  e.created = FullDraft();
  return e;
}

domain::Case FullCase() {
  domain::Case c;
  c.id = "C-1";
  c.title = "Exportstöd";
  c.description = "Beskrivning";
  c.company = {"Maskin AB", "556677-8899", "Eskilstuna", "SMALL", "Tillverkning"};
  c.contact = {"Åsa", "asa@maskin.se", "070"};
  c.needs = {"export"};
  c.areas = {"smart-industri"};
  c.node = "eskilstuna";
  c.level = "REGIONAL";
  c.highest_level = "NATIONAL";
  c.state = "CLAIMED";
  c.candidates = {"almi", "rise"};
  c.declined = {"vinnova"};
  c.involved_actors = {"almi", "rise", "vinnova"};
  c.assignee = "almi";
  c.matches = {{"almi", 3.5, {"need:export"}}};
  c.outcome = {"SOLUTION", "Klart"};
  c.feedback = "Tack";
  c.parent_id = "C-0";
  c.child_ids = {"C-5", "C-6"};
  c.offer_ids = {"offer-1"};
  c.effects = {{{"FUNDING_GRANTED", "2 MSEK"}, 12, FromUnixMillis(1'800'000'000'000)},
               {{"GROWTH", ""}, 24, FromUnixMillis(1'830'000'000'500)}};
  c.version = 11;
  c.workflow_version = 2;
  c.create_time = FromUnixMillis(1'700'000'000'001);
  c.update_time = FromUnixMillis(1'700'000'100'002);
  c.state_time = FromUnixMillis(1'700'000'050'003);
  c.deadline = FromUnixMillis(1'700'500'000'004);
  c.sla_remaining = base::Millis(3'600'500);
  return c;
}

TEST_CASE("Time round-trips through Timestamp at millisecond resolution", "[codec]") {
  for (int64_t ms :
       {int64_t{0}, int64_t{1}, int64_t{999}, int64_t{1000}, int64_t{-1}, int64_t{-999},
        int64_t{-1000}, int64_t{-1001}, int64_t{1'767'225'600'123}, int64_t{-62'135'596'800'000}}) {
    google::protobuf::Timestamp ts = TimeToProto(FromUnixMillis(ms));
    CHECK(ts.nanos() >= 0);
    CHECK(ts.nanos() < 1'000'000'000);
    CHECK(ts.seconds() * 1000 + ts.nanos() / 1'000'000 == ms);
    CHECK(base::ToUnixMillis(TimeFromProto(ts)) == ms);
  }
  google::protobuf::Timestamp ts;
  ts.set_seconds(10);
  ts.set_nanos(123'456'789);  // sub-millisecond part is truncated
  CHECK(base::ToUnixMillis(TimeFromProto(ts)) == 10'123);
  google::protobuf::Timestamp neg = TimeToProto(FromUnixMillis(-1));
  CHECK(neg.seconds() == -1);
  CHECK(neg.nanos() == 999'000'000);
}

TEST_CASE("every event type maps to the proto enum of the same name and back", "[codec]") {
  std::set<int> seen;
  for (int i = 0; i <= static_cast<int>(EventType::kEffectReminder); ++i) {
    auto type = static_cast<EventType>(i);
    events::v1::EventType p = EventTypeToProto(type);
    CHECK(events::v1::EventType_Name(p) == (type == EventType::kUnspecified
                                                ? std::string("EVENT_TYPE_UNSPECIFIED")
                                                : std::string(domain::EventTypeName(type))));
    CHECK(EventTypeFromProto(p) == type);
    seen.insert(p);
  }
  // Every proto value is covered by a domain value.
  CHECK(static_cast<int>(seen.size()) == events::v1::EventType_descriptor()->value_count());
  CHECK(EventTypeFromProto(static_cast<events::v1::EventType>(999)) == EventType::kUnspecified);
}

TEST_CASE("a draft round-trips through Created", "[codec]") {
  domain::CaseDraft d = FullDraft();
  events::v1::Created p = DraftToProto(d);
  CHECK(p.title() == d.title);
  CHECK(p.company().org_number() == "556677-8899");
  CHECK(p.needs_size() == 2);
  CHECK(p.workflow_version() == 3);
  CHECK(DraftFromProto(p) == d);
  CHECK(DraftFromProto(DraftToProto(domain::CaseDraft{})) == domain::CaseDraft{});
}

TEST_CASE("an event with every field set round-trips, in memory and as bytes", "[codec]") {
  for (int i = 0; i <= static_cast<int>(EventType::kEffectReminder); ++i) {
    domain::Event e = FullEvent(static_cast<EventType>(i));
    INFO("type " << domain::EventTypeName(e.type));
    CHECK(EventFromProto(EventToProto(e)) == e);
    base::Result<domain::Event> parsed = ParseEvent(SerializeEvent(e));
    REQUIRE(parsed.ok());
    CHECK(*parsed == e);
  }
}

TEST_CASE("a fully populated event sets every CaseEvent field but one of outcome/effect",
          "[codec]") {
  // Guards against a field added to events.proto that the codec does not fill.
  for (EventType type : {EventType::kResolved, EventType::kEffectRecorded}) {
    events::v1::CaseEvent p = EventToProto(FullEvent(type));
    std::vector<const google::protobuf::FieldDescriptor*> fields;
    p.GetReflection()->ListFields(p, &fields);
    CHECK(static_cast<int>(fields.size()) == p.GetDescriptor()->field_count() - 1);
    if (type == EventType::kEffectRecorded) {
      CHECK(p.has_effect());
      CHECK_FALSE(p.has_outcome());
      CHECK(p.effect().kind() == "FINANCING");
    } else {
      CHECK(p.has_outcome());
      CHECK_FALSE(p.has_effect());
      CHECK(p.outcome().note() == "Lån beviljat");
    }
  }
}

TEST_CASE("event fields land in the proto fields of the same meaning", "[codec]") {
  domain::Event e = FullEvent(EventType::kClaimed);
  events::v1::CaseEvent p = EventToProto(e);
  CHECK(p.case_id() == "C-1");
  CHECK(p.seq() == 7);
  CHECK(p.type() == events::v1::CLAIMED);
  CHECK(p.action() == "claim");
  CHECK(p.time().seconds() == 1'767'225'600);
  CHECK(p.time().nanos() == 123'000'000);
  CHECK(p.user() == "anna");
  CHECK(p.from_state() == "MATCHED");
  CHECK(p.to_state() == "CLAIMED");
  CHECK(p.level() == "REGIONAL");
  CHECK(p.from_level() == "LOCAL");
  CHECK(p.reason() == "SLA");
  CHECK(p.actor() == "almi");
  REQUIRE(p.matches_size() == 2);
  CHECK(p.matches(0).score() == 4.5);
  CHECK(p.matches(0).reasons(1) == "load:3");
  CHECK(p.areas(1) == "life-science");
  CHECK(p.months_after_close() == 6);
  CHECK(p.offer_id() == "offer-9");
  CHECK(p.related_case_id() == "C-2");
  CHECK(p.feedback() == "Bra jobbat");
  CHECK(p.deadline().seconds() == 1'767'830'400);
  CHECK(p.created().contact().name() == "Åsa Öberg");
}

TEST_CASE("a minimal event keeps absent optionals absent", "[codec]") {
  domain::Event e;
  e.case_id = "C-9";
  e.seq = 1;
  e.type = EventType::kTransitioned;
  events::v1::CaseEvent p = EventToProto(e);
  CHECK_FALSE(p.has_deadline());
  CHECK_FALSE(p.has_created());
  CHECK_FALSE(p.has_outcome());
  domain::Event back = EventFromProto(p);
  CHECK_FALSE(back.deadline.has_value());
  CHECK_FALSE(back.created.has_value());
  CHECK(back == e);
}

TEST_CASE("a case with every field set round-trips, in memory and as bytes", "[codec]") {
  domain::Case c = FullCase();
  CHECK(CaseFromRow(CaseToRow(c)) == c);
  base::Result<domain::Case> parsed = ParseCase(SerializeCase(c));
  REQUIRE(parsed.ok());
  CHECK(*parsed == c);

  storage::v1::CaseRow p = CaseToRow(c);
  CHECK(p.effects(1).effect().kind() == "GROWTH");
  CHECK(p.effects(1).time().nanos() == 500'000'000);
  CHECK(p.state_time().seconds() == 1'700'000'050);
  // Every field of the row is written: the row holds the case and nothing else.
  std::vector<const google::protobuf::FieldDescriptor*> fields;
  p.GetReflection()->ListFields(p, &fields);
  std::set<std::string> set_fields;
  for (const auto* field : fields) set_fields.insert(field->name());
  for (int i = 0; i < p.GetDescriptor()->field_count(); ++i) {
    const std::string name = p.GetDescriptor()->field(i)->name();
    INFO("storage.v1.CaseRow field " << name);
    CHECK(set_fields.count(name) == 1u);
  }

  domain::Case empty;
  CHECK(CaseFromRow(CaseToRow(empty)) == empty);
  domain::Case no_deadline = c;
  no_deadline.deadline.reset();
  CHECK_FALSE(CaseToRow(no_deadline).has_deadline());
  CHECK(CaseFromRow(CaseToRow(no_deadline)) == no_deadline);
}

TEST_CASE("rows written before the storage format existed (as api.v1.Case) parse unchanged",
          "[codec]") {
  // Databases written earlier hold api.v1.Case bytes in cases.body; the row format kept every
  // field number, so such bytes are a valid CaseRow with the same values.
  domain::Case c = FullCase();
  api::v1::Case old;
  REQUIRE(old.ParseFromString(SerializeCase(c)));
  CHECK(old.company().name() == c.company.name);
  CHECK(old.contact().email() == c.contact.email);
  CHECK(old.effects(1).effect().kind() == "GROWTH");
  CHECK(old.sla_remaining().seconds() == CaseToRow(c).sla_remaining().seconds());
  old.add_allowed_actions("claim");  // a view-only field never read back
  base::Result<domain::Case> parsed = ParseCase(old.SerializeAsString());
  REQUIRE(parsed.ok());
  CHECK(*parsed == c);
}

TEST_CASE("garbage bytes are an INTERNAL error, not a crash", "[codec]") {
  const std::string garbage("\xff\xff\xff\xff\x0f", 5);
  base::Result<domain::Event> e = ParseEvent(garbage);
  REQUIRE_FALSE(e.ok());
  CHECK(e.status().code() == base::Code::kInternal);
  base::Result<domain::Case> c = ParseCase(garbage);
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == base::Code::kInternal);
}

}  // namespace
}  // namespace tillvaxt::codec
