#include "engine/domain/routing.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/unit/domain/test_config.h"

namespace tillvaxt::domain {
namespace {

Case MakeCase(std::string node, std::vector<std::string> needs,
              std::vector<std::string> areas = {}) {
  Case c;
  c.id = "c1";
  c.node = std::move(node);
  c.needs = std::move(needs);
  c.areas = std::move(areas);
  return c;
}

std::vector<std::string> Actors(const std::vector<Match>& matches) {
  std::vector<std::string> ids;
  for (const Match& m : matches) ids.push_back(m.actor);
  return ids;
}

using Strings = std::vector<std::string>;

TEST_CASE("a candidate serves one of the case's needs on the level") {
  const Config config = testing::MakeTestConfig();
  const Router router(config);
  const auto matches = router.Candidates(MakeCase("eskilstuna", {"financing"}), "REGIONAL", {},
                                         nullptr);
  REQUIRE(Actors(matches) == Strings{"almi"});
  CHECK(matches[0].score == 2.0);
  CHECK(matches[0].reasons == Strings{"need:financing", "load:0"});
  CHECK(router.Candidates(MakeCase("eskilstuna", {"financing"}), "LOCAL", {}, nullptr).empty());
  CHECK(router.Candidates(MakeCase("eskilstuna", {}), "REGIONAL", {}, nullptr).empty());
  CHECK(router.Candidates(MakeCase("eskilstuna", {"no-such-need"}), "REGIONAL", {}, nullptr)
            .empty());
}

TEST_CASE("areas: named areas must overlap; no areas on either side match everything") {
  const Config config = testing::MakeTestConfig();
  const Router router(config);
  // mdu and automation-region name areas; food is neither of theirs.
  CHECK(router.Candidates(MakeCase("eskilstuna", {"innovation"}, {"food"}), "REGIONAL", {},
                          nullptr)
            .empty());
  // The case names no area: every actor serving the need qualifies.
  CHECK(Actors(router.Candidates(MakeCase("eskilstuna", {"innovation"}), "REGIONAL", {},
                                 nullptr)) == Strings{"automation-region", "mdu"});
  // een names no areas: it takes any area, without an area reason or score.
  const auto een = router.Candidates(MakeCase("eskilstuna", {"innovation"}, {"food"}),
                                     "INTERNATIONAL", {}, nullptr);
  REQUIRE(Actors(een) == Strings{"een"});
  CHECK(een[0].score == 2.0);
  CHECK(een[0].reasons == Strings{"need:innovation", "load:0"});
  // A specialist naming the case's area ranks above that generalist.
  const auto both = router.Candidates(
      MakeCase("eskilstuna", {"innovation"}, {"advanced-manufacturing"}), "INTERNATIONAL", {},
      nullptr);
  REQUIRE(Actors(both) == Strings{"eit-manufacturing", "een"});
  CHECK(both[0].score == 3.0);
  CHECK(both[0].reasons ==
        Strings{"need:innovation", "area:advanced-manufacturing", "load:0"});
}

TEST_CASE("score: every overlapping need and area counts, with a reason each") {
  const Config config = testing::MakeTestConfig();
  const Router router(config);
  const auto m = router.Candidates(
      MakeCase("eskilstuna", {"growth", "innovation"}, {"smart-industry", "advanced-manufacturing"}),
      "REGIONAL", {}, nullptr);
  REQUIRE(Actors(m) == Strings{"automation-region", "mdu"});
  CHECK(m[0].score == 2.0 * 2 + 1.0 * 2);
  CHECK(m[0].reasons == Strings{"need:growth", "need:innovation", "area:smart-industry",
                                "area:advanced-manufacturing", "load:0"});
  CHECK(m[1].score == 2.0 + 1.0);
  CHECK(m[1].reasons == Strings{"need:innovation", "area:advanced-manufacturing", "load:0"});
}

TEST_CASE("LOCAL: only actors serving the case's node, with the node as a reason") {
  const Config config = testing::MakeTestConfig();
  const Router router(config);
  const auto m = router.Candidates(MakeCase("nykoping", {"business-development"}), "LOCAL", {},
                                   nullptr);
  REQUIRE(Actors(m) == Strings{"nyk-naringsliv"});
  CHECK(m[0].score == 2.5);
  CHECK(m[0].reasons == Strings{"need:business-development", "node:nykoping", "load:0"});
  const auto esk = router.Candidates(MakeCase("eskilstuna", {"business-development", "recruitment"}),
                                     "LOCAL", {}, nullptr);
  REQUIRE(Actors(esk) == Strings{"esk-business"});
  CHECK(esk[0].score == 4.5);
  CHECK(esk[0].reasons == Strings{"need:business-development", "need:recruitment",
                                  "node:eskilstuna", "load:0"});
}

TEST_CASE("above LOCAL the node only adds to the score") {
  const Config config = testing::MakeTestConfig();
  const Router router(config);
  // handelskammaren names nykoping: ahead of almi there, level with almi elsewhere.
  const auto nyk = router.Candidates(MakeCase("nykoping", {"business-development"}), "REGIONAL",
                                     {}, nullptr);
  REQUIRE(Actors(nyk) == Strings{"handelskammaren", "almi"});
  CHECK(nyk[0].score == 2.5);
  CHECK(nyk[0].reasons == Strings{"need:business-development", "node:nykoping", "load:0"});
  const auto esk = router.Candidates(MakeCase("eskilstuna", {"business-development"}),
                                     "REGIONAL", {}, nullptr);
  CHECK(Actors(esk) == Strings{"almi", "handelskammaren"});
  CHECK(esk[1].reasons == Strings{"need:business-development", "load:0"});
}

TEST_CASE("ties on score break on fewer open cases, then on id") {
  const Config config = testing::MakeTestConfig();
  const Router router(config);
  const Case c = MakeCase("eskilstuna", {"innovation"});
  std::map<std::string, int> loads;
  const LoadFn load = [&](const std::string& a) { return loads[a]; };
  CHECK(Actors(router.Candidates(c, "REGIONAL", {}, load)) ==
        Strings{"automation-region", "mdu"});
  loads["automation-region"] = 2;
  loads["mdu"] = 1;
  const auto m = router.Candidates(c, "REGIONAL", {}, load);
  CHECK(Actors(m) == Strings{"mdu", "automation-region"});
  CHECK(m[0].reasons.back() == "load:1");
  CHECK(m[1].reasons.back() == "load:2");
  // Score beats load.
  const auto s = router.Candidates(MakeCase("eskilstuna", {"innovation", "growth"}), "REGIONAL",
                                   {}, load);
  CHECK(Actors(s) == Strings{"automation-region", "mdu"});
}

TEST_CASE("actors at capacity are skipped") {
  const Config config = testing::MakeTestConfig();
  const Router router(config);
  const Case c = MakeCase("eskilstuna", {"innovation"});
  int automation_load = 4;
  const LoadFn load = [&](const std::string& a) {
    return a == "automation-region" ? automation_load : 100;  // others have no capacity limit
  };
  CHECK(Actors(router.Candidates(c, "REGIONAL", {}, load)) ==
        Strings{"automation-region", "mdu"});
  automation_load = 5;
  CHECK(Actors(router.Candidates(c, "REGIONAL", {}, load)) == Strings{"mdu"});
}

TEST_CASE("excluded actors are not candidates") {
  const Config config = testing::MakeTestConfig();
  const Router router(config);
  const Case c = MakeCase("eskilstuna", {"innovation"});
  CHECK(Actors(router.Candidates(c, "REGIONAL", {"automation-region"}, nullptr)) ==
        Strings{"mdu"});
  CHECK(router.Candidates(c, "REGIONAL", {"automation-region", "mdu"}, nullptr).empty());
  CHECK(router.Candidates(c, "NO_SUCH_LEVEL", {}, nullptr).empty());
}

TEST_CASE("route climbs from LOCAL level by level to the first with candidates") {
  const Config config = testing::MakeTestConfig();
  const Router router(config);
  const RouteResult r =
      router.Route(MakeCase("eskilstuna", {"internationalisation"}), "LOCAL", {}, nullptr);
  CHECK(r.level == "NATIONAL");
  CHECK(r.climbed == Strings{"LOCAL", "REGIONAL"});
  CHECK(Actors(r.matches) == Strings{"business-sweden"});

  const RouteResult here =
      router.Route(MakeCase("eskilstuna", {"growth"}), "LOCAL", {}, nullptr);
  CHECK(here.level == "LOCAL");
  CHECK(here.climbed.empty());
  CHECK(Actors(here.matches) == Strings{"esk-business"});
}

TEST_CASE("route past the top is unmatched, every level climbed") {
  const Config config = testing::MakeTestConfig();
  const Router router(config);
  const RouteResult r =
      router.Route(MakeCase("strangnas", {"competence"}, {"bio-based"}), "LOCAL", {}, nullptr);
  CHECK(r.level.empty());
  CHECK(r.matches.empty());
  CHECK(r.climbed == Strings{"LOCAL", "REGIONAL", "NATIONAL", "INTERNATIONAL"});
  const RouteResult top =
      router.Route(MakeCase("strangnas", {"competence"}), "INTERNATIONAL", {}, nullptr);
  CHECK(top.level.empty());
  CHECK(top.climbed == Strings{"INTERNATIONAL"});
}

TEST_CASE("route excludes only on the start level") {
  const Config config = testing::MakeTestConfig();
  const Router router(config);
  const RouteResult r =
      router.Route(MakeCase("eskilstuna", {"financing"}), "REGIONAL", {"almi"}, nullptr);
  CHECK(r.climbed == Strings{"REGIONAL"});
  CHECK(r.level == "NATIONAL");
  CHECK(Actors(r.matches) == Strings{"energimyndigheten"});
}

// The index must give what a plain scan over all actors gives, on a large random configuration.
TEST_CASE("indexed routing equals a plain scan over every actor") {
  Config config = testing::MakeTestConfig();
  std::mt19937 rng(42);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  auto subset = [&](const std::vector<Named>& all, size_t max) {
    std::vector<std::string> out;
    const size_t n = pick(max + 1);
    for (size_t i = 0; i < n; ++i) {
      const std::string& id = all[pick(all.size())].id;
      if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
    }
    return out;
  };
  config.actors.clear();
  for (int i = 0; i < 2000; ++i) {
    Actor a;
    a.id = "actor-" + std::to_string(pick(100000)) + "-" + std::to_string(i);
    a.level = config.levels[pick(config.levels.size())];
    a.needs = subset(config.needs, 3);
    if (a.needs.empty()) a.needs.push_back(config.needs[0].id);
    a.areas = subset(config.areas, 2);
    a.nodes = subset(config.nodes, 2);
    a.capacity = static_cast<int>(pick(4));
    config.actors.push_back(a);
  }
  const Router router(config);
  const LoadFn load = [](const std::string& a) { return static_cast<int>(a.size() % 4); };
  auto has = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };

