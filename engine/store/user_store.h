// UserStore: the people who may sign in and their sessions, behind an interface that the SQLite
// store (and later PostgreSQL) implements. No SQL dialect leaks through it; engine/auth holds
// the rules (password hashing, tokens, expiry), the store only keeps records.
//
// Tokens never reach the store: a session is keyed by the SHA-256 of its token, so a leaked
// database does not hand out live sessions. Times are base::Time (UTC, milliseconds).
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/config.h"

namespace tillvaxt::store {

struct UserRecord {
  std::string username;  // lower-case; the key
  domain::Role role = domain::Role::kUnspecified;
  std::string node;   // COORDINATOR: the node they coordinate; else empty
  std::string actor;  // ACTOR: the actor organisation they work for; else empty
  std::string display_name;
  std::string email;
  std::string password_hash;  // argon2id, libsodium's encoded string ($argon2id$v=19$...)
  bool disabled = false;
  bool digest = false;  // notifications as a weekly digest instead of one mail per event
  base::Time create_time{};

  bool operator==(const UserRecord&) const = default;
};

struct SessionRecord {
  std::string token_hash;  // lower-case hex SHA-256 of the token; the key
  std::string username;
  base::Time create_time{};
  base::Time expire_time{};  // absolute end, whatever the activity
  base::Time last_seen{};    // for the idle timeout; updated at most now and then

  bool operator==(const SessionRecord&) const = default;
};

class UserStore {
 public:
  virtual ~UserStore() = default;

  // Inserts or replaces the user (every field). INVALID_ARGUMENT on an empty username.
  virtual base::Status PutUser(const UserRecord& user) = 0;
  // Inserts a new user; ABORTED "user 'x' already exists" when the username is taken, so two
  // concurrent additions of one name cannot silently overwrite each other.
  virtual base::Status InsertUser(const UserRecord& user) = 0;
  // NOT_FOUND "no user 'x'".
  virtual base::Result<UserRecord> GetUser(const std::string& username) = 0;
  // Every user, by username.
  virtual base::Result<std::vector<UserRecord>> ListUsers() = 0;

  // ABORTED when a session with the same token hash exists (never in practice: 256-bit tokens).
  virtual base::Status CreateSession(const SessionRecord& session) = 0;
  // NOT_FOUND when there is no such session.
  virtual base::Result<SessionRecord> GetSession(const std::string& token_hash) = 0;
  // Sets last_seen. OK when the session is gone (a concurrent logout wins).
  virtual base::Status TouchSession(const std::string& token_hash, base::Time last_seen) = 0;
  // OK when there is no such session (logging out twice is not an error).
  virtual base::Status DeleteSession(const std::string& token_hash) = 0;
  // Revokes every session of `username` (password change, disabling); returns how many.
  virtual base::Result<int64_t> DeleteUserSessions(const std::string& username) = 0;
  // Deletes the sessions past their absolute end (expire_time <= now) and those idle since
  // before `idle_since` (last_seen < idle_since); returns how many. Pass base::Time::min() as
  // `idle_since` to ignore idleness.
  virtual base::Result<int64_t> DeleteExpiredSessions(base::Time now, base::Time idle_since) = 0;
};

}  // namespace tillvaxt::store
