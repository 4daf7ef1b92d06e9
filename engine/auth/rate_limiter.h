// Limits login attempts without letting anyone lock anyone else out.
//
// - Per account: failures in a row make the next attempt wait, a delay that grows: the first
//   `free_failures` (3) cost nothing, then 1 s, 2 s, 4 s, ... at most `max_delay` (15 min)
//   after the latest failure. There is no hard lock: a guesser is slowed to one attempt per
//   15 minutes, and the owner can still sign in from a known device (below). A successful
//   login ends the run; failures are also forgotten `forget_after` (24 h) after the last one.
// - Per address: at most `max_failures_per_address` (20) failures within `window` (15 min);
//   beyond that, attempts from the address wait until the oldest failure leaves the window.
//   Behind a reverse proxy the address is the client's only when the proxy is trusted
//   (`tillvaxt serve --trusted-proxy`); otherwise every user shares the proxy's.
// - A known device (the caller proves a recent successful login of this account from it, or a
//   valid session of it: api/session_routes.cc) is limited by its own run of failures, with the
//   same delays, and by neither the account's run nor the address: attempts of strangers
//   never refuse the owner's right password from a device they signed in on before.
//
// An attempt is admitted or refused before any password is checked (so refused attempts cost
// no argon2 work and teach nothing), with RESOURCE_EXHAUSTED "too many login attempts; try
// again in N s" and N for a Retry-After header. An admitted attempt counts as a failure at
// once, until Succeeded takes it back: parallel guesses cannot all be admitted before the
// first one is counted.
//
// Addresses count under base::AddressKey (IPv6 per /64; IPv4-mapped IPv6 as IPv4); text that
// is no address counts as given. Memory is bounded: at most `max_keys` keys per kind (accounts,
// devices, addresses); beyond that, forgotten keys are dropped first, then the key whose last
// failure is the oldest. (An attacker who floods a table can thus make it forget old failures of
// other keys; the limits still hold for the flooding keys.)
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
  int free_failures = 3;
  base::Millis first_delay = std::chrono::seconds(1);
  base::Millis max_delay = std::chrono::minutes(15);
  base::Millis forget_after = std::chrono::hours(24);
  int max_failures_per_address = 20;
  base::Millis window = std::chrono::minutes(15);
  size_t max_keys = 10000;  // per kind (accounts, devices, addresses)
};

// Who is trying: the account, the client's address ("" : not limited by address) and, when
// the attempt comes from a known device of that account, a key for the device ("" : unknown).
struct LoginKeys {
  std::string_view username;
  std::string_view address;
  std::string_view device;
};

class LoginRateLimiter {
 public:
  explicit LoginRateLimiter(const base::Clock& clock, RateLimitOptions options = {});

  // OK when the attempt may go ahead; it then counts as a failure until Succeeded(keys).
  // Otherwise RESOURCE_EXHAUSTED, and *retry_after_seconds (when given) is the whole number of
  // seconds, at least 1, until an attempt would be admitted.
  base::Status Admit(const LoginKeys& keys, int64_t* retry_after_seconds = nullptr);
  // The admitted attempt had the right password: ends the run of failures of the account (or
  // of the device) and takes the attempt back from the address's count.
  void Succeeded(const LoginKeys& keys);
  // The admitted attempt had a wrong password: the run's wait now counts from this moment,
  // not from the admission, so a slow password check (argon2id on a busy machine) does not
  // use up the wait it earns.
  void Failed(const LoginKeys& keys);

  // The wait before the next attempt after `failures` failures in a row (0 for the free ones).
  base::Millis DelayAfter(int64_t failures) const;

  // Keys currently tracked (accounts + devices + addresses), for tests and metrics.
  size_t TrackedKeys() const;

  // The key an address counts under: "2001:db8:1:2::/64" for IPv6, the IPv4 text for
  // IPv4-mapped addresses, else the address as given.
  static std::string AddressKey(std::string_view address);

 private:
  struct Run {
    int64_t failures = 0;
    base::Time last{};
  };
  using Runs = std::unordered_map<std::string, Run>;
  using Failures = std::deque<base::Time>;  // oldest first, within the window
  using Window = std::unordered_map<std::string, Failures>;

  base::Millis RunWait(Runs& runs, const std::string& key, base::Time now) const;
  void AddToRun(Runs& runs, const std::string& key, base::Time now);
  base::Millis WindowWait(Window& window, const std::string& key, base::Time now) const;
  void AddToWindow(Window& window, const std::string& key, base::Time now);
  void Prune(Failures& failures, base::Time now) const;

  const base::Clock& clock_;
  const RateLimitOptions options_;
  mutable std::mutex mu_;
  Runs accounts_ GUARDED_BY(mu_);
  Runs devices_ GUARDED_BY(mu_);
  Window addresses_ GUARDED_BY(mu_);
};

}  // namespace tillvaxt::auth
