#include "engine/store/sqlite/offer_tables.h"

#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include "engine/codec/event_codec.h"
#include "engine/domain/decider.h"
#include "engine/store/sqlite/schema.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "tests/unit/store/store_test_util.h"

namespace tillvaxt::store::sqlite {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;
using testing::TempDir;

const base::Time kT0 = base::FromUnixMillis(1'780'000'000'000);

std::unique_ptr<SqliteStore> OpenStore(const TempDir& dir) {
  SqliteOptions options;
  options.path = dir.File("tillvaxt.db");
  options.durability = SqliteOptions::Durability::kNormal;
  auto store = SqliteStore::Open(options);
  REQUIRE(store.ok());
  return std::move(store).value();
}

// A published offer's append: PUBLISHED and one CHANNELLED to LOCAL.
OfferAppend Publish(const std::string& id, base::Time at, Strings needs, Strings areas,
                    Strings nodes, std::string title = "Innovationscheckar",
                    std::optional<base::Time> until = std::nullopt) {
  domain::OfferEvent p;
  p.offer_id = id;
  p.seq = 1;
  p.type = domain::OfferEventType::kPublished;
  p.time = at;
  p.user = "actor.rise";
  p.actor = "rise";
  p.level = "NATIONAL";
  domain::OfferDraft d;
  d.kind = "FUNDING_CALL";
  d.title = std::move(title);
  d.description = "Stöd till företagen i regionen";
  d.needs = std::move(needs);
  d.areas = std::move(areas);
  d.valid_until = until;
  p.draft = d;
  domain::OfferEvent c;
  c.offer_id = id;
  c.seq = 2;
  c.type = domain::OfferEventType::kChannelled;
  c.time = at;
  c.user = "actor.rise";
  c.recipients = {"LOCAL", {"almi"}, nodes.empty() ? Strings{"eskilstuna", "nykoping"} : nodes, at};
  std::vector<domain::OfferEvent> events{p, c};
  return {0, events, domain::FoldOffer(events)};
}

Strings Ids(const base::Result<OfferPage>& page) {
  REQUIRE(page.ok());
  Strings ids;
  for (const auto& o : page->offers) ids.push_back(o.id);
  return ids;
}

TEST_CASE("offers: append, read back, history, and optimistic concurrency") {
  TempDir dir;
  auto store = OpenStore(dir);
  OfferAppend a = Publish("o1", kT0, {"financing"}, {}, {});
  REQUIRE(store->AppendOffer(a).ok());
  auto got = store->GetOffer("o1");
  REQUIRE(got.ok());
  CHECK(*got == a.after);
  auto events = store->OfferEvents("o1");
  REQUIRE(events.ok());
  CHECK(*events == a.events);
  CHECK(store->GetOffer("nope").status().code() == base::Code::kNotFound);
  CHECK(store->OfferEvents("nope").status().code() == base::Code::kNotFound);

  CHECK(store->AppendOffer(a).code() == base::Code::kAborted);  // exists already
  domain::OfferEvent w;
  w.offer_id = "o1";
  w.seq = 3;
  w.type = domain::OfferEventType::kWithdrawn;
  w.time = kT0 + 1h;
  w.user = "actor.rise";
  w.reason = "fullt";
  domain::Offer after = a.after;
  domain::ApplyOfferEvent(after, w);
  CHECK(store->AppendOffer({1, {w}, after}).code() == base::Code::kInvalidArgument);  // seq
  domain::OfferEvent stale = w;
  stale.seq = 2;
  domain::Offer stale_after = a.after;
  stale_after.version = 2;
  CHECK(store->AppendOffer({1, {stale}, stale_after}).code() == base::Code::kAborted);
  REQUIRE(store->AppendOffer({2, {w}, after}).ok());
  CHECK(store->GetOffer("o1")->state == "WITHDRAWN");
  CHECK(store->OfferEvents("o1")->size() == 3);
}

TEST_CASE("offers: list filters, activity, expiry, full text and paging") {
  TempDir dir;
  auto store = OpenStore(dir);
  REQUIRE(store->AppendOffer(Publish("a", kT0, {"financing"}, {"energy"}, {"eskilstuna"},
                                     "Finansiering av energiprojekt", kT0 + 24h)).ok());
  REQUIRE(store->AppendOffer(Publish("b", kT0 + 1s, {"innovation"}, {}, {"nykoping"},
                                     "Veckans innovation")).ok());
  REQUIRE(store->AppendOffer(Publish("c", kT0 + 2s, {"financing", "growth"}, {}, {},
                                     "Tillväxtlån för företag")).ok());
  auto list = [&](OfferFilter f) { return Ids(store->ListOffers(f)); };
  CHECK(list({}) == Strings{"c", "b", "a"});
  CHECK(list({.node = "eskilstuna"}) == Strings{"c", "a"});
  CHECK(list({.recipient_actor = "almi"}) == Strings{"c", "b", "a"});
  CHECK(list({.actor = "rise", .level = "NATIONAL"}) == Strings{"c", "b", "a"});
  CHECK(list({.level = "REGIONAL"}).empty());
  CHECK(list({.need = "financing"}) == Strings{"c", "a"});
  CHECK(list({.area = "energy"}) == Strings{"a"});
  CHECK(list({.active_at = kT0 + 1h}) == Strings{"c", "b", "a"});
  CHECK(list({.active_at = kT0 + 24h}) == Strings{"c", "b"});
  CHECK(list({.expired_at = kT0 + 24h}) == Strings{"a"});
  CHECK(list({.expired_at = kT0 + 1h}).empty());
  CHECK(list({.q = "finansieringen"}) == Strings{"a"});
  CHECK(list({.q = "företagen"}) == Strings{"c", "b", "a"});  // the descriptions
  CHECK(list({.q = "innovationer"}) == Strings{"b"});
  CHECK(list({.q = "!!"}).empty());
  auto first = store->ListOffers({.page_size = 2});
  REQUIRE(first.ok());
  CHECK(Ids(first) == Strings{"c", "b"});
  REQUIRE_FALSE(first->next_page_token.empty());
  CHECK(list({.page_size = 2, .page_token = first->next_page_token}) == Strings{"a"});
  CHECK(store->ListOffers({.page_token = "zz"}).status().code() == base::Code::kInvalidArgument);

  // Rebuild refills the offer projections (and their search rows) from offer_events.
  REQUIRE(store->Rebuild(nullptr).ok());
  CHECK(list({.node = "eskilstuna"}) == Strings{"c", "a"});
  CHECK(list({.q = "finansieringen"}) == Strings{"a"});
  CHECK(*store->GetOffer("a") == Publish("a", kT0, {"financing"}, {"energy"}, {"eskilstuna"},
                                         "Finansiering av energiprojekt", kT0 + 24h)
                                     .after);
}

domain::Case MakeCase(const std::string& id, const std::string& node, base::Time at,
                      std::string title, std::string description) {
  domain::CaseDraft d;
  d.title = std::move(title);
  d.description = std::move(description);
  d.company = {"Bolaget AB", "556677-8899", "Eskilstuna", "SMALL", ""};
  d.node = node;
  domain::Event e;
  e.case_id = id;
  e.seq = 1;
  e.type = domain::EventType::kCreated;
  e.action = "create";
  e.time = at;
  e.user = "coord." + node;
  e.to_state = "NEW";
  e.level = "LOCAL";
  e.created = d;
  return domain::Fold({e});
}

base::Status AppendCase(Store& store, const domain::Case& c) {
  domain::Event e;
  e.case_id = c.id;
  e.seq = 1;
  e.type = domain::EventType::kCreated;
  e.action = "create";
  e.time = c.create_time;
  e.user = "coord";
  e.to_state = "NEW";
  e.level = "LOCAL";
  e.created = domain::CaseDraft{c.title, c.description, c.company, c.contact, c.node};
  return store.Append({{0, {e}, c}});
}

Strings CaseIds(const base::Result<CasePage>& page) {
  REQUIRE(page.ok());
  Strings ids;
  for (const auto& c : page->cases) ids.push_back(c.id);
  return ids;
}

TEST_CASE("case search: Swedish stemming, other filters still apply, rebuild refills") {
  TempDir dir;
  auto store = OpenStore(dir);
  REQUIRE(AppendCase(*store, MakeCase("c1", "eskilstuna", kT0, "Finansiering av maskiner",
                                      "Företagen behöver lån")).ok());
  REQUIRE(AppendCase(*store, MakeCase("c2", "nykoping", kT0 + 1s, "Innovationer i livsmedel",
                                      "Nya produkter; finansieringen oklar")).ok());
  REQUIRE(AppendCase(*store, MakeCase("c3", "eskilstuna", kT0 + 2s, "ÅTERVINNING",
                                      "Rekrytering av ingenjörer")).ok());
  auto q = [&](std::string text, std::string node = "") {
    CaseFilter f;
    f.q = std::move(text);
    f.node = std::move(node);
    return CaseIds(store->ListCases(f));
  };
  CHECK(q("finansieringen") == Strings{"c2", "c1"});
  CHECK(q("finansiering") == Strings{"c2", "c1"});
  CHECK(q("finansiering", "eskilstuna") == Strings{"c1"});  // visibility filters keep applying
  CHECK(q("företag") == Strings{"c1"});  // "företagen" in the description
  CHECK(q("innovation") == Strings{"c2"});
  CHECK(q("återvinning") == Strings{"c3"});
  CHECK(q("finansiering lån") == Strings{"c1"});  // every word required
  CHECK(q("maskin*").size() == 1);               // FTS syntax is inert
  CHECK(q("-").empty());
  REQUIRE(store->Rebuild(nullptr).ok());
  CHECK(q("finansieringen") == Strings{"c2", "c1"});
}

TEST_CASE("the schema step indexes the cases of an older database") {
  TempDir dir;
  const std::string path = dir.File("old.db");
  {
    auto db = Connection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "");
    REQUIRE(db.ok());
    REQUIRE(Migrate(**db, kOffersSchemaVersion - 1).ok());
    domain::Case c = MakeCase("old1", "eskilstuna", kT0, "Finansieringen av lagret", "");
    auto insert = (*db)->Prepare(
        "INSERT INTO cases (id, state, level, node, assignee, org_number, parent_id, title, "
        "description, create_time, update_time, version, workflow_version, body) VALUES "
        "(?1, 'NEW', 'LOCAL', 'eskilstuna', '', '', '', ?2, '', ?3, ?3, 1, 1, ?4)",
        "test");
    REQUIRE(insert.ok());
    insert->Bind(1, c.id).Bind(2, c.title).Bind(3, base::ToUnixMillis(kT0));
    insert->BindBlob(4, codec::SerializeCase(c));
    REQUIRE(insert->Run("test").ok());
  }
  SqliteOptions options;
  options.path = path;
  auto store = SqliteStore::Open(options);
  REQUIRE(store.ok());
  CaseFilter f;
  f.q = "finansiering";
  CHECK(CaseIds((*store)->ListCases(f)) == Strings{"old1"});
  CHECK((*store)->ListOffers({}).ok());
}

}  // namespace
}  // namespace tillvaxt::store::sqlite
