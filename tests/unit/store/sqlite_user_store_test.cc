#include "engine/store/sqlite/sqlite_user_store.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "engine/store/sqlite/sqlite_store.h"

using tillvaxt::base::Code;
using tillvaxt::base::FromUnixMillis;
using tillvaxt::base::Time;
using tillvaxt::domain::Role;
using tillvaxt::store::SessionRecord;
using tillvaxt::store::UserRecord;
using tillvaxt::store::sqlite::SqliteUserStore;
using tillvaxt::store::sqlite::SqliteUserStoreOptions;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tv-users-XXXXXX").string();
    path_ = mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string File(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

SqliteUserStoreOptions Unversioned() {
  SqliteUserStoreOptions o;
  o.allow_unversioned = true;
  return o;
}

UserRecord Coordinator(const std::string& name) {
  UserRecord u;
  u.username = name;
  u.role = Role::kCoordinator;
  u.node = "eskilstuna";
  u.display_name = "Åsa Öberg";
  u.email = "asa@example.se";
  u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$x$y";
  u.digest = true;
  u.create_time = FromUnixMillis(1'790'000'000'123);
  return u;
}

// Runs a single-value query on a connection of the test's own.
std::string Query(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  sqlite3_stmt* stmt = nullptr;
  std::string out;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
      sqlite3_step(stmt) == SQLITE_ROW) {
    const unsigned char* text = sqlite3_column_text(stmt, 0);
    out = text ? reinterpret_cast<const char*>(text) : "";
  }
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

void Exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  sqlite3_open(path.c_str(), &db);
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("Users round-trip through the SQLite user store") {
  TempDir dir;
  auto store = SqliteUserStore::Open(dir.File("tillvaxt.db"), Unversioned());
  REQUIRE(store.ok());
  UserRecord asa = Coordinator("asa");
  REQUIRE((*store)->PutUser(asa).ok());
  auto read = (*store)->GetUser("asa");
  REQUIRE(read.ok());
  CHECK(*read == asa);

  asa.role = Role::kActor;
  asa.node = "";
  asa.actor = "almi-malardalen";
  asa.disabled = true;
  asa.digest = false;
  REQUIRE((*store)->PutUser(asa).ok());  // update in place
  CHECK(*(*store)->GetUser("asa") == asa);

  CHECK((*store)->GetUser("bo").status().code() == Code::kNotFound);
  CHECK((*store)->GetUser("bo").status().message() == "no user 'bo'");
  UserRecord empty = asa;
  empty.username = "";
  CHECK((*store)->PutUser(empty).code() == Code::kInvalidArgument);
  CHECK((*store)->InsertUser(empty).code() == Code::kInvalidArgument);
}

TEST_CASE("InsertUser refuses a taken username, PutUser replaces") {
  TempDir dir;
  auto store = SqliteUserStore::Open(dir.File("tillvaxt.db"), Unversioned());
  REQUIRE(store.ok());
  REQUIRE((*store)->InsertUser(Coordinator("bo")).ok());
  auto again = (*store)->InsertUser(Coordinator("bo"));
  CHECK(again.code() == Code::kAborted);
  CHECK(again.message() == "user 'bo' already exists");
  REQUIRE((*store)->InsertUser(Coordinator("anna")).ok());
  auto all = (*store)->ListUsers();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].username == "anna");  // by username
  CHECK((*all)[1].username == "bo");
}

