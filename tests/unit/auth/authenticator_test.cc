#include "engine/auth/authenticator.h"

#include <sodium.h>
#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "engine/auth/passwords.h"
#include "engine/auth/tokens.h"
#include "engine/store/sqlite/sqlite_user_store.h"

using namespace tillvaxt;
using auth::Authenticator;
using auth::AuthOptions;
using auth::NewUser;
using base::Code;
using domain::Role;
using namespace std::chrono_literals;

namespace {

const auto kStart = base::FromUnixMillis(1'790'000'000'000);
const std::string kPassword = "rätt lösenord 1";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "tv-auth-XXXXXX").string();
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

domain::Config SmallConfig() {
  domain::Config config;
  config.region_id = "sormland";
  config.nodes = {{"eskilstuna", "Eskilstuna"}, {"nykoping", "Nyköping"}};
  domain::Actor almi;
  almi.id = "almi-malardalen";
  almi.name = "Almi Mälardalen";
  config.actors = {almi};
  return config;
}

// A SQLite user store in a temp folder, a fake clock and an Authenticator over them.
struct Fixture {
  explicit Fixture(AuthOptions options = {}) {
    store::sqlite::SqliteUserStoreOptions store_options;
    store_options.allow_unversioned = true;
    auto opened = store::sqlite::SqliteUserStore::Open(dir.File("tillvaxt.db"), store_options);
    REQUIRE(opened.ok());
    users = std::move(*opened);
    auth = std::make_unique<Authenticator>(*users, clock, options);
  }
  void AddCoordinator(const std::string& name, const std::string& node = "eskilstuna") {
    NewUser u;
    u.username = name;
    u.role = Role::kCoordinator;
    u.node = node;
    u.password = kPassword;
    u.display_name = "Åsa Öberg";
    u.email = "asa@example.se";
    REQUIRE(auth->AddUser(u).ok());
  }

  TempDir dir;
  base::FakeClock clock{kStart};
  std::unique_ptr<store::sqlite::SqliteUserStore> users;
  std::unique_ptr<Authenticator> auth;
};

}  // namespace

TEST_CASE("Login with the right password gives a session that authenticates") {
  Fixture f;
  f.AddCoordinator("asa");
  auto login = f.auth->Login("Asa", kPassword, "127.0.0.1");  // usernames are case-blind
  REQUIRE(login.ok());
  CHECK(auth::LooksLikeToken(login->token));
  CHECK(login->principal.username == "asa");
  CHECK(login->principal.role == Role::kCoordinator);
  CHECK(login->principal.node == "eskilstuna");
  CHECK(login->user.display_name == "Åsa Öberg");
  CHECK(login->user.password_hash.empty());
  CHECK(login->expire_time == kStart + std::chrono::hours(24 * 7));

  // Only the token's hash is stored.
  auto stored = f.users->GetSession(auth::HashToken(login->token));
  REQUIRE(stored.ok());
  CHECK(stored->username == "asa");
  CHECK_FALSE(f.users->GetSession(login->token).ok());

  auto who = f.auth->Authenticate(login->token);
  REQUIRE(who.ok());
  CHECK(who->username == "asa");
  CHECK(who->node == "eskilstuna");
  auto session = f.auth->AuthenticateSession(login->token);
  REQUIRE(session.ok());
  CHECK(session->user.email == "asa@example.se");
  CHECK(session->user.password_hash.empty());
}

TEST_CASE("Wrong password and unknown user get the same answer") {
  Fixture f;
  f.AddCoordinator("asa");
  auto wrong = f.auth->Login("asa", "fel lösenord 1", "127.0.0.1");
  auto unknown = f.auth->Login("nobody", kPassword, "127.0.0.1");
  auto junk = f.auth->Login("not a valid name!", kPassword, "127.0.0.1");
  for (const auto* r : {&wrong, &unknown, &junk}) {
    CHECK(r->status().code() == Code::kUnauthenticated);
    CHECK(r->status().message() == "wrong username or password");
  }
}

TEST_CASE("Malformed and unknown tokens do not authenticate") {
  Fixture f;
  CHECK(f.auth->Authenticate("").status().code() == Code::kUnauthenticated);
  CHECK(f.auth->Authenticate("Bearer x").status().code() == Code::kUnauthenticated);
  CHECK(f.auth->Authenticate(auth::NewSessionToken()).status().code() == Code::kUnauthenticated);
}

