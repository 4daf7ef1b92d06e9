// Password hashing and the password policy.
//
// Hashes are argon2id (libsodium crypto_pwhash_str_alg, ALG_ARGON2ID13) at libsodium's
// INTERACTIVE limits: about 64 MiB and a few tens of milliseconds per hash on this machine, so
// callers should bound how many run at once (engine/auth/authenticator does). The encoded
// string carries its salt and parameters ("$argon2id$v=19$m=65536,t=2,p=1$...").
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <string>
#include <string_view>

#include "engine/base/status.h"

namespace tillvaxt::auth {

inline constexpr size_t kMinPasswordLength = 10;     // characters (UTF-8 code points)
inline constexpr size_t kMaxPasswordBytes = 1024;    // bounds the work an attacker can ask for

// Initialises libsodium once (thread-safe, idempotent). INTERNAL when libsodium cannot start.
base::Status InitSodium();

// INVALID_ARGUMENT on field "password" naming the rule broken: at least kMinPasswordLength
// characters, at most kMaxPasswordBytes bytes, valid UTF-8, not only whitespace.
base::Status CheckPasswordPolicy(std::string_view password);

// The argon2id hash of `password` (no policy check). INTERNAL when out of memory.
base::Result<std::string> HashPassword(std::string_view password);

// True when `password` matches `hash`; false for a wrong password or a malformed hash. The
// comparison inside libsodium is constant-time.
bool VerifyPassword(std::string_view password, const std::string& hash);

// True when `hash` was made with other parameters than HashPassword uses now (rehash on the
// next successful login).
bool NeedsRehash(const std::string& hash);

}  // namespace tillvaxt::auth