TEST_CASE("Sessions: create, read, touch, delete, revoke per user, expire") {
  TempDir dir;
  auto opened = SqliteUserStore::Open(dir.File("tillvaxt.db"), Unversioned());
  REQUIRE(opened.ok());
  auto& store = **opened;
  const Time t0 = FromUnixMillis(1'790'000'000'000);
  const auto hour = std::chrono::hours(1);
  SessionRecord a{"aa", "asa", t0, t0 + 10 * hour, t0};
  SessionRecord b{"bb", "asa", t0, t0 + 10 * hour, t0 + 2 * hour};
  SessionRecord c{"cc", "bo", t0, t0 + 1 * hour, t0};
  for (const auto& s : {a, b, c}) REQUIRE(store.CreateSession(s).ok());
  CHECK(store.CreateSession(a).code() == Code::kAborted);
  CHECK(*store.GetSession("aa") == a);
  CHECK(store.GetSession("zz").status().code() == Code::kNotFound);

  REQUIRE(store.TouchSession("aa", t0 + 3 * hour).ok());
  CHECK(store.GetSession("aa")->last_seen == t0 + 3 * hour);
  CHECK(store.TouchSession("zz", t0).ok());

  // At t0 + 1 h, c has reached its end; with idle_since t0 + 2.5 h, b (last seen t0 + 2 h)
  // is idle too; a was seen at t0 + 3 h.
  auto expired =
      store.DeleteExpiredSessions(t0 + hour, t0 + 2 * hour + std::chrono::minutes(30));
  REQUIRE(expired.ok());
  CHECK(*expired == 2);
  CHECK(store.GetSession("aa").ok());
  CHECK_FALSE(store.GetSession("bb").ok());
  CHECK_FALSE(store.GetSession("cc").ok());

  REQUIRE(store.CreateSession({"dd", "asa", t0, t0 + hour, t0}).ok());
  auto revoked = store.DeleteUserSessions("asa");
  REQUIRE(revoked.ok());
  CHECK(*revoked == 2);
  CHECK(store.DeleteSession("aa").ok());  // gone already: still fine
  CHECK(store.CreateSession({"", "asa", t0, t0, t0}).code() == Code::kInvalidArgument);
}

TEST_CASE("The user store refuses a database the event store has not created") {
  TempDir dir;
  auto refused = SqliteUserStore::Open(dir.File("tillvaxt.db"));
  CHECK(refused.status().code() == Code::kFailedPrecondition);
  CHECK(refused.status().message().find("tillvaxt init") != std::string::npos);
  // Nothing was created: the event store can still take the file.
  CHECK(Query(dir.File("tillvaxt.db"), "SELECT COUNT(*) FROM sqlite_master") == "0");
}

TEST_CASE("The user store shares a versioned database and leaves its version alone") {
  TempDir dir;
  std::string path = dir.File("tillvaxt.db");
  // What the event store leaves behind: its tables and PRAGMA user_version.
  Exec(path, "CREATE TABLE events (position INTEGER PRIMARY KEY); PRAGMA user_version = 2;");
  {
    auto store = SqliteUserStore::Open(path);
    REQUIRE(store.ok());
    REQUIRE((*store)->PutUser(Coordinator("asa")).ok());
  }
  CHECK(Query(path, "PRAGMA user_version") == "2");
  CHECK(Query(path, "PRAGMA journal_mode") == "wal");
  CHECK(Query(path, "SELECT COUNT(*) FROM events") == "0");
  // Reopening finds the tables and the user.
  auto again = SqliteUserStore::Open(path);
  REQUIRE(again.ok());
  CHECK((*again)->GetUser("asa").ok());
}

TEST_CASE("The user store can be used from many threads") {
  TempDir dir;
  auto opened = SqliteUserStore::Open(dir.File("tillvaxt.db"), Unversioned());
  REQUIRE(opened.ok());
  auto& store = **opened;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) {
        std::string name = "u" + std::to_string(t) + "-" + std::to_string(i);
        if (!store.PutUser(Coordinator(name)).ok()) ++failures;
        if (!store.GetUser(name).ok()) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(failures == 0);
  CHECK(store.ListUsers()->size() == 100);
}

TEST_CASE("Users live beside the event store in one file, in either order of opening") {
  TempDir dir;
  std::string path = dir.File("tillvaxt.db");
  tillvaxt::store::sqlite::SqliteOptions options;
  options.path = path;
  {
    auto events = tillvaxt::store::sqlite::SqliteStore::Open(options);
    REQUIRE(events.ok());
    auto users = SqliteUserStore::Open(path);  // while the event store is open
    REQUIRE(users.ok());
    REQUIRE((*users)->PutUser(Coordinator("asa")).ok());
    CHECK((*events)->CountCases().ok());
  }
  // The event store reopens a database holding the user tables, and the users are there.
  auto events = tillvaxt::store::sqlite::SqliteStore::Open(options);
  INFO(events.status().ToString());
  REQUIRE(events.ok());
  auto users = SqliteUserStore::Open(path);
  REQUIRE(users.ok());
  CHECK((*users)->GetUser("asa").ok());
}
