#include "engine/app/serve.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>

#include "engine/api/routes.h"
#include "engine/app/lifecycle.h"
#include "engine/auth/authenticator.h"
#include "engine/auth/device_cookie.h"
#include "engine/base/task_group.h"
#include "engine/cli/common.h"
#include "engine/cli/flags.h"
#include "engine/codec/config_loader.h"
#include "engine/http/server.h"
#include "engine/plugin/notifier_host.h"
#include "engine/service/case_service.h"
#include "engine/service/event_hub.h"
#include "engine/service/notifications.h"
#include "engine/service/offer_service.h"
#include "engine/service/seeder.h"
#include "engine/service/sla_scheduler.h"
#include "engine/service/stats_service.h"
#include "engine/service/todo_service.h"

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
    return base::InvalidArgument("--listen port must be a number from 0 to 65535 in '" + text +
                                 "'");
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

// The key of the known-device cookies (auth/device_cookie.h): 32 random bytes as hex in
// <data>/device-cookie.key (mode 0600), made at the first start so devices stay known across
// restarts. Deleting the file forgets every device (nothing else depends on it).
base::Result<std::string> LoadDeviceKey(const std::string& data_dir) {
  fs::path path = fs::path(data_dir) / "device-cookie.key";
  static constexpr char kHex[] = "0123456789abcdef";
  auto read = [&]() -> base::Result<std::string> {
    std::ifstream in(path);
    std::string hex;
    in >> hex;
    std::string key;
    auto digit = [](char c) {
      return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
    };
    for (size_t i = 0; i + 1 < hex.size(); i += 2) {
      int hi = digit(hex[i]), lo = digit(hex[i + 1]);
      if (hi < 0 || lo < 0) break;
      key.push_back(static_cast<char>(hi * 16 + lo));
    }
    if (hex.size() != 2 * auth::DeviceCookies::kKeyBytes ||
        key.size() != auth::DeviceCookies::kKeyBytes) {
      return base::InvalidArgument(path.string() + " does not hold " +
                                   std::to_string(2 * auth::DeviceCookies::kKeyBytes) +
                                   " hex digits; delete it and a new key is made");
    }
    return key;
  };
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return read();
    return base::Internal("cannot create " + path.string() + ": " + std::strerror(errno));
  }
  std::string key = auth::DeviceCookies::NewKey();
  std::string hex;
  for (char c : key) {
    hex += kHex[static_cast<unsigned char>(c) >> 4];
    hex += kHex[static_cast<unsigned char>(c) & 15];
  }
  hex += '\n';
  bool written = ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size());
  written = ::fsync(fd) == 0 && written;
  ::close(fd);
  if (!written) {
    fs::remove(path);
    return base::Internal("cannot write " + path.string());
  }
  return key;
}

std::string DefaultWebRoot() {
  if (const char* env = std::getenv("TILLVAXT_WEB"); env != nullptr && *env != '\0') return env;
  return fs::exists("web/dist/index.html") ? "web/dist" : "";
}

// The --trusted-proxy flags, or TILLVAXT_TRUSTED_PROXY when none is given; a bad value is
// refused naming where it came from.
base::Result<base::CidrSet> TrustedProxies(const cli::Flags& flags) {
  std::vector<std::string> values = flags.GetAll("trusted-proxy");
  std::string source = "--trusted-proxy";
  if (values.empty()) {
    if (const char* env = std::getenv("TILLVAXT_TRUSTED_PROXY"); env != nullptr) {
      source = "TILLVAXT_TRUSTED_PROXY";
      std::string text = env;
      for (char& c : text) {
        if (c == ',' || c == '\t' || c == '\n') c = ' ';
      }
      std::istringstream words(text);
      for (std::string word; words >> word;) values.push_back(word);
    }
  }
  base::CidrSet set;
  for (const std::string& value : values) {
    if (auto st = set.Add(value); !st.ok()) {
      return base::InvalidArgument(source + ": " + st.message() +
                                   " (give an address such as 10.0.0.5 or a range such as "
                                   "10.0.0.0/8 or fd00::/8)");
    }
  }
  return set;
}

// What `serve` was asked to do: its flags, checked.
struct ServeSettings {
  Listen listen;
  bool demo = false;
  std::string data_dir;
  bool fast_durability = false;
  http::ServerOptions http;
};

