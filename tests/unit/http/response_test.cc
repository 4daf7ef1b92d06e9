#include "engine/http/response.h"

#include <boost/json.hpp>
#include <catch2/catch.hpp>

namespace tillvaxt::http {
namespace {

// Found by the http_request fuzzer: `DELETE /v1/sessi\x99ns/current` was answered 404 with the
// path repeated byte for byte in the message, so the body was not JSON (JSON is UTF-8), and a
// client's JSON parser failed on the answer. The input is kept in
// tests/fuzz/regressions/http_request/.
TEST_CASE("an error body that repeats invalid UTF-8 from the client is still JSON") {
  const std::string body = JsonErrorBody(404, "NOT_FOUND", "no resource at '/v1/sessi\x99ns'",
                                         {{"path\xC3", "bad \xFF value"}});
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(body, ec);
  REQUIRE_FALSE(ec);
  const boost::json::object& error = parsed.at("error").as_object();
  CHECK(error.at("message").as_string() == "no resource at '/v1/sessi\xEF\xBF\xBDns'");
  CHECK(error.at("details").at(0).at("field").as_string() == "path\xEF\xBF\xBD");
  CHECK(error.at("details").at(0).at("description").as_string() == "bad \xEF\xBF\xBD value");
}

}  // namespace
}  // namespace tillvaxt::http
