#include "engine/auth/device_cookie.h"

#include <catch2/catch.hpp>

using tillvaxt::auth::DeviceCookies;
using tillvaxt::base::Code;
using tillvaxt::base::FromUnixMillis;
using namespace std::chrono_literals;

namespace {
const auto kNow = FromUnixMillis(1'790'000'000'000);
}

TEST_CASE("A device cookie proves a recent login of one user under one key") {
  std::string key = DeviceCookies::NewKey();
  REQUIRE(key.size() == DeviceCookies::kKeyBytes);
  CHECK(DeviceCookies::NewKey() != key);
  DeviceCookies devices(key, 30 * 24h);
  std::string cookie = devices.Issue("admin", kNow);
  for (char c : cookie) {
    INFO(cookie);
    CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'));
  }
  std::string id = devices.Verify(cookie, "admin", kNow + 1h);
  CHECK(id.size() == 43);
  CHECK(cookie.rfind(id, 0) == 0);
  CHECK(devices.Issue("admin", kNow) != cookie);  // a new id each time

  // Another user, another key, a late or tampered cookie: no proof.
  CHECK(devices.Verify(cookie, "manager", kNow).empty());
  CHECK(DeviceCookies(DeviceCookies::NewKey()).Verify(cookie, "admin", kNow).empty());
  CHECK(devices.Verify(cookie, "admin", kNow + 30 * 24h).empty());
  CHECK_FALSE(devices.Verify(cookie, "admin", kNow + 30 * 24h - 1s).empty());
  CHECK(devices.Verify(cookie, "admin", kNow - 6min).empty());  // issued in the future
  std::string tampered = cookie;
  size_t dot = tampered.find('.');
  tampered[dot + 1] = tampered[dot + 1] == '1' ? '2' : '1';  // another issue time
  CHECK(devices.Verify(tampered, "admin", kNow).empty());
  for (const char* junk : {"", ".", "..", "a.b.c", "x.1.y", "abc"}) {
    CHECK(devices.Verify(junk, "admin", kNow).empty());
  }
}

TEST_CASE("A device cookie key must have 32 bytes") {
  CHECK(DeviceCookies::Create("short", 1h).status().code() == Code::kInvalidArgument);
  CHECK(DeviceCookies::Create(std::string(32, 'k'), 1h).ok());
}
