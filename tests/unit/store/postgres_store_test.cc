#include "engine/store/postgres/postgres_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/store/postgres/pg.h"
#include "engine/store/postgres/postgres_user_store.h"
#include "tests/support/pg_server.h"
#include "tests/unit/store/conformance.h"
#include "tests/unit/store/store_test_util.h"

namespace tillvaxt::store::postgres {
namespace {

using testing::CaseHistory;
using tillvaxt::testing::PgServer;

base::Time T0() { return base::FromUnixMillis(1'767'225'600'000); }

// The process's server; a machine without PostgreSQL fails here, naming what to install.
PgServer& Server() {
  base::Result<PgServer*> server = PgServer::Shared();
  if (!server.ok()) FAIL("cannot start a PostgreSQL server: " << server.status().ToString());
  return **server;
}

// A fresh, empty store on database `db` (its schema dropped and migrated again).
std::unique_ptr<PostgresStore> FreshStore(const std::string& db = "conformance") {
  PgServer& server = Server();
  base::Status reset = server.ResetDatabase(db);
  if (!reset.ok()) FAIL(reset.ToString());
  base::Result<std::unique_ptr<PostgresStore>> store =
      PostgresStore::Open({.conninfo = server.ConnInfo(db), .connections = 4});
  if (!store.ok()) FAIL(store.status().ToString());
  return std::move(store).value();
}

std::unique_ptr<Store> NewStore() { return FreshStore(); }

TEST_CASE("the PostgreSQL store passes the store conformance suite", "[store][postgres]") {
  testing::RunStoreConformance(NewStore);
}

TEST_CASE("the PostgreSQL store passes the timers conformance suite", "[store][postgres]") {
  testing::RunTimersConformance(NewStore);
}

TEST_CASE("the PostgreSQL store passes the offer log conformance suite", "[store][postgres]") {
  testing::RunOfferLogConformance(NewStore);
}

TEST_CASE("the PostgreSQL store passes the statistics conformance suite", "[store][postgres]") {
  testing::RunStatsConformance(NewStore);
}

TEST_CASE("the PostgreSQL user store passes the user store conformance suite",
          "[store][postgres]") {
  testing::RunUserStoreConformance([]() -> std::unique_ptr<UserStore> {
    std::unique_ptr<PostgresStore> events = FreshStore("users");  // migrates the schema
    base::Result<std::unique_ptr<PostgresUserStore>> users =
        PostgresUserStore::Open(Server().ConnInfo("users"));
    if (!users.ok()) FAIL(users.status().ToString());
    return std::move(users).value();
  });
}

TEST_CASE("an unreachable server or a wrong database is refused naming it", "[store][postgres]") {
  PgServer& server = Server();
  // A port nobody listens on: the server's, plus one, is free unless the kernel says otherwise.
  base::Result<std::unique_ptr<PostgresStore>> none = PostgresStore::Open(
      {.conninfo = "postgresql://postgres:secret@127.0.0.1:1/x?connect_timeout=5"});
  REQUIRE_FALSE(none.ok());
  CHECK(none.status().code() == base::Code::kUnavailable);
  CHECK_THAT(none.status().message(), Catch::Contains("cannot connect to PostgreSQL at"));
  CHECK_THAT(none.status().message(), Catch::Contains("127.0.0.1:1"));
  CHECK_THAT(none.status().message(), !Catch::Contains("secret"));  // the password redacted

  base::Result<std::unique_ptr<PostgresStore>> missing =
      PostgresStore::Open({.conninfo = server.ConnInfo("no_such_database")});
  REQUIRE_FALSE(missing.ok());
  CHECK_THAT(missing.status().message(), Catch::Contains("no_such_database"));
}

TEST_CASE("a database from a newer schema version is refused", "[store][postgres]") {
  { FreshStore("newer"); }
  {
    base::Result<std::unique_ptr<Connection>> db = Connection::Open(Server().ConnInfo("newer"));
    REQUIRE(db.ok());
    REQUIRE((*db)->Exec("UPDATE tillvaxt_schema SET version = 99", "test").ok());
  }
  base::Result<std::unique_ptr<PostgresStore>> store =
      PostgresStore::Open({.conninfo = Server().ConnInfo("newer")});
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == base::Code::kFailedPrecondition);
  CHECK_THAT(store.status().message(),
             Catch::Contains("schema version 99 is newer than this tillvaxt supports"));
}

TEST_CASE("a database with our tables but no schema version is refused", "[store][postgres]") {
  PgServer& server = Server();
  REQUIRE(server.ResetDatabase("stray").ok());
  {
    base::Result<std::unique_ptr<Connection>> db = Connection::Open(server.ConnInfo("stray"));
    REQUIRE(db.ok());
    REQUIRE((*db)->Exec("CREATE TABLE cases (id TEXT)", "test").ok());
  }
  base::Result<std::unique_ptr<PostgresStore>> store =
      PostgresStore::Open({.conninfo = server.ConnInfo("stray")});
  REQUIRE_FALSE(store.ok());
  CHECK_THAT(store.status().message(), Catch::Contains("not a tillvaxt database"));
}

TEST_CASE("two stores on one database see each other's commits", "[store][postgres]") {
  std::unique_ptr<PostgresStore> a = FreshStore("shared");
  base::Result<std::unique_ptr<PostgresStore>> b =
      PostgresStore::Open({.conninfo = Server().ConnInfo("shared")});
  REQUIRE(b.ok());
  const std::vector<CaseAppend> history = CaseHistory("S-1", 3, T0());
  REQUIRE(a->Append({history[0]}).ok());
  CHECK(*(*b)->GetCase("S-1") == history[0].after);
  // The statistics index of b follows a's commit.
  CHECK((*b)->StatsSummary({}).value().total == 1);
  // A stale append on b loses to a's.
  if (history.size() >= 2) {
    REQUIRE(a->Append({history[1]}).ok());
    CaseAppend stale = history[1];
    CHECK((*b)->Append({stale}).code() == base::Code::kAborted);
  }
}

// Positions are handed out in commit order (case_tables.h): readers polling EventsAfter while
// many threads append never see a gap that is filled later.
TEST_CASE("concurrent appends get positions in commit order, without gaps", "[store][postgres]") {
  std::unique_ptr<PostgresStore> store = FreshStore("order");
  constexpr int kThreads = 6;
  constexpr int kCases = 8;
  std::atomic<bool> done{false};
  std::vector<int64_t> seen;
  std::thread reader([&] {
    int64_t after = 0;
    while (!done.load()) {
      base::Result<std::vector<PositionedEvent>> page = store->EventsAfter(after, 10'000);
      REQUIRE(page.ok());
      for (const PositionedEvent& e : *page) {
        seen.push_back(e.position);
        after = e.position;
      }
    }
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kCases; ++i) {
        const std::string id = "O-" + std::to_string(t) + "-" + std::to_string(i);
        for (const CaseAppend& a : CaseHistory(id, static_cast<uint64_t>(t * 100 + i), T0())) {
          CHECK(store->Append({a}).ok());
        }
      }
    });
  }
  for (std::thread& w : writers) w.join();
  done = true;
  reader.join();
  base::Result<std::vector<PositionedEvent>> rest =
      store->EventsAfter(seen.empty() ? 0 : seen.back(), 10'000);
  REQUIRE(rest.ok());
  for (const PositionedEvent& e : *rest) seen.push_back(e.position);
  REQUIRE(static_cast<int64_t>(seen.size()) == *store->CountEvents());
  for (size_t i = 0; i < seen.size(); ++i) CHECK(seen[i] == static_cast<int64_t>(i) + 1);
  CHECK(*store->LastPosition() == static_cast<int64_t>(seen.size()));
}

}  // namespace
}  // namespace tillvaxt::store::postgres
