#include "engine/auth/tokens.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>

#include "engine/auth/passwords.h"

namespace tillvaxt::auth {
namespace {

void RequireSodium() {
  // Without a working CSPRNG no token is safe to hand out; this cannot happen on Linux with
  // getrandom(2), so it is fatal rather than an error value every caller would have to carry.
  if (!InitSodium().ok()) {
    std::fputs("tillvaxt: libsodium could not be initialised\n", stderr);
    std::abort();
  }
}

}  // namespace

std::string NewSessionToken() {
  RequireSodium();
  unsigned char bytes[kTokenBytes];
  randombytes_buf(bytes, sizeof bytes);
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  char out[sodium_base64_ENCODED_LEN(kTokenBytes, kVariant)];
  sodium_bin2base64(out, sizeof out, bytes, sizeof bytes, kVariant);
  sodium_memzero(bytes, sizeof bytes);
  return std::string(out);
}

bool LooksLikeToken(std::string_view token) {
  if (token.size() != kTokenLength) return false;
  for (char c : token) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

std::string HashToken(std::string_view token) {
  RequireSodium();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return std::string(hex);
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  RequireSodium();
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace tillvaxt::auth
