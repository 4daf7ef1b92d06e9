#include "engine/app/serve.h"

#include <signal.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <random>

#include "engine/api/routes.h"
#include "engine/auth/authenticator.h"
#include "engine/cli/common.h"
#include "engine/cli/flags.h"
#include "engine/codec/config_loader.h"
#include "engine/http/server.h"
#include "engine/plugin/notifier_host.h"
#include "engine/service/case_service.h"
#include "engine/service/event_hub.h"
#include "engine/service/offer_service.h"
#include "engine/service/notifications.h"
#include "engine/service/seeder.h"
#include "engine/service/sla_scheduler.h"
#include "engine/store/sqlite/sqlite_user_store.h"

namespace tillvaxt::app {
namespace {

namespace fs = std::filesystem;

// Demo cases written into an empty database by --demo.
constexpr int kDemoCases = 300;

struct Listen {
  std::string address;
  uint16_t port = 0;
};

base::Result<Listen> ParseListen(const std::string& text) {
  auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return base::InvalidArgument("--listen must be ADDRESS:PORT, e.g. 127.0.0.1:8080, not '" +
                                 text + "'");
  }
  std::string address = text.substr(0, colon);
  if (address.size() > 2 && address.front() == '[' && address.back() == ']') {
    address = address.substr(1, address.size() - 2);
  }
  char* end = nullptr;
  long port = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (*end != '\0' || port < 0 || port > 65535 || colon + 1 == text.size()) {
    return base::InvalidArgument("--listen port must be a number from 0 to 65535 in '" + text + "'");
  }
  return Listen{address, static_cast<uint16_t>(port)};
}

bool IsLoopback(const std::string& address) {
  return address == "localhost" || address == "::1" || address.rfind("127.", 0) == 0;
}

std::string DemoPassword() {
  if (const char* env = std::getenv("TILLVAXT_DEMO_PASSWORD"); env != nullptr && *env != '\0') {
    return env;
  }
  static constexpr char kAlphabet[] = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device rd;
  std::string password;
  for (int i = 0; i < 16; ++i) password += kAlphabet[rd() % (sizeof kAlphabet - 1)];
  return password;
}

std::string DefaultWebRoot() {
  if (const char* env = std::getenv("TILLVAXT_WEB"); env != nullptr && *env != '\0') return env;
  return fs::exists("web/dist/index.html") ? "web/dist" : "";
}

}  // namespace

