// http_bench: the HTTP server's load generator, one run, one report.
//
// Drives full case lifecycles (create, triage, claim, start, resolve, close) against a running
// `tillvaxt serve --demo` over keep-alive connections, for each connection count in turn, and
// prints commands/s and per-command latency. The coordinator is coord.<node>; the claiming actor
// is the case's best candidate after triage, signed in as actor.<actor-id> (every actor is
// signed in once before the runs: argon2id logins are slow on purpose). All connections are
// coroutines on one Asio thread so the generator takes at most one core from the server.
// The same run measures the raw single-transaction SQLite rate of the same rows (core_bench's
// baseline, bench/lifecycle_rows.h) and prints the ratio.
//
// With --server-pid, it also prints the server's own CPU time (user + system, from
// /proc/PID/stat) per command answered, for each connection count: a figure that depends on
// neither the disk's flush latency nor the load generator sharing the cores.
//
// Usage: http_bench --port P [--host 127.0.0.1] [--node eskilstuna] [--connections 1,8,64]
//                   [--seconds S] [--config FILE] [--dir PARENT] [--raw-seconds S]
//                   [--server-pid PID]
// The demo password is read from TILLVAXT_DEMO_PASSWORD.
#include <unistd.h>

#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "bench/lifecycle_rows.h"
#include "engine/codec/config_loader.h"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace tb = tillvaxt::bench;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string node = "eskilstuna";
  std::vector<int> connections = {1, 8, 64};
  double seconds = 10;
  std::string config = TV_SOURCE_DIR "/config/sormland.textproto";
  std::string dir = ".";
  double raw_seconds = 6;
  uint64_t seed = 7;
  int server_pid = 0;  // 0: no CPU figure
};

[[noreturn]] void Die(const std::string& what) {
  std::cerr << "http_bench: " << what << "\n";
  std::exit(1);
}

std::vector<int> IntList(const std::string& text) {
  std::vector<int> out;
  std::stringstream list(text);
  for (std::string item; std::getline(list, item, ',');) out.push_back(std::stoi(item));
  return out;
}

Options ParseArgs(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) Die(arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--host") {
      o.host = value();
    } else if (arg == "--port") {
      o.port = std::stoi(value());
    } else if (arg == "--node") {
      o.node = value();
    } else if (arg == "--connections") {
      o.connections = IntList(value());
    } else if (arg == "--seconds") {
      o.seconds = std::stod(value());
    } else if (arg == "--config") {
      o.config = value();
    } else if (arg == "--dir") {
      o.dir = value();
    } else if (arg == "--raw-seconds") {
      o.raw_seconds = std::stod(value());
    } else if (arg == "--server-pid") {
      o.server_pid = std::stoi(value());
    } else if (arg == "--help" || arg == "-h") {
      std::cout
          << "http_bench --port P [--host H] [--node N] [--connections 1,8,64] "
             "[--seconds S] [--config FILE] [--dir PARENT] [--raw-seconds S] [--server-pid PID]\n";
      std::exit(0);
    } else {
      Die("unknown argument " + arg);
    }
  }
  if (o.port <= 0) Die("--port is required");
  return o;
}

std::string Fixed(double v, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, v);
  return buf;
}

const char* Verdict(bool met) { return met ? "MET" : "MISSED"; }