  for (int round = 0; round < 200; ++round) {
    Case c = MakeCase(config.nodes[pick(config.nodes.size())].id, subset(config.needs, 3),
                      subset(config.areas, 2));
    const std::string level = config.levels[pick(config.levels.size())];
    std::vector<std::string> exclude;
    for (int k = 0; k < 3; ++k) exclude.push_back(config.actors[pick(config.actors.size())].id);

    struct Ref {
      std::string id;
      double score;
      int load;
    };
    std::vector<Ref> expected;
    for (const Actor& a : config.actors) {
      if (a.level != level || has(exclude, a.id)) continue;
      int needs = 0;
      for (const std::string& n : c.needs) needs += has(a.needs, n) ? 1 : 0;
      if (needs == 0) continue;
      int areas = 0;
      if (!a.areas.empty()) {
        for (const std::string& ar : c.areas) areas += has(a.areas, ar) ? 1 : 0;
        if (!c.areas.empty() && areas == 0) continue;
      }
      const bool node = has(a.nodes, c.node);
      if (level == config.levels[0] && !a.nodes.empty() && !node) continue;
      const int l = load(a.id);
      if (a.capacity > 0 && l >= a.capacity) continue;
      expected.push_back({a.id, 2.0 * needs + 1.0 * areas + (node ? 0.5 : 0.0), l});
    }
    std::sort(expected.begin(), expected.end(), [](const Ref& x, const Ref& y) {
      if (x.score != y.score) return x.score > y.score;
      if (x.load != y.load) return x.load < y.load;
      return x.id < y.id;
    });
    const auto got = router.Candidates(c, level, exclude, load);
    REQUIRE(got.size() == expected.size());
    for (size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].actor == expected[i].id);
      CHECK(got[i].score == expected[i].score);
    }
  }
}

}  // namespace
}  // namespace tillvaxt::domain
