// Sign-in and sessions: checks passwords, issues and checks session tokens, and manages the
// users behind the store::UserStore interface (API.md "Auth").
//
// - Login verifies an argon2id hash. Unknown users, wrong passwords (and malformed usernames)
//   answer the same UNAUTHENTICATED "wrong username or password" after the same work: an
//   unknown user is verified against a dummy hash. The rate limiter (rate_limiter.h: growing
//   delays per account, a limit per address, known devices apart) admits the attempt first
//   and is told of every success; at most `max_concurrent_hashes` hashes run at once (each
//   takes ~64 MiB), further logins wait.
// - A session lasts until `session_idle_timeout` without use or `session_absolute_timeout`
//   after login, whichever comes first. Its last use is written at most once per
//   `touch_interval`.
// - Authenticate runs on every request, so validated sessions are cached in memory for
//   `session_cache_ttl`: revocations through this Authenticator (logout, password change,
//   disabling) take effect at once; those made by another process (`tillvaxt user passwd` or
//   `disable` while the server runs) within the TTL.
// - Usernames are lower-case ASCII: letters, digits, '.', '_', '-', '@'; 1 to 64 characters.
//
// Thread-safety: every method may be called from any thread. The store and the clock must
// outlive the Authenticator.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <semaphore>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/auth/rate_limiter.h"
#include "engine/base/status.h"
#include "engine/base/thread_annotations.h"
#include "engine/base/time.h"
#include "engine/domain/config.h"
#include "engine/domain/principal.h"
#include "engine/store/user_store.h"

namespace tillvaxt::auth {

struct AuthOptions {
  base::Millis session_idle_timeout = std::chrono::hours(12);
  base::Millis session_absolute_timeout = std::chrono::hours(24 * 7);
  base::Millis touch_interval = std::chrono::minutes(1);
  base::Millis session_cache_ttl = std::chrono::seconds(30);
  size_t session_cache_size = 10000;
  base::Millis purge_interval = std::chrono::hours(1);  // expired sessions deleted on login
  RateLimitOptions rate_limit;
  int max_concurrent_hashes = 2;
};

struct LoginResult {
  std::string token;  // shown once; only its hash is stored
  domain::Principal principal;
  store::UserRecord user;    // password_hash cleared
  base::Time expire_time{};  // the absolute end of the session
};

// A request's authenticated caller.
struct AuthenticatedSession {
  domain::Principal principal;
  store::UserRecord user;  // password_hash cleared
  store::SessionRecord session;
};

struct NewUser {
  std::string username;
  domain::Role role = domain::Role::kUnspecified;
  std::string node;   // COORDINATOR only, and required for it
  std::string actor;  // ACTOR only, and required for it
  std::string display_name;
  std::string email;
  std::string password;
  bool digest = false;
};

// "coordinator", "ACTOR", ... (any case) -> the role; nullopt for anything else, SYSTEM
// included (no one signs in as the system).
std::optional<domain::Role> ParseRole(std::string_view name);
// ASCII lower case; other bytes unchanged.
std::string NormaliseUsername(std::string_view username);
// INVALID_ARGUMENT on field "username" unless 1-64 of [a-z0-9._@-], starting with a letter or
// digit. REQUIRES: normalised.
base::Status CheckUsername(std::string_view username);
// The principal a user acts as.
domain::Principal PrincipalOf(const store::UserRecord& user);

class Authenticator {
 public:
  Authenticator(store::UserStore& users, const base::Clock& clock, AuthOptions options = {});
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // UNAUTHENTICATED "wrong username or password" (unknown user or wrong password);
  // UNAUTHENTICATED "the account of 'x' is disabled" (right password, disabled user);
  // RESOURCE_EXHAUSTED "too many login attempts; try again in N s" with
  // *retry_after_seconds = N when given; UNAVAILABLE/INTERNAL from the store.
  // `remote_address` is the client's IP address as text (empty: not limited by address);
  // `device` a key for the known device the attempt comes from ("" : none; rate_limiter.h).
  base::Result<LoginResult> Login(std::string_view username, std::string_view password,
                                  std::string_view remote_address,
                                  int64_t* retry_after_seconds = nullptr,
                                  std::string_view device = {});

  // The caller behind a session token: UNAUTHENTICATED for a malformed, unknown, expired or
  // logged-out token, or a user that is gone or disabled.
  base::Result<AuthenticatedSession> AuthenticateSession(std::string_view token);
  base::Result<domain::Principal> Authenticate(std::string_view token);

  // Ends the session; OK when it did not exist.
  base::Status Logout(std::string_view token);

  // Adds a user after checking it: username, role, scope (COORDINATOR needs a node, ACTOR an
  // actor, no one else has either), email, password policy; with `config`, the node or actor
  // must exist there. INVALID_ARGUMENT names the field ("node", "actor", "role", ...);
  // FAILED_PRECONDITION "user 'x' already exists".
  base::Status AddUser(const NewUser& user, const domain::Config* config = nullptr);
  // AddUser's checks except the password and whether the user exists, so a caller can refuse
  // bad input before asking for a password.
  static base::Status CheckNewUser(const NewUser& user, const domain::Config* config);
  // Checks the policy, stores the new hash and revokes every session of the user.
  base::Status SetPassword(std::string_view username, std::string_view password);
  // Disabling revokes every session of the user.
  base::Status SetDisabled(std::string_view username, bool disabled);
  base::Result<store::UserRecord> GetUser(std::string_view username);  // hash cleared
  base::Result<std::vector<store::UserRecord>> ListUsers();            // hashes cleared

  // The demo users of API.md, all with `password`: coord.<node-id> per node, actor.<actor-id>
  // per actor, manager, admin. Idempotent: existing ones get their demo role and scope back
  // and, when the password differs, the new password (and lose their sessions).
  base::Status EnsureDemoUsers(const domain::Config& config, std::string_view password);

  // Deletes expired sessions from the store (also done on login, at most once per
  // purge_interval); returns how many.
  base::Result<int64_t> PurgeExpiredSessions();

  LoginRateLimiter& rate_limiter() { return limiter_; }

 private:
  struct Cached {
    AuthenticatedSession session;
    base::Time loaded;  // when read from the store
  };
  class HashSlot;

  const std::string& DummyHash();
  base::Result<std::string> Hash(std::string_view password);
  bool Verify(std::string_view password, const std::string& hash);
  void ForgetCachedUser(const std::string& username);
  void ForgetCachedSession(const std::string& token_hash);
  base::Status Revoke(const std::string& username);

  store::UserStore& users_;
  const base::Clock& clock_;
  const AuthOptions options_;
  LoginRateLimiter limiter_;
  std::counting_semaphore<> hash_slots_;
  std::once_flag dummy_once_;
  std::string dummy_hash_;
  std::atomic<int64_t> last_purge_ms_{0};
  std::mutex cache_mu_;
  std::unordered_map<std::string, Cached> cache_ GUARDED_BY(cache_mu_);  // by token hash
};

}  // namespace tillvaxt::auth
