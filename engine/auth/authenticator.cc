#include "engine/auth/authenticator.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "engine/auth/passwords.h"
#include "engine/auth/tokens.h"

namespace tillvaxt::auth {
namespace {

constexpr size_t kMaxUsernameLength = 64;
constexpr size_t kMaxRateKeyLength = 128;  // bounds the limiter's memory for junk usernames
constexpr size_t kMaxDisplayNameLength = 200;
constexpr size_t kMaxEmailLength = 254;

base::Status WrongCredentials() { return base::Unauthenticated("wrong username or password"); }
base::Status NoSession() {
  return base::Unauthenticated("no valid session: it expired or was ended; sign in again");
}

bool HasControlCharacters(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    unsigned char u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

base::Status CheckEmail(std::string_view email) {
  if (email.empty()) return base::Status::Ok();
  size_t at = email.find('@');
  bool ok = email.size() <= kMaxEmailLength && at != std::string_view::npos && at > 0 &&
            at + 1 < email.size() && email.find('@', at + 1) == std::string_view::npos &&
            email.find(' ') == std::string_view::npos && !HasControlCharacters(email);
  return ok ? base::Status::Ok()
            : base::InvalidField("email", "'" + std::string(email) + "' is not an email address");
}

store::UserRecord WithoutHash(store::UserRecord user) {
  user.password_hash.clear();
  return user;
}

}  // namespace

// Holds one of the hash slots for a scope.
class Authenticator::HashSlot {
 public:
  explicit HashSlot(std::counting_semaphore<>& slots) : slots_(slots) { slots_.acquire(); }
  ~HashSlot() { slots_.release(); }
  HashSlot(const HashSlot&) = delete;
  HashSlot& operator=(const HashSlot&) = delete;

