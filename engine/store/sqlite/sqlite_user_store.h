// The SQLite UserStore: tables `users` and `sessions` in the same database file as the event
// store (DATA/tillvaxt.db), on a connection of its own.
//
// The event store owns the schema version (PRAGMA user_version) and refuses a database that has
// tables but no version, so this store never creates the first tables of a database: Open
// answers FAILED_PRECONDITION on a database the event store has not created yet, unless
// `allow_unversioned` is set (tests of this store alone). Open the event store first. The two
// tables are created with CREATE TABLE IF NOT EXISTS and never touch user_version.
//
// Durability as the event store's default: WAL, synchronous=FULL, and the busy timeout of every
// connection of the SQLite store (db.h; the event store's writer may hold the write lock for a
// group commit). SQLite errors map to a Status as everywhere in the store (db.h SqliteError).
//
// Thread-safety: every method may be called from any thread; one mutex guards the single
// connection (sign-ins are rare next to case traffic).
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "engine/base/status.h"
#include "engine/base/thread_annotations.h"
#include "engine/store/user_store.h"

namespace tillvaxt::store::sqlite {

class Connection;  // db.h

struct SqliteUserStoreOptions {
  // Create the tables even when the event store has not versioned the database (tests only:
  // the event store would then refuse the database).
  bool allow_unversioned = false;
};

class SqliteUserStore final : public UserStore {
 public:
  // Opens (creating the file if need be) `path`, sets WAL and synchronous=FULL and creates the
  // tables. Errors name the path.
  static base::Result<std::unique_ptr<SqliteUserStore>> Open(const std::string& path,
                                                             SqliteUserStoreOptions options = {});
  ~SqliteUserStore() override;
  SqliteUserStore(const SqliteUserStore&) = delete;
  SqliteUserStore& operator=(const SqliteUserStore&) = delete;

  base::Status PutUser(const UserRecord& user) override;
  base::Status InsertUser(const UserRecord& user) override;
  base::Result<UserRecord> GetUser(const std::string& username) override;
  base::Result<std::vector<UserRecord>> ListUsers() override;
  base::Status CreateSession(const SessionRecord& session) override;
  base::Result<SessionRecord> GetSession(const std::string& token_hash) override;
  base::Status TouchSession(const std::string& token_hash, base::Time last_seen) override;
  base::Status DeleteSession(const std::string& token_hash) override;
  base::Result<int64_t> DeleteUserSessions(const std::string& username) override;
  base::Result<int64_t> DeleteExpiredSessions(base::Time now, base::Time idle_since) override;

 private:
  explicit SqliteUserStore(std::unique_ptr<Connection> db);
  base::Status WriteUser(const UserRecord& user, bool insert_only);

  std::mutex mu_;
  std::unique_ptr<Connection> db_ PT_GUARDED_BY(mu_);
};

}  // namespace tillvaxt::store::sqlite
