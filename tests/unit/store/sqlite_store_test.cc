#include "engine/store/sqlite/sqlite_store.h"

#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "engine/codec/event_codec.h"
#include "engine/store/sqlite/db.h"
#include "engine/store/sqlite/schema.h"
#include "tests/unit/store/conformance.h"
#include "tests/unit/store/faulty_vfs.h"
#include "tests/unit/store/store_test_util.h"

namespace tillvaxt::store::sqlite {
namespace {

using base::Code;
using testing::CaseHistory;
using testing::FaultyVfs;
using testing::Snapshot;
using testing::TempDir;

base::Time T0() { return base::FromUnixMillis(1'767'225'600'000); }

std::unique_ptr<SqliteStore> MustOpen(SqliteOptions options) {
  base::Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  INFO(store.status().ToString());
  REQUIRE(store.ok());
  return std::move(store).value();
}

SqliteOptions Options(const std::string& path) {
  SqliteOptions options;
  options.path = path;
  return options;
}

std::unique_ptr<SqliteStore> MustOpen(const std::string& path) { return MustOpen(Options(path)); }

Snapshot Snap(Store& store) {
  std::string error;
  Snapshot s = testing::TakeSnapshot(store, &error);
  INFO(error);
  REQUIRE(error.empty());
  return s;
}

void RequireRebuildEqualsLive(Store& store) {
  const Snapshot live = Snap(store);
  base::Status st = store.Rebuild({});
  INFO(st.ToString());
  REQUIRE(st.ok());
  CHECK(Snap(store) == live);
}

std::unique_ptr<Connection> RawOpen(const std::string& path) {
  base::Result<std::unique_ptr<Connection>> db =
      Connection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "");
  INFO(db.status().ToString());
  REQUIRE(db.ok());
  return std::move(db).value();
}

void RequireOk(const base::Status& st) {
  INFO(st.ToString());
  REQUIRE(st.ok());
}

TEST_CASE("the SQLite store passes the store conformance suite", "[store][sqlite]") {
  std::vector<std::unique_ptr<TempDir>> dirs;
  testing::RunStoreConformance([&]() -> std::unique_ptr<Store> {
    dirs.push_back(std::make_unique<TempDir>());
    return MustOpen(dirs.back()->File("tillvaxt.db"));
  });
}

TEST_CASE("the SQLite store passes the conformance suite with one reader and batches of one",
          "[store][sqlite]") {
  std::vector<std::unique_ptr<TempDir>> dirs;
  testing::RunStoreConformance([&]() -> std::unique_ptr<Store> {
    dirs.push_back(std::make_unique<TempDir>());
    SqliteOptions options;
    options.path = dirs.back()->File("tillvaxt.db");
    options.readers = 1;
    options.max_batch = 1;
    options.durability = SqliteOptions::Durability::kNormal;
    return MustOpen(options);
  });
}

// The other jobs' suites on NORMAL durability: the FULL default is exercised above, and these
// make many small commits.
testing::StoreFactory NormalDurability(std::vector<std::unique_ptr<TempDir>>& dirs) {
  return [&dirs]() -> std::unique_ptr<Store> {
    dirs.push_back(std::make_unique<TempDir>());
    SqliteOptions options;
    options.path = dirs.back()->File("tillvaxt.db");
    options.durability = SqliteOptions::Durability::kNormal;
    return MustOpen(options);
  };
}

TEST_CASE("the SQLite store passes the timers conformance suite", "[store][sqlite]") {
  std::vector<std::unique_ptr<TempDir>> dirs;
  testing::RunTimersConformance(NormalDurability(dirs));
}

TEST_CASE("the SQLite store passes the offer log conformance suite", "[store][sqlite]") {
  std::vector<std::unique_ptr<TempDir>> dirs;
  testing::RunOfferLogConformance(NormalDurability(dirs));
}

TEST_CASE("the SQLite store passes the statistics conformance suite", "[store][sqlite]") {
  std::vector<std::unique_ptr<TempDir>> dirs;
  testing::RunStatsConformance(NormalDurability(dirs));
}

TEST_CASE("WAL and synchronous=FULL are really set; NORMAL only when asked", "[store][sqlite]") {
  TempDir dir;
  {
    auto store = MustOpen(dir.File("a.db"));
    CHECK(*store->WriterPragma("journal_mode") == "wal");
    CHECK(*store->WriterPragma("synchronous") == "2");  // FULL
    CHECK(*store->WriterPragma("user_version") == std::to_string(kSchemaVersion));
    CHECK(store->WriterPragma("user_version; DROP TABLE cases").status().code() ==
          Code::kInvalidArgument);
    CHECK(*store->IntegrityCheck() == "ok");
  }
  {
    SqliteOptions options;
    options.path = dir.File("b.db");
    options.durability = SqliteOptions::Durability::kNormal;
    auto store = MustOpen(options);
    CHECK(*store->WriterPragma("synchronous") == "1");  // NORMAL
    CHECK(*store->WriterPragma("journal_mode") == "wal");
  }
  // The journal mode is a property of the file: a plain connection sees it too.
  auto raw = RawOpen(dir.File("a.db"));
  CHECK(*raw->QueryText("PRAGMA journal_mode", "test") == "wal");
}

TEST_CASE("opening fails with a Status naming the path", "[store][sqlite]") {
  SqliteOptions options;
  options.path = "/nonexistent-folder-for-tillvaxt/x.db";
  base::Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(options);
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Code::kUnavailable);
  CHECK_THAT(store.status().message(), Catch::Contains("/nonexistent-folder-for-tillvaxt/x.db"));
  options.path = "";
  CHECK(SqliteStore::Open(options).status().code() == Code::kInvalidArgument);
}

