// The "known device" proof: a signed cookie the server sets on every successful login, which a
// later login attempt for the same account can present to be limited as a known device
// (rate_limiter.h) rather than by the account's failures and the address.
//
// Value: "<id>.<issued>.<mac>": a random id (43 base64url characters), the issue time in Unix
// seconds, and HMAC-SHA256 over the username, the id and the time under a server key (base64url).
// Nothing is stored: the key (kept in the data folder by `tillvaxt serve`) is all the state.
// The username is not in the cookie but in the MAC, so a cookie proves only "this browser
// signed in as this user within max_age", and only for that user. It grants no access of its
// own: the password is still checked; it only decides which rate limit an attempt counts under.
//
// Thread-safety: const methods may be called from any thread.
#pragma once

#include <string>
#include <string_view>

#include "engine/base/status.h"
#include "engine/base/time.h"

namespace tillvaxt::auth {

inline constexpr char kDeviceCookie[] = "tillvaxt_device";

class DeviceCookies {
 public:
  static constexpr size_t kKeyBytes = 32;

  // REQUIRES: key.size() == kKeyBytes (use Create, or NewKey).
  explicit DeviceCookies(std::string key, base::Millis max_age = std::chrono::hours(24 * 30));
  // INVALID_ARGUMENT unless `key` has kKeyBytes bytes.
  static base::Result<DeviceCookies> Create(std::string key, base::Millis max_age);
  // kKeyBytes random bytes.
  static std::string NewKey();

  // A new cookie value for `username`, issued at `now`.
  std::string Issue(std::string_view username, base::Time now) const;
  // The id of `cookie` when this key issued it for `username` less than max_age before `now`
  // (and not more than 5 minutes after it); "" otherwise.
  std::string Verify(std::string_view cookie, std::string_view username, base::Time now) const;

  base::Millis max_age() const { return max_age_; }

 private:
  std::string Mac(std::string_view username, std::string_view id, std::string_view issued) const;

  std::string key_;
  base::Millis max_age_;
};

}  // namespace tillvaxt::auth
