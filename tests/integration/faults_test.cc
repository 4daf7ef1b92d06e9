// Faults while serving, against the real `tillvaxt serve --demo` binary over real sockets:
// a disk that fills up under the server (a small tmpfs of its own, in a user and mount
// namespace, filled by the test through /proc/PID/root) and SIGTERM in the middle of CSV
// exports and SSE bursts. Built under ASan + UBSan in the sanitizer pass, where the log is also
// searched for sanitizer reports.
#include <sys/socket.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "tests/integration/api_harness.h"

namespace tillvaxt::apitest {
namespace {

json::object NewCaseBody(int n) {
  return {{"title", "Diskfull " + std::to_string(n) + ": automatiserad montering"},
          {"description", "Vill automatisera monteringen och behöver affärsutveckling."},
          {"company",
           {{"name", "Diskbolaget " + std::to_string(n) + " AB"},
            {"orgNumber", OrgNumber(static_cast<uint64_t>(n) + 7000)},
            {"municipality", "Eskilstuna"},
            {"size", "SMALL"},
            {"industry", "Verkstad"}}},
          {"contact", {{"name", "Kontakt " + std::to_string(n)}, {"email", "k@disk.example"}}}};
}

// Writes zeros to `path` until the filesystem refuses (ENOSPC); returns the bytes written.
size_t FillUp(const fs::path& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  REQUIRE(fd >= 0);
  std::string block(1 << 16, '\0');
  size_t total = 0;
  for (;;) {
    long n = ::write(fd, block.data(), block.size());
    if (n <= 0) break;
    total += static_cast<size_t>(n);
  }
  ::close(fd);
  return total;
}

bool NoSanitizerReport(const std::string& log) {
  return log.find("AddressSanitizer") == std::string::npos &&
         log.find("LeakSanitizer") == std::string::npos &&
         log.find("runtime error:") == std::string::npos;
}

TEST_CASE(
    "a full disk refuses writes with 503 and Retry-After, loses nothing acknowledged, and "
    "writes resume once space returns",
    "[faults][disk]") {
  TempDir dir;
  const fs::path mount = dir.path() / "mnt";
  const fs::path copy = dir.path() / "after";
  fs::create_directories(mount);
  auto server =
      ServerProcess::Start(mount / "data", {},
                           {"/usr/bin/unshare", "--user", "--map-root-user", "--mount", "/bin/sh",
                            TV_ON_TMPFS_SCRIPT, "48m", mount.string(), copy.string()});
  // The tmpfs as the test sees it: through the launcher's root, in its mount namespace.
  const fs::path seen =
      fs::path("/proc") / std::to_string(server->pid()) / "root" / mount.relative_path();
  REQUIRE(fs::exists(seen / "data" / "tillvaxt.db"));

  TokenCache tokens(server->port());
  Api coord(server->port(), tokens.Token("coord.eskilstuna"));
  std::vector<std::string> acked;
  int n = 0;
  auto create = [&] {
    Reply r = coord.Post("/v1/cases", NewCaseBody(++n));
    if (r.status == 201) acked.push_back(Str(r.Json(), "id"));
    return r;
  };
  for (int i = 0; i < 5; ++i) REQUIRE(create().status == 201);

  INFO("the disk fills up: writes are refused, 503 with Retry-After, naming the full disk");
  const size_t filled = FillUp(seen / "filler");
  CHECK(filled > 0);
  Reply refused;
  for (int i = 0; i < 200 && refused.status != 503; ++i) {
    Reply r = create();
    INFO(r.Describe());
    REQUIRE((r.status == 201 || r.status == 503));  // never 500 or 429
    if (r.status == 503) refused = r;
  }
  INFO(refused.Describe());
  REQUIRE(refused.status == 503);
  CHECK(Str(refused.Json(), "error.status") == "UNAVAILABLE");
  CHECK(refused.body.find("full") != std::string::npos);
  CHECK(refused.Header("Retry-After") == "5");
  for (int i = 0; i < 5; ++i) CHECK(create().status == 503);

  INFO("reads go on: every acknowledged case is there");
  for (const std::string& id : acked) CHECK(coord.Get("/v1/cases/" + id).status == 200);

  INFO("the log says so once, not once per due timer and tick");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  const std::string log = server->Log();
  size_t refusing_lines = 0;
  for (size_t at = log.find("refuses writes"); at != std::string::npos;
       at = log.find("refuses writes", at + 1)) {
    ++refusing_lines;
  }
  CHECK(refusing_lines <= 1);
  CHECK(log.find("SLA timer of case") == std::string::npos);

  INFO("space returns: writes are taken again, without a restart");
  fs::remove(seen / "filler");
  Reply again;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (again.status != 201 && std::chrono::steady_clock::now() < deadline) {
    again = create();
    if (again.status != 201) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  INFO(again.Describe());
  REQUIRE(again.status == 201);
  for (int i = 0; i < 5; ++i) CHECK(create().status == 201);

  server->Signal(SIGTERM);
  const int exit_code = server->Wait();
  INFO(server->Log().substr(0, 4000));
  CHECK(exit_code == 0);
  CHECK(NoSanitizerReport(server->Log()));

  INFO("after a restart on the data the tmpfs held, every acknowledged case is there");
  auto restarted = ServerProcess::Start(copy / "data");
  TokenCache again_tokens(restarted->port());
  Api manager(restarted->port(), again_tokens.Token("manager"));
  for (const std::string& id : acked) {
    INFO(id);
    CHECK(manager.Get("/v1/cases/" + id).status == 200);
  }
  restarted->Signal(SIGTERM);
  CHECK(restarted->Wait() == 0);
}

// Sends a GET on `c` and leaves reading its (streamed) response to the caller; false when the
// server is gone. (Called from the test's threads, so it must not REQUIRE.)
bool StreamGet(Client& c, const std::string& target, const std::string& token) {
  return c.SendRaw("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                   token + "\r\n\r\n");
}

TEST_CASE(
    "SIGTERM in the middle of CSV exports and SSE bursts exits cleanly and loses no "
    "acknowledged case",
    "[faults][shutdown]") {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  auto server = ServerProcess::Start(data);
  const uint16_t port = server->port();
  TokenCache tokens(port);
  const std::string manager = tokens.Token("manager");
  const std::string coord = tokens.Token("coord.eskilstuna");

  std::atomic<bool> stop{false};
  std::vector<std::thread> threads;

  // SSE clients that read everything until the stream ends.
  std::atomic<int> streams_open{0};
  std::atomic<int> streams_ended{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      Client c(port);
      c.SetTimeout(std::chrono::seconds(40));
      if (!StreamGet(c, "/v1/stream", manager)) return;
      ++streams_open;
      while (c.Fill()) {
      }
      ++streams_ended;
    });
  }
  // CSV exports started and abandoned: some read a little and hang on unread, some close.
  std::vector<std::unique_ptr<Client>> stalled;
  std::mutex stalled_mu;
  threads.emplace_back([&] {
    for (int i = 0; !stop; ++i) {
      auto c = std::make_unique<Client>(port);
      c->SetTimeout(std::chrono::seconds(5));
      if (!StreamGet(*c, "/v1/stats/export.csv", manager)) break;
      c->Fill();
      if (i % 2 == 0) {
        std::lock_guard lock(stalled_mu);
        stalled.push_back(std::move(c));
      }
    }
  });
  // A burst of writes, each of which shows up on every stream.
  std::vector<std::string> acked;
  std::mutex acked_mu;
  std::atomic<int> server_errors{0};
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&, t] {
      Api api(port, coord);
      for (int i = 0; !stop; ++i) {
        Reply r = api.Post("/v1/cases", NewCaseBody(t * 100000 + i));
        if (r.status == 201) {
          std::lock_guard lock(acked_mu);
          acked.push_back(Str(r.Json(), "id"));
        } else if (r.status >= 500 && r.status != 503) {
          ++server_errors;
        } else if (r.status == 0 || r.status == 503) {
          if (!api.client().Connect()) break;  // the server has stopped
        }
      }
    });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  auto enough = [&] {
    std::scoped_lock lock(acked_mu, stalled_mu);
    return streams_open == 4 && acked.size() >= 50 && stalled.size() >= 3;
  };
  while (!enough() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(enough());

  server->Signal(SIGTERM);
  const int exit_code = server->Wait(std::chrono::seconds(30));
  stop = true;
  for (auto& th : threads) th.join();
  const std::string log = server->Log();
  INFO(log.substr(log.size() > 6000 ? log.size() - 6000 : 0));
  CHECK(exit_code == 0);
  CHECK(NoSanitizerReport(log));
  CHECK(streams_ended == 4);
  CHECK(server_errors == 0);

  auto restarted = ServerProcess::Start(data);
  Api reader(restarted->port(), TokenCache(restarted->port()).Token("manager"));
  for (const std::string& id : acked) {
    INFO(id);
    CHECK(reader.Get("/v1/cases/" + id).status == 200);
  }
  restarted->Signal(SIGTERM);
  CHECK(restarted->Wait() == 0);
}

}  // namespace
}  // namespace tillvaxt::apitest
