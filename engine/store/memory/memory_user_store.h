// The in-memory UserStore: users and sessions in process memory, for tests and for trying
// things without a database file (engine/store/memory/memory_store.h is its event store). Not
// durable. It answers as the SQLite user store does: the same codes and messages.
//
// Thread-safety: every method may be called from any thread; one mutex guards the two maps.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/thread_annotations.h"
#include "engine/store/user_store.h"

namespace tillvaxt::store::memory {

class MemoryUserStore final : public UserStore {
 public:
  MemoryUserStore();
  ~MemoryUserStore() override;
  MemoryUserStore(const MemoryUserStore&) = delete;
  MemoryUserStore& operator=(const MemoryUserStore&) = delete;

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
  std::mutex mu_;
  std::map<std::string, UserRecord> users_ GUARDED_BY(mu_);        // by username
  std::map<std::string, SessionRecord> sessions_ GUARDED_BY(mu_);  // by token hash
};

}  // namespace tillvaxt::store::memory