int ServeCommand(const std::vector<std::string>& args, cli::Environment& env) {
  cli::Flags flags("serve",
                   "Starts the HTTP server: the v1 API of docs/API.md and the web app, on the\n"
                   "SQLite database in the data folder (created when missing). Stops cleanly on\n"
                   "SIGINT or SIGTERM: in-flight requests finish, nothing acknowledged is lost.");
  flags.Option("listen", "ADDRESS:PORT", "Where to listen", "127.0.0.1:8080");
  cli::AddDataFlags(flags);
  flags.Switch("demo", "Seed demo users (and demo cases into an empty database); loopback only");
  flags.Option("tls-cert", "FILE", "TLS certificate chain (PEM); with --tls-key serves HTTPS");
  flags.Option("tls-key", "FILE", "TLS private key (PEM)");
  flags.Option("web", "DIR", "The built web app to serve at / (env TILLVAXT_WEB)", DefaultWebRoot());
  flags.Option("workers", "N", "Worker threads for requests (they wait on the database)", "32");
  flags.Option("read-timeout", "SECONDS",
               "A request must arrive completely within this; slower clients are cut off", "10");
  flags.Option("max-connections", "N", "Open connections at most; beyond: 503 and close",
               "1024");
  flags.Option("durability", "full|normal",
               "full: acknowledged writes survive a power loss; normal: survive a killed process",
               "full");
  if (auto st = flags.Parse(args); !st.ok()) return cli::Fail(env.err, st);
  if (flags.help_requested()) {
    flags.PrintHelp(env.out);
    return cli::kExitOk;
  }
  auto listen = ParseListen(flags.Get("listen"));
  if (!listen.ok()) return cli::Fail(env.err, listen.status());
  bool demo = flags.Has("demo");
  if (demo && !IsLoopback(listen->address)) {
    return cli::Fail(env.err, base::InvalidArgument(
                                  "--demo seeds users with a shared password and listens on "
                                  "loopback only; use --listen 127.0.0.1:PORT"));
  }
  if (flags.Get("tls-cert").empty() != flags.Get("tls-key").empty()) {
    return cli::Fail(env.err, base::InvalidArgument("--tls-cert and --tls-key go together"));
  }
  auto workers = flags.GetInt("workers", 1, 1024);
  if (!workers.ok()) return cli::Fail(env.err, workers.status());
  auto read_timeout = flags.GetInt("read-timeout", 1, 3600);
  if (!read_timeout.ok()) return cli::Fail(env.err, read_timeout.status());
  auto max_connections = flags.GetInt("max-connections", 1, 1'000'000);
  if (!max_connections.ok()) return cli::Fail(env.err, max_connections.status());
  std::string durability = flags.Get("durability");
  if (durability != "full" && durability != "normal") {
    return cli::Fail(env.err, base::InvalidArgument("--durability must be full or normal"));
  }

  std::string source;
  auto config = cli::LoadRegionConfig(flags, env.err, &source);
  if (!config.ok()) return cli::Fail(env.err, config.status());
  auto store = env.open_store({flags.Get("data"), true, durability == "normal"});
  if (!store.ok()) return cli::Fail(env.err, store.status());
  auto users = env.open_user_store({flags.Get("data"), true, durability == "normal"});
  if (!users.ok()) return cli::Fail(env.err, users.status());
  base::SystemClock clock;
  auto cases = service::CaseService::Create(*config, **store, clock, nullptr);
  if (!cases.ok()) return cli::Fail(env.err, cases.status());
  auto offers = service::OfferService::Create(**cases, clock, nullptr);
  if (!offers.ok()) return cli::Fail(env.err, offers.status());
  service::OfferService& offer_service = **offers;
  (*cases)->SetOfferLookup(
      [&offer_service](const std::string& id) { return offer_service.CheckLinkable(id); });
  auth::Authenticator authenticator(**users, clock, {});

  // Notifier plugins named in the configuration (paths relative to its folder). One that cannot
  // be loaded stops the start: the message names the file and why.
  std::string config_dir =
      source.rfind("built-in", 0) == 0 ? "" : fs::absolute(source).parent_path().string();
  auto plugins = plugin::PluginSet::Load((*cases)->config(), config_dir);
  if (!plugins.ok()) return cli::Fail(env.err, plugins.status());
  service::FileDigestState digest_state(
      (fs::path(flags.Get("data")) / "notification-digests.tsv").string());
  std::unique_ptr<service::NotificationService> notifications;
  if (!(*plugins)->notifiers().empty()) {
    notifications = std::make_unique<service::NotificationService>(
        (*cases)->config(), **store, **users, clock, **plugins, digest_state);
    service::NotificationService* routed = notifications.get();
    (*cases)->AddListener(
        [routed](const std::vector<domain::Event>& events) { routed->OnCommitted(events); });
    offer_service.AddListener([routed](const std::vector<domain::OfferEvent>& events) {
      routed->OnOfferCommitted(events);
    });
    notifications->Start();
    for (const auto& n : (*plugins)->notifiers()) {
      env.out << "Notifier plugin " << n->name() << " from " << n->path() << "\n";
    }
  }

  if (demo) {
    std::string password = DemoPassword();
    if (auto st = authenticator.EnsureDemoUsers((*cases)->config(), password); !st.ok()) {
      return cli::Fail(env.err, st);
    }
    auto count = (*store)->CountCases();
    if (count.ok() && *count == 0) {
      service::SeedOptions seed;
      seed.cases = kDemoCases;
      seed.now = clock.Now();
      auto seeded = service::Seed((*cases)->config(), **store, seed);
      if (!seeded.ok()) return cli::Fail(env.err, seeded.status());
      env.out << "Seeded " << seeded->cases << " demo cases\n";
    }
    env.out << "Demo users: coord.<node> (coord.eskilstuna, ...), actor.<actor> (actor.almi, ...),"
               " manager, admin\nDemo password: "
            << password << "\n";
  }

  http::Metrics metrics;
  http::ServerOptions options;
  options.address = listen->address;
  options.port = listen->port;
  options.worker_threads = static_cast<int>(*workers);
  options.read_timeout = std::chrono::seconds(*read_timeout);
  options.max_connections = static_cast<size_t>(*max_connections);
  options.tls_cert_file = flags.Get("tls-cert");
  options.tls_key_file = flags.Get("tls-key");
  options.static_root = flags.Get("web");
  std::atomic<bool> ready{false};
  api::ApiContext ctx{**cases, authenticator, clock, !options.tls_cert_file.empty(),
                      [&ready] { return ready.load(); }, [&metrics, &plugins] { return metrics.Render() + (*plugins)->RenderMetrics(); }};
  ctx.offers = &offer_service;
  // Live events (GET /v1/stream) and the SLA timers; their threads start once the stop signals
  // are blocked.
  service::EventHubOptions hub_options;
  hub_options.format = api::SseMessage;
  service::EventHub event_hub(**cases, hub_options);
  ctx.events = &event_hub;
  std::mutex log_mu;
  service::SlaSchedulerOptions sla_options;
  sla_options.log = [&env, &log_mu](const std::string& message) {
    std::lock_guard lock(log_mu);
    env.err << message << "\n" << std::flush;
  };
  service::SlaScheduler sla_scheduler(**cases, clock, sla_options);
  http::Router router;
  api::AddApiRoutes(router, ctx);
  http::ServerHooks hooks;
  hooks.metrics = &metrics;

  // Block the stop signals in every thread; the main thread waits for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  if (auto st = event_hub.Start(); !st.ok()) return cli::Fail(env.err, st);
  sla_scheduler.Start();

  http::Server server(options, router, hooks);
  if (auto st = server.Start(); !st.ok()) return cli::Fail(env.err, st);
  ready = true;
  std::string scheme = server.tls() ? "https" : "http";
  std::string host = listen->address.find(':') != std::string::npos ? "[" + listen->address + "]"
                                                                      : listen->address;
  env.out << "Tillväxt (" << (*cases)->config().region_name << ", configuration " << source
          << ") listening on " << scheme << "://" << host << ":" << server.port() << "/\n"
          << "Data: " << fs::absolute(flags.Get("data")).string()
          << (options.static_root.empty() ? "; web app not built (npm run build in web/)"
                                          : "; web app from " + options.static_root)
          << "\n"
          << std::flush;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  env.out << "Stopping (" << (signal == SIGTERM ? "SIGTERM" : "SIGINT")
          << "): finishing in-flight requests\n"
          << std::flush;
  ready = false;
  server.Stop();
  sla_scheduler.Stop();
  event_hub.Stop();
  if (notifications) notifications->Stop();
  (*plugins)->Stop();
  env.out << "Stopped\n";
  return cli::kExitOk;
}

}  // namespace tillvaxt::app
