#include "engine/plugin/notifier_host.h"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <mutex>
#include <thread>

#include "engine/codec/config_loader.h"
#include "engine/service/case_service.h"
#include "engine/store/sqlite/sqlite_store.h"

using namespace tillvaxt;
using namespace std::chrono_literals;
using plugin::NotifierHost;
using plugin::NotifierOptions;
using Settings = std::vector<std::pair<std::string, std::string>>;

namespace {

struct Log {
  std::mutex mu;
  std::vector<std::string> lines;
  plugin::LogFn Fn() {
    return [this](const std::string& line) {
      std::lock_guard lock(mu);
      lines.push_back(line);
    };
  }
  int Count(const std::string& part) {
    std::lock_guard lock(mu);
    int n = 0;
    for (const auto& l : lines) n += l.find(part) != std::string::npos;
    return n;
  }
};

// Polls `done` for up to 10 s (the plugin runs on its own thread).
template <typename F>
bool Eventually(F done) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return done();
}

std::unique_ptr<NotifierHost> Scripted(Log& log, Settings settings, NotifierOptions options) {
  auto lib = plugin::PluginLibrary::Open(TV_SCRIPTED_PLUGIN);
  REQUIRE(lib.ok());
  auto host = NotifierHost::Create(std::move(*lib), settings, options, log.Fn());
  REQUIRE(host.ok());
  return std::move(*host);
}

}  // namespace

TEST_CASE("Settings the plugin refuses fail the start with its reason") {
  Log log;
  auto lib = plugin::PluginLibrary::Open(TV_SCRIPTED_PLUGIN);
  REQUIRE(lib.ok());
  auto host = NotifierHost::Create(std::move(*lib), {{"refuse", "yes"}}, {}, log.Fn());
  REQUIRE_FALSE(host.ok());
  CHECK(host.status().message() ==
        std::string("plugin ") + TV_SCRIPTED_PLUGIN +
            ": the scripted notifier refused its settings: refused on purpose");
}

TEST_CASE("Delivered notifications reach the plugin in order; failures are logged and counted") {
  Log log;
  auto host = Scripted(log, {}, {});
  CHECK(host->SendJson("{\"n\":1}"));
  CHECK(host->SendJson("{\"n\":\"fail\"}"));
  CHECK(host->SendJson("{\"n\":3}"));
  REQUIRE(host->WaitIdle(10s));
  auto c = host->counters();
  CHECK(c.delivered == 2);
  CHECK(c.failed == 1);
  CHECK(c.dropped == 0);
  CHECK(log.Count("plugin scripted: info: got {\"n\":1}") == 1);
  CHECK(log.Count("notification failed with status 2") == 1);
  std::lock_guard lock(log.mu);
  REQUIRE(log.lines.size() >= 3);
  CHECK(log.lines.back().find("got {\"n\":3}") != std::string::npos);
}

TEST_CASE(
    "A slow plugin blocks nobody: sends return at once, the watchdog counts the slow call, "
    "a full queue drops") {
  Log log;
  NotifierOptions options;
  options.queue_capacity = 2;
  options.call_time_limit = 100ms;
  auto host = Scripted(log, {{"sleep_ms", "1500"}}, options);
  auto start = std::chrono::steady_clock::now();
  CHECK(host->SendJson("{\"sleep\":1}"));
  REQUIRE(Eventually([&] { return log.Count("got {\"sleep\":1}") == 1; }));
  // The plugin is inside its call now: two fit in the queue, three are dropped.
  int accepted = 0;
  for (int i = 0; i < 5; ++i) accepted += host->SendJson("{\"n\":" + std::to_string(i) + "}");
  CHECK(std::chrono::steady_clock::now() - start < 1000ms);  // nobody waited for the plugin
  CHECK(accepted == 2);
  CHECK(host->counters().dropped == 3);
  CHECK(host->counters().queued == 2);
  REQUIRE(Eventually([&] { return host->counters().slow == 1; }));
  CHECK(log.Count("call still running after the limit of 100 ms") == 1);
  REQUIRE(host->WaitIdle(10s));
  auto c = host->counters();
  CHECK(c.delivered == 3);
  CHECK(c.slow == 1);  // counted once, not again when it returned
  CHECK(c.queued == 0);
}