TEST_CASE("a database from a newer schema version is refused", "[store][sqlite]") {
  TempDir dir;
  const std::string path = dir.File("t.db");
  { MustOpen(path); }
  { RequireOk(RawOpen(path)->Exec("PRAGMA user_version = 7", "test")); }
  base::Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Options(path));
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Code::kFailedPrecondition);
  CHECK_THAT(store.status().message(),
             Catch::Contains("database schema version 7 is newer than this tillvaxt supports (" +
                             std::to_string(kSchemaVersion) + "); upgrade tillvaxt"));
  // Refusing changed nothing.
  CHECK(*RawOpen(path)->QueryInt("PRAGMA user_version", "test") == 7);
}

TEST_CASE("a database that is not Tillväxt's is refused", "[store][sqlite]") {
  TempDir dir;
  const std::string path = dir.File("other.db");
  RequireOk(RawOpen(path)->Exec("CREATE TABLE t (x)", "test"));
  base::Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Options(path));
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Code::kFailedPrecondition);
  CHECK_THAT(store.status().message(), Catch::Contains("not a tillvaxt database"));
}

// What a version-1 Tillväxt wrote for a case: its events and projection rows, v1 columns only.
void InsertVersion1(Connection& db, const std::vector<CaseAppend>& history) {
  for (const CaseAppend& a : history) {
    for (const domain::Event& e : a.events) {
      base::Result<Stmt> s = db.Prepare(
          "INSERT INTO events (case_id, seq, type, time, user, payload) "
          "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
          "test");
      REQUIRE(s.ok());
      s->Bind(1, e.case_id)
          .Bind(2, e.seq)
          .Bind(3, std::string_view(domain::EventTypeName(e.type)))
          .Bind(4, base::ToUnixMillis(e.time))
          .Bind(5, e.user)
          .BindBlob(6, codec::SerializeEvent(e));
      RequireOk(s->Run("test"));
    }
  }
  const domain::Case& c = history.back().after;
  base::Result<Stmt> s = db.Prepare(
      "INSERT INTO cases (id, state, level, node, assignee, org_number, parent_id, title, "
      "description, create_time, update_time, version, workflow_version, body) VALUES (?1, ?2, "
      "?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
      "test");
  REQUIRE(s.ok());
  s->Bind(1, c.id)
      .Bind(2, c.state)
      .Bind(3, c.level)
      .Bind(4, c.node)
      .Bind(5, c.assignee)
      .Bind(6, c.company.org_number)
      .Bind(7, c.parent_id)
      .Bind(8, c.title)
      .Bind(9, c.description)
      .Bind(10, base::ToUnixMillis(c.create_time))
      .Bind(11, base::ToUnixMillis(c.update_time))
      .Bind(12, c.version)
      .Bind(13, int64_t{c.workflow_version})
      .BindBlob(14, codec::SerializeCase(c));
  RequireOk(s->Run("test"));
  auto rows = [&](const char* sql, const std::vector<std::string>& values) {
    for (const std::string& v : values) {
      base::Result<Stmt> r = db.Prepare(sql, "test");
      REQUIRE(r.ok());
      r->Bind(1, c.id).Bind(2, v);
      RequireOk(r->Run("test"));
    }
  };
  rows("INSERT INTO case_candidates VALUES (?1, ?2)", c.candidates);
  rows("INSERT INTO case_involved VALUES (?1, ?2)", c.involved_actors);
  rows("INSERT INTO case_needs VALUES (?1, ?2)", c.needs);
  rows("INSERT INTO case_areas VALUES (?1, ?2)", c.areas);
}

