#include "engine/auth/rate_limiter.h"

#include <catch2/catch.hpp>
#include <string>

using tillvaxt::auth::LoginRateLimiter;
using tillvaxt::auth::RateLimitOptions;
using tillvaxt::base::Code;
using tillvaxt::base::FakeClock;
using tillvaxt::base::FromUnixMillis;
using namespace std::chrono_literals;

namespace {
const auto kStart = FromUnixMillis(1'790'000'000'000);
}

TEST_CASE("Five failures for one user lock that user for the rest of the window") {
  FakeClock clock(kStart);
  LoginRateLimiter limiter(clock);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(limiter.Check("coord.eskilstuna", "10.0.0.1").ok());
    limiter.RecordFailure("coord.eskilstuna", "10.0.0.1");
    clock.Advance(1min);
  }
  // Five failures at 0, 1, 2, 3, 4 min; now 5 min: the first leaves the window at 15 min.
  int64_t retry = 0;
  auto st = limiter.Check("coord.eskilstuna", "10.0.0.2", &retry);
  CHECK(st.code() == Code::kResourceExhausted);
  CHECK(retry == 600);
  CHECK(st.message() == "too many login attempts; try again in 600 s");
  // Another user from the same address is not affected.
  CHECK(limiter.Check("coord.nykoping", "10.0.0.1").ok());

  clock.Advance(600s - 1ms);
  retry = 0;
  CHECK(limiter.Check("coord.eskilstuna", "10.0.0.2", &retry).code() == Code::kResourceExhausted);
  CHECK(retry == 1);
  clock.Advance(1ms);
  CHECK(limiter.Check("coord.eskilstuna", "10.0.0.2").ok());
  // The failure at 0 min has left the window; those at 1-4 min remain, and one more at
  // 15 min makes five again.
  limiter.RecordFailure("coord.eskilstuna", "10.0.0.2");
  retry = 0;
  CHECK(limiter.Check("coord.eskilstuna", "10.0.0.2", &retry).code() == Code::kResourceExhausted);
  CHECK(retry == 60);  // the failure at 1 min leaves at 16 min
}

TEST_CASE("Twenty failures from one address lock that address for every user") {
  FakeClock clock(kStart);
  LoginRateLimiter limiter(clock);
  for (int i = 0; i < 20; ++i) {
    std::string user = "user" + std::to_string(i);
    REQUIRE(limiter.Check(user, "192.0.2.7").ok());
    limiter.RecordFailure(user, "192.0.2.7");
  }
  int64_t retry = 0;
  CHECK(limiter.Check("admin", "192.0.2.7", &retry).code() == Code::kResourceExhausted);
  CHECK(retry == 900);
  CHECK(limiter.Check("admin", "192.0.2.8").ok());
  clock.Advance(15min);
  CHECK(limiter.Check("admin", "192.0.2.7").ok());
}

TEST_CASE("A success clears the user's failures but not the address's") {
  FakeClock clock(kStart);
  RateLimitOptions options;
  options.max_failures_per_user = 3;
  options.max_failures_per_address = 4;
  LoginRateLimiter limiter(clock, options);
  for (int i = 0; i < 3; ++i) limiter.RecordFailure("manager", "2001:db8::1");
  CHECK_FALSE(limiter.Check("manager", "").ok());
  limiter.RecordSuccess("manager");
  CHECK(limiter.Check("manager", "").ok());
  limiter.RecordFailure("manager", "2001:db8::1");
  CHECK(limiter.Check("manager", "2001:db8::1").code() == Code::kResourceExhausted);
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
  limiter.RecordFailure("a", "2001:db8:1:2::1");
  limiter.RecordFailure("b", "2001:db8:1:2::2");
  CHECK(limiter.Check("c", "2001:db8:1:2::3").code() == Code::kResourceExhausted);
  CHECK(limiter.Check("c", "2001:db8:1:3::3").ok());
}

TEST_CASE("Memory stays bounded: old keys are evicted, expired ones first") {
  FakeClock clock(kStart);
  RateLimitOptions options;
  options.max_keys = 100;
  LoginRateLimiter limiter(clock, options);
  for (int i = 0; i < 1000; ++i) {
    limiter.RecordFailure("user" + std::to_string(i),
                          "10.1." + std::to_string(i / 250) + "." + std::to_string(i % 250));
    clock.Advance(1s);
  }
  CHECK(limiter.TrackedKeys() <= 200);
  // The newest keys survive eviction.
  for (int i = 0; i < 4; ++i) limiter.RecordFailure("user999", "");
  CHECK(limiter.Check("user999", "").code() == Code::kResourceExhausted);

  // After the window everything expires and is dropped on the next check.
  clock.Advance(15min);
  CHECK(limiter.Check("user999", "10.1.3.249").ok());
}

TEST_CASE("An empty address is not limited by address") {
  FakeClock clock(kStart);
  RateLimitOptions options;
  options.max_failures_per_user = 100;
  options.max_failures_per_address = 1;
  LoginRateLimiter limiter(clock, options);
  for (int i = 0; i < 10; ++i) limiter.RecordFailure("u" + std::to_string(i), "");
  CHECK(limiter.Check("x", "").ok());
}
