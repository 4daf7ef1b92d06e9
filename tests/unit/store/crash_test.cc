#include "engine/store/sqlite/sqlite_store.h"

#include <catch2/catch.hpp>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "tests/unit/store/store_test_util.h"

namespace tillvaxt::store::sqlite {
namespace {

using testing::TempDir;

struct Acked {
  uint64_t variant = 0;
  int64_t start_ms = 0;
  int64_t version = 0;  // the highest acknowledged version
};

// Runs the crash writer on `path` with `seed`, kills it with SIGKILL after `delay`, and returns
// everything it wrote to its stdout before dying.
std::string RunAndKill(const std::string& path, const std::string& seed,
                       std::chrono::milliseconds delay) {
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  std::string program = TV_CRASH_WRITER;
  std::vector<char*> argv = {program.data(), const_cast<char*>(path.c_str()),
                             const_cast<char*>(seed.c_str()), nullptr};
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {  // only async-signal-safe calls until exec
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(fds[1]);
  std::string out;
  char buf[4096];
  const auto deadline = std::chrono::steady_clock::now() + delay;
  bool killed = false;
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    if (!killed && now >= deadline) {
      kill(pid, SIGKILL);
      killed = true;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int wait_ms =
        killed ? 1000
               : static_cast<int>(
                     std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count());
    if (poll(&p, 1, wait_ms) < 0) continue;
    if (p.revents == 0) continue;
    const ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;  // EOF: the child is gone
    out.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  INFO("the crash writer ended otherwise than by our SIGKILL: status " << status);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  return out;
}

TEST_CASE("a writer killed with SIGKILL at random moments loses nothing it acknowledged",
          "[store][sqlite][crash]") {
  TempDir dir;
  const std::string path = dir.File("crash.db");
  std::mt19937_64 rng(20261122);
  std::map<std::string, Acked> acked;
  int rounds_with_acks = 0;
  for (int round = 1; round <= 6; ++round) {
    // At least 250 ms: the child must get past start-up (slow under ASan) to acknowledge
    // anything; the random rest puts the kill anywhere in its append loop.
    const auto delay = std::chrono::milliseconds(250 + rng() % 600);
    INFO("round " << round << ", killed after " << delay.count() << " ms");
    const std::string out = RunAndKill(path, std::to_string(round), delay);

    // Complete lines only: a line cut by the kill was never fully reported.
    std::istringstream lines(out.substr(0, out.rfind('\n') + 1));
    std::string line;
    int acks = 0;
    while (std::getline(lines, line)) {
      std::istringstream fields(line);
      std::string id;
      Acked a;
      REQUIRE(static_cast<bool>(fields >> id >> a.variant >> a.start_ms >> a.version));
      Acked& known = acked[id];
      if (a.version > known.version) known = a;
      ++acks;
    }
    if (acks > 0) ++rounds_with_acks;

    SqliteOptions options;
    options.path = path;
    base::Result<std::unique_ptr<SqliteStore>> opened = SqliteStore::Open(options);
    INFO(opened.status().ToString());
    REQUIRE(opened.ok());
    SqliteStore& store = **opened;
    CHECK(*store.IntegrityCheck() == "ok");
    for (const auto& [id, a] : acked) {
      INFO("case " << id << " acknowledged at version " << a.version);
      const std::vector<CaseAppend> history =
          testing::CaseHistory(id, a.variant, base::FromUnixMillis(a.start_ms));
      const std::vector<domain::Event> all = testing::HistoryEvents(history);
      base::Result<std::vector<domain::Event>> events = store.GetEvents(id);
      REQUIRE(events.ok());
      // Every acknowledged event, and beyond it at most whole commands that committed before
      // their acknowledgement was written.
      REQUIRE(static_cast<int64_t>(events->size()) >= a.version);
      REQUIRE(events->size() <= all.size());
      CHECK(*events == std::vector<domain::Event>(all.begin(), all.begin() + events->size()));
      base::Result<domain::Case> c = store.GetCase(id);
      REQUIRE(c.ok());
      bool matches_a_command = false;
      for (const CaseAppend& step : history) {
        if (step.after.version == static_cast<int64_t>(events->size())) {
          CHECK(*c == step.after);
          matches_a_command = true;
        }
      }
      CHECK(matches_a_command);
    }
    std::string error;
    const testing::Snapshot live = testing::TakeSnapshot(store, &error);
    REQUIRE(error.empty());
    REQUIRE(store.Rebuild({}).ok());
    CHECK(testing::TakeSnapshot(store, &error) == live);
  }
  CHECK(rounds_with_acks >= 4);
  CHECK(acked.size() > 10);
}

}  // namespace
}  // namespace tillvaxt::store::sqlite
