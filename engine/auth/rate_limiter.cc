#include "engine/auth/rate_limiter.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstdio>

namespace tillvaxt::auth {

LoginRateLimiter::LoginRateLimiter(const base::Clock& clock, RateLimitOptions options)
    : clock_(clock), options_(options) {}

std::string LoginRateLimiter::AddressKey(std::string_view address) {
  std::string text(address);
  // "[2001:db8::1]" as some proxies write it.
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  unsigned char bytes[16];
  if (text.find(':') == std::string::npos || inet_pton(AF_INET6, text.c_str(), bytes) != 1) {
    return std::string(address);
  }
  static constexpr unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::equal(kMapped, kMapped + 12, bytes)) {
    char v4[INET_ADDRSTRLEN];
    if (inet_ntop(AF_INET, bytes + 12, v4, sizeof v4) != nullptr) return v4;
  }
  char prefix[64];
  std::snprintf(prefix, sizeof prefix, "%x:%x:%x:%x::/64", (bytes[0] << 8) | bytes[1],
                (bytes[2] << 8) | bytes[3], (bytes[4] << 8) | bytes[5], (bytes[6] << 8) | bytes[7]);
  return prefix;
}

void LoginRateLimiter::Prune(Failures& failures, base::Time now) const {
  while (!failures.empty() && failures.front() + options_.window <= now) failures.pop_front();
}

base::Millis LoginRateLimiter::Wait(Table& table, const std::string& key, int limit,
                                    base::Time now) const {
  auto it = table.find(key);
  if (it == table.end()) return base::Millis(0);
  Failures& failures = it->second;
  Prune(failures, now);
  if (failures.empty()) {
    table.erase(it);
    return base::Millis(0);
  }
  if (static_cast<int>(failures.size()) < limit) return base::Millis(0);
  // Allowed again once enough of the oldest failures have left the window to drop below the
  // limit.
  size_t must_expire = failures.size() - static_cast<size_t>(limit);
  return failures[must_expire] + options_.window - now;
}

void LoginRateLimiter::Add(Table& table, const std::string& key, int limit, base::Time now) {
  auto it = table.find(key);
  if (it == table.end()) {
    if (table.size() >= options_.max_keys) {
      for (auto e = table.begin(); e != table.end();) {
        Prune(e->second, now);
        e = e->second.empty() ? table.erase(e) : std::next(e);
      }
    }
    if (table.size() >= options_.max_keys && !table.empty()) {
      auto stalest = std::min_element(table.begin(), table.end(), [](const auto& a, const auto& b) {
        return a.second.back() < b.second.back();
      });
      table.erase(stalest);
    }
    it = table.emplace(key, Failures{}).first;
  }
  Failures& failures = it->second;
  Prune(failures, now);
  failures.push_back(now);
  while (static_cast<int>(failures.size()) > std::max(limit, 1)) failures.pop_front();
}

base::Status LoginRateLimiter::Check(std::string_view username, std::string_view address,
                                     int64_t* retry_after_seconds) {
  base::Time now = clock_.Now();
  std::lock_guard lock(mu_);
  base::Millis wait = Wait(users_, std::string(username), options_.max_failures_per_user, now);
  if (!address.empty()) {
    wait = std::max(wait,
                    Wait(addresses_, AddressKey(address), options_.max_failures_per_address, now));
  }
  if (wait <= base::Millis(0)) return base::Status::Ok();
  int64_t seconds = std::max<int64_t>(1, (wait.count() + 999) / 1000);
  if (retry_after_seconds != nullptr) *retry_after_seconds = seconds;
  return base::ResourceExhausted("too many login attempts; try again in " +
                                 std::to_string(seconds) + " s");
}

void LoginRateLimiter::RecordFailure(std::string_view username, std::string_view address) {
  base::Time now = clock_.Now();
  std::lock_guard lock(mu_);
  Add(users_, std::string(username), options_.max_failures_per_user, now);
  if (!address.empty()) {
    Add(addresses_, AddressKey(address), options_.max_failures_per_address, now);
  }
}

void LoginRateLimiter::RecordSuccess(std::string_view username) {
  std::lock_guard lock(mu_);
  users_.erase(std::string(username));
}

size_t LoginRateLimiter::TrackedKeys() const {
  std::lock_guard lock(mu_);
  return users_.size() + addresses_.size();
}

}  // namespace tillvaxt::auth
