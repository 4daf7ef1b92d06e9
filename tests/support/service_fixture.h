// One fixture for the service and API tests: a temporary folder, the Sörmland configuration
// (config/sormland.textproto, loaded with codec::LoadConfigFile), a store, a user store, a
// FakeClock and a CaseService over them. A test's own fixture derives from it and adds what it
// tests (a scheduler, a hub, an offer service, a server) and its helpers.
//
// The store is the in-memory store (engine/store/memory/) unless the test needs a file:
// StoreKind::kSqlite opens a SQLite store in the temporary folder, for tests of durability,
// restarts and reopening (CloseStore, then OpenStore on the same file). SQLite runs with
// synchronous=NORMAL: such tests restart a cleanly closed store, and power loss is the store
// tests' business. The user store is always in memory.
//
// Thread-safety: a fixture belongs to one test; its members are as thread-safe as their types.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "engine/base/time.h"
#include "engine/domain/config.h"
#include "engine/service/case_service.h"
#include "engine/store/store.h"
#include "engine/store/user_store.h"

namespace tillvaxt::testing {

enum class StoreKind { kMemory, kSqlite };

// Monday 2 March 2026, 09:00 UTC: the clock's start unless a test says otherwise.
base::Time FixtureStart();

struct FixtureOptions {
  StoreKind store = StoreKind::kMemory;
  std::optional<base::Time> start;  // the FakeClock's start; FixtureStart() when unset
  // Changes to the loaded configuration, before the CaseService is made.
  std::function<void(domain::Config&)> adjust;
  // The seed of the CaseService's IdGenerator (reproducible ids); each OpenStore after the
  // first adds one, so a restarted service makes new ids. Unset: the service's own random ids.
  std::optional<uint64_t> id_seed = 7;
};

class ServiceFixture {
 public:
  explicit ServiceFixture(FixtureOptions options = {});
  ~ServiceFixture();
  ServiceFixture(const ServiceFixture&) = delete;
  ServiceFixture& operator=(const ServiceFixture&) = delete;

  // The temporary folder (removed with the fixture) and a path in it.
  const std::string& dir() const { return dir_; }
  std::string File(const std::string& name) const { return dir_ + "/" + name; }
  // The SQLite database file; empty for the memory store.
  std::string store_path() const;
  StoreKind store_kind() const { return options_.store; }

  // A restart in two steps: CloseStore drops the CaseService and closes the store (what was
  // built over them must be dropped first); OpenStore opens the store again from its file and
  // makes a new CaseService. Reopening needs StoreKind::kSqlite (the memory store would come
  // back empty).
  void CloseStore();
  void OpenStore();

  domain::Config config;  // as loaded (and adjusted); the service's own copy is cases->config()
  base::FakeClock clock;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::UserStore> users;  // a MemoryUserStore
  std::unique_ptr<service::CaseService> cases;

 private:
  FixtureOptions options_;
  std::string dir_;
  int opens_ = 0;
};

// Puts a user in `users` (display name "Namn <name>", email "<name>@example.se"), REQUIRE-ing
// success.
void AddUser(store::UserStore& users, const std::string& name, domain::Role role,
             const std::string& node, const std::string& actor, bool digest = false,
             bool disabled = false);

}  // namespace tillvaxt::testing
