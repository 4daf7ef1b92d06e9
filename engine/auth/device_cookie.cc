#include "engine/auth/device_cookie.h"

#include <sodium.h>

#include <charconv>

#include "engine/auth/tokens.h"

namespace tillvaxt::auth {

DeviceCookies::DeviceCookies(std::string key, base::Millis max_age)
    : key_(std::move(key)), max_age_(max_age) {}

base::Result<DeviceCookies> DeviceCookies::Create(std::string key, base::Millis max_age) {
  if (key.size() != kKeyBytes) {
    return base::InvalidArgument("the device cookie key must be " + std::to_string(kKeyBytes) +
                                 " bytes, not " + std::to_string(key.size()));
  }
  return DeviceCookies(std::move(key), max_age);
}

std::string DeviceCookies::NewKey() {
  // NewSessionToken initialises libsodium; its 32 random bytes are what we need, decoded.
  std::string token = NewSessionToken();
  unsigned char bytes[kKeyBytes];
  size_t length = 0;
  sodium_base642bin(bytes, sizeof bytes, token.data(), token.size(), nullptr, &length, nullptr,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  std::string key(reinterpret_cast<const char*>(bytes), length);
  sodium_memzero(bytes, sizeof bytes);
  return key;
}

std::string DeviceCookies::Mac(std::string_view username, std::string_view id,
                               std::string_view issued) const {
  std::string message = "tillvaxt device v1\n";
  message.append(username).append("\n").append(id).append("\n").append(issued);
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key_.data()),
                              key_.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(message.data()),
                                message.size());
  crypto_auth_hmacsha256_final(&state, mac);
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  char out[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES, kVariant)];
  sodium_bin2base64(out, sizeof out, mac, sizeof mac, kVariant);
  return out;
}

std::string DeviceCookies::Issue(std::string_view username, base::Time now) const {
  std::string id = NewSessionToken();
  std::string issued = std::to_string(base::ToUnixMillis(now) / 1000);
  return id + "." + issued + "." + Mac(username, id, issued);
}

std::string DeviceCookies::Verify(std::string_view cookie, std::string_view username,
                                  base::Time now) const {
  size_t first = cookie.find('.');
  size_t second = first == std::string_view::npos ? first : cookie.find('.', first + 1);
  if (second == std::string_view::npos) return "";
  std::string_view id = cookie.substr(0, first);
  std::string_view issued = cookie.substr(first + 1, second - first - 1);
  std::string_view mac = cookie.substr(second + 1);
  if (!LooksLikeToken(id) || issued.empty() || issued.size() > 12) return "";
  int64_t seconds = 0;
  auto [end, ec] = std::from_chars(issued.data(), issued.data() + issued.size(), seconds);
  if (ec != std::errc() || end != issued.data() + issued.size()) return "";
  if (!ConstantTimeEquals(mac, Mac(username, id, issued))) return "";
  base::Time at = base::FromUnixMillis(seconds * 1000);
  if (now - at >= max_age_ || at - now > std::chrono::minutes(5)) return "";
  return std::string(id);
}

}  // namespace tillvaxt::auth