// The CPU time process `pid` has used so far (user + system, all its threads), in seconds:
// fields 14 and 15 of /proc/PID/stat, in clock ticks.
double ProcessCpuSeconds(int pid) {
  const std::string path = "/proc/" + std::to_string(pid) + "/stat";
  std::ifstream in(path);
  if (!in) Die("cannot read " + path + " (is --server-pid the server's pid?)");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');
  if (paren == std::string::npos || paren + 2 > stat.size()) Die("unexpected " + path);
  std::istringstream fields(stat.substr(paren + 2));  // from field 3 (state) on
  std::string field;
  long long utime = 0;
  long long stime = 0;
  for (int index = 3; index <= 15 && fields >> field; ++index) {
    if (index == 14) utime = std::stoll(field);
    if (index == 15) stime = std::stoll(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

struct Reply {
  int status = 0;
  std::string body;
};

// One keep-alive connection; reconnects when the server closes it.
class Client {
 public:
  Client(asio::any_io_executor ex, tcp::endpoint endpoint, std::string host)
      : socket_(ex), endpoint_(endpoint), host_(std::move(host)) {}

  asio::awaitable<Reply> Call(http::verb method, const std::string& target, std::string body,
                              const std::string& token) {
    if (!socket_.is_open()) {
      co_await socket_.async_connect(endpoint_, asio::use_awaitable);
      socket_.set_option(tcp::no_delay(true));
      buffer_.clear();
    }
    http::request<http::string_body> req{method, target, 11};
    req.set(http::field::host, host_);
    if (method != http::verb::get) req.set(http::field::content_type, "application/json");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    req.keep_alive(true);
    req.body() = std::move(body);
    req.prepare_payload();
    co_await http::async_write(socket_, req, asio::use_awaitable);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    co_await http::async_read(socket_, buffer_, parser, asio::use_awaitable);
    http::response<http::string_body> res = parser.release();
    if (!res.keep_alive()) Close();
    co_return Reply{static_cast<int>(res.result_int()), std::move(res.body())};
  }

  void Close() {
    beast::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
  }

 private:
  tcp::socket socket_;
  tcp::endpoint endpoint_;
  std::string host_;
  beast::flat_buffer buffer_;
};

std::string Login(asio::io_context& io, const tcp::endpoint& ep, const std::string& host,
                  const std::string& user, const std::string& password) {
  std::string token;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        Client c(co_await asio::this_coro::executor, ep, host);
        json::object body{{"username", user}, {"password", password}};
        Reply r = co_await c.Call(http::verb::post, "/v1/sessions", json::serialize(body), "");
        if (r.status != 200)
          Die("login as " + user + ": HTTP " + std::to_string(r.status) + " " + r.body);
        token = json::value_to<std::string>(json::parse(r.body).as_object().at("token"));
        c.Close();
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  io.restart();
  return token;
}

Reply Get(asio::io_context& io, const tcp::endpoint& ep, const std::string& host,
          const std::string& target, const std::string& token) {
  Reply out;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        Client c(co_await asio::this_coro::executor, ep, host);
        out = co_await c.Call(http::verb::get, target, "", token);
        c.Close();
      },
      [](std::exception_ptr e) {
        if (e) std::rethrow_exception(e);
      });
  io.run();
  io.restart();
  return out;
}

constexpr const char* kActions[] = {"create", "triage", "claim", "start", "resolve", "close"};

struct RunStats {
  int64_t commands = 0;
  int64_t lifecycles = 0;
  int64_t unmatched = 0;
  int64_t errors = 0;
  std::string first_error;
  std::vector<double> latencies_ms;
  std::map<std::string, std::vector<double>> by_action;
};

struct Shared {
  const Options* o;
  tcp::endpoint endpoint;
  std::string coord_token;
  std::map<std::string, std::string> actor_tokens;
  std::vector<std::string> needs;
  std::vector<std::string> areas;
  Clock::time_point deadline;
  uint64_t next_case = 0;  // single-threaded io_context: no atomics needed
  RunStats stats;
};

std::vector<std::string> Draw(std::mt19937_64& rng, std::vector<std::string> from, int min,
                              int max) {
  std::shuffle(from.begin(), from.end(), rng);
  from.resize(std::min(from.size(),
                       static_cast<size_t>(std::uniform_int_distribution<int>(min, max)(rng))));
  return from;
}

json::array JsonList(const std::vector<std::string>& items) {
  json::array out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

asio::awaitable<void> Worker(Shared& sh, uint64_t seed) {
  Client client(co_await asio::this_coro::executor, sh.endpoint, sh.o->host);
  std::mt19937_64 rng(seed);
  while (Clock::now() < sh.deadline) {
    const uint64_t n = sh.next_case++;
    std::string id;
    // One command: its latency and status; false (and the lifecycle abandoned) on an error.
    auto command = [&](const char* action, const std::string& target, json::object body,
                       const std::string& token,
                       int want) -> asio::awaitable<std::optional<json::value>> {
      const Clock::time_point t0 = Clock::now();
      Reply r = co_await client.Call(http::verb::post, target, json::serialize(body), token);
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      if (r.status != want) {
        if (sh.stats.errors++ == 0) {
          sh.stats.first_error = std::string(action) + ": HTTP " + std::to_string(r.status) + " " +
                                 r.body.substr(0, 300);
        }
        co_return std::nullopt;
      }
      ++sh.stats.commands;
      sh.stats.latencies_ms.push_back(ms);
      sh.stats.by_action[action].push_back(ms);
      co_return json::parse(r.body);
    };
    try {
      json::object company{{"name", "Lastprov " + std::to_string(n) + " AB"},
                           {"orgNumber", tb::OrgNumberFor(5'000'000 + n)},
                           {"municipality", "Eskilstuna"},
                           {"size", "SMALL"},
                           {"industry", "Tillverkning"}};
      json::object contact{{"name", "Anna Andersson"},
                           {"email", "anna" + std::to_string(n) + "@example.se"},
                           {"phone", "+46 16 123 45 67"}};
      json::object create{{"title", "Load test case " + std::to_string(n)},
                          {"description", "A company wants help with " + std::string(200, 'x')},
                          {"company", company},
                          {"contact", contact}};
      auto created = co_await command("create", "/v1/cases", create, sh.coord_token, 201);
      if (!created) continue;
      id = json::value_to<std::string>(created->as_object().at("id"));
      const std::string base = "/v1/cases/" + id + ":";
      if (Clock::now() >= sh.deadline) break;
      json::object triage{{"needs", JsonList(Draw(rng, sh.needs, 1, 2))},
                          {"areas", JsonList(Draw(rng, sh.areas, 1, 2))}};
      auto triaged = co_await command("triage", base + "triage", triage, sh.coord_token, 200);
      if (!triaged) continue;
      const json::value* candidates = triaged->as_object().if_contains("candidates");
      if (candidates == nullptr || !candidates->is_array() || candidates->as_array().empty()) {
        ++sh.stats.unmatched;
        continue;
      }
      const std::string actor = json::value_to<std::string>(candidates->as_array().front());
      auto tok = sh.actor_tokens.find(actor);
      if (tok == sh.actor_tokens.end()) Die("no token for actor " + actor);
      if (Clock::now() >= sh.deadline) break;
      if (!co_await command("claim", base + "claim", {}, tok->second, 200)) continue;
      if (Clock::now() >= sh.deadline) break;
      if (!co_await command("start", base + "start", {}, tok->second, 200)) continue;
      if (Clock::now() >= sh.deadline) break;
      json::object resolve{{"outcome", json::object{{"kind", "SOLUTION"}, {"note", "Done"}}}};
      if (!co_await command("resolve", base + "resolve", resolve, tok->second, 200)) continue;
      if (Clock::now() >= sh.deadline) break;
      json::object close{{"feedback", "Helpful and quick"}};
      if (!co_await command("close", base + "close", close, sh.coord_token, 200)) continue;
      ++sh.stats.lifecycles;
    } catch (const std::exception& e) {
      if (sh.stats.errors++ == 0) sh.stats.first_error = std::string("connection: ") + e.what();
      client.Close();
    }
  }
  client.Close();
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = ParseArgs(argc, argv);
  const char* password = std::getenv("TILLVAXT_DEMO_PASSWORD");
  if (password == nullptr || *password == '\0') Die("set TILLVAXT_DEMO_PASSWORD");
  asio::io_context io;
  Shared sh;
  sh.o = &o;
  sh.endpoint = tcp::endpoint(asio::ip::make_address(o.host), static_cast<uint16_t>(o.port));
  std::cout << "Tillväxt HTTP benchmark; " << tb::MachineLine() << "\n"
            << "Server http://" << o.host << ":" << o.port << "/; lifecycles create, triage, "
            << "claim, start, resolve, close (6 commands); " << Fixed(o.seconds, 1)
            << " s per connection count\n";

  const Clock::time_point l0 = Clock::now();
  sh.coord_token = Login(io, sh.endpoint, o.host, "coord." + o.node, password);
  Reply cfg = Get(io, sh.endpoint, o.host, "/v1/config", sh.coord_token);
  if (cfg.status != 200) Die("GET /v1/config: HTTP " + std::to_string(cfg.status));
  json::value config = json::parse(cfg.body);
  for (const json::value& a : config.as_object().at("actors").as_array()) {
    const std::string id = json::value_to<std::string>(a.as_object().at("id"));
    sh.actor_tokens[id] = Login(io, sh.endpoint, o.host, "actor." + id, password);
  }
  for (const json::value& n : config.as_object().at("needs").as_array()) {
    sh.needs.push_back(json::value_to<std::string>(n.as_object().at("id")));
  }
  for (const json::value& a : config.as_object().at("areas").as_array()) {
    sh.areas.push_back(json::value_to<std::string>(a.as_object().at("id")));
  }
  std::cout << "Signed in coord." << o.node << " and " << sh.actor_tokens.size() << " actors in "
            << Fixed(std::chrono::duration<double>(Clock::now() - l0).count(), 1) << " s\n";

  double rate_at_max = 0;
  int max_connections = 0;
  double p99_at_8 = -1;
  double worst_cpu_us = 0;
  for (int connections : o.connections) {
    sh.stats = RunStats{};
    const double cpu0 = o.server_pid > 0 ? ProcessCpuSeconds(o.server_pid) : 0;
    const Clock::time_point t0 = Clock::now();
    sh.deadline =
        t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
    for (int c = 0; c < connections; ++c) {
      asio::co_spawn(io, Worker(sh, o.seed * 1000 + static_cast<uint64_t>(c)),
                     [](std::exception_ptr e) {
                       if (e) std::rethrow_exception(e);
                     });
    }
    io.run();
    io.restart();
    const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
    const RunStats& s = sh.stats;
    const double rate = static_cast<double>(s.commands) / elapsed;
    const double p99 = tb::Percentile(s.latencies_ms, 99);
    std::cout << "  " << connections << " connection" << (connections == 1 ? ": " : "s: ")
              << Fixed(rate, 0) << " commands/s (" << s.commands << " in " << Fixed(elapsed, 2)
              << " s, " << s.lifecycles << " lifecycles, " << s.unmatched << " unmatched), p50 "
              << Fixed(tb::Percentile(s.latencies_ms, 50), 2) << " ms, p99 " << Fixed(p99, 2)
              << " ms, mean " << Fixed(tb::Mean(s.latencies_ms), 2) << " ms";
    if (s.errors > 0) std::cout << "; " << s.errors << " ERRORS, first: " << s.first_error;
    if (o.server_pid > 0 && s.commands > 0) {
      const double cpu_us =
          (ProcessCpuSeconds(o.server_pid) - cpu0) * 1e6 / static_cast<double>(s.commands);
      worst_cpu_us = std::max(worst_cpu_us, cpu_us);
      std::cout << "\n    server CPU (user + system): " << Fixed(cpu_us, 0)
                << " us per command (target <= 150: " << Verdict(cpu_us <= 150) << ")";
    }
    std::cout << "\n    per command p50/p99 ms:";
    for (const char* action : kActions) {
      auto it = s.by_action.find(action);
      if (it == s.by_action.end()) continue;
      std::cout << " " << action << " " << Fixed(tb::Percentile(it->second, 50), 2) << "/"
                << Fixed(tb::Percentile(it->second, 99), 2);
    }
    std::cout << "\n" << std::flush;
    if (connections == 8) p99_at_8 = p99;
    if (connections >= max_connections) {
      max_connections = connections;
      rate_at_max = rate;
    }
  }

  // The raw baseline, on a fresh database in --dir (same disk as the server's data).
  std::vector<std::string> problems;
  auto region = tillvaxt::codec::LoadConfigFile(o.config, &problems);
  if (!region.ok()) Die(region.status().message());
  auto dir = tb::MakeTempDir(o.dir);
  if (!dir.ok()) Die(dir.status().message());
  const std::string path = *dir + "/raw.db";
  auto version = tb::CreateStoreDatabase(path, *region);
  if (!version.ok()) Die(version.status().message());
  auto pool = tb::GenerateLifecycles(
      *region, *version, std::max(200, static_cast<int>(o.raw_seconds * 200)), o.seed, "raw");
  if (!pool.ok()) Die(pool.status().message());
  auto raw = tb::RawInsert(path, *pool, std::chrono::duration<double>(o.raw_seconds));
  tb::RemoveTree(*dir);
  if (!raw.ok()) Die(raw.status().message());
  const double raw_rate = raw->per_second();
  std::cout << "  raw SQLite, 1 transaction per command, same rows (WAL, synchronous=FULL): "
            << Fixed(raw_rate, 0) << " commands/s ("
            << Fixed(static_cast<double>(raw->rows) / raw->seconds, 0) << " rows/s), p50 "
            << Fixed(tb::Percentile(raw->latencies_ms, 50), 2) << " ms, p99 "
            << Fixed(tb::Percentile(raw->latencies_ms, 99), 2) << " ms\n";
  auto probe = tb::FsyncProbe(o.dir, 200);
  if (!probe.ok()) Die(probe.status().message());
  std::cout << "  disk floor: 4 KiB write + fdatasync, 200 times: p50 "
            << Fixed(tb::Percentile(*probe, 50), 2) << " ms, p99 "
            << Fixed(tb::Percentile(*probe, 99), 2) << " ms\n";
  const double ratio = raw_rate > 0 ? rate_at_max / raw_rate : 0;
  std::cout << "  ratio at " << max_connections << " connections: " << Fixed(ratio, 2)
            << "x the raw rate (target >= 4: " << Verdict(ratio >= 4) << ")\n";
  if (p99_at_8 >= 0) {
    std::cout << "  p99 at 8 connections: " << Fixed(p99_at_8, 2)
              << " ms (target < 5 ms: " << Verdict(p99_at_8 < 5) << ")\n";
  }
  if (o.server_pid > 0) {
    std::cout << "  server CPU per command, worst connection count: " << Fixed(worst_cpu_us, 0)
              << " us (target <= 150: " << Verdict(worst_cpu_us <= 150) << ")\n";
  }
  // The server's own view of the store, when it exports one.
  Reply metrics;
  try {
    metrics = Get(io, sh.endpoint, o.host, "/metrics", sh.coord_token);
  } catch (const std::exception& e) {
    std::cout << "  (GET /metrics failed: " << e.what() << ")\n";
  }
  std::istringstream lines(metrics.body);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("tillvaxt_store", 0) == 0) std::cout << "  server: " << line << "\n";
  }
  return 0;
}