 private:
  std::counting_semaphore<>& slots_;
};

std::optional<domain::Role> ParseRole(std::string_view name) {
  std::string upper;
  for (char c : name) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (domain::Role r : {domain::Role::kCoordinator, domain::Role::kActor, domain::Role::kManager,
                         domain::Role::kAdmin}) {
    if (upper == domain::RoleName(r)) return r;
  }
  return std::nullopt;
}

std::string NormaliseUsername(std::string_view username) {
  std::string out(username);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

base::Status CheckUsername(std::string_view username) {
  if (username.empty()) return base::InvalidField("username", "must not be empty");
  if (username.size() > kMaxUsernameLength) {
    return base::InvalidField(
        "username", "must be at most " + std::to_string(kMaxUsernameLength) + " characters");
  }
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(username.front())) {
    return base::InvalidField("username", "must start with a letter or a digit");
  }
  for (char c : username) {
    if (!alnum(c) && c != '.' && c != '_' && c != '-' && c != '@') {
      return base::InvalidField(
          "username",
          "may contain only a-z, 0-9, '.', '_', '-' and '@', not '" + std::string(1, c) + "'");
    }
  }
  return base::Status::Ok();
}

domain::Principal PrincipalOf(const store::UserRecord& user) {
  return domain::Principal{user.username, user.role, user.node, user.actor};
}

Authenticator::Authenticator(store::UserStore& users, const base::Clock& clock, AuthOptions options)
    : users_(users),
      clock_(clock),
      options_(options),
      limiter_(clock, options.rate_limit),
      hash_slots_(std::max(1, options.max_concurrent_hashes)) {}

Authenticator::~Authenticator() = default;

const std::string& Authenticator::DummyHash() {
  // Made lazily (a hash costs ~64 MiB and tens of milliseconds; `tillvaxt user list` never
  // needs it), from a random secret no one knows.
  std::call_once(dummy_once_, [this] {
    base::Result<std::string> hash = Hash(NewSessionToken());
    if (hash.ok()) dummy_hash_ = std::move(*hash);
  });
  return dummy_hash_;
}

base::Result<std::string> Authenticator::Hash(std::string_view password) {
  HashSlot slot(hash_slots_);
  return HashPassword(password);
}

bool Authenticator::Verify(std::string_view password, const std::string& hash) {
  HashSlot slot(hash_slots_);
  return VerifyPassword(password, hash);
}

base::Result<LoginResult> Authenticator::Login(std::string_view username_in,
                                               std::string_view password,
                                               std::string_view remote_address,
                                               int64_t* retry_after_seconds,
                                               std::string_view device) {
  std::string username = NormaliseUsername(username_in);
  std::string rate_key = username.substr(0, kMaxRateKeyLength);
  // Admitted, the attempt counts as a failure until the password proves right.
  const LoginKeys keys{rate_key, remote_address, device};
  TV_RETURN_IF_ERROR(limiter_.Admit(keys, retry_after_seconds));

  base::Result<store::UserRecord> user = base::NotFound("");
  if (CheckUsername(username).ok()) {
    user = users_.GetUser(username);
    if (!user.ok() && user.status().code() != base::Code::kNotFound) return user.status();
  }
  if (!user.ok()) {
    (void)Verify(password, DummyHash());  // the same work as for a real user
    limiter_.Failed(keys);
    return WrongCredentials();
  }
  if (!Verify(password, user->password_hash)) {
    limiter_.Failed(keys);
    return WrongCredentials();
  }
  if (user->disabled) {
    return base::Unauthenticated("the account of '" + username + "' is disabled");
  }
  limiter_.Succeeded(keys);

  if (NeedsRehash(user->password_hash)) {
    // Hashed with older parameters: upgrade while the password is at hand. Best effort.
    base::Result<std::string> rehashed = Hash(password);
    if (rehashed.ok()) {
      store::UserRecord updated = *user;
      updated.password_hash = std::move(*rehashed);
      if (users_.PutUser(updated).ok()) user = std::move(updated);
    }
  }

  base::Time now = clock_.Now();
  int64_t last_purge = last_purge_ms_.load();
  if (base::ToUnixMillis(now) - last_purge >= options_.purge_interval.count() &&
      last_purge_ms_.compare_exchange_strong(last_purge, base::ToUnixMillis(now))) {
    (void)PurgeExpiredSessions();  // housekeeping; a failure here must not refuse the login
  }

  LoginResult result;
  result.token = NewSessionToken();
  store::SessionRecord session{HashToken(result.token), username, now,
                               now + options_.session_absolute_timeout, now};
  TV_RETURN_IF_ERROR(users_.CreateSession(session));
  result.principal = PrincipalOf(*user);
  result.user = WithoutHash(std::move(*user));
  result.expire_time = session.expire_time;
  return result;
}

base::Result<AuthenticatedSession> Authenticator::AuthenticateSession(std::string_view token) {
  if (!LooksLikeToken(token)) return NoSession();
  const std::string token_hash = HashToken(token);
  const base::Time now = clock_.Now();
  auto expired = [&](const store::SessionRecord& s) {
    return now >= s.expire_time || now >= s.last_seen + options_.session_idle_timeout;
  };

  {
    std::lock_guard lock(cache_mu_);
    auto it = cache_.find(token_hash);
    if (it != cache_.end()) {
      const Cached& c = it->second;
      if (!expired(c.session.session) && now < c.loaded + options_.session_cache_ttl &&
          now < c.session.session.last_seen + options_.touch_interval) {
        return c.session;
      }
      cache_.erase(it);  // stale: read the store again
    }
  }

  base::Result<store::SessionRecord> session = users_.GetSession(token_hash);
  if (!session.ok()) {
    return session.status().code() == base::Code::kNotFound ? NoSession() : session.status();
  }
  // The store found it by this key already; comparing again costs nothing and does not rely
  // on the store's lookup being exact.
  if (!ConstantTimeEquals(session->token_hash, token_hash)) return NoSession();
  if (expired(*session)) {
    (void)users_.DeleteSession(token_hash);
    return NoSession();
  }
  base::Result<store::UserRecord> user = users_.GetUser(session->username);
  if (!user.ok() && user.status().code() != base::Code::kNotFound) return user.status();
  if (!user.ok() || user->disabled) {
    (void)users_.DeleteSession(token_hash);
    return NoSession();
  }
  if (now - session->last_seen >= options_.touch_interval) {
    // A failed touch only shortens the idle window of this session; do not refuse the request.
    if (users_.TouchSession(token_hash, now).ok()) session->last_seen = now;
  }

  AuthenticatedSession result{PrincipalOf(*user), WithoutHash(std::move(*user)),
                              std::move(*session)};
  {
    std::lock_guard lock(cache_mu_);
    if (cache_.size() >= options_.session_cache_size) {
      for (auto it = cache_.begin(); it != cache_.end();) {
        it = now >= it->second.loaded + options_.session_cache_ttl ? cache_.erase(it)
                                                                   : std::next(it);
      }
      if (cache_.size() >= options_.session_cache_size) cache_.clear();
    }
    if (options_.session_cache_size > 0) cache_[token_hash] = Cached{result, now};
  }
  return result;
}

base::Result<domain::Principal> Authenticator::Authenticate(std::string_view token) {
  base::Result<AuthenticatedSession> session = AuthenticateSession(token);
  if (!session.ok()) return session.status();
  return std::move(session->principal);
}

base::Status Authenticator::Logout(std::string_view token) {
  if (!LooksLikeToken(token)) return base::Status::Ok();
  std::string token_hash = HashToken(token);
  ForgetCachedSession(token_hash);
  return users_.DeleteSession(token_hash);
}

void Authenticator::ForgetCachedSession(const std::string& token_hash) {
  std::lock_guard lock(cache_mu_);
  cache_.erase(token_hash);
}

void Authenticator::ForgetCachedUser(const std::string& username) {
  std::lock_guard lock(cache_mu_);
  for (auto it = cache_.begin(); it != cache_.end();) {
    it = it->second.session.user.username == username ? cache_.erase(it) : std::next(it);
  }
}

base::Status Authenticator::Revoke(const std::string& username) {
  ForgetCachedUser(username);
  base::Result<int64_t> revoked = users_.DeleteUserSessions(username);
  return revoked.ok() ? base::Status::Ok() : revoked.status();
}

base::Status Authenticator::CheckNewUser(const NewUser& in, const domain::Config* config) {
  TV_RETURN_IF_ERROR(CheckUsername(NormaliseUsername(in.username)));
  using domain::Role;
  if (in.role != Role::kCoordinator && in.role != Role::kActor && in.role != Role::kManager &&
      in.role != Role::kAdmin) {
    return base::InvalidField("role", "must be COORDINATOR, ACTOR, MANAGER or ADMIN");
  }
  if (in.role == Role::kCoordinator && in.node.empty()) {
    return base::InvalidField("node", "a coordinator needs the node they coordinate");
  }
  if (in.role == Role::kActor && in.actor.empty()) {
    return base::InvalidField("actor", "an actor user needs the actor organisation they work for");
  }
  if (in.role != Role::kCoordinator && !in.node.empty()) {
    return base::InvalidField("node", "only coordinators have a node");
  }
  if (in.role != Role::kActor && !in.actor.empty()) {
    return base::InvalidField("actor", "only actor users have an actor");
  }
  if (config != nullptr && !in.node.empty() && !config->HasNode(in.node)) {
    return base::InvalidField("node", "unknown node '" + in.node + "' (not in the configuration)");
  }
  if (config != nullptr && !in.actor.empty() && config->FindActor(in.actor) == nullptr) {
    return base::InvalidField("actor",
                              "unknown actor '" + in.actor + "' (not in the configuration)");
  }
  if (in.display_name.size() > kMaxDisplayNameLength || HasControlCharacters(in.display_name)) {
    return base::InvalidField("displayName", "must be at most " +
                                                 std::to_string(kMaxDisplayNameLength) +
                                                 " characters, without control characters");
  }
  return CheckEmail(in.email);
}

base::Status Authenticator::AddUser(const NewUser& in, const domain::Config* config) {
  TV_RETURN_IF_ERROR(CheckNewUser(in, config));
  TV_RETURN_IF_ERROR(CheckPasswordPolicy(in.password));
  store::UserRecord user;
  user.username = NormaliseUsername(in.username);

  base::Result<store::UserRecord> existing = users_.GetUser(user.username);
  if (existing.ok()) return base::FailedPrecondition("user '" + user.username + "' already exists");
  if (existing.status().code() != base::Code::kNotFound) return existing.status();

  base::Result<std::string> hash = Hash(in.password);
  if (!hash.ok()) return hash.status();
  user.role = in.role;
  user.node = in.node;
  user.actor = in.actor;
  user.display_name = in.display_name;
  user.email = in.email;
  user.password_hash = std::move(*hash);
  user.digest = in.digest;
  user.create_time = clock_.Now();
  base::Status st = users_.InsertUser(user);
  if (st.code() == base::Code::kAborted) {  // added meanwhile by someone else
    return base::FailedPrecondition("user '" + user.username + "' already exists");
  }
  return st;
}

base::Status Authenticator::SetPassword(std::string_view username_in, std::string_view password) {
  std::string username = NormaliseUsername(username_in);
  TV_RETURN_IF_ERROR(CheckPasswordPolicy(password));
  base::Result<store::UserRecord> user = users_.GetUser(username);
  if (!user.ok()) return user.status();
  base::Result<std::string> hash = Hash(password);
  if (!hash.ok()) return hash.status();
  user->password_hash = std::move(*hash);
  TV_RETURN_IF_ERROR(users_.PutUser(*user));
  return Revoke(username);
}

base::Status Authenticator::SetDisabled(std::string_view username_in, bool disabled) {
  std::string username = NormaliseUsername(username_in);
  base::Result<store::UserRecord> user = users_.GetUser(username);
  if (!user.ok()) return user.status();
  if (user->disabled != disabled) {
    user->disabled = disabled;
    TV_RETURN_IF_ERROR(users_.PutUser(*user));
  }
  return disabled ? Revoke(username) : base::Status::Ok();
}

base::Result<store::UserRecord> Authenticator::GetUser(std::string_view username) {
  base::Result<store::UserRecord> user = users_.GetUser(NormaliseUsername(username));
  if (!user.ok()) return user.status();
  return WithoutHash(std::move(*user));
}

base::Result<std::vector<store::UserRecord>> Authenticator::ListUsers() {
  base::Result<std::vector<store::UserRecord>> users = users_.ListUsers();
  if (!users.ok()) return users.status();
  for (store::UserRecord& u : *users) u.password_hash.clear();
  return users;
}

base::Status Authenticator::EnsureDemoUsers(const domain::Config& config,
                                            std::string_view password) {
  TV_RETURN_IF_ERROR(CheckPasswordPolicy(password));
  std::vector<store::UserRecord> wanted;
  for (const domain::Named& node : config.nodes) {
    store::UserRecord u;
    u.username = NormaliseUsername("coord." + node.id);
    u.role = domain::Role::kCoordinator;
    u.node = node.id;
    u.display_name = "Koordinator " + node.name;
    wanted.push_back(std::move(u));
  }
  for (const domain::Actor& actor : config.actors) {
    store::UserRecord u;
    u.username = NormaliseUsername("actor." + actor.id);
    u.role = domain::Role::kActor;
    u.actor = actor.id;
    u.display_name = actor.name;
    wanted.push_back(std::move(u));
  }
  wanted.push_back(
      {"manager", domain::Role::kManager, "", "", "Manager (demo)", "", "", false, false, {}});
  wanted.push_back(
      {"admin", domain::Role::kAdmin, "", "", "Admin (demo)", "", "", false, false, {}});

  // One hash for all of them (the same password by design); existing hashes are verified
  // once per distinct hash string, so a restart with the same password costs one verification.
  std::string new_hash;
  std::unordered_map<std::string, bool> verified;  // hash -> matches `password`
  for (store::UserRecord& u : wanted) {
    TV_RETURN_IF_ERROR(CheckUsername(u.username));
    base::Result<store::UserRecord> existing = users_.GetUser(u.username);
    if (!existing.ok() && existing.status().code() != base::Code::kNotFound) {
      return existing.status();
    }
    bool password_changes = true;
    if (existing.ok()) {
      auto it = verified.find(existing->password_hash);
      if (it == verified.end()) {
        it = verified.emplace(existing->password_hash, Verify(password, existing->password_hash))
                 .first;
      }
      password_changes = !it->second;
      u.display_name = existing->display_name.empty() ? u.display_name : existing->display_name;
      u.email = existing->email;
      u.disabled = existing->disabled;
      u.digest = existing->digest;
      u.create_time = existing->create_time;
      u.password_hash = existing->password_hash;
    } else {
      u.create_time = clock_.Now();
    }
    if (password_changes) {
      if (new_hash.empty()) {
        base::Result<std::string> hash = Hash(password);
        if (!hash.ok()) return hash.status();
        new_hash = std::move(*hash);
      }
      u.password_hash = new_hash;
    }
    if (!existing.ok() || !(u == *existing)) TV_RETURN_IF_ERROR(users_.PutUser(u));
    if (existing.ok() && password_changes) TV_RETURN_IF_ERROR(Revoke(u.username));
  }
  return base::Status::Ok();
}

base::Result<int64_t> Authenticator::PurgeExpiredSessions() {
  base::Time now = clock_.Now();
  return users_.DeleteExpiredSessions(now, now - options_.session_idle_timeout);
}

}  // namespace tillvaxt::auth
