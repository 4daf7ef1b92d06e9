// Time points, durations and the Clock interface.
//
// Time is UTC with millisecond resolution. Code below the service layer never reads the clock:
// it takes a Time or a `const Clock&`. SystemClock is thread-safe; FakeClock is for tests.
#pragma once

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace tillvaxt::base {

using Millis = std::chrono::milliseconds;
using Time = std::chrono::sys_time<Millis>;

// Milliseconds since the Unix epoch, and back.
inline int64_t ToUnixMillis(Time t) { return t.time_since_epoch().count(); }
inline Time FromUnixMillis(int64_t ms) { return Time(Millis(ms)); }

// RFC 3339 in UTC: "2026-11-22T09:35:02Z", or with ".123" when there are milliseconds.
std::string FormatRfc3339(Time t);
// Accepts "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)".
std::optional<Time> ParseRfc3339(std::string_view text);

// Protobuf Duration strings: "3600s", "1.5s". Returns nullopt when malformed or negative.
std::optional<Millis> ParseDuration(std::string_view text);
std::string FormatDuration(Millis d);

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Time Now() const override {
    return std::chrono::time_point_cast<Millis>(std::chrono::system_clock::now());
  }
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(Time start) : now_(ToUnixMillis(start)) {}
  Time Now() const override { return FromUnixMillis(now_.load()); }
  void Advance(Millis d) { now_ += d.count(); }
  void Set(Time t) { now_ = ToUnixMillis(t); }

 private:
  std::atomic<int64_t> now_;
};

}  // namespace tillvaxt::base