TEST_CASE("a version 1 database is migrated in place and keeps its data", "[store][sqlite]") {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  std::map<std::string, domain::Case> cases;
  std::map<std::string, std::vector<domain::Event>> events;
  {
    auto db = RawOpen(path);
    RequireOk(Migrate(*db, 1));
    CHECK(*ReadSchemaVersion(*db) == 1);
    // Version 1 has no deadline column yet.
    CHECK_FALSE(db->Exec("SELECT deadline FROM cases", "test").ok());
    RequireOk(db->Exec("BEGIN", "test"));
    for (int i = 0; i < 40; ++i) {
      const std::string id = "V1-" + std::to_string(i);
      std::vector<CaseAppend> h = CaseHistory(id, 700 + i, T0() + std::chrono::hours(i));
      InsertVersion1(*db, h);
      cases[id] = h.back().after;
      events[id] = testing::HistoryEvents(h);
    }
    RequireOk(db->Exec("INSERT INTO workflows VALUES (1, CAST('old definition' AS BLOB))", "test"));
    RequireOk(db->Exec("COMMIT", "test"));
  }

  auto store = MustOpen(path);
  CHECK(*store->WriterPragma("user_version") == std::to_string(kSchemaVersion));
  for (const auto& [id, c] : cases) {
    CHECK(*store->GetCase(id) == c);
    CHECK(*store->GetEvents(id) == events[id]);
  }
  CHECK(*store->CountCases() == 40);
  CaseFilter open;
  open.open_only = true;
  open.open_states = testing::OpenStates();
  int open_count = 0;
  for (const auto& [id, c] : cases) {
    open_count += std::count(open.open_states.begin(), open.open_states.end(), c.state) > 0;
  }
  open.page_size = 1000;
  CHECK(static_cast<int>(store->ListCases(open)->cases.size()) == open_count);
  CHECK(*store->RegisterWorkflow("old definition") == 1);

  // The version-2 columns were backfilled from the bodies.
  {
    auto raw = RawOpen(path);
    for (const auto& [id, c] : cases) {
      base::Result<Stmt> s =
          raw->Prepare("SELECT highest_level, deadline FROM cases WHERE id = ?1", "test");
      REQUIRE(s.ok());
      s->Bind(1, id);
      REQUIRE(*s->Step("test"));
      CHECK(s->Text(0) == c.highest_level);
      CHECK(s->IsNull(1) == !c.deadline.has_value());
      if (c.deadline) CHECK(s->Int(1) == base::ToUnixMillis(*c.deadline));
    }
    CHECK(*raw->QueryInt("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('cases_by_deadline', "
                         "'cases_by_highest_level')",
                         "test") == 2);
  }
  RequireRebuildEqualsLive(*store);
  // New writes work on the migrated schema.
  std::vector<CaseAppend> h = CaseHistory("after-migration", 3, T0());
  for (const CaseAppend& a : h) RequireOk(store->Append({a}));
  CHECK(*store->GetCase("after-migration") == h.back().after);
}

