#include "engine/cli/progress.h"

#include <cstdio>

namespace tillvaxt::cli {

ProgressBar::ProgressBar(std::ostream& out, bool tty, std::string unit)
    : out_(out), tty_(tty), unit_(std::move(unit)) {}

void ProgressBar::Update(int64_t done, int64_t total) {
  double fraction = total > 0 ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double rate = secs > 0 ? static_cast<double>(done) / secs : 0;
  char line[160];
  if (tty_) {
    constexpr int kWidth = 30;
    int filled = static_cast<int>(fraction * kWidth);
    std::string bar(filled, '#');
    bar.resize(kWidth, ' ');
    std::snprintf(line, sizeof line, "\r[%s] %3d%% %lld/%lld %s, %.0f/s", bar.c_str(),
                  static_cast<int>(fraction * 100), static_cast<long long>(done),
                  static_cast<long long>(total), unit_.c_str(), rate);
    out_ << line << std::flush;
    return;
  }
  int decile = static_cast<int>(fraction * 10);
  if (decile == last_decile_) return;
  last_decile_ = decile;
  std::snprintf(line, sizeof line, "%3d%% %lld/%lld %s, %.0f/s\n", decile * 10,
                static_cast<long long>(done), static_cast<long long>(total), unit_.c_str(), rate);
  out_ << line << std::flush;
}

void ProgressBar::Finish() {
  if (tty_) out_ << "\n";
}

}  // namespace tillvaxt::cli
