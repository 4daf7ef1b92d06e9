#include "engine/auth/rate_limiter.h"

#include <catch2/catch.hpp>
#include <string>

using tillvaxt::auth::LoginKeys;
using tillvaxt::auth::LoginRateLimiter;
using tillvaxt::auth::RateLimitOptions;
using tillvaxt::base::Code;
using tillvaxt::base::FakeClock;
using tillvaxt::base::FromUnixMillis;
using namespace std::chrono_literals;

namespace {
const auto kStart = FromUnixMillis(1'790'000'000'000);

// One failed attempt: admitted, and the password was wrong (nothing more to tell).
bool Fail(LoginRateLimiter& limiter, const LoginKeys& keys) { return limiter.Admit(keys).ok(); }

int64_t RetryAfter(LoginRateLimiter& limiter, const LoginKeys& keys) {
  int64_t retry = 0;
  auto st = limiter.Admit(keys, &retry);
  if (st.ok()) return 0;
  CHECK(st.code() == Code::kResourceExhausted);
  CHECK(st.message() == "too many login attempts; try again in " + std::to_string(retry) + " s");
  return retry;
}
}  // namespace

TEST_CASE("An account's failures in a row make it wait 1 s, 2 s, 4 s ... at most 15 min") {
  FakeClock clock(kStart);
  LoginRateLimiter limiter(clock);
  const LoginKeys admin{"admin", "10.0.0.1", ""};
  CHECK(limiter.DelayAfter(0) == 0ms);
  CHECK(limiter.DelayAfter(2) == 0ms);
  CHECK(limiter.DelayAfter(3) == 1s);
  CHECK(limiter.DelayAfter(4) == 2s);
  CHECK(limiter.DelayAfter(13) == 15min);
  CHECK(limiter.DelayAfter(1'000'000) == 15min);

  // Three free failures, then every attempt waits twice as long as the one before.
  for (int i = 0; i < 3; ++i) REQUIRE(Fail(limiter, admin));
  int64_t expected = 1;
  for (int failures = 3; failures < 16; ++failures) {
    INFO("after " << failures << " failures");
    int64_t wait = RetryAfter(limiter, admin);
    CHECK(wait == std::min<int64_t>(expected, 900));
    clock.Advance(std::chrono::seconds(wait) - 1ms);
    CHECK(RetryAfter(limiter, admin) == 1);  // not a millisecond early
    clock.Advance(1ms);
    REQUIRE(Fail(limiter, admin));
    expected *= 2;
  }
  // Never a hard lock: at the cap one attempt per 15 minutes, from anywhere.
  CHECK(RetryAfter(limiter, {"admin", "10.9.9.9", ""}) == 900);
  // Other accounts are not affected.
  CHECK(limiter.Admit({"manager", "10.0.0.2", ""}).ok());
}

TEST_CASE("A success ends the account's run; a quiet day forgets it") {
  FakeClock clock(kStart);
  LoginRateLimiter limiter(clock);
  const LoginKeys keys{"manager", "", ""};
  for (int i = 0; i < 4; ++i) {
    REQUIRE(Fail(limiter, keys));
    clock.Advance(5s);
  }
  REQUIRE(limiter.Admit(keys).ok());  // the right password this time
  limiter.Succeeded(keys);
  for (int i = 0; i < 3; ++i) CHECK(Fail(limiter, keys));  // three free failures again
  CHECK(RetryAfter(limiter, keys) == 1);
  clock.Advance(24h);
  for (int i = 0; i < 3; ++i) CHECK(Fail(limiter, keys));
}

TEST_CASE("Parallel attempts are counted when admitted, not when their password is checked") {
  FakeClock clock(kStart);
  LoginRateLimiter limiter(clock);
  // 100 guesses arrive together; their hashes have not finished when the next arrives.
  int admitted = 0;
  for (int i = 0; i < 100; ++i) admitted += limiter.Admit({"admin", "", ""}).ok() ? 1 : 0;
  CHECK(admitted == 3);  // three free, then the fourth waits 1 s
}

TEST_CASE("Twenty failures from one address make it wait; successes do not count") {
  FakeClock clock(kStart);
  LoginRateLimiter limiter(clock);
  // An office behind one address signs in all morning.
  for (int i = 0; i < 100; ++i) {
    LoginKeys keys{"user" + std::to_string(i), "192.0.2.7", ""};
    REQUIRE(limiter.Admit(keys).ok());
    limiter.Succeeded(keys);
  }
  for (int i = 0; i < 20; ++i) {
    std::string user = "guess" + std::to_string(i);
    REQUIRE(Fail(limiter, {user, "192.0.2.7", ""}));
    clock.Advance(1s);
  }
  // Twenty failures at 0..19 s; now 20 s: the first leaves the window at 15 min.
  CHECK(RetryAfter(limiter, {"admin", "192.0.2.7", ""}) == 900 - 20);
  CHECK(limiter.Admit({"admin", "192.0.2.8", ""}).ok());
  clock.Advance(900s - 20s);
  CHECK(limiter.Admit({"admin", "192.0.2.7", ""}).ok());
}

