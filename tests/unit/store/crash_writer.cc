// The child process of the crash test (tests/unit/store/crash_test.cc): appends full case
// histories from several threads, command by command, until it is killed. After each
// acknowledged Append it writes one line "<id> <variant> <start ms> <version>\n" to stdout (a
// pipe; lines shorter than PIPE_BUF are written atomically), so the parent knows exactly what
// was acknowledged before the SIGKILL.
//
// Usage: tv_store_crash_writer DB_PATH SEED
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "engine/store/sqlite/sqlite_store.h"
#include "tests/unit/store/store_test_util.h"

namespace {

using tillvaxt::store::CaseAppend;
using tillvaxt::store::sqlite::SqliteOptions;
using tillvaxt::store::sqlite::SqliteStore;

constexpr int kThreads = 4;

void WriteLine(const std::string& line) {
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    const ssize_t n = write(STDOUT_FILENO, p, left);
    if (n <= 0) std::_Exit(3);  // the parent is gone
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: %s DB_PATH SEED\n", argv[0]);
    return 2;
  }
  SqliteOptions options;
  options.path = argv[1];
  const uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  auto store = SqliteStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "crash writer: %s\n", store.status().ToString().c_str());
    return 1;
  }
  SqliteStore& s = **store;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&s, seed, t] {
      for (uint64_t i = 0;; ++i) {
        const std::string id =
            "k" + std::to_string(seed) + "-" + std::to_string(t) + "-" + std::to_string(i);
        const uint64_t variant = seed * 1'000'003 + static_cast<uint64_t>(t) * 10'007 + i;
        const int64_t start_ms = 1'767'225'600'000 + static_cast<int64_t>(i) * 60'000;
        std::vector<CaseAppend> history = tillvaxt::store::testing::CaseHistory(
            id, variant, tillvaxt::base::FromUnixMillis(start_ms));
        for (const CaseAppend& a : history) {
          const int64_t version = a.after.version;
          tillvaxt::base::Status st = s.Append({a});
          if (!st.ok()) {
            std::fprintf(stderr, "crash writer: %s\n", st.ToString().c_str());
            std::_Exit(1);
          }
          WriteLine(id + " " + std::to_string(variant) + " " + std::to_string(start_ms) + " " +
                    std::to_string(version) + "\n");
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();  // never: the parent kills us
  return 0;
}