TEST_CASE("a migration that fails leaves the old database as it was", "[store][sqlite]") {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  {
    auto db = RawOpen(path);
    RequireOk(Migrate(*db, 1));
    InsertVersion1(*db, CaseHistory("good", 1, T0()));
    RequireOk(db->Exec("UPDATE cases SET body = x'ffffffff0f' WHERE id = 'good'", "test"));
  }
  base::Result<std::unique_ptr<SqliteStore>> store = SqliteStore::Open(Options(path));
  REQUIRE_FALSE(store.ok());
  CHECK(store.status().code() == Code::kInternal);
  CHECK_THAT(store.status().message(), Catch::Contains("version 2"));
  auto raw = RawOpen(path);
  CHECK(*ReadSchemaVersion(*raw) == 1);
  CHECK_FALSE(raw->Exec("SELECT deadline FROM cases", "test").ok());  // the ALTER was undone
  CHECK(*raw->QueryInt("SELECT COUNT(*) FROM events WHERE case_id = 'good'", "test") > 0);
}

TEST_CASE("concurrent appends share commits (group commit) and all are durable",
          "[store][sqlite]") {
  TempDir dir;
  const std::string path = dir.File("g.db");
  constexpr int kThreads = 32;
  constexpr int kCasesPerThread = 3;
  std::map<std::string, domain::Case> want;
  std::vector<std::vector<std::vector<CaseAppend>>> work(kThreads);
  int64_t appends = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kCasesPerThread; ++i) {
      const std::string id = "G-" + std::to_string(t) + "-" + std::to_string(i);
      work[t].push_back(CaseHistory(id, static_cast<uint64_t>(t * 100 + i), T0()));
      want[id] = work[t].back().back().after;
      appends += static_cast<int64_t>(work[t].back().size());
    }
  }
  {
    auto store = MustOpen(path);
    const SqliteStats before = store->stats();
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (const auto& history : work[t]) {
          for (const CaseAppend& a : history) {
            if (!store->Append({a}).ok()) ++failures;
          }
        }
      });
    }
    for (std::thread& th : threads) th.join();
    const SqliteStats after = store->stats();
    CHECK(failures == 0);
    CHECK(after.requests - before.requests == appends);
    CHECK(after.failed_commits == 0);
    INFO("appends " << appends << ", commits " << after.commits - before.commits
                    << ", largest batch " << after.largest_batch);
    CHECK(after.commits - before.commits < appends);
    CHECK(after.largest_batch > 1);
  }
  auto store = MustOpen(path);  // reopened: everything acknowledged is there
  CHECK(*store->CountCases() == static_cast<int64_t>(want.size()));
  for (const auto& [id, c] : want) CHECK(*store->GetCase(id) == c);
  CHECK(*store->IntegrityCheck() == "ok");
  RequireRebuildEqualsLive(*store);
}