TEST_CASE("A known device is limited by its own run, never by the account or the address") {
  FakeClock clock(kStart);
  LoginRateLimiter limiter(clock);
  // A stranger tries twenty accounts from the office address, and hammers the admin account.
  for (int i = 0; i < 20; ++i)
    REQUIRE(Fail(limiter, {"user" + std::to_string(i), "192.0.2.7", ""}));
  for (int i = 0; i < 4; ++i) {
    REQUIRE(Fail(limiter, {"admin", "198.51.100.1", ""}));
    clock.Advance(1s);
  }
  CHECK(RetryAfter(limiter, {"manager", "192.0.2.7", ""}) > 0);   // the address waits
  CHECK(RetryAfter(limiter, {"admin", "198.51.100.1", ""}) > 0);  // the account waits anywhere
  // The admin's own browser, at the same address, gets in at once.
  const LoginKeys device{"admin", "192.0.2.7", "device:abc"};
  REQUIRE(limiter.Admit(device).ok());
  limiter.Succeeded(device);
  // The stranger's waits are unchanged by it.
  CHECK(RetryAfter(limiter, {"admin", "198.51.100.1", ""}) > 0);
  CHECK(RetryAfter(limiter, {"manager", "192.0.2.7", ""}) > 0);
  // A stolen device cookie is no way around the delays: its own run grows the same way.
  for (int i = 0; i < 3; ++i) REQUIRE(Fail(limiter, device));
  CHECK(RetryAfter(limiter, device) == 1);
  // Other devices of the account are not affected.
  CHECK(limiter.Admit({"admin", "192.0.2.7", "device:def"}).ok());
}

TEST_CASE("IPv6 addresses count per /64, IPv4-mapped ones as IPv4") {
  CHECK(LoginRateLimiter::AddressKey("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64");
  CHECK(LoginRateLimiter::AddressKey("[2001:db8:1:2::ffff]") == "2001:db8:1:2::/64");
  CHECK(LoginRateLimiter::AddressKey("::ffff:192.0.2.1") == "192.0.2.1");
  CHECK(LoginRateLimiter::AddressKey("192.0.2.1") == "192.0.2.1");
  CHECK(LoginRateLimiter::AddressKey("not-an-address") == "not-an-address");

  FakeClock clock(kStart);
  RateLimitOptions options;
  options.max_failures_per_address = 2;
  LoginRateLimiter limiter(clock, options);
  Fail(limiter, {"a", "2001:db8:1:2::1", ""});
  Fail(limiter, {"b", "2001:db8:1:2::2", ""});
  CHECK(limiter.Admit({"c", "2001:db8:1:2::3", ""}).code() == Code::kResourceExhausted);
  CHECK(limiter.Admit({"c", "2001:db8:1:3::3", ""}).ok());
}

TEST_CASE("Memory stays bounded: old keys are evicted, forgotten ones first") {
  FakeClock clock(kStart);
  RateLimitOptions options;
  options.max_keys = 100;
  LoginRateLimiter limiter(clock, options);
  for (int i = 0; i < 1000; ++i) {
    Fail(limiter, {"user" + std::to_string(i),
                   "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250), ""});
    Fail(limiter, {"x", "", "device:" + std::to_string(i)});
    clock.Advance(1s);
  }
  CHECK(limiter.TrackedKeys() <= 300);
  // The newest keys survive eviction.
  for (int i = 0; i < 3; ++i) Fail(limiter, {"user999", "", ""});
  CHECK(limiter.Admit({"user999", "", ""}).code() == Code::kResourceExhausted);

  // A day later everything is forgotten.
  clock.Advance(24h);
  CHECK(limiter.Admit({"user999", "10.1.3.249", ""}).ok());
}

TEST_CASE("An empty address is not limited by address") {
  FakeClock clock(kStart);
  RateLimitOptions options;
  options.max_failures_per_address = 1;
  LoginRateLimiter limiter(clock, options);
  for (int i = 0; i < 10; ++i) Fail(limiter, {"u" + std::to_string(i), "", ""});
  CHECK(limiter.Admit({"x", "", ""}).ok());
}

TEST_CASE("The wait counts from when the password proved wrong, not from the admission") {
  FakeClock clock(kStart);
  LoginRateLimiter limiter(clock);
  const LoginKeys user{"coord.nykoping", "10.0.0.9", ""};
  for (int i = 0; i < 2; ++i) {
    REQUIRE(limiter.Admit(user).ok());
    limiter.Failed(user);
  }
  // The third failure's password check takes 5 s (argon2id on a busy machine): its 1 s wait
  // starts when the check ends.
  REQUIRE(limiter.Admit(user).ok());
  clock.Advance(5s);
  limiter.Failed(user);
  CHECK(RetryAfter(limiter, user) == 1);
  clock.Advance(1s);
  CHECK(RetryAfter(limiter, user) == 0);
  // The same for a known device's own run.
  const LoginKeys device{"coord.nykoping", "10.0.0.9", "device-1"};
  for (int i = 0; i < 2; ++i) {
    REQUIRE(limiter.Admit(device).ok());
    limiter.Failed(device);
  }
  REQUIRE(limiter.Admit(device).ok());
  clock.Advance(5s);
  limiter.Failed(device);
  CHECK(RetryAfter(limiter, device) == 1);
}
