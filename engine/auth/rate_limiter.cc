#include "engine/auth/rate_limiter.h"

#include <algorithm>

#include "engine/base/net_address.h"

namespace tillvaxt::auth {
namespace {

// Makes room for one more key: drops forgotten keys, then the one whose last failure is the
// oldest.
template <class Table, class Forgotten, class Last>
void MakeRoom(Table& table, size_t max_keys, Forgotten forgotten, Last last) {
  if (table.size() < max_keys) return;
  for (auto e = table.begin(); e != table.end();) {
    e = forgotten(e->second) ? table.erase(e) : std::next(e);
  }
  if (table.size() >= max_keys && !table.empty()) {
    auto stalest = std::min_element(table.begin(), table.end(), [&](const auto& a, const auto& b) {
      return last(a.second) < last(b.second);
    });
    table.erase(stalest);
  }
}

}  // namespace

LoginRateLimiter::LoginRateLimiter(const base::Clock& clock, RateLimitOptions options)
    : clock_(clock), options_(options) {}

std::string LoginRateLimiter::AddressKey(std::string_view address) {
  std::optional<base::IpAddress> ip = base::ParseIp(address);
  return ip ? base::AddressKey(*ip) : std::string(address);
}

base::Millis LoginRateLimiter::DelayAfter(int64_t failures) const {
  if (failures < options_.free_failures) return base::Millis(0);
  int64_t doublings = failures - options_.free_failures;
  base::Millis delay = options_.first_delay;
  for (int64_t i = 0; i < doublings && delay < options_.max_delay; ++i) delay *= 2;
  return std::min(delay, options_.max_delay);
}

base::Millis LoginRateLimiter::RunWait(Runs& runs, const std::string& key, base::Time now) const {
  auto it = runs.find(key);
  if (it == runs.end()) return base::Millis(0);
  const Run& run = it->second;
  if (now - run.last >= options_.forget_after) {
    runs.erase(it);
    return base::Millis(0);
  }
  base::Millis wait = run.last + DelayAfter(run.failures) - now;
  return std::max(wait, base::Millis(0));
}

void LoginRateLimiter::AddToRun(Runs& runs, const std::string& key, base::Time now) {
  auto it = runs.find(key);
  if (it == runs.end()) {
    MakeRoom(
        runs, options_.max_keys,
        [&](const Run& r) { return now - r.last >= options_.forget_after; },
        [](const Run& r) { return r.last; });
    it = runs.emplace(key, Run{}).first;
  }
  Run& run = it->second;
  if (now - run.last >= options_.forget_after) run.failures = 0;
  ++run.failures;
  run.last = now;
}

void LoginRateLimiter::Prune(Failures& failures, base::Time now) const {
  while (!failures.empty() && failures.front() + options_.window <= now) failures.pop_front();
}

base::Millis LoginRateLimiter::WindowWait(Window& window, const std::string& key,
                                          base::Time now) const {
  auto it = window.find(key);
  if (it == window.end()) return base::Millis(0);
  Failures& failures = it->second;
  Prune(failures, now);
  if (failures.empty()) {
    window.erase(it);
    return base::Millis(0);
  }
  int limit = options_.max_failures_per_address;
  if (static_cast<int>(failures.size()) < limit) return base::Millis(0);
  // Admitted again once enough of the oldest failures have left the window to drop below the
  // limit.
  size_t must_expire = failures.size() - static_cast<size_t>(limit);
  return failures[must_expire] + options_.window - now;
}

void LoginRateLimiter::AddToWindow(Window& window, const std::string& key, base::Time now) {
  auto it = window.find(key);
  if (it == window.end()) {
    MakeRoom(
        window, options_.max_keys,
        [&](Failures& f) {
          Prune(f, now);
          return f.empty();
        },
        [](const Failures& f) { return f.empty() ? base::Time{} : f.back(); });
    it = window.emplace(key, Failures{}).first;
  }
  Failures& failures = it->second;
  Prune(failures, now);
  failures.push_back(now);
  while (static_cast<int>(failures.size()) > std::max(options_.max_failures_per_address, 1)) {
    failures.pop_front();
  }
}

base::Status LoginRateLimiter::Admit(const LoginKeys& keys, int64_t* retry_after_seconds) {
  base::Time now = clock_.Now();
  std::string user(keys.username);
  std::string device(keys.device);
  std::string address = keys.address.empty() ? std::string() : AddressKey(keys.address);
  std::lock_guard lock(mu_);
  base::Millis wait(0);
  if (!device.empty()) {
    wait = RunWait(devices_, device, now);
  } else {
    wait = RunWait(accounts_, user, now);
    if (!address.empty()) wait = std::max(wait, WindowWait(addresses_, address, now));
  }
  if (wait > base::Millis(0)) {
    int64_t seconds = std::max<int64_t>(1, (wait.count() + 999) / 1000);
    if (retry_after_seconds != nullptr) *retry_after_seconds = seconds;
    return base::ResourceExhausted("too many login attempts; try again in " +
                                   std::to_string(seconds) + " s");
  }
  if (!device.empty()) {
    AddToRun(devices_, device, now);
  } else {
    AddToRun(accounts_, user, now);
    if (!address.empty()) AddToWindow(addresses_, address, now);
  }
  return base::Status::Ok();
}

void LoginRateLimiter::Succeeded(const LoginKeys& keys) {
  std::lock_guard lock(mu_);
  if (!keys.device.empty()) {
    devices_.erase(std::string(keys.device));
    return;
  }
  accounts_.erase(std::string(keys.username));
  if (keys.address.empty()) return;
  auto it = addresses_.find(AddressKey(keys.address));
  if (it == addresses_.end()) return;
  if (!it->second.empty()) it->second.pop_back();
  if (it->second.empty()) addresses_.erase(it);
}

void LoginRateLimiter::Failed(const LoginKeys& keys) {
  base::Time now = clock_.Now();
  std::lock_guard lock(mu_);
  Runs& runs = keys.device.empty() ? accounts_ : devices_;
  auto it = runs.find(std::string(keys.device.empty() ? keys.username : keys.device));
  if (it != runs.end()) it->second.last = std::max(it->second.last, now);
}

size_t LoginRateLimiter::TrackedKeys() const {
  std::lock_guard lock(mu_);
  return accounts_.size() + devices_.size() + addresses_.size();
}

}  // namespace tillvaxt::auth
