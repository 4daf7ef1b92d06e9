#include "engine/store/memory/memory_user_store.h"

#include <iterator>

namespace tillvaxt::store::memory {

MemoryUserStore::MemoryUserStore() = default;
MemoryUserStore::~MemoryUserStore() = default;

base::Status MemoryUserStore::PutUser(const UserRecord& user) {
  if (user.username.empty()) return base::InvalidField("username", "must not be empty");
  std::lock_guard lock(mu_);
  users_[user.username] = user;
  return base::Status::Ok();
}

base::Status MemoryUserStore::InsertUser(const UserRecord& user) {
  if (user.username.empty()) return base::InvalidField("username", "must not be empty");
  std::lock_guard lock(mu_);
  if (!users_.emplace(user.username, user).second) {
    return base::Aborted("user '" + user.username + "' already exists");
  }
  return base::Status::Ok();
}

base::Result<UserRecord> MemoryUserStore::GetUser(const std::string& username) {
  std::lock_guard lock(mu_);
  auto it = users_.find(username);
  if (it == users_.end()) return base::NotFound("no user '" + username + "'");
  return it->second;
}

base::Result<std::vector<UserRecord>> MemoryUserStore::ListUsers() {
  std::lock_guard lock(mu_);
  std::vector<UserRecord> out;
  out.reserve(users_.size());
  for (const auto& [name, user] : users_) out.push_back(user);
  return out;
}

base::Status MemoryUserStore::CreateSession(const SessionRecord& session) {
  if (session.token_hash.empty() || session.username.empty()) {
    return base::InvalidArgument("a session needs a token hash and a username");
  }
  std::lock_guard lock(mu_);
  if (!sessions_.emplace(session.token_hash, session).second) {
    return base::Aborted("a session with this token hash exists");
  }
  return base::Status::Ok();
}

base::Result<SessionRecord> MemoryUserStore::GetSession(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  auto it = sessions_.find(token_hash);
  if (it == sessions_.end()) return base::NotFound("no such session");
  return it->second;
}

base::Status MemoryUserStore::TouchSession(const std::string& token_hash, base::Time last_seen) {
  std::lock_guard lock(mu_);
  if (auto it = sessions_.find(token_hash); it != sessions_.end()) it->second.last_seen = last_seen;
  return base::Status::Ok();  // a session gone meanwhile: a concurrent logout wins
}

base::Status MemoryUserStore::DeleteSession(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  sessions_.erase(token_hash);
  return base::Status::Ok();
}

base::Result<int64_t> MemoryUserStore::DeleteUserSessions(const std::string& username) {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(std::erase_if(
      sessions_, [&](const auto& entry) { return entry.second.username == username; }));
}

base::Result<int64_t> MemoryUserStore::DeleteExpiredSessions(base::Time now,
                                                             base::Time idle_since) {
  std::lock_guard lock(mu_);
  return static_cast<int64_t>(std::erase_if(sessions_, [&](const auto& entry) {
    return entry.second.expire_time <= now || entry.second.last_seen < idle_since;
  }));
}

}  // namespace tillvaxt::store::memory