// Parse: the flags into settings, or the exit code when there is nothing to run (help, or a
// flag that is wrong, named on env.err).
std::optional<int> ParseServeFlags(cli::Flags& flags, const std::vector<std::string>& args,
                                   cli::Environment& env, ServeSettings* out) {
  flags.Option("listen", "ADDRESS:PORT", "Where to listen", "127.0.0.1:8080");
  cli::AddDataFlags(flags);
  flags.Switch("demo", "Seed demo users (and demo cases into an empty database); loopback only");
  flags.Option("tls-cert", "FILE", "TLS certificate chain (PEM); with --tls-key serves HTTPS");
  flags.Option("tls-key", "FILE", "TLS private key (PEM)");
  flags.Option("web", "DIR", "The built web app to serve at / (env TILLVAXT_WEB)",
               DefaultWebRoot());
  flags.Option("workers", "N", "Worker threads for requests (they wait on the database)", "32");
  flags.Option("read-timeout", "SECONDS",
               "A request must arrive completely within this; slower clients are cut off", "10");
  flags.Option("header-timeout", "SECONDS",
               "A request's headers (on a new connection: from the connect) must arrive within "
               "this, or the read timeout when shorter",
               "5");
  flags.Option("max-connections", "N",
               "Open connections at most; beyond: 503 with Retry-After, and close", "1024");
  flags.Option("max-connections-per-address", "N",
               "Open connections per client address (IPv6: per /64) at most; trusted proxies are "
               "exempt; beyond: 503 with Retry-After, and close",
               "64");
  flags.Repeated("trusted-proxy", "CIDR",
                 "A reverse proxy (address or range) whose X-Forwarded-For and X-Forwarded-Proto "
                 "are believed: the client is then the rightmost untrusted X-Forwarded-For "
                 "address (env TILLVAXT_TRUSTED_PROXY, comma-separated, when no flag is given)");
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
    return cli::Fail(
        env.err, base::InvalidArgument("--demo seeds users with a shared password and listens on "
                                       "loopback only; use --listen 127.0.0.1:PORT"));
  }
  if (flags.Get("tls-cert").empty() != flags.Get("tls-key").empty()) {
    return cli::Fail(env.err, base::InvalidArgument("--tls-cert and --tls-key go together"));
  }
  auto workers = flags.GetInt("workers", 1, 1024);
  if (!workers.ok()) return cli::Fail(env.err, workers.status());
  auto read_timeout = flags.GetInt("read-timeout", 1, 3600);
  if (!read_timeout.ok()) return cli::Fail(env.err, read_timeout.status());
  auto header_timeout = flags.GetInt("header-timeout", 1, 3600);
  if (!header_timeout.ok()) return cli::Fail(env.err, header_timeout.status());
  auto max_connections = flags.GetInt("max-connections", 1, 1'000'000);
  if (!max_connections.ok()) return cli::Fail(env.err, max_connections.status());
  auto per_address = flags.GetInt("max-connections-per-address", 1, 1'000'000);
  if (!per_address.ok()) return cli::Fail(env.err, per_address.status());
  auto trusted = TrustedProxies(flags);
  if (!trusted.ok()) return cli::Fail(env.err, trusted.status());
  std::string durability = flags.Get("durability");
  if (durability != "full" && durability != "normal") {
    return cli::Fail(env.err, base::InvalidArgument("--durability must be full or normal"));
  }
  out->listen = *listen;
  out->demo = demo;
  out->data_dir = flags.Get("data");
  out->fast_durability = durability == "normal";
  http::ServerOptions& options = out->http;
  options.address = listen->address;
  options.port = listen->port;
  options.worker_threads = static_cast<int>(*workers);
  options.read_timeout = std::chrono::seconds(*read_timeout);
  options.header_timeout = std::chrono::seconds(*header_timeout);
  options.max_connections = static_cast<size_t>(*max_connections);
  options.max_connections_per_address = static_cast<size_t>(*per_address);
  options.trusted_proxies = std::move(*trusted);
  options.tls_cert_file = flags.Get("tls-cert");
  options.tls_key_file = flags.Get("tls-key");
  options.static_root = flags.Get("web");
  return std::nullopt;
}

