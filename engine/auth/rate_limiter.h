// Limits failed login attempts per username and per remote address, over a sliding window:
// by default 5 failures per user and 20 per address in any 15 minutes. While either limit is
// reached, attempts are refused before any password is checked (so refused attempts cost no
// argon2 work and teach an attacker nothing), with RESOURCE_EXHAUSTED "too many login attempts;
// try again in N s" and N for a Retry-After header.
//
// Addresses are keyed as given, except IPv6 addresses, which are keyed by their /64 (one host
// usually owns a whole /64); IPv4-mapped IPv6 addresses count as their IPv4 address.
//
// Memory is bounded: at most `max_failures_*` times per key, and at most `max_keys` keys per
// kind; beyond that, expired keys are dropped first, then the key whose last failure is the
// oldest. (An attacker who floods the table can thus make it forget old failures of other
// keys; the per-address limit still holds for the flooding address.)
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/base/status.h"
#include "engine/base/thread_annotations.h"
#include "engine/base/time.h"

namespace tillvaxt::auth {

struct RateLimitOptions {
  int max_failures_per_user = 5;
  int max_failures_per_address = 20;
  base::Millis window = std::chrono::minutes(15);
  size_t max_keys = 10000;  // per kind (users, addresses)
};

class LoginRateLimiter {
 public:
  explicit LoginRateLimiter(const base::Clock& clock, RateLimitOptions options = {});

  // OK when an attempt for `username` from `address` may go ahead. Otherwise
  // RESOURCE_EXHAUSTED, and *retry_after_seconds (when given) is the whole number of seconds,
  // at least 1, until the next attempt would be allowed. An empty address is not limited.
  base::Status Check(std::string_view username, std::string_view address,
                     int64_t* retry_after_seconds = nullptr);
  // A wrong password (or unknown user) for `username` from `address`.
  void RecordFailure(std::string_view username, std::string_view address);
  // A successful login forgets the user's failures (not the address's).
  void RecordSuccess(std::string_view username);

  // Keys currently tracked (users + addresses), for tests and metrics.
  size_t TrackedKeys() const;

  // The key an address counts under: "2001:db8:1:2::/64" for IPv6, the IPv4 text for
  // IPv4-mapped addresses, else the address as given.
  static std::string AddressKey(std::string_view address);

 private:
  using Failures = std::deque<base::Time>;  // oldest first, within the window
  using Table = std::unordered_map<std::string, Failures>;

  void Prune(Failures& failures, base::Time now) const;
  // Milliseconds until `key` drops below `limit` failures, or 0 when it is below already.
  base::Millis Wait(Table& table, const std::string& key, int limit, base::Time now) const;
  void Add(Table& table, const std::string& key, int limit, base::Time now);

  const base::Clock& clock_;
  const RateLimitOptions options_;
  mutable std::mutex mu_;
  Table users_ GUARDED_BY(mu_);
  Table addresses_ GUARDED_BY(mu_);
};

}  // namespace tillvaxt::auth
