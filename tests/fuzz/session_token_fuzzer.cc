// Fuzz target: the decoders of the session credentials a client sends, before any password is
// checked. The input is up to five lines: an Authorization value, a Cookie value, an Origin, a
// Host and a username. On them run what every authenticated request and every login runs:
// api::RequestToken and api::RequestCookie (the bearer token or the session cookie; the
// known-device cookie), api::SameOrigin (the CSRF origin check), auth::LooksLikeToken and
// auth::HashToken, auth::Authenticator::Authenticate (over an in-memory user store with one
// signed-in user) and auth::DeviceCookies::Verify.
//
// A finding: a sanitizer report, an exception, or a broken promise: a token that authenticates
// is the one signed-in token; the only device cookie that verifies is kDeviceCookie, signed for
// "coord.eskilstuna" (with the fixed key, by tests/fuzz/README.md's recipe), and only for that
// user; a token hash is 64 lower-case hex digits.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/api/session.h"
#include "engine/auth/authenticator.h"
#include "engine/auth/device_cookie.h"
#include "engine/auth/tokens.h"
#include "engine/store/memory/memory_user_store.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace auth = tillvaxt::auth;
namespace base = tillvaxt::base;

constexpr std::string_view kToken = "fuzzSessionToken000000000000000000000000000";
constexpr std::string_view kUser = "coord.eskilstuna";
// Signed for kUser with the key of 32 'k' bytes, issued an hour before the fixture's clock, so
// the corpus can hold a cookie that verifies.
constexpr std::string_view kDeviceCookie =
    "fuzzDeviceId000000000000000000000000000000a.1772438400."
    "fEYr_YWHSDsXOe3Se6enik58yxtHZPrUtNIuMK0VSBQ";

struct Fixture {
  base::FakeClock clock{base::FromUnixMillis(1772442000000)};
  tillvaxt::store::memory::MemoryUserStore users;
  auth::Authenticator authenticator{users, clock};
  auth::DeviceCookies devices{std::string(auth::DeviceCookies::kKeyBytes, 'k')};

  Fixture() {
    tillvaxt::store::UserRecord user;
    user.username = std::string(kUser);
    user.role = tillvaxt::domain::Role::kCoordinator;
    user.node = "eskilstuna";
    FUZZ_CHECK(users.PutUser(user).ok(), "cannot add the user");
    tillvaxt::store::SessionRecord session;
    session.token_hash = auth::HashToken(kToken);
    session.username = user.username;
    session.create_time = clock.Now();
    session.last_seen = clock.Now();
    session.expire_time = clock.Now() + std::chrono::hours(24);
    FUZZ_CHECK(users.CreateSession(session).ok(), "cannot add the session");
    FUZZ_CHECK(!devices.Verify(kDeviceCookie, kUser, clock.Now()).empty(),
               "kDeviceCookie does not verify: sign it again");
  }
};

std::vector<std::string_view> Lines(std::string_view text, size_t most) {
  std::vector<std::string_view> lines;
  while (lines.size() + 1 < most) {
    size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    lines.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  lines.push_back(text);
  lines.resize(most);
  return lines;
}

bool IsLowerHex(const std::string& s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Fixture* fixture = new Fixture();  // lives to the end of the process
  const std::vector<std::string_view> line =
      Lines(std::string_view(reinterpret_cast<const char*>(data), size), 5);

  tillvaxt::http::Request request;
  request.method = "POST";
  if (!line[0].empty()) request.headers.Add("Authorization", std::string(line[0]));
  if (!line[1].empty()) request.headers.Add("Cookie", std::string(line[1]));
  if (!line[2].empty()) request.headers.Add("Origin", std::string(line[2]));
  request.headers.Add("Host", std::string(line[3]));
  (void)tillvaxt::api::SameOrigin(request);

  bool from_cookie = false;
  const std::string token = tillvaxt::api::RequestToken(request, &from_cookie);
  if (auth::LooksLikeToken(token)) {
    const std::string hash = auth::HashToken(token);
    FUZZ_CHECK(hash.size() == 64 && IsLowerHex(hash), "a token hash that is not SHA-256 hex");
  }
  if (fixture->authenticator.Authenticate(token).ok()) {
    FUZZ_CHECK(token == kToken, "a token that is not the session's authenticates: " + token);
  }

  const std::string device = tillvaxt::api::RequestCookie(request, auth::kDeviceCookie);
  const std::string username(line[4]);
  const std::string id = fixture->devices.Verify(device, username, fixture->clock.Now());
  if (!id.empty()) {
    FUZZ_CHECK(device == kDeviceCookie && username == kUser,
               "a device cookie verifies that was not issued for this user: " + device);
  }
  return 0;
}
