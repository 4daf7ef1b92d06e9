#include "engine/service/offer_service.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "tests/support/service_fixture.h"

using namespace tillvaxt;
using namespace std::chrono_literals;
using domain::Principal;
using domain::Role;
using Strings = std::vector<std::string>;

namespace {

Principal ActorUser(const std::string& actor) {
  return {"actor." + actor, Role::kActor, "", actor};
}

// Over the memory store: the offers' log and projection through OfferLog alone.
struct Fixture : testing::ServiceFixture {
  Fixture() {
    auto offered = service::OfferService::Create(*cases, *store, clock,
                                                 std::make_unique<service::IdGenerator>(8));
    REQUIRE(offered.ok());
    offers = std::move(*offered);
    cases->SetOfferLookup([this](const std::string& id) { return offers->CheckLinkable(id); });
  }
  ~Fixture() { offers.reset(); }

  std::string NewCase(const Principal& coordinator, Strings needs, Strings areas = {},
                      std::string title = "Behöver finansiering") {
    domain::CaseDraft d;
    d.title = std::move(title);
    d.description = "Ett verkstadsföretag söker kapital för automation.";
    d.company = {"Verkstad AB", "556036-0793", "Eskilstuna", "SMALL", ""};
    d.needs = std::move(needs);
    d.areas = std::move(areas);
    auto c = cases->CreateCase(coordinator, d);
    REQUIRE(c.ok());
    return c->created.id;
  }

  domain::Offer Publish(const std::string& actor, Strings needs, Strings areas = {},
                        Strings nodes = {}, std::optional<base::Time> until = std::nullopt) {
    domain::OfferDraft d;
    d.kind = "FUNDING_CALL";
    d.title = "Innovationscheckar";
    d.needs = std::move(needs);
    d.areas = std::move(areas);
    d.nodes = std::move(nodes);
    d.valid_until = until;
    auto o = offers->Publish(ActorUser(actor), d);
    REQUIRE(o.ok());
    return *o;
  }

