// The PostgreSQL UserStore: tables `users` and `sessions` in the same database as the event
// store (created by its migration, schema.h), on a pool of its own, so every instance sees the
// same users and sessions: a session created on one instance is valid on every other.
//
// Open the event store (PostgresStore::Open) first: it migrates the schema. Open here refuses a
// database whose schema is not at this build's version, naming the problem.
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <memory>
#include <string>

#include "engine/base/status.h"
#include "engine/store/user_store.h"

namespace tillvaxt::store::postgres {

class Pool;  // pool.h

class PostgresUserStore final : public UserStore {
 public:
  static base::Result<std::unique_ptr<PostgresUserStore>> Open(const std::string& conninfo,
                                                               int connections = 2);
  ~PostgresUserStore() override;
  PostgresUserStore(const PostgresUserStore&) = delete;
  PostgresUserStore& operator=(const PostgresUserStore&) = delete;

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
  explicit PostgresUserStore(std::unique_ptr<Pool> pool);
  base::Status WriteUser(const UserRecord& user, bool insert_only);

  std::unique_ptr<Pool> pool_;
};

}  // namespace tillvaxt::store::postgres
