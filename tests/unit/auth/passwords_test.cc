#include "engine/auth/passwords.h"

#include <catch2/catch.hpp>
#include <string>

using tillvaxt::auth::CheckPasswordPolicy;
using tillvaxt::auth::HashPassword;
using tillvaxt::auth::NeedsRehash;
using tillvaxt::auth::VerifyPassword;
using tillvaxt::base::Code;

TEST_CASE("A password hash is argon2id and verifies only the same password") {
  auto hash = HashPassword("korrekt häst batteri");
  REQUIRE(hash.ok());
  CHECK(hash->rfind("$argon2id$", 0) == 0);
  CHECK(VerifyPassword("korrekt häst batteri", *hash));
  CHECK_FALSE(VerifyPassword("korrekt häst batterI", *hash));
  CHECK_FALSE(VerifyPassword("", *hash));
  CHECK_FALSE(NeedsRehash(*hash));
}

TEST_CASE("Two hashes of one password differ (each has its own salt)") {
  auto a = HashPassword("samma lösenord");
  auto b = HashPassword("samma lösenord");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(*a != *b);
  CHECK(VerifyPassword("samma lösenord", *b));
}

TEST_CASE("Malformed or foreign hashes never verify") {
  CHECK_FALSE(VerifyPassword("whatever123", ""));
  CHECK_FALSE(VerifyPassword("whatever123", "$argon2id$v=19$garbage"));
  CHECK_FALSE(VerifyPassword("whatever123", "plaintext whatever123"));
  CHECK_FALSE(VerifyPassword("whatever123", std::string("$argon2id\0x", 11)));
  CHECK(NeedsRehash("plaintext"));
}

TEST_CASE("Password with a NUL byte is hashed whole, not up to the NUL") {
  std::string with_nul = std::string("lösenord1") + '\0' + "tillägg";
  auto hash = HashPassword(with_nul);
  REQUIRE(hash.ok());
  CHECK(VerifyPassword(with_nul, *hash));
  CHECK_FALSE(VerifyPassword("lösenord1", *hash));
}

TEST_CASE("The password policy names the rule it enforces") {
  CHECK(CheckPasswordPolicy("tio tecken!").ok());
  CHECK(CheckPasswordPolicy("0123456789").ok());
  // Ten characters, more bytes: characters are counted, not bytes.
  CHECK(CheckPasswordPolicy("åäöåäöåäöå").ok());

  auto short_one = CheckPasswordPolicy("åäöåäöåäö");  // 9 characters, 18 bytes
  CHECK(short_one.code() == Code::kInvalidArgument);
  CHECK(short_one.message() == "password: must be at least 10 characters long");
  REQUIRE(short_one.details().size() == 1);
  CHECK(short_one.details()[0].field == "password");

  CHECK(CheckPasswordPolicy("").code() == Code::kInvalidArgument);
  CHECK(CheckPasswordPolicy("            ").message() == "password: must not be only whitespace");
  CHECK(CheckPasswordPolicy(std::string(1025, 'x')).message() ==
        "password: must be at most 1024 bytes");
  CHECK(CheckPasswordPolicy(std::string(1024, 'x')).ok());
  CHECK(CheckPasswordPolicy("abcdefghij\xff").message() == "password: must be valid UTF-8");
  CHECK(CheckPasswordPolicy("abcdefghij\xc3").message() == "password: must be valid UTF-8");
  CHECK(CheckPasswordPolicy("abcdefghij\xc0\xaf").message() == "password: must be valid UTF-8");
}