  std::unique_ptr<service::OfferService> offers;
  Principal coord{"coord.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
  Principal other_coord{"coord.nykoping", Role::kCoordinator, "nykoping", ""};
  Principal manager{"manager", Role::kManager, "", ""};
};

Strings OfferIds(const std::vector<service::SuggestedOffer>& s) {
  Strings ids;
  for (const auto& x : s) ids.push_back(x.offer.id);
  return ids;
}

}  // namespace

TEST_CASE("offers: channelled over the Sörmland configuration to exactly the expected actors") {
  Fixture f;
  domain::Offer een = f.Publish("enterprise-europe-network", {"financing"}, {}, {"nykoping"});
  REQUIRE(een.recipients.size() == 3);
  CHECK(een.level == "INTERNATIONAL");
  CHECK(een.recipients[0].level == "NATIONAL");
  CHECK(een.recipients[0].actors == Strings{"vinnova", "energimyndigheten"});
  CHECK(een.recipients[1].level == "REGIONAL");
  CHECK(een.recipients[1].actors == Strings{"almi-malardalen"});
  CHECK(een.recipients[2].level == "LOCAL");
  CHECK(een.recipients[2].actors.empty());  // munktell-science-park serves eskilstuna only
  CHECK(een.recipients[2].nodes == Strings{"nykoping"});

  domain::Offer vinnova = f.Publish("vinnova", {"internationalisation"}, {"energilosningar"});
  REQUIRE(vinnova.recipients.size() == 2);
  CHECK(vinnova.recipients[0].actors == Strings{"automation-region", "ostsvenska-handelskammaren",
                                                "energikontoret-malardalen", "biogas-ost",
                                                "energiriket"});
  CHECK(vinnova.recipients[1].nodes ==
        Strings{"eskilstuna", "nykoping", "strangnas", "katrineholm"});

  // Stored as events: PUBLISHED then one CHANNELLED per level.
  auto history = f.offers->History(f.coord, een.id);
  REQUIRE(history.ok());
  REQUIRE(history->size() == 4);
  CHECK((*history)[0].type == domain::OfferEventType::kPublished);
  CHECK((*history)[3].recipients.nodes == Strings{"nykoping"});
  auto got = f.offers->Get(f.manager, een.id);
  REQUIRE(got.ok());
  CHECK(*got == een);

  // Who received what: by node and by actor.
  auto to_nykoping = f.offers->List(f.coord, {.node = "nykoping"});
  REQUIRE(to_nykoping.ok());
  CHECK(to_nykoping->offers.size() == 2);
  auto to_eskilstuna = f.offers->List(f.coord, {.node = "eskilstuna"});
  REQUIRE(to_eskilstuna.ok());
  CHECK(to_eskilstuna->offers.size() == 1);
  auto to_almi = f.offers->List(f.coord, {.recipient_actor = "almi-malardalen"});
  CHECK(to_almi->offers.size() == 1);
}

TEST_CASE("offers: only an actor publishes; bad drafts name the field") {
  Fixture f;
  domain::OfferDraft d;
  d.kind = "EVENT";
  d.title = "Frukostmöte";
  CHECK(f.offers->Publish(f.coord, d).status().code() == base::Code::kPermissionDenied);
  CHECK(f.offers->Publish(f.manager, d).status().code() == base::Code::kPermissionDenied);
  d.needs = {"teleportation"};
  auto bad = f.offers->Publish(ActorUser("vinnova"), d);
  REQUIRE(bad.status().code() == base::Code::kInvalidArgument);
  CHECK(bad.status().details().at(0).field == "needs");
}

TEST_CASE("offers: a node's inbox lists its offers with the open cases they fit") {
  Fixture f;
  std::string financing = f.NewCase(f.coord, {"financing"});
  std::string recruiting = f.NewCase(f.coord, {"recruitment"}, {}, "Rekrytering");
  std::string both = f.NewCase(f.coord, {"financing"}, {"energilosningar"}, "Energi");
  std::string elsewhere = f.NewCase(f.other_coord, {"financing"});
  domain::Offer money = f.Publish("vinnova", {"financing"}, {"energilosningar"});
  f.clock.Advance(1s);
  domain::Offer nykoping_only = f.Publish("vinnova", {"financing"}, {}, {"nykoping"});

  auto inbox = f.offers->Inbox(f.coord, "eskilstuna");
  REQUIRE(inbox.ok());
  REQUIRE(inbox->size() == 1);
  CHECK(inbox->at(0).offer.id == money.id);
  Strings matched;
  for (const auto& c : inbox->at(0).matching_cases) matched.push_back(c.id);
  CHECK(matched == Strings{both, financing});  // best fit first; recruiting does not fit

  auto theirs = f.offers->Inbox(f.other_coord, "nykoping");
  REQUIRE(theirs.ok());
  REQUIRE(theirs->size() == 2);
  CHECK(theirs->at(0).offer.id == nykoping_only.id);
  REQUIRE(theirs->at(0).matching_cases.size() == 1);
  CHECK(theirs->at(0).matching_cases[0].id == elsewhere);

  CHECK(f.offers->Inbox(f.other_coord, "eskilstuna").status().code() ==
        base::Code::kPermissionDenied);
  CHECK(f.offers->Inbox(ActorUser("vinnova"), "eskilstuna").status().code() ==
        base::Code::kPermissionDenied);
  CHECK(f.offers->Inbox(f.manager, "eskilstuna").ok());
  CHECK(f.offers->Inbox(f.manager, "gotham").status().code() == base::Code::kNotFound);
  (void)recruiting;
}

TEST_CASE("offers: suggestions rank by fit and respect the case's visibility") {
  Fixture f;
  std::string id = f.NewCase(f.coord, {"financing", "innovation"}, {"energilosningar"});
  domain::Offer weak = f.Publish("vinnova", {"innovation"});
  f.clock.Advance(1s);
  domain::Offer strong =
      f.Publish("energimyndigheten", {"financing", "innovation"}, {"energilosningar"});
  f.clock.Advance(1s);
  domain::Offer local = f.Publish("rise", {"financing"}, {}, {"eskilstuna"});
  f.Publish("rise", {"recruitment"});
  f.Publish("rise", {"financing"}, {}, {"katrineholm"});

  auto s = f.offers->SuggestedOffers(f.coord, id);
  REQUIRE(s.ok());
  CHECK(OfferIds(*s) == Strings{strong.id, local.id, weak.id});
  CHECK(s->at(0).score == Approx(5.0));
  CHECK(s->at(0).reasons == Strings{"need:financing", "need:innovation", "area:energilosningar"});
  CHECK(s->at(1).reasons == Strings{"need:financing", "node:eskilstuna"});
  CHECK(f.offers->SuggestedOffers(f.other_coord, id).status().code() == base::Code::kNotFound);

  // A fresh service over the same store finds the published offers again.
  auto again = service::OfferService::Create(*f.cases, *f.store, f.clock, nullptr);
  REQUIRE(again.ok());
  auto s2 = (*again)->SuggestedOffers(f.manager, id);
  REQUIRE(s2.ok());
  CHECK(OfferIds(*s2) == OfferIds(*s));
}

TEST_CASE("offers: expiry and withdrawal are events, and end the suggestions") {
  Fixture f;
  std::string id = f.NewCase(f.coord, {"financing"});
  domain::Offer brief = f.Publish("vinnova", {"financing"}, {}, {}, f.clock.Now() + 1h);
  domain::Offer lasting = f.Publish("energimyndigheten", {"financing"});
  CHECK(f.offers->SuggestedOffers(f.coord, id)->size() == 2);

  CHECK(*f.offers->ExpireDue(f.clock.Now()) == 0);
  f.clock.Advance(2h);
  CHECK(*f.offers->ExpireDue(f.clock.Now()) == 1);
  CHECK(*f.offers->ExpireDue(f.clock.Now()) == 0);  // exactly once
  auto history = f.offers->History(f.manager, brief.id);
  REQUIRE(history.ok());
  CHECK(history->back().type == domain::OfferEventType::kExpired);
  CHECK(history->back().user == "system");
  CHECK(f.offers->Get(f.manager, brief.id)->state == "EXPIRED");
  CHECK(OfferIds(*f.offers->SuggestedOffers(f.coord, id)) == Strings{lasting.id});

  CHECK(f.offers->Withdraw(ActorUser("vinnova"), lasting.id, "").status().code() ==
        base::Code::kPermissionDenied);
  CHECK(f.offers->Withdraw(ActorUser("energimyndigheten"), lasting.id, "", 1).status().code() ==
        base::Code::kAborted);
  auto withdrawn = f.offers->Withdraw(ActorUser("energimyndigheten"), lasting.id, "fulltecknat");
  REQUIRE(withdrawn.ok());
  CHECK(withdrawn->state == "WITHDRAWN");
  CHECK(f.offers->Withdraw(ActorUser("energimyndigheten"), lasting.id, "").status().code() ==
        base::Code::kFailedPrecondition);
  CHECK(f.offers->SuggestedOffers(f.coord, id)->empty());
  CHECK(f.offers->List(f.coord, {.active_at = f.clock.Now()})->offers.empty());
  CHECK(f.offers->List(f.coord, {.state = "WITHDRAWN"})->offers.size() == 1);
}

TEST_CASE("offers: an offer is expired lazily when read after its window") {
  Fixture f;
  domain::Offer o = f.Publish("vinnova", {"financing"}, {}, {}, f.clock.Now() + 1h);
  f.clock.Advance(1h);
  CHECK(f.offers->Get(f.coord, o.id)->state == "EXPIRED");
  CHECK(f.offers->History(f.coord, o.id)->size() == o.recipients.size() + 2);
}

TEST_CASE("linkOffer: the offer must exist and be published") {
  Fixture f;
  std::string id = f.NewCase(f.coord, {"financing"});
  domain::Offer o = f.Publish("vinnova", {"financing"});
  domain::Offer gone = f.Publish("rise", {"financing"});
  REQUIRE(f.offers->Withdraw(ActorUser("rise"), gone.id, "").ok());

  auto unknown = f.cases->Act(f.coord, id, {.action = "linkOffer", .offer_id = "nope"});
  REQUIRE(unknown.status().code() == base::Code::kInvalidArgument);
  CHECK(unknown.status().message() == "offerId: unknown offer");
  CHECK(unknown.status().details().at(0).field == "offerId");
  CHECK(f.cases->Act(f.coord, id, {.action = "linkOffer", .offer_id = gone.id}).status().code() ==
        base::Code::kFailedPrecondition);
  auto linked = f.cases->Act(f.coord, id, {.action = "linkOffer", .offer_id = o.id});
  REQUIRE(linked.ok());
  CHECK(linked->offer_ids == Strings{o.id});
}

TEST_CASE("case search through the service keeps each caller's visibility") {
  Fixture f;
  std::string mine = f.NewCase(f.coord, {"financing"}, {}, "Finansieringen av en ny fabrik");
  std::string theirs = f.NewCase(f.other_coord, {"financing"}, {}, "Finansiering av lager");
  auto search = [&](const Principal& who, const std::string& q) {
    store::CaseFilter filter;
    filter.q = q;
    auto page = f.cases->List(who, filter);
    REQUIRE(page.ok());
    Strings ids;
    for (const auto& c : page->cases) ids.push_back(c.id);
    return ids;
  };
  CHECK(search(f.coord, "finansiering") == Strings{mine});
  CHECK(search(f.other_coord, "finansieringen") == Strings{theirs});
  CHECK(search(f.manager, "finansiering").size() == 2);
  CHECK(search(ActorUser("vinnova"), "finansiering").empty());
  CHECK(search(f.manager, "fabriken") == Strings{mine});
}
