#include "engine/store/sqlite/sqlite_user_store.h"

#include <sqlite3.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/store/sqlite/sqlite_store.h"
#include "tests/unit/store/conformance.h"

using tillvaxt::base::Code;
using tillvaxt::base::FromUnixMillis;
using tillvaxt::domain::Role;
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

TEST_CASE("The SQLite user store passes the user store conformance suite") {
  std::vector<std::unique_ptr<TempDir>> dirs;
  tillvaxt::store::testing::RunUserStoreConformance(
      [&]() -> std::unique_ptr<tillvaxt::store::UserStore> {
        dirs.push_back(std::make_unique<TempDir>());
        auto store = SqliteUserStore::Open(dirs.back()->File("tillvaxt.db"), Unversioned());
        INFO(store.status().ToString());
        REQUIRE(store.ok());
        return std::move(store).value();
      });
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