TEST_CASE("A disabled user cannot sign in, and disabling ends their sessions") {
  Fixture f;
  f.AddCoordinator("asa");
  auto login = f.auth->Login("asa", kPassword, "127.0.0.1");
  REQUIRE(login.ok());
  REQUIRE(f.auth->SetDisabled("asa", true).ok());
  CHECK(f.auth->Authenticate(login->token).status().code() == Code::kUnauthenticated);
  auto refused = f.auth->Login("asa", kPassword, "127.0.0.1");
  CHECK(refused.status().code() == Code::kUnauthenticated);
  CHECK(refused.status().message() == "the account of 'asa' is disabled");
  // A wrong password still says only that.
  CHECK(f.auth->Login("asa", "fel lösenord 1", "127.0.0.1").status().message() ==
        "wrong username or password");
  REQUIRE(f.auth->SetDisabled("asa", false).ok());
  CHECK(f.auth->Login("asa", kPassword, "127.0.0.1").ok());
  CHECK(f.auth->SetDisabled("nobody", true).code() == Code::kNotFound);
}

TEST_CASE("A session ends after 12 h idle or 7 days in all, by the clock") {
  Fixture f;
  f.AddCoordinator("asa");
  SECTION("idle") {
    auto login = f.auth->Login("asa", kPassword, "");
    REQUIRE(login.ok());
    f.clock.Advance(12h - 1ms);
    CHECK(f.auth->Authenticate(login->token).ok());  // and touches last_seen
    CHECK(f.users->GetSession(auth::HashToken(login->token))->last_seen == f.clock.Now());
    f.clock.Advance(12h - 1ms);
    CHECK(f.auth->Authenticate(login->token).ok());
    f.clock.Advance(12h);
    CHECK(f.auth->Authenticate(login->token).status().code() == Code::kUnauthenticated);
    // The expired session is gone from the store.
    CHECK_FALSE(f.users->GetSession(auth::HashToken(login->token)).ok());
  }
  SECTION("absolute") {
    auto login = f.auth->Login("asa", kPassword, "");
    REQUIRE(login.ok());
    for (int i = 0; i < 15; ++i) {
      f.clock.Advance(11h);
      REQUIRE(f.auth->Authenticate(login->token).ok());  // 165 h, never idle for 12 h
    }
    f.clock.Advance(3h - 1ms);
    CHECK(f.auth->Authenticate(login->token).ok());
    f.clock.Advance(1ms);
    CHECK(f.auth->Authenticate(login->token).status().code() == Code::kUnauthenticated);
  }
}

TEST_CASE("last_seen is written at most once a minute") {
  Fixture f;
  f.AddCoordinator("asa");
  auto login = f.auth->Login("asa", kPassword, "");
  REQUIRE(login.ok());
  const std::string key = auth::HashToken(login->token);
  f.clock.Advance(59s);
  REQUIRE(f.auth->Authenticate(login->token).ok());
  CHECK(f.users->GetSession(key)->last_seen == kStart);
  f.clock.Advance(1s);
  REQUIRE(f.auth->Authenticate(login->token).ok());
  CHECK(f.users->GetSession(key)->last_seen == kStart + 60s);
}

TEST_CASE("Logout ends the session at once, twice is fine") {
  Fixture f;
  f.AddCoordinator("asa");
  auto login = f.auth->Login("asa", kPassword, "");
  REQUIRE(login.ok());
  REQUIRE(f.auth->Authenticate(login->token).ok());  // now cached
  REQUIRE(f.auth->Logout(login->token).ok());
  CHECK(f.auth->Authenticate(login->token).status().code() == Code::kUnauthenticated);
  CHECK(f.auth->Logout(login->token).ok());
  CHECK(f.auth->Logout("junk").ok());
}

TEST_CASE("A revocation by another process takes effect within the cache time") {
  Fixture f;
  f.AddCoordinator("asa");
  auto login = f.auth->Login("asa", kPassword, "");
  REQUIRE(login.ok());
  REQUIRE(f.auth->Authenticate(login->token).ok());
  // `tillvaxt user disable` elsewhere: straight into the store.
  REQUIRE(f.users->DeleteUserSessions("asa").ok());
  f.clock.Advance(30s);
  CHECK(f.auth->Authenticate(login->token).status().code() == Code::kUnauthenticated);
}

