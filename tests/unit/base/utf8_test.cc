#include "engine/base/utf8.h"

#include <catch2/catch.hpp>

namespace tillvaxt::base {
namespace {

TEST_CASE("IsValidUtf8 accepts UTF-8 and refuses stray, truncated, overlong and surrogate bytes") {
  CHECK(IsValidUtf8(""));
  CHECK(IsValidUtf8("Sörmland växer 🌱"));
  CHECK_FALSE(IsValidUtf8("\x99"));              // a continuation byte alone
  CHECK_FALSE(IsValidUtf8("\xC3"));              // truncated
  CHECK_FALSE(IsValidUtf8("\xC0\xAF"));          // overlong '/'
  CHECK_FALSE(IsValidUtf8("\xED\xA0\x80"));      // a surrogate
  CHECK_FALSE(IsValidUtf8("\xF4\x90\x80\x80"));  // past U+10FFFF
}

TEST_CASE("ValidUtf8Prefix is where the first invalid byte is") {
  CHECK(ValidUtf8Prefix("Sörmland") == 9);
  CHECK(ValidUtf8Prefix("ab\xC3") == 2);
  CHECK(ValidUtf8Prefix("\x99"
                        "ab") == 0);
}

TEST_CASE("ValidUtf8 keeps valid text and replaces each invalid byte by U+FFFD") {
  CHECK(ValidUtf8("Sörmland") == "Sörmland");
  CHECK(ValidUtf8("/v1/sessi\x99ns") == "/v1/sessi\xEF\xBF\xBDns");
  CHECK(ValidUtf8("\xC0\xAF") == "\xEF\xBF\xBD\xEF\xBF\xBD");
  CHECK(ValidUtf8("a\xC3") == "a\xEF\xBF\xBD");
  CHECK(IsValidUtf8(ValidUtf8("\xFF\xFE\xED\xA0\x80ö")));
}

}  // namespace
}  // namespace tillvaxt::base
