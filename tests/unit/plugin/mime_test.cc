#include "plugins/notifier/email/mime.h"

#include <catch2/catch.hpp>

#include "plugins/notifier/common/json_reader.h"
#include "tests/unit/plugin/test_util.h"

using namespace tillvaxt_plugins;

TEST_CASE("Base64 matches RFC 4648 and wraps lines") {
  CHECK(mime::Base64("", 0).empty());
  CHECK(mime::Base64("f", 0) == "Zg==");
  CHECK(mime::Base64("fo", 0) == "Zm8=");
  CHECK(mime::Base64("foo", 0) == "Zm9v");
  CHECK(mime::Base64("foobar", 0) == "Zm9vYmFy");
  std::string long_text(200, 'x');
  std::string wrapped = mime::Base64(long_text);
  CHECK(wrapped.find("\r\n") == 76);
  CHECK(tv_test::DecodeBase64(wrapped) == long_text);
}

TEST_CASE("Headers with Swedish letters become encoded words that never split a character") {
  CHECK(mime::EncodeHeader("Plain subject") == "Plain subject");
  std::string subject = "Ärendet är löst: ";
  for (int i = 0; i < 20; ++i) subject += "åäö";
  std::string encoded = mime::EncodeHeader(subject);
  std::string decoded;
  size_t pos = 0;
  while ((pos = encoded.find("=?UTF-8?B?", pos)) != std::string::npos) {
    auto end = encoded.find("?=", pos + 10);
    REQUIRE(end - pos + 2 <= 75);
    std::string word = tv_test::DecodeBase64(encoded.substr(pos + 10, end - pos - 10));
    // Each word is valid UTF-8 on its own: it does not start with a continuation byte.
    CHECK((static_cast<unsigned char>(word[0]) & 0xC0) != 0x80);
    decoded += word;
    pos = end + 2;
  }
  CHECK(decoded == subject);
  CHECK(encoded.find("\r\n ") != std::string::npos);  // folded
  CHECK(mime::EncodeHeader("Bcc: x\r\nInjected: y").find('\n') == std::string::npos);
}

TEST_CASE("Dot-stuffing doubles leading dots and ends the data") {
  CHECK(mime::DotStuff("a\r\n.\r\n.b\r\n") == "a\r\n..\r\n..b\r\n.\r\n");
  CHECK(mime::DotStuff("no newline") == "no newline\r\n.\r\n");
}

TEST_CASE("Addresses with header or command characters are refused") {
  CHECK(mime::IsPlainAddress("anna@eskilstuna.example.se"));
  CHECK_FALSE(mime::IsPlainAddress("anna"));
  CHECK_FALSE(mime::IsPlainAddress("a@b.se>\r\nRCPT TO:<x@y.se"));
  CHECK_FALSE(mime::IsPlainAddress("a b@c.se"));
  CHECK_FALSE(mime::IsPlainAddress("åsa@c.se"));
}

TEST_CASE("The JSON reader reads notifications, escapes and all") {
  std::string error;
  auto v = json::Parse(
      R"({"id":"x","to":[{"email":"a@b.se"}],"s":"\u00c5r \ud83d\ude00 \"q\"\n","n":1.5e3,"t":true,"z":null})",
      &error);
  REQUIRE(v);
  CHECK(v->String("id") == "x");
  CHECK(v->Find("to")->items.at(0).String("email") == "a@b.se");
  CHECK(v->String("s") == "År \xF0\x9F\x98\x80 \"q\"\n");
  CHECK(v->Find("n")->text == "1.5e3");
  CHECK(v->Find("t")->boolean);
  CHECK_FALSE(json::Parse("{\"a\":1", &error));
  CHECK_FALSE(json::Parse("{\"a\":1} x", &error));
  CHECK_FALSE(json::Parse("\"\\ud800\"", &error));
  CHECK_FALSE(json::Parse(std::string(100, '['), &error));
}
