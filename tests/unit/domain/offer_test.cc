#include "engine/domain/offer.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/unit/domain/test_config.h"

namespace tillvaxt::domain {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

const Time kNow = base::FromUnixMillis(1'780'000'000'000);

Principal ActorUser(std::string actor) {
  return {"actor." + actor, Role::kActor, "", std::move(actor)};
}

OfferDraft Draft(Strings needs, Strings areas = {}, Strings nodes = {}) {
  OfferDraft d;
  d.kind = "FUNDING_CALL";
  d.title = "Innovationscheckar";
  d.description = "Finansiering för små företag";
  d.needs = std::move(needs);
  d.areas = std::move(areas);
  d.nodes = std::move(nodes);
  return d;
}

std::vector<OfferEvent> Publish(const Config& config, const std::string& actor, OfferDraft draft) {
  OfferChannel channel(config);
  auto events = DecidePublish(config, channel, ActorUser(actor), std::move(draft), "o1", kNow);
  REQUIRE(events.ok());
  return *events;
}

Strings Fields(const base::Status& st) {
  Strings out;
  for (const auto& d : st.details()) out.push_back(d.field);
  return out;
}

TEST_CASE("an international offer is channelled to every lower level, highest first") {
  const Config config = testing::MakeTestConfig();
  auto events = Publish(config, "een", Draft({"financing"}, {"energy"}));
  REQUIRE(events.size() == 4);
  CHECK(events[0].type == OfferEventType::kPublished);
  CHECK(events[0].actor == "een");
  CHECK(events[0].level == "INTERNATIONAL");
  for (size_t i = 1; i < events.size(); ++i) {
    CHECK(events[i].type == OfferEventType::kChannelled);
    CHECK(events[i].seq == static_cast<int64_t>(i) + 1);
    CHECK(events[i].recipients.time == kNow);
  }
  // NATIONAL: rise shares the energy area, energimyndigheten serves financing (and energy);
  // business-sweden serves neither.
  CHECK(events[1].recipients.level == "NATIONAL");
  CHECK(events[1].recipients.actors == Strings{"rise", "energimyndigheten"});
  CHECK(events[1].recipients.nodes.empty());
  CHECK(events[2].recipients.level == "REGIONAL");
  CHECK(events[2].recipients.actors == Strings{"almi"});
  // LOCAL: no actor serves financing, but every node receives it.
  CHECK(events[3].recipients.level == "LOCAL");
  CHECK(events[3].recipients.actors.empty());
  CHECK(events[3].recipients.nodes == Strings{"eskilstuna", "nykoping", "strangnas", "katrineholm"});
}

TEST_CASE("an offer for some nodes reaches only actors serving those nodes, and those nodes") {
  const Config config = testing::MakeTestConfig();
  auto events = Publish(config, "rise", Draft({"competence"}, {}, {"nykoping"}));
  REQUIRE(events.size() == 3);
  CHECK(events[1].recipients.level == "REGIONAL");
  CHECK(events[1].recipients.actors == Strings{"mdu"});
  CHECK(events[2].recipients.level == "LOCAL");
  // kat-industri serves competence but only katrineholm.
  CHECK(events[2].recipients.actors == Strings{"nyk-naringsliv"});
  CHECK(events[2].recipients.nodes == Strings{"nykoping"});
}

TEST_CASE("a regional offer reaches LOCAL only; a local offer reaches its nodes only") {
  const Config config = testing::MakeTestConfig();
  auto regional = Publish(config, "almi", Draft({"business-development"}));
  REQUIRE(regional.size() == 2);
  CHECK(regional[1].recipients.level == "LOCAL");
  CHECK(regional[1].recipients.actors == Strings{"esk-business", "nyk-naringsliv", "str-foretag"});
  auto local = Publish(config, "esk-business", Draft({"growth"}, {}, {"eskilstuna"}));
  REQUIRE(local.size() == 2);
  CHECK(local[1].recipients.level == "LOCAL");
  CHECK(local[1].recipients.actors.empty());
  CHECK(local[1].recipients.nodes == Strings{"eskilstuna"});
}

TEST_CASE("the fold keeps the draft, the recipients, withdrawal and expiry") {
  const Config config = testing::MakeTestConfig();
  OfferDraft d = Draft({"innovation"});
  d.valid_until = kNow + 24h;
  auto events = Publish(config, "een", d);
  Offer o = FoldOffer(events);
  CHECK(o.id == "o1");
  CHECK(o.actor == "een");
  CHECK(o.state == "PUBLISHED");
  CHECK(o.title == d.title);
  CHECK(o.version == 4);
  CHECK(o.recipients.size() == 3);
  CHECK(o.create_time == kNow);
  CHECK(IsOfferActive(o, kNow));
  CHECK_FALSE(IsOfferActive(o, kNow + 24h));

  CHECK(DecideExpire(o, kNow + 1h).empty());
  auto expired = DecideExpire(o, kNow + 24h);
  REQUIRE(expired.size() == 1);
  CHECK(expired[0].type == OfferEventType::kExpired);
  CHECK(expired[0].seq == 5);
  CHECK(expired[0].user == "system");
  Offer after = o;
  ApplyOfferEvent(after, expired[0]);
  CHECK(after.state == "EXPIRED");
  CHECK(after.version == 5);
  CHECK(DecideExpire(after, kNow + 48h).empty());

  auto withdrawn = DecideWithdraw(o, ActorUser("een"), "fully booked", kNow + 2h);
  REQUIRE(withdrawn.ok());
  ApplyOfferEvent(o, (*withdrawn)[0]);
  CHECK(o.state == "WITHDRAWN");
  CHECK(o.reason == "fully booked");
  CHECK(o.update_time == kNow + 2h);
  auto again = DecideWithdraw(o, ActorUser("een"), "", kNow + 3h);
  CHECK(again.status().code() == base::Code::kFailedPrecondition);
}

TEST_CASE("only its actor withdraws an offer") {
  const Config config = testing::MakeTestConfig();
  Offer o = FoldOffer(Publish(config, "een", Draft({"innovation"})));
  CHECK(DecideWithdraw(o, ActorUser("rise"), "", kNow).status().code() ==
        base::Code::kPermissionDenied);
  Principal coordinator{"coord.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
  CHECK(DecideWithdraw(o, coordinator, "", kNow).status().code() == base::Code::kPermissionDenied);
}

TEST_CASE("bad offers are refused with the field named") {
  const Config config = testing::MakeTestConfig();
  OfferChannel channel(config);
  auto publish = [&](const Principal& who, OfferDraft d) {
    return DecidePublish(config, channel, who, std::move(d), "o1", kNow).status();
  };
  SECTION("unknown need, area and node together") {
    base::Status st = publish(ActorUser("een"), Draft({"flying"}, {"moon"}, {"gotham"}));
    CHECK(st.code() == base::Code::kInvalidArgument);
    CHECK(Fields(st) == Strings{"needs", "areas", "nodes"});
  }
  SECTION("a window ending before it starts") {
    OfferDraft d = Draft({"innovation"});
    d.valid_from = kNow + 48h;
    d.valid_until = kNow + 24h;
    base::Status st = publish(ActorUser("een"), d);
    CHECK(Fields(st) == Strings{"validUntil"});
  }
  SECTION("a window already over") {
    OfferDraft d = Draft({"innovation"});
    d.valid_until = kNow - 1h;
    CHECK(Fields(publish(ActorUser("een"), d)) == Strings{"validUntil"});
  }
  SECTION("no title, unknown kind, a url that is no link") {
    OfferDraft d = Draft({"innovation"});
    d.title = "  ";
    d.kind = "PARTY";
    d.url = "javascript:alert(1)";
    CHECK(Fields(publish(ActorUser("een"), d)) == Strings{"kind", "title", "url"});
  }
  SECTION("a coordinator, a manager or an unknown actor may not publish") {
    Principal coordinator{"coord.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
    Principal manager{"manager", Role::kManager, "", ""};
    CHECK(publish(coordinator, Draft({"innovation"})).code() == base::Code::kPermissionDenied);
    CHECK(publish(manager, Draft({"innovation"})).code() == base::Code::kPermissionDenied);
    CHECK(publish(ActorUser("nobody"), Draft({"innovation"})).code() ==
          base::Code::kPermissionDenied);
  }
}

Case MakeCase(std::string node, Strings needs, Strings areas = {}) {
  Case c;
  c.id = "c1";
  c.node = std::move(node);
  c.needs = std::move(needs);
  c.areas = std::move(areas);
  return c;
}

Offer MakeOffer(std::string id, Strings needs, Strings areas = {}, Strings nodes = {},
                Time created = kNow) {
  Offer o;
  o.id = std::move(id);
  o.state = "PUBLISHED";
  o.needs = std::move(needs);
  o.areas = std::move(areas);
  o.nodes = std::move(nodes);
  o.create_time = created;
  return o;
}

TEST_CASE("matching an offer to a case scores shared needs, areas and the named node") {
  RoutingWeights w;
  Case c = MakeCase("eskilstuna", {"financing", "growth"}, {"energy"});
  OfferFit fit = MatchOffer(MakeOffer("a", {"financing"}, {"energy"}, {"eskilstuna"}), c, w);
  CHECK(fit.score == Approx(3.5));
  CHECK(fit.reasons == Strings{"need:financing", "area:energy", "node:eskilstuna"});
  CHECK(MatchOffer(MakeOffer("b", {"financing"}, {}, {"nykoping"}), c, w).score == 0);
  CHECK(MatchOffer(MakeOffer("c", {"recruitment"}), c, w).score == 0);
  CHECK(MatchOffer(MakeOffer("d", {}, {"energy"}), c, w).reasons == Strings{"area:energy"});
}

TEST_CASE("ranking: best fit first, then newest, then id; inactive offers are left out") {
  RoutingWeights w;
  OfferIndex index;
  index.Put(MakeOffer("both", {"financing"}, {"energy"}));
  index.Put(MakeOffer("need-old", {"financing"}, {}, {}, kNow - 2h));
  index.Put(MakeOffer("need-new", {"financing"}, {}, {}, kNow - 1h));
  index.Put(MakeOffer("area", {}, {"energy"}));
  index.Put(MakeOffer("other-node", {"financing"}, {}, {"nykoping"}));
  index.Put(MakeOffer("unrelated", {"recruitment"}));
  Offer later = MakeOffer("later", {"financing"}, {"energy"});
  later.valid_from = kNow + 1h;
  index.Put(later);
  Offer withdrawn = MakeOffer("gone", {"financing"}, {"energy"});
  withdrawn.state = "WITHDRAWN";
  index.Put(withdrawn);
  CHECK(index.size() == 7);

  Case c = MakeCase("eskilstuna", {"financing"}, {"energy"});
  auto ranked = index.Rank(c, w, kNow, 10);
  Strings ids;
  for (const auto& r : ranked) ids.push_back(r.offer->id);
  CHECK(ids == Strings{"both", "need-new", "need-old", "area"});
  CHECK(ranked[0].fit.score == Approx(3.0));
  CHECK(ranked[0].fit.reasons == Strings{"need:financing", "area:energy"});
  CHECK(index.Rank(c, w, kNow, 2).size() == 2);

  // Replacing an offer with its withdrawn version removes it from the ranking.
  Offer both = MakeOffer("both", {"financing"}, {"energy"});
  both.state = "WITHDRAWN";
  index.Put(both);
  ranked = index.Rank(c, w, kNow, 10);
  REQUIRE_FALSE(ranked.empty());
  CHECK(ranked[0].offer->id == "need-new");
  index.Remove("need-new");
  CHECK(index.Rank(c, w, kNow, 10).front().offer->id == "need-old");
}

TEST_CASE("the offer index ranks as a plain scan would, across compactions") {
  RoutingWeights w;
  const Strings needs = {"n0", "n1", "n2", "n3", "n4", "n5"};
  const Strings areas = {"a0", "a1", "a2", "a3"};
  const Strings nodes = {"x", "y", "z"};
  std::mt19937 rng(42);
  auto pick = [&](const Strings& from, int max) {
    Strings out;
    int n = static_cast<int>(rng() % static_cast<unsigned>(max + 1));
    for (int i = 0; i < n; ++i) {
      const std::string& v = from[rng() % from.size()];
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
    return out;
  };
  OfferIndex index;
  std::map<std::string, Offer> all;
  for (int i = 0; i < 5000; ++i) {
    std::string id = "o" + std::to_string(rng() % 2000);
    Offer o = MakeOffer(id, pick(needs, 2), pick(areas, 2), pick(nodes, 1),
                        kNow - std::chrono::milliseconds(rng() % 100));
    if (rng() % 5 == 0) o.state = "WITHDRAWN";
    all[id] = o;
    index.Put(o);
  }
  for (int trial = 0; trial < 50; ++trial) {
    Case c = MakeCase(nodes[rng() % nodes.size()], pick(needs, 2), pick(areas, 2));
    std::vector<std::pair<double, const Offer*>> scan;
    for (const auto& [id, o] : all) {
      OfferFit fit = MatchOffer(o, c, w);
      if (fit.score > 0 && IsOfferActive(o, kNow)) scan.emplace_back(fit.score, &o);
    }
    std::sort(scan.begin(), scan.end(), [](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first > b.first;
      if (a.second->create_time != b.second->create_time) {
        return a.second->create_time > b.second->create_time;
      }
      return a.second->id < b.second->id;
    });
    auto ranked = index.Rank(c, w, kNow, 25);
    REQUIRE(ranked.size() == std::min<size_t>(25, scan.size()));
    for (size_t i = 0; i < ranked.size(); ++i) {
      CHECK(ranked[i].offer->id == scan[i].second->id);
      CHECK(ranked[i].fit.score == Approx(scan[i].first));
    }
  }
}

TEST_CASE("channelling over a synthetic national configuration equals a plain scan") {
  Config config;
  config.levels = {"LOCAL", "REGIONAL", "NATIONAL", "INTERNATIONAL"};
  for (int i = 0; i < 50; ++i) config.nodes.push_back({"node" + std::to_string(i), ""});
  for (int i = 0; i < 12; ++i) config.needs.push_back({"need" + std::to_string(i), ""});
  for (int i = 0; i < 9; ++i) config.areas.push_back({"area" + std::to_string(i), ""});
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    Actor a;
    a.id = "actor" + std::to_string(i);
    a.level = config.levels[rng() % 3];
    for (int k = 0; k < 2; ++k) a.needs.push_back(config.needs[rng() % 12].id);
    if (rng() % 2) a.areas.push_back(config.areas[rng() % 9].id);
    if (a.level == "LOCAL") a.nodes.push_back(config.nodes[rng() % 50].id);
    config.actors.push_back(a);
  }
  Actor publisher;
  publisher.id = "eu";
  publisher.level = "INTERNATIONAL";
  config.actors.push_back(publisher);
  OfferChannel channel(config);
  for (int trial = 0; trial < 20; ++trial) {
    OfferDraft d = Draft({config.needs[rng() % 12].id}, {config.areas[rng() % 9].id});
    if (trial % 2) d.nodes = {config.nodes[rng() % 50].id, config.nodes[rng() % 50].id};
    auto got = channel.Channel("INTERNATIONAL", d, "eu", kNow);
    REQUIRE(got.size() == 3);
    for (const OfferRecipients& r : got) {
      Strings want;
      for (const Actor& a : config.actors) {
        if (a.level != r.level) continue;
        bool need = false;
        for (const auto& n : d.needs) need = need || std::count(a.needs.begin(), a.needs.end(), n);
        bool area = false;
        for (const auto& x : d.areas) area = area || std::count(a.areas.begin(), a.areas.end(), x);
        bool node = d.nodes.empty() || a.nodes.empty();
        for (const auto& x : d.nodes) node = node || std::count(a.nodes.begin(), a.nodes.end(), x);
        if ((need || area) && node) want.push_back(a.id);
      }
      CHECK(r.actors == want);
    }
  }
}

}  // namespace
}  // namespace tillvaxt::domain