TEST_CASE("Wrong passwords slow the account down; twenty slow the address; devices are apart") {
  Fixture f;
  f.AddCoordinator("asa");
  f.AddCoordinator("bo");
  for (int i = 0; i < 3; ++i) {
    CHECK(f.auth->Login("asa", "fel lösenord " + std::to_string(i), "10.0.0.1").status().code() ==
          Code::kUnauthenticated);
  }
  int64_t retry = 0;
  auto slowed = f.auth->Login("asa", kPassword, "10.0.0.9", &retry);  // even the right one
  CHECK(slowed.status().code() == Code::kResourceExhausted);
  CHECK(slowed.status().message() == "too many login attempts; try again in 1 s");
  CHECK(retry == 1);
  CHECK(f.auth->Login("bo", kPassword, "10.0.0.1").ok());
  // The same account from a device it signed in on before is not slowed by the stranger.
  CHECK(f.auth->Login("asa", kPassword, "10.0.0.1", nullptr, "device:asa-laptop").ok());
  f.clock.Advance(1s);
  CHECK(f.auth->Login("asa", "fel lösenord 3", "10.0.0.1").status().code() ==
        Code::kUnauthenticated);
  CHECK(f.auth->Login("asa", kPassword, "10.0.0.9", &retry).status().code() ==
        Code::kResourceExhausted);
  CHECK(retry == 2);
  f.clock.Advance(2s);
  CHECK(f.auth->Login("asa", kPassword, "10.0.0.9").ok());
  // The success ended the run: three free failures again.
  for (int i = 0; i < 3; ++i) {
    CHECK(f.auth->Login("asa", "fel", "10.0.0.9").status().code() == Code::kUnauthenticated);
  }

  SECTION("per address") {
    for (int i = 0; i < 20; ++i) {
      CHECK(f.auth->Login("user" + std::to_string(i), kPassword, "198.51.100.4").status().code() ==
            Code::kUnauthenticated);
    }
    auto blocked = f.auth->Login("bo", kPassword, "198.51.100.4", &retry);
    CHECK(blocked.status().code() == Code::kResourceExhausted);
    CHECK(retry == 900);
    CHECK(f.auth->Login("bo", kPassword, "198.51.100.5").ok());
    CHECK(f.auth->Login("bo", kPassword, "198.51.100.4", nullptr, "device:bo-phone").ok());
  }
}

TEST_CASE("A new password revokes the user's sessions; the old password stops working") {
  Fixture f;
  f.AddCoordinator("asa");
  f.AddCoordinator("bo");
  auto asa = f.auth->Login("asa", kPassword, "");
  auto bo = f.auth->Login("bo", kPassword, "");
  REQUIRE(asa.ok());
  REQUIRE(bo.ok());
  REQUIRE(f.auth->Authenticate(asa->token).ok());
  CHECK(f.auth->SetPassword("asa", "kort").code() == Code::kInvalidArgument);
  REQUIRE(f.auth->SetPassword("asa", "ett nytt lösenord").ok());
  CHECK(f.auth->Authenticate(asa->token).status().code() == Code::kUnauthenticated);
  CHECK(f.auth->Authenticate(bo->token).ok());
  CHECK_FALSE(f.auth->Login("asa", kPassword, "").ok());
  CHECK(f.auth->Login("asa", "ett nytt lösenord", "").ok());
  CHECK(f.auth->SetPassword("nobody", "ett nytt lösenord").code() == Code::kNotFound);
}

TEST_CASE("AddUser checks role, scope against the configuration, email and password") {
  Fixture f;
  domain::Config config = SmallConfig();
  NewUser u;
  u.username = "new.user";
  u.password = kPassword;
  auto field_of = [&](const NewUser& user) {
    base::Status st = f.auth->AddUser(user, &config);
    REQUIRE(st.code() == Code::kInvalidArgument);
    REQUIRE(st.details().size() == 1);
    return st.details()[0].field;
  };
  CHECK(field_of(u) == "role");
  u.role = Role::kSystem;
  CHECK(field_of(u) == "role");
  u.role = Role::kCoordinator;
  CHECK(field_of(u) == "node");
  u.node = "malmo";
  CHECK(field_of(u) == "node");
  CHECK(f.auth->AddUser(u, &config).message() ==
        "node: unknown node 'malmo' (not in the configuration)");
  u.node = "nykoping";
  u.actor = "almi-malardalen";
  CHECK(field_of(u) == "actor");
  u.role = Role::kActor;
  u.node = "";
  u.actor = "";
  CHECK(field_of(u) == "actor");
  u.actor = "ikea";
  CHECK(field_of(u) == "actor");
  u.actor = "almi-malardalen";
  u.email = "not-an-email";
  CHECK(field_of(u) == "email");
  u.email = "kontakt@almi.se";
  u.password = "kort";
  CHECK(field_of(u) == "password");
  u.password = kPassword;
  u.username = "Ny Användare";
  CHECK(field_of(u) == "username");
  u.username = "New.User";
  REQUIRE(f.auth->AddUser(u, &config).ok());
  auto added = f.auth->GetUser("new.user");
  REQUIRE(added.ok());
  CHECK(added->role == Role::kActor);
  CHECK(added->actor == "almi-malardalen");
  CHECK(added->create_time == kStart);
  CHECK(added->password_hash.empty());

  auto twice = f.auth->AddUser(u, &config);
  CHECK(twice.code() == Code::kFailedPrecondition);
  CHECK(twice.message() == "user 'new.user' already exists");

  NewUser manager;
  manager.username = "chef";
  manager.role = Role::kManager;
  manager.node = "eskilstuna";
  manager.password = kPassword;
  CHECK(field_of(manager) == "node");
  manager.node = "";
  CHECK(f.auth->AddUser(manager, &config).ok());
  auto all = f.auth->ListUsers();
  REQUIRE(all.ok());
  REQUIRE(all->size() == 2);
  CHECK((*all)[0].username == "chef");
  CHECK((*all)[0].password_hash.empty());
}