TEST_CASE("an injected write or fsync failure fails the append and leaves no trace",
          "[store][sqlite][faults]") {
  FaultyVfs::Register();
  TempDir dir;
  const std::string path = dir.File("f.db");
  SqliteOptions options;
  options.path = path;
  options.vfs = FaultyVfs::kName;
  std::map<std::string, std::vector<CaseAppend>> committed;  // what must be there
  int failures = 0;
  {
    auto store = MustOpen(options);
    // Some history to live next to.
    for (int i = 0; i < 10; ++i) {
      const std::string id = "base-" + std::to_string(i);
      std::vector<CaseAppend> h = CaseHistory(id, 7 + i, T0() + std::chrono::hours(i));
      for (const CaseAppend& a : h) RequireOk(store->Append({a}));
    }
    // For n = 1, 2, ...: the nth write or sync of a two-case append fails (every position in
    // its commit: WAL page writes, the commit frame, the fsync).
    for (int n = 1; n <= 24; ++n) {
      INFO("failing write/sync number " << n);
      const std::string id = "F-" + std::to_string(n);
      std::vector<CaseAppend> h = CaseHistory(id, 7, T0() + std::chrono::hours(100 + n));
      REQUIRE(h.size() >= 2);
      const Snapshot before = Snap(*store);
      FaultyVfs::FailNth(n);
      base::Status st = store->Append({h[0], h[1]});
      const bool fired = FaultyVfs::Fired();
      FaultyVfs::Disarm();
      if (st.ok()) {
        // Acknowledged: the fault, if it fired, hit a checkpoint after the commit (which is
        // retried later and never turns a durable commit into a failure).
        committed[id] = {h[0], h[1]};
        CHECK(*store->GetCase(id) == h[1].after);
      } else {
        ++failures;
        CHECK(fired);
        CHECK(st.code() == Code::kUnavailable);
        CHECK(store->GetCase(id).status().code() == Code::kNotFound);
        CHECK(Snap(*store) == before);
        // The store recovers: the same append goes through now.
        RequireOk(store->Append({h[0], h[1]}));
        committed[id] = {h[0], h[1]};
      }
      if (n % 6 == 0) RequireRebuildEqualsLive(*store);
    }
    CHECK(failures >= 3);  // the fault did land inside appends

    // A device that stays gone: everything fails until it is back; then all is well.
    const Snapshot before = Snap(*store);
    FaultyVfs::FailNth(1, /*sticky=*/true);
    for (int i = 0; i < 3; ++i) {
      std::vector<CaseAppend> h = CaseHistory("gone-" + std::to_string(i), 9, T0());
      CHECK_FALSE(store->Append({h[0]}).ok());
    }
    CHECK_FALSE(store->Rebuild({}).ok());
    FaultyVfs::Disarm();
    CHECK(Snap(*store) == before);

    // A failure in the middle of a rebuild leaves the live projections.
    for (int n : {1, 3, 8}) {
      FaultyVfs::FailNth(n);
      base::Status st = store->Rebuild({});
      FaultyVfs::Disarm();
      if (!st.ok()) CHECK(Snap(*store) == before);
    }
    RequireRebuildEqualsLive(*store);
    CHECK(*store->IntegrityCheck() == "ok");
  }
  // After a clean reopen: exactly what was acknowledged.
  auto store = MustOpen(path);
  CHECK(*store->IntegrityCheck() == "ok");
  for (const auto& [id, h] : committed) {
    CHECK(*store->GetCase(id) == h.back().after);
    CHECK(store->GetEvents(id)->size() == h[0].events.size() + h[1].events.size());
  }
  for (int i = 0; i < 3; ++i) {
    CHECK(store->GetCase("gone-" + std::to_string(i)).status().code() == Code::kNotFound);
  }
  RequireRebuildEqualsLive(*store);
}

TEST_CASE("a write from the writer thread itself is refused instead of deadlocking",
          "[store][sqlite]") {
  TempDir dir;
  auto store = MustOpen(dir.File("d.db"));
  std::vector<CaseAppend> h = CaseHistory("C", 7, T0());
  RequireOk(store->Append({h[0]}));
  base::Status inner;
  RequireOk(store->Rebuild([&](int64_t, int64_t) { inner = store->Append({h[1]}); }));
  CHECK(inner.code() == Code::kFailedPrecondition);
}

}  // namespace
}  // namespace tillvaxt::store::sqlite
