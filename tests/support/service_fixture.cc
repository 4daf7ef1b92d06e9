#include "tests/support/service_fixture.h"

#include <stdlib.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "engine/codec/config_loader.h"
#include "engine/service/ids.h"
#include "engine/store/memory/memory_store.h"
#include "engine/store/memory/memory_user_store.h"
#include "engine/store/sqlite/sqlite_store.h"

namespace tillvaxt::testing {
namespace {

std::string MakeTempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "tv-service-XXXXXX").string();
  REQUIRE(mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

domain::Config LoadSormland(const std::function<void(domain::Config&)>& adjust) {
  std::vector<std::string> problems;
  base::Result<domain::Config> loaded =
      codec::LoadConfigFile(std::string(TV_SOURCE_DIR) + "/config/sormland.textproto", &problems);
  INFO(loaded.status().ToString());
  REQUIRE(loaded.ok());
  domain::Config config = std::move(loaded).value();
  if (adjust) adjust(config);
  return config;
}

}  // namespace

base::Time FixtureStart() { return *base::ParseRfc3339("2026-03-02T09:00:00Z"); }

ServiceFixture::ServiceFixture(FixtureOptions options)
    : config(LoadSormland(options.adjust)),
      clock(options.start.value_or(FixtureStart())),
      users(std::make_unique<store::memory::MemoryUserStore>()),
      options_(std::move(options)),
      dir_(MakeTempDir()) {
  OpenStore();
}

ServiceFixture::~ServiceFixture() {
  CloseStore();
  users.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string ServiceFixture::store_path() const {
  return options_.store == StoreKind::kSqlite ? File("tillvaxt.db") : "";
}

void ServiceFixture::CloseStore() {
  cases.reset();
  store.reset();
}

void ServiceFixture::OpenStore() {
  REQUIRE(store == nullptr);
  if (options_.store == StoreKind::kSqlite) {
    store::sqlite::SqliteOptions sqlite;
    sqlite.path = store_path();
    sqlite.durability = store::sqlite::SqliteOptions::Durability::kNormal;
    auto opened = store::sqlite::SqliteStore::Open(sqlite);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    store = std::move(opened).value();
  } else {
    REQUIRE(opens_ == 0);  // a memory store does not come back
    store = std::make_unique<store::memory::MemoryStore>();
  }
  std::unique_ptr<service::IdGenerator> ids;
  if (options_.id_seed) {
    ids = std::make_unique<service::IdGenerator>(*options_.id_seed + static_cast<uint64_t>(opens_));
  }
  ++opens_;
  auto created = service::CaseService::Create(config, *store, *store, clock, std::move(ids));
  INFO(created.status().ToString());
  REQUIRE(created.ok());
  cases = std::move(created).value();
}

void AddUser(store::UserStore& users, const std::string& name, domain::Role role,
             const std::string& node, const std::string& actor, bool digest, bool disabled) {
  store::UserRecord u;
  u.username = name;
  u.role = role;
  u.node = node;
  u.actor = actor;
  u.display_name = "Namn " + name;
  u.email = name + "@example.se";
  u.digest = digest;
  u.disabled = disabled;
  base::Status st = users.PutUser(u);
  INFO(st.ToString());
  REQUIRE(st.ok());
}

}  // namespace tillvaxt::testing
