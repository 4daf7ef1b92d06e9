// Session tokens: 32 random bytes (libsodium randombytes_buf) as base64url without padding,
// 43 characters. The server keeps only their SHA-256 (lower-case hex), so the sessions table
// does not hand out live sessions if it leaks; the token itself is shown once, at login.
//
// Thread-safety: every function may be called from any thread.
#pragma once

#include <string>
#include <string_view>

namespace tillvaxt::auth {

inline constexpr size_t kTokenBytes = 32;
inline constexpr size_t kTokenLength = 43;  // base64url of 32 bytes, no padding

// A new random token.
std::string NewSessionToken();

// True when `token` has the shape of a session token (43 base64url characters). Anything else
// can be refused before touching the store.
bool LooksLikeToken(std::string_view token);

// SHA-256 of the token's characters, 64 lower-case hex digits: the key the store keeps.
std::string HashToken(std::string_view token);

// Equality whose running time depends only on the lengths, not on where the inputs differ
// (sodium_memcmp), for comparing secrets and their hashes.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace tillvaxt::auth