// Build: every component of a running server, constructed in dependency order and registered
// with the lifecycle; nothing runs until lifecycle.StartAll(). Members are destroyed in
// reverse order, after the lifecycle (declared last) has stopped what runs.
struct Server {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::UserStore> users;
  base::SystemClock clock;
  std::unique_ptr<service::CaseService> cases;
  std::unique_ptr<service::OfferService> offers;
  std::unique_ptr<auth::Authenticator> authenticator;
  std::unique_ptr<auth::DeviceCookies> devices;
  std::unique_ptr<plugin::PluginSet> plugins;
  std::unique_ptr<service::FileDigestState> digest_state;
  std::unique_ptr<service::NotificationService> notifications;
  std::unique_ptr<service::StatsService> stats;
  std::unique_ptr<service::TodoService> todo;
  std::unique_ptr<service::EventHub> event_hub;
  std::mutex log_mu;
  std::unique_ptr<service::SlaScheduler> sla_scheduler;
  base::TaskGroup tasks;
  http::Metrics metrics;
  std::atomic<bool> ready{false};
  std::unique_ptr<api::ApiContext> ctx;
  http::Router router;
  std::unique_ptr<http::Server> http;
  std::string config_source;
  Lifecycle lifecycle;
};

base::Status BuildServer(const ServeSettings& settings, cli::Flags& flags, cli::Environment& env,
                         Server& s) {
  auto config = cli::LoadRegionConfig(flags, env.err, &s.config_source);
  if (!config.ok()) return config.status();
  auto store = env.open_store({settings.data_dir, true, settings.fast_durability});
  if (!store.ok()) return store.status();
  s.store = std::move(*store);
  auto users = env.open_user_store({settings.data_dir, true, settings.fast_durability});
  if (!users.ok()) return users.status();
  s.users = std::move(*users);
  auto cases = service::CaseService::Create(*config, *s.store, *s.store, s.clock, nullptr);
  if (!cases.ok()) return cases.status();
  s.cases = std::move(*cases);
  auto offers = service::OfferService::Create(*s.cases, *s.store, s.clock, nullptr);
  if (!offers.ok()) return offers.status();
  s.offers = std::move(*offers);
  service::OfferService* offer_service = s.offers.get();
  s.cases->SetOfferLookup(
      [offer_service](const std::string& id) { return offer_service->CheckLinkable(id); });
  s.authenticator = std::make_unique<auth::Authenticator>(*s.users, s.clock, auth::AuthOptions{});
  auto device_key = LoadDeviceKey(settings.data_dir);
  if (!device_key.ok()) return device_key.status();
  s.devices = std::make_unique<auth::DeviceCookies>(std::move(*device_key));
  const domain::Config& region = s.cases->config();

  // Notifier plugins named in the configuration (paths relative to its folder). One that cannot
  // be loaded stops the start: the message names the file and why.
  std::string config_dir = s.config_source.rfind("built-in", 0) == 0
                               ? ""
                               : fs::absolute(s.config_source).parent_path().string();
  auto plugins = plugin::PluginSet::Load(region, config_dir);
  if (!plugins.ok()) return plugins.status();
  s.plugins = std::move(*plugins);
  if (!s.plugins->notifiers().empty()) {
    s.digest_state = std::make_unique<service::FileDigestState>(
        (fs::path(settings.data_dir) / "notification-digests.tsv").string());
    service::NotificationOptions notification_options;
    notification_options.base_url = region.public_url;
    s.notifications = std::make_unique<service::NotificationService>(
        region, *s.store, *s.store, *s.users, s.clock, *s.plugins, *s.digest_state,
        notification_options);
    service::NotificationService* routed = s.notifications.get();
    s.cases->AddListener(
        [routed](const std::vector<domain::Event>& events) { routed->OnCommitted(events); });
    s.offers->AddListener([routed](const std::vector<domain::OfferEvent>& events) {
      routed->OnOfferCommitted(events);
    });
    for (const auto& n : s.plugins->notifiers()) {
      env.out << "Notifier plugin " << n->name() << " from " << n->path() << "\n";
    }
  }

  if (settings.demo) {
    std::string password = DemoPassword();
    TV_RETURN_IF_ERROR(s.authenticator->EnsureDemoUsers(region, password));
    auto count = s.store->CountCases();
    if (count.ok() && *count == 0) {
      service::SeedOptions seed;
      seed.cases = kDemoCases;
      seed.now = s.clock.Now();
      auto seeded = service::Seed(region, *s.store, seed);
      if (!seeded.ok()) return seeded.status();
      env.out << "Seeded " << seeded->cases << " demo cases\n";
    }
    env.out << "Demo users: coord.<node> (coord.eskilstuna, ...), actor.<actor> (actor.almi, ...),"
               " manager, admin\nDemo password: "
            << password << "\n";
  }

  s.stats = std::make_unique<service::StatsService>(region, *s.store, s.clock);
  s.todo = std::make_unique<service::TodoService>(*s.cases, *s.store, *s.users, s.clock);
  service::EventHubOptions hub_options;
  hub_options.format = api::SseMessage;
  s.event_hub = std::make_unique<service::EventHub>(*s.cases, *s.store, hub_options);
  service::SlaSchedulerOptions sla_options;
  sla_options.log = [&env, &s](const std::string& message) {
    std::lock_guard lock(s.log_mu);
    env.err << message << "\n" << std::flush;
  };
  s.sla_scheduler =
      std::make_unique<service::SlaScheduler>(*s.cases, *s.store, *s.store, s.clock, sla_options);

  s.ctx = std::make_unique<api::ApiContext>(
      api::ApiContext{*s.cases, *s.authenticator, s.clock, !settings.http.tls_cert_file.empty(),
                      [&s] { return s.ready.load(); },
                      [&s] { return s.metrics.Render() + s.plugins->RenderMetrics(); }});
  s.ctx->devices = s.devices.get();
  s.ctx->offers = s.offers.get();
  s.ctx->events = s.event_hub.get();
  s.ctx->stats = s.stats.get();
  s.ctx->todo = s.todo.get();
  s.ctx->tasks = &s.tasks;
  api::AddApiRoutes(s.router, *s.ctx);
  http::ServerHooks hooks;
  hooks.metrics = &s.metrics;
  s.http = std::make_unique<http::Server>(settings.http, s.router, hooks);

  // Started in this order, stopped in reverse: the listener stops taking requests first, then
  // the exports it started, the live events, the timers and the notifications; the plugins last
  // of all (the store and the services are plain objects that stop with Server's members).
  s.lifecycle.Add("plugins", nullptr, [&s] { s.plugins->Stop(); });
  if (s.notifications) {
    s.lifecycle.Add(
        "notifications",
        [&s] {
          s.notifications->Start();
          return base::Status::Ok();
        },
        [&s] { s.notifications->Stop(); });
  }
  s.lifecycle.Add(
      "sla scheduler",
      [&s] {
        s.sla_scheduler->Start();
        return base::Status::Ok();
      },
      [&s] { s.sla_scheduler->Stop(); });
  s.lifecycle.Add(
      "event hub", [&s] { return s.event_hub->Start(); }, [&s] { s.event_hub->Stop(); });
  s.lifecycle.Add("background tasks", nullptr, [&s] { s.tasks.Stop(); });
  s.lifecycle.Add(
      "http listener",
      [&s] {
        TV_RETURN_IF_ERROR(s.http->Start());
        s.ready = true;
        return base::Status::Ok();
      },
      [&s] {
        s.ready = false;
        s.http->Stop();
      });
  return base::Status::Ok();
}

}  // namespace

