#include "engine/auth/tokens.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

using namespace tillvaxt::auth;

TEST_CASE("Session tokens are 43 base64url characters and do not repeat") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string token = NewSessionToken();
    CHECK(token.size() == kTokenLength);
    CHECK(LooksLikeToken(token));
    CHECK(token.find('=') == std::string::npos);
    CHECK(token.find('+') == std::string::npos);
    CHECK(token.find('/') == std::string::npos);
    seen.insert(token);
  }
  CHECK(seen.size() == 200);
}

TEST_CASE("LooksLikeToken refuses anything that is not a token") {
  std::string token = NewSessionToken();
  CHECK_FALSE(LooksLikeToken(""));
  CHECK_FALSE(LooksLikeToken(token.substr(1)));
  CHECK_FALSE(LooksLikeToken(token + "A"));
  std::string bad = token;
  bad[5] = '+';
  CHECK_FALSE(LooksLikeToken(bad));
  bad[5] = '=';
  CHECK_FALSE(LooksLikeToken(bad));
}

TEST_CASE("Token hashes are SHA-256 in lower-case hex") {
  // The SHA-256 test vector of "abc" (FIPS 180-2).
  CHECK(HashToken("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  std::string token = NewSessionToken();
  CHECK(HashToken(token) == HashToken(token));
  CHECK(HashToken(token).size() == 64);
  CHECK(HashToken(token) != HashToken(NewSessionToken()));
}

TEST_CASE("ConstantTimeEquals compares content and length") {
  CHECK(ConstantTimeEquals("", ""));
  CHECK(ConstantTimeEquals("abc", "abc"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abd"));
  CHECK_FALSE(ConstantTimeEquals("abc", "abcd"));
  CHECK_FALSE(ConstantTimeEquals("", "a"));
}
