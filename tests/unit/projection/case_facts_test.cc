#include "engine/projection/case_facts.h"

#include <catch2/catch.hpp>

namespace tillvaxt::projection {
namespace {

using domain::Event;
using domain::EventType;

Time At(int day, int hour = 9) {
  // 2025-03-03 is a Monday.
  return base::FromUnixMillis(1740960000000LL + (day * 24LL + hour - 9) * 3600000LL + 8 * 3600000LL);
}

Event Ev(int seq, EventType type, Time t, std::string from, std::string to,
         std::string level = "") {
  Event e;
  e.case_id = "c1";
  e.seq = seq;
  e.type = type;
  e.time = t;
  e.from_state = std::move(from);
  e.to_state = std::move(to);
  e.level = std::move(level);
  return e;
}

std::vector<Event> History() {
  std::vector<Event> h;
  Event created = Ev(1, EventType::kCreated, At(0), "", "NEW", "LOCAL");
  created.created = domain::CaseDraft{};
  created.created->node = "eskilstuna";
  created.created->needs = {"financing"};
  created.deadline = At(2);
  h.push_back(created);
  Event triaged = Ev(2, EventType::kTriaged, At(3), "NEW", "TRIAGED");  // after the NEW deadline
  triaged.needs = {"financing", "growth"};
  triaged.areas = {"life-science"};
  h.push_back(triaged);
  Event routed = Ev(3, EventType::kRouted, At(3), "TRIAGED", "MATCHED", "LOCAL");
  routed.deadline = At(8);
  h.push_back(routed);
  Event declined = Ev(4, EventType::kDeclined, At(4), "MATCHED", "MATCHED", "LOCAL");
  declined.actor = "nod";
  declined.deadline = At(8);
  h.push_back(declined);
  Event esc = Ev(5, EventType::kEscalated, At(4), "MATCHED", "MATCHED", "REGIONAL");
  esc.from_level = "LOCAL";
  esc.reason = "ALL_DECLINED";
  esc.deadline = At(8);
  h.push_back(esc);
  Event routed2 = Ev(6, EventType::kRouted, At(4), "MATCHED", "MATCHED", "REGIONAL");
  routed2.deadline = At(9);
  h.push_back(routed2);
  Event claimed = Ev(7, EventType::kClaimed, At(7), "MATCHED", "CLAIMED", "REGIONAL");
  claimed.actor = "almi";
  h.push_back(claimed);
  Event resolved = Ev(8, EventType::kResolved, At(10), "CLAIMED", "RESOLVED", "REGIONAL");
  resolved.outcome.kind = "FINANCING";
  h.push_back(resolved);
  h.push_back(Ev(9, EventType::kTransitioned, At(11), "RESOLVED", "CLOSED", "REGIONAL"));
  Event effect = Ev(10, EventType::kEffectRecorded, At(100), "CLOSED", "CLOSED", "REGIONAL");
  effect.outcome.kind = "GROWTH";
  effect.months_after_close = 3;
  h.push_back(effect);
  return h;
}

TEST_CASE("facts fold the times, levels and people of a history") {
  const CaseFacts f = FoldFacts(History());
  CHECK(f.id == "c1");
  CHECK(f.version == 10);
  CHECK(f.node == "eskilstuna");
  CHECK(f.needs == std::vector<std::string>{"financing", "growth"});
  CHECK(f.areas == std::vector<std::string>{"life-science"});
  CHECK(f.created == At(0));
  REQUIRE(f.first_matched);
  CHECK(*f.first_matched == At(3));
  CHECK(*f.claimed == At(7));
  CHECK(*f.resolved == At(10));
  CHECK(f.highest_level == "REGIONAL");
  CHECK(f.state == "CLOSED");
  CHECK(f.assignee == "almi");
  CHECK(f.outcome == "FINANCING");
  REQUIRE(f.escalations.size() == 1);
  CHECK(f.escalations[0].from_level == "LOCAL");
  CHECK(f.all_declined);
  CHECK_FALSE(f.ended_unmatched);
  CHECK(f.declines == 1);
  CHECK(f.idle_ms == 4LL * 24 * 3600 * 1000);  // MATCHED from day 3 to day 7
  CHECK(f.idle_business_days == 2);  // Thursday 6th to Monday 10th: Friday and Monday
  CHECK(*f.TimeToClaimMs() == 4LL * 24 * 3600 * 1000);
  CHECK(*f.TimeToResolveMs() == 10LL * 24 * 3600 * 1000);
  CHECK(f.sla_breaches == 1);  // triaged after the NEW deadline
  REQUIRE(f.effects.size() == 1);
  CHECK(f.effects[0].kind == "GROWTH");
  CHECK(f.effects[0].months_after_close == 3);
  CHECK_FALSE(f.matched_since);
}

TEST_CASE("facts are incremental: folding in parts equals folding at once") {
  const std::vector<Event> h = History();
  CaseFacts f;
  for (size_t i = 0; i < h.size(); ++i) {
    auto bytes = EncodeFacts(f);
    auto back = DecodeFacts(bytes);
    REQUIRE(back.ok());
    f = *back;
    ApplyFact(f, h[i]);
  }
  CHECK(f == FoldFacts(h));
}

TEST_CASE("facts encode and decode losslessly, and refuse damaged bytes") {
  const CaseFacts f = FoldFacts(History());
  auto back = DecodeFacts(EncodeFacts(f));
  REQUIRE(back.ok());
  CHECK(*back == f);
  std::string bytes = EncodeFacts(f);
  CHECK_FALSE(DecodeFacts(bytes.substr(0, bytes.size() - 3)).ok());
  CHECK_FALSE(DecodeFacts(bytes + "x").ok());
  CHECK_FALSE(DecodeFacts("").ok());
}

TEST_CASE("an unmatched ending and a late deadline are counted") {
  std::vector<Event> h;
  Event created = Ev(1, EventType::kCreated, At(0), "", "NEW", "LOCAL");
  created.created = domain::CaseDraft{};
  h.push_back(created);
  Event routed = Ev(2, EventType::kRouted, At(1), "NEW", "MATCHED", "LOCAL");
  routed.deadline = At(2);
  h.push_back(routed);
  Event un = Ev(3, EventType::kUnmatched, At(5), "MATCHED", "UNMATCHED", "LOCAL");
  un.reason = "SLA";
  h.push_back(un);
  const CaseFacts f = FoldFacts(h);
  CHECK(f.ended_unmatched);
  CHECK_FALSE(f.all_declined);
  CHECK(f.sla_breaches == 1);
  CHECK(f.idle_ms == 4LL * 24 * 3600 * 1000);
  CHECK_FALSE(f.claimed);
  CHECK_FALSE(f.TimeToClaimMs());
}

}  // namespace
}  // namespace tillvaxt::projection
