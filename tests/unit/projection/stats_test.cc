#include "engine/projection/stats.h"

#include <catch2/catch.hpp>

#include <random>

#include "engine/projection/stats_index.h"

namespace tillvaxt::projection {
namespace {

Time Day(int y, unsigned m, unsigned d) {
  return std::chrono::time_point_cast<base::Millis>(
      std::chrono::sys_days(std::chrono::year(y) / m / d));
}

TEST_CASE("nearest-rank percentiles") {
  CHECK(NearestRank({}, 50) == 0);
  CHECK(NearestRank({5}, 90) == 5);
  CHECK(NearestRank({4, 1, 3, 2}, 50) == 2);
  CHECK(NearestRank({4, 1, 3, 2}, 90) == 4);
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  CHECK(NearestRank(v, 50) == 50);
  CHECK(NearestRank(v, 90) == 90);
  std::vector<double> w = v;
  Percentiles p = PercentilesOf(w);
  CHECK(p.count == 100);
  CHECK(p.p50 == 50);
  CHECK(p.p90 == 90);
}

TEST_CASE("age buckets") {
  CHECK(std::string(AgeBucket(0)) == "0-1");
  CHECK(std::string(AgeBucket(1)) == "0-1");
  CHECK(std::string(AgeBucket(2)) == "2-5");
  CHECK(std::string(AgeBucket(6)) == "6-30");
  CHECK(std::string(AgeBucket(30)) == "6-30");
  CHECK(std::string(AgeBucket(31)) == "31-90");
  CHECK(std::string(AgeBucket(91)) == ">90");
}

TEST_CASE("weeks start on Monday and months on the first") {
  const Time wed = Day(2025, 3, 5) + std::chrono::hours(13);
  CHECK(DayString(BucketStart(wed, Bucket::kWeek)) == "2025-03-03");
  CHECK(DayString(BucketStart(wed, Bucket::kMonth)) == "2025-03-01");
  CHECK(DayString(NextBucket(Day(2025, 12, 1), Bucket::kMonth)) == "2026-01-01");
  CHECK(DayString(BucketStart(Day(2025, 3, 3), Bucket::kWeek)) == "2025-03-03");
  StatsFilter f;
  f.now = Day(2025, 3, 15);
  const BucketRange r = RangeOf(f, Bucket::kMonth);
  CHECK(DayString(r.first) == "2022-04-01");  // 36 months ending with March 2025
}

CaseFacts RandomFacts(std::mt19937_64& rng, int i) {
  auto pick = [&](std::vector<std::string> v) { return v[rng() % v.size()]; };
  CaseFacts f;
  f.id = "c" + std::to_string(i);
  f.version = 1 + static_cast<int64_t>(rng() % 9);
  f.node = pick({"a", "b", "c"});
  f.needs = {pick({"n1", "n2", "n3"})};
  if (rng() % 2) f.needs.push_back("n4");
  if (rng() % 2) f.areas = {pick({"x", "y"})};
  f.created = Day(2024, 1, 1) + base::Millis(static_cast<int64_t>(rng() % (400LL * 86400000)));
  f.highest_level = pick({"LOCAL", "REGIONAL", "NATIONAL"});
  f.state = pick({"NEW", "MATCHED", "CLAIMED", "RESOLVED", "CLOSED", "UNMATCHED", "WITHDRAWN"});
  if (rng() % 3) {
    f.first_matched = f.created + base::Millis(static_cast<int64_t>(rng() % 500000000));
    if (rng() % 2) f.matched_since = f.first_matched;
    f.idle_ms = static_cast<int64_t>(rng() % 900000000);
    f.idle_business_days = static_cast<int>(rng() % 9);
    if (rng() % 2) {
      f.claimed = *f.first_matched + base::Millis(static_cast<int64_t>(rng() % 900000000));
      f.time_to_claim_business_days = static_cast<int>(rng() % 9);
      f.assignee = pick({"almi", "rise", "bs"});
      if (rng() % 2) {
        f.resolved = *f.claimed + base::Millis(static_cast<int64_t>(rng() % 9000000000));
        f.time_to_resolve_business_days = static_cast<int>(rng() % 60);
        f.outcome = pick({"SOLUTION", "NETWORK"});
      }
    }
  }
  for (int k = static_cast<int>(rng() % 3); k > 0; --k) {
    f.escalations.push_back({pick({"LOCAL", "REGIONAL"}), "NO_MATCH",
                             f.created + base::Millis(static_cast<int64_t>(rng() % 90000000000))});
  }
  if (rng() % 4 == 0) f.effects.push_back({pick({"GROWTH", "NOTHING"}), 3, f.created});
  f.declines = static_cast<int>(rng() % 3);
  f.all_declined = rng() % 5 == 0;
  f.ended_unmatched = f.state == "UNMATCHED";
  f.sla_breaches = static_cast<int>(rng() % 2);
  if (rng() % 2) f.deadline = f.created + base::Millis(static_cast<int64_t>(rng() % 90000000000));
  return f;
}

TEST_CASE("the index answers exactly what the reference computes, for any filter") {
  std::mt19937_64 rng(7);
  std::vector<CaseFacts> facts;
  StatsIndex index;
  for (int i = 0; i < 3000; ++i) {
    facts.push_back(RandomFacts(rng, i));
    index.Upsert(i + 1, facts.back());
  }
  // An older version does not replace a newer one.
  CaseFacts old = facts[0];
  old.version = 0;
  old.node = "zzz";
  index.Upsert(1, old);
  CHECK(index.size() == 3000);

  for (int round = 0; round < 60; ++round) {
    StatsFilter f;
    f.now = Day(2025, 2, 1);
    f.open_states = {"NEW", "MATCHED", "CLAIMED"};
    if (rng() % 2) f.from = Day(2024, 1 + static_cast<unsigned>(rng() % 12), 1);
    if (rng() % 2) f.to = Day(2024, 6, 1) + std::chrono::days(rng() % 300);
    if (rng() % 2) f.node = std::vector<std::string>{"a", "b", "c", "nowhere"}[rng() % 4];
    if (rng() % 2) f.need = std::vector<std::string>{"n1", "n4", "n9"}[rng() % 3];
    if (rng() % 2) f.area = std::vector<std::string>{"x", "y"}[rng() % 2];
    if (rng() % 2) f.level = std::vector<std::string>{"LOCAL", "NATIONAL"}[rng() % 2];
    INFO("round " << round);
    auto s = index.ComputeSummary(f);
    REQUIRE(s.ok());
    CHECK(*s == BruteSummary(facts, f));
    auto flow = index.ComputeFlow(f);
    REQUIRE(flow.ok());
    CHECK(*flow == BruteFlow(facts, f));
    for (Bucket b : {Bucket::kWeek, Bucket::kMonth}) {
      for (Metric m : {Metric::kCreated, Metric::kResolved, Metric::kEscalated}) {
        auto ts = index.ComputeTimeSeries(f, b, m);
        REQUIRE(ts.ok());
        CHECK(*ts == BruteTimeSeries(facts, f, b, m));
      }
    }
  }
}

TEST_CASE("flow: node to level to actor to outcome, never claimed ends in its state or open") {
  CaseFacts a;
  a.node = "eskilstuna";
  a.highest_level = "REGIONAL";
  a.assignee = "almi";
  a.outcome = "FINANCING";
  a.state = "CLOSED";
  CaseFacts b;
  b.node = "eskilstuna";
  b.highest_level = "INTERNATIONAL";
  b.state = "UNMATCHED";
  CaseFacts c;
  c.node = "nykoping";
  c.highest_level = "LOCAL";
  c.state = "MATCHED";
  StatsFilter f;
  f.open_states = {"MATCHED"};
  const std::vector<FlowLink> links = BruteFlow({a, b, c}, f);
  const std::vector<FlowLink> want = {
      {"actor:almi", "outcome:FINANCING", 1},
      {"level:INTERNATIONAL", "state:UNMATCHED", 1},
      {"level:LOCAL", "open", 1},
      {"level:REGIONAL", "actor:almi", 1},
      {"node:eskilstuna", "level:INTERNATIONAL", 1},
      {"node:eskilstuna", "level:REGIONAL", 1},
      {"node:nykoping", "level:LOCAL", 1},
  };
  CHECK(links == want);
}

}  // namespace
}  // namespace tillvaxt::projection
