#include "tests/fuzz/api_world.h"

#include <cstdio>
#include <cstdlib>
#include <utility>
#include <vector>

#include "engine/api/context.h"
#include "engine/api/routes.h"
#include "engine/auth/authenticator.h"
#include "engine/auth/device_cookie.h"
#include "engine/auth/tokens.h"
#include "engine/base/task_group.h"
#include "engine/codec/config_loader.h"
#include "engine/http/dispatcher.h"
#include "engine/http/router.h"
#include "engine/service/case_service.h"
#include "engine/service/ids.h"
#include "engine/service/offer_service.h"
#include "engine/service/seeder.h"
#include "engine/service/stats_service.h"
#include "engine/service/todo_service.h"
#include "engine/store/memory/memory_store.h"
#include "engine/store/memory/memory_user_store.h"

namespace tillvaxt::fuzz {
namespace {

// The harness itself is broken: not a finding, so say so plainly and stop.
[[noreturn]] void Fail(const std::string& what, const base::Status& status) {
  std::fprintf(stderr, "api_world: %s: %s\n", what.c_str(), status.ToString().c_str());
  std::exit(2);
}

template <class T>
T Take(base::Result<T> result, const std::string& what) {
  if (!result.ok()) Fail(what, result.status());
  return std::move(result).value();
}

// Monday 2 March 2026, 09:00 UTC, as the service tests' fixture: a working day.
base::Time Start() { return base::FromUnixMillis(1772442000000); }

struct UserSpec {
  domain::Role role;
  const char* node;
  const char* actor;
};
constexpr UserSpec kSpecs[] = {{domain::Role::kCoordinator, "eskilstuna", ""},
                               {domain::Role::kActor, "", "malardalens-universitet"},
                               {domain::Role::kManager, "", ""},
                               {domain::Role::kAdmin, "", ""}};
static_assert(std::size(kSpecs) == kFuzzUsers.size());

}  // namespace

struct ApiWorld::Fixed {
  domain::Config config;
  base::FakeClock clock{Start()};
  store::memory::MemoryUserStore users;
  auth::Authenticator authenticator{users, clock};
  // A fixed key: the same input gets the same answer in every run.
  auth::DeviceCookies devices{std::string(auth::DeviceCookies::kKeyBytes, 'k')};
};

struct ApiWorld::Services {
  std::unique_ptr<store::memory::MemoryStore> store;
  std::unique_ptr<service::CaseService> cases;
  std::unique_ptr<service::OfferService> offers;
  std::unique_ptr<service::StatsService> stats;
  std::unique_ptr<service::TodoService> todo;
  base::TaskGroup tasks;
  std::unique_ptr<api::ApiContext> ctx;
  http::Router router;
  std::unique_ptr<http::Dispatcher> dispatcher;

  ~Services() { tasks.Stop(); }  // exports started by inputs end before the services go
};

ApiWorld::ApiWorld() : fixed_(std::make_unique<Fixed>()) {
  std::vector<std::string> problems;
  fixed_->config = Take(
      codec::LoadConfigFile(std::string(TV_SOURCE_DIR) + "/config/sormland.textproto", &problems),
      "loading config/sormland.textproto");
  for (size_t i = 0; i < kFuzzUsers.size(); ++i) {
    auth::NewUser user;
    user.username = std::string(kFuzzUsers[i].username);
    user.role = kSpecs[i].role;
    user.node = kSpecs[i].node;
    user.actor = kSpecs[i].actor;
    user.display_name = "Fuzz " + user.username;
    user.email = user.username + "@example.se";
    user.password = std::string(kFuzzPassword);
    base::Status added = fixed_->authenticator.AddUser(user, &fixed_->config);
    if (!added.ok()) Fail("adding " + user.username, added);
  }
  Build();
  BeginInput();
}

ApiWorld::~ApiWorld() = default;

void ApiWorld::Build() {
  services_.reset();  // the old services go before their store
  auto s = std::make_unique<Services>();
  s->store = std::make_unique<store::memory::MemoryStore>();
  service::SeedOptions seed;
  seed.cases = 20;
  seed.now = fixed_->clock.Now();
  Take(service::Seed(fixed_->config, *s->store, seed), "seeding");
  s->cases = Take(service::CaseService::Create(fixed_->config, *s->store, *s->store, fixed_->clock,
                                               std::make_unique<service::IdGenerator>(7)),
                  "creating the case service");
  s->offers = Take(service::OfferService::Create(*s->cases, *s->store, fixed_->clock, nullptr),
                   "creating the offer service");
  service::OfferService* offers = s->offers.get();
  s->cases->SetOfferLookup([offers](const std::string& id) { return offers->CheckLinkable(id); });
  s->stats = std::make_unique<service::StatsService>(s->cases->config(), *s->store, fixed_->clock);
  s->todo =
      std::make_unique<service::TodoService>(*s->cases, *s->store, fixed_->users, fixed_->clock);
  s->ctx = std::make_unique<api::ApiContext>(
      api::ApiContext{*s->cases, fixed_->authenticator, fixed_->clock, false, [] { return true; },
                      [] { return std::string("# metrics\n"); }});
  s->ctx->devices = &fixed_->devices;
  s->ctx->offers = s->offers.get();
  s->ctx->stats = s->stats.get();
  s->ctx->todo = s->todo.get();
  s->ctx->tasks = &s->tasks;
  api::AddApiRoutes(s->router, *s->ctx);
  s->dispatcher = std::make_unique<http::Dispatcher>(s->router, nullptr, http::DispatcherOptions{},
                                                     [](std::string_view) {});
  services_ = std::move(s);
}

void ApiWorld::BeginInput() {
  if (++inputs_ % kResetEvery == 0) Build();
  for (const FuzzUser& user : kFuzzUsers) {
    store::SessionRecord session;
    session.token_hash = auth::HashToken(user.token);
    session.username = std::string(user.username);
    session.create_time = fixed_->clock.Now();
    session.last_seen = session.create_time;
    session.expire_time = session.create_time + std::chrono::hours(24);
    // Already there unless the last input logged out: then this makes it again.
    (void)fixed_->users.CreateSession(session);
  }
}

http::Response ApiWorld::Handle(http::Request& request) {
  std::string route;
  return services_->dispatcher->Handle(request, &route);
}

}  // namespace tillvaxt::fuzz