int ServeCommand(const std::vector<std::string>& args, cli::Environment& env) {
  cli::Flags flags("serve",
                   "Starts the HTTP server: the v1 API of docs/API.md and the web app, on the\n"
                   "SQLite database in the data folder (created when missing). Stops cleanly on\n"
                   "SIGINT or SIGTERM: in-flight requests finish, nothing acknowledged is lost.");
  ServeSettings settings;
  if (auto exit = ParseServeFlags(flags, args, env, &settings)) return *exit;

  Server server;
  if (auto st = BuildServer(settings, flags, env, server); !st.ok()) {
    return cli::Fail(env.err, st);
  }

  // Run: block the stop signals in every thread the components start; this thread waits for
  // them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  if (auto st = server.lifecycle.StartAll(); !st.ok()) return cli::Fail(env.err, st);
  const Listen& listen = settings.listen;
  std::string scheme = server.http->tls() ? "https" : "http";
  std::string host =
      listen.address.find(':') != std::string::npos ? "[" + listen.address + "]" : listen.address;
  env.out << "Tillväxt (" << server.cases->config().region_name << ", configuration "
          << server.config_source << ") listening on " << scheme << "://" << host << ":"
          << server.http->port() << "/\n"
          << "Data: " << fs::absolute(settings.data_dir).string()
          << (settings.http.static_root.empty() ? "; web app not built (npm run build in web/)"
                                                : "; web app from " + settings.http.static_root)
          << "\n"
          << std::flush;
  int signal = 0;
  sigwait(&stop_signals, &signal);
  env.out << "Stopping (" << (signal == SIGTERM ? "SIGTERM" : "SIGINT")
          << "): finishing in-flight requests\n"
          << std::flush;
  server.lifecycle.StopAll();
  env.out << "Stopped\n";
  return cli::kExitOk;
}

}  // namespace tillvaxt::app
