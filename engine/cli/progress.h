// A progress bar for long work on the terminal: redrawn in place on a TTY, a line every 10 %
// otherwise (logs, CI). Not thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <ostream>
#include <string>

namespace tillvaxt::cli {

class ProgressBar {
 public:
  ProgressBar(std::ostream& out, bool tty, std::string unit);
  void Update(int64_t done, int64_t total);
  void Finish();

 private:
  std::ostream& out_;
  bool tty_;
  std::string unit_;
  int last_decile_ = -1;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace tillvaxt::cli