TEST_CASE("Stopping abandons a plugin stuck in a call instead of hanging the shutdown") {
  Log log;
  NotifierOptions options;
  options.stop_grace = 100ms;
  auto host = Scripted(log, {{"sleep_ms", "3000"}}, options);
  host->SendJson("{\"sleep\":1}");
  host->SendJson("{\"n\":2}");
  REQUIRE(Eventually([&] { return log.Count("got {\"sleep\":1}") == 1; }));
  auto start = std::chrono::steady_clock::now();
  host->Stop();
  CHECK(std::chrono::steady_clock::now() - start < 2000ms);
  CHECK(log.Count("abandoned") == 1);
  CHECK(host->counters().dropped == 1);
  CHECK_FALSE(host->SendJson("{\"n\":3}"));  // stopped: refused, counted
}

TEST_CASE("Commands do not wait for a sleeping or failing notifier") {
  auto dir =
      std::filesystem::temp_directory_path() / ("tv_plugin_iso_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::vector<std::string> problems;
  auto config =
      codec::LoadConfigFile(std::string(TV_SOURCE_DIR) + "/config/sormland.textproto", &problems);
  REQUIRE(config.ok());
  store::sqlite::SqliteOptions so;
  so.path = (dir / "t.db").string();
  auto db = store::sqlite::SqliteStore::Open(so);
  REQUIRE(db.ok());
  base::SystemClock clock;
  auto svc = service::CaseService::Create(*config, **db, **db, clock, nullptr);
  REQUIRE(svc.ok());

  // Every case event goes straight to two plugins: one sleeps 2 s per call, one fails.
  Log log;
  domain::Config plugins;
  plugins.plugins.push_back(
      {"notifier", TV_SCRIPTED_PLUGIN, {{"mode", "sleep"}, {"sleep_ms", "2000"}}});
  plugins.plugins.push_back({"notifier", TV_SCRIPTED_PLUGIN, {{"mode", "fail"}}});
  NotifierOptions options;
  options.stop_grace = 100ms;
  auto set = plugin::PluginSet::Load(plugins, "", options, log.Fn());
  REQUIRE(set.ok());
  (*svc)->AddListener([&](const std::vector<domain::Event>& events) {
    for (const auto& e : events) {
      service::Notification n;
      n.id = e.case_id + "-" + std::to_string(e.seq);
      n.type = domain::EventTypeName(e.type);
      (*set)->Send(n);
    }
  });

  domain::Principal coord{"coord.eskilstuna", domain::Role::kCoordinator, "eskilstuna", ""};
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 5; ++i) {
    domain::CaseDraft d;
    d.title = "Ärende " + std::to_string(i);
    d.company = {"Verkstad AB", "556036-0793", "Eskilstuna", "SMALL", ""};
    auto created = (*svc)->CreateCase(coord, d);
    REQUIRE(created.ok());
    REQUIRE(
        (*svc)->Act(coord, created->created.id, {.action = "triage", .needs = {"financing"}}).ok());
  }
  // Ten commands while the sleeping plugin has had time for at most one call.
  CHECK(std::chrono::steady_clock::now() - start < 1900ms);
  const auto& failing = (*set)->notifiers()[1];
  REQUIRE(failing->WaitIdle(10s));
  CHECK(failing->counters().failed >= 10);
  CHECK(failing->counters().delivered == 0);
  std::string metrics = (*set)->RenderMetrics();
  CHECK(metrics.find("tillvaxt_plugin_calls_total{plugin=\"scripted-2\",outcome=\"failed\"} " +
                     std::to_string(failing->counters().failed)) != std::string::npos);
  (*set)->Stop();
  svc->reset();
  db->reset();
  std::filesystem::remove_all(dir);
}
