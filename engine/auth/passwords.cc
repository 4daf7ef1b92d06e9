#include "engine/auth/passwords.h"

#include <sodium.h>

#include <algorithm>
#include <cctype>

namespace tillvaxt::auth {
namespace {

// Counts code points; -1 when `s` is not valid UTF-8 (overlong forms and surrogates refused).
long Utf8Length(std::string_view s) {
  long count = 0;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t extra = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      cp = c;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return -1;
    }
    if (i + extra >= s.size()) return -1;  // truncated sequence
    for (size_t k = 1; k <= extra; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return -1;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
    i += extra + 1;
    ++count;
  }
  return count;
}

}  // namespace

base::Status InitSodium() {
  // sodium_init is itself thread-safe and idempotent (0 first time, 1 after); a static keeps
  // the answer.
  static const int rc = sodium_init();
  if (rc < 0) return base::Internal("libsodium could not be initialised");
  return base::Status::Ok();
}

base::Status CheckPasswordPolicy(std::string_view password) {
  if (password.size() > kMaxPasswordBytes) {
    return base::InvalidField("password",
                              "must be at most " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  long length = Utf8Length(password);
  if (length < 0) return base::InvalidField("password", "must be valid UTF-8");
  if (static_cast<size_t>(length) < kMinPasswordLength) {
    return base::InvalidField("password", "must be at least " +
                                              std::to_string(kMinPasswordLength) +
                                              " characters long");
  }
  if (std::all_of(password.begin(), password.end(),
                  [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; })) {
    return base::InvalidField("password", "must not be only whitespace");
  }
  return base::Status::Ok();
}

base::Result<std::string> HashPassword(std::string_view password) {
  TV_RETURN_IF_ERROR(InitSodium());
  if (password.size() > kMaxPasswordBytes) {
    return base::InvalidField("password",
                              "must be at most " + std::to_string(kMaxPasswordBytes) + " bytes");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return base::Internal("hashing a password failed (out of memory)");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view password, const std::string& hash) {
  if (!InitSodium().ok()) return false;
  if (password.size() > kMaxPasswordBytes) return false;
  // libsodium reads the string up to its NUL; refuse anything that is not a whole hash.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES ||
      hash.find('\0') != std::string::npos) {
    return false;
  }
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool NeedsRehash(const std::string& hash) {
  if (!InitSodium().ok()) return false;
  if (hash.size() >= crypto_pwhash_STRBYTES) return true;
  // Non-zero: other parameters (1) or not an argon2id hash at all (-1).
  return crypto_pwhash_str_needs_rehash(hash.c_str(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0;
}

}  // namespace tillvaxt::auth
