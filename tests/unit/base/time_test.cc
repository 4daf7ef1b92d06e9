#include "engine/base/time.h"

#include <catch2/catch.hpp>

using namespace tillvaxt::base;

TEST_CASE("RFC 3339 round trip") {
  auto t = ParseRfc3339("2026-11-22T09:35:02Z");
  REQUIRE(t);
  CHECK(FormatRfc3339(*t) == "2026-11-22T09:35:02Z");
  auto ms = ParseRfc3339("2026-11-22T09:35:02.25Z");
  REQUIRE(ms);
  CHECK(FormatRfc3339(*ms) == "2026-11-22T09:35:02.250Z");
  auto offset = ParseRfc3339("2026-06-01T12:00:00+02:00");
  REQUIRE(offset);
  CHECK(FormatRfc3339(*offset) == "2026-06-01T10:00:00Z");
  auto date = ParseRfc3339("2024-02-29");
  REQUIRE(date);
  CHECK(FormatRfc3339(*date) == "2024-02-29T00:00:00Z");
}

TEST_CASE("RFC 3339 rejects malformed text") {
  for (const char* bad : {"", "2026", "2026-13-01", "2023-02-29", "2026-11-22T25:00:00Z",
                          "2026-11-22T09:35:02", "2026-11-22T09:35:02Zjunk", "2026-11-22T09:35:02.Z"}) {
    INFO(bad);
    CHECK_FALSE(ParseRfc3339(bad));
  }
}

TEST_CASE("Durations in protobuf's string form") {
  CHECK(ParseDuration("3600s") == Millis(3'600'000));
  CHECK(ParseDuration("1.5s") == Millis(1500));
  CHECK(FormatDuration(Millis(1500)) == "1.500s");
  CHECK(FormatDuration(Millis(3'600'000)) == "3600s");
  for (const char* bad : {"", "s", "10", "-1s", "1.s", "abc s", "1.2.3s", "10m"}) {
    INFO(bad);
    CHECK_FALSE(ParseDuration(bad));
  }
}

TEST_CASE("FakeClock advances only when told") {
  FakeClock clock(*ParseRfc3339("2026-01-01T00:00:00Z"));
  auto t0 = clock.Now();
  clock.Advance(Millis(5000));
  CHECK(clock.Now() - t0 == Millis(5000));
}
