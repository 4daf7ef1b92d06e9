#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "engine/codec/event_codec.h"
#include "engine/domain/decider.h"
#include "engine/store/sqlite/offer_tables.h"
#include "engine/store/sqlite/schema.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "tests/unit/store/store_test_util.h"

// What is particular to the SQLite offer and search tables; the offers' behaviour through
// OfferLog, and full-text search through CaseQueries, are in the conformance suite
// (tests/unit/store/conformance.cc), which sqlite_store_test.cc runs.
namespace tillvaxt::store::sqlite {
namespace {

using namespace std::chrono_literals;
using Strings = std::vector<std::string>;
using testing::TempDir;

const base::Time kT0 = base::FromUnixMillis(1'780'000'000'000);

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

Strings CaseIds(const base::Result<CasePage>& page) {
  REQUIRE(page.ok());
  Strings ids;
  for (const auto& c : page->cases) ids.push_back(c.id);
  return ids;
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