TEST_CASE("Demo users: one per node and actor, a manager and an admin; idempotent") {
  Fixture f;
  domain::Config config = SmallConfig();
  REQUIRE(f.auth->EnsureDemoUsers(config, "demo-lösenord").ok());
  auto all = f.auth->ListUsers();
  REQUIRE(all.ok());
  std::vector<std::string> names;
  for (const auto& u : *all) names.push_back(u.username);
  CHECK(names == std::vector<std::string>{"actor.almi-malardalen", "admin", "coord.eskilstuna",
                                          "coord.nykoping", "manager"});
  auto coord = f.auth->Login("coord.nykoping", "demo-lösenord", "");
  REQUIRE(coord.ok());
  CHECK(coord->principal.role == Role::kCoordinator);
  CHECK(coord->principal.node == "nykoping");
  auto actor = f.auth->Login("actor.almi-malardalen", "demo-lösenord", "");
  REQUIRE(actor.ok());
  CHECK(actor->principal.actor == "almi-malardalen");
  CHECK(f.auth->Login("admin", "demo-lösenord", "")->principal.role == Role::kAdmin);
  CHECK(f.auth->Login("manager", "demo-lösenord", "")->principal.role == Role::kManager);

  // The same password again: nothing changes, sessions survive.
  REQUIRE(f.auth->EnsureDemoUsers(config, "demo-lösenord").ok());
  CHECK(f.auth->Authenticate(coord->token).ok());
  CHECK(f.auth->ListUsers()->size() == 5);

  // A new password replaces the old and ends the sessions.
  REQUIRE(f.auth->EnsureDemoUsers(config, "nytt demo-lösenord").ok());
  CHECK(f.auth->ListUsers()->size() == 5);
  CHECK(f.auth->Authenticate(coord->token).status().code() == Code::kUnauthenticated);
  CHECK_FALSE(f.auth->Login("admin", "demo-lösenord", "").ok());
  CHECK(f.auth->Login("admin", "nytt demo-lösenord", "").ok());

  CHECK(f.auth->EnsureDemoUsers(config, "kort").code() == Code::kInvalidArgument);
}

TEST_CASE("Expired sessions are purged from the store") {
  Fixture f;
  f.AddCoordinator("asa");
  auto first = f.auth->Login("asa", kPassword, "");
  REQUIRE(first.ok());
  f.clock.Advance(13h);
  auto second = f.auth->Login("asa", kPassword, "");  // purges on the way (hourly)
  REQUIRE(second.ok());
  CHECK_FALSE(f.users->GetSession(auth::HashToken(first->token)).ok());
  CHECK(f.users->GetSession(auth::HashToken(second->token)).ok());
  f.clock.Advance(8 * 24h);
  auto purged = f.auth->PurgeExpiredSessions();
  REQUIRE(purged.ok());
  CHECK(*purged == 1);
}

TEST_CASE("A hash with weaker parameters is upgraded at the next login") {
  Fixture f;
  f.AddCoordinator("asa");
  auto user = f.users->GetUser("asa");
  REQUIRE(user.ok());
  // An argon2id hash at the minimum cost, as an older build might have written.
  user->password_hash = "";
  {
    char out[128];
    REQUIRE(crypto_pwhash_str_alg(out, kPassword.data(), kPassword.size(), 1, 8192,
                                  crypto_pwhash_ALG_ARGON2ID13) == 0);
    user->password_hash = out;
  }
  REQUIRE(f.users->PutUser(*user).ok());
  REQUIRE(auth::NeedsRehash(user->password_hash));
  REQUIRE(f.auth->Login("asa", kPassword, "").ok());
  CHECK_FALSE(auth::NeedsRehash(f.users->GetUser("asa")->password_hash));
  CHECK(f.auth->Login("asa", kPassword, "").ok());
}
