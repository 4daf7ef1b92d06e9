#include "engine/http/router.h"

#include <catch2/catch.hpp>

#include <boost/json/parse.hpp>

#include "engine/http/dispatcher.h"

using namespace tillvaxt;
using namespace tillvaxt::http;

namespace {

Handler Named(std::string name) {
  return [name](const Request&) { return Response::Text(200, name); };
}

std::string Call(const RouteMatch& m) {
  REQUIRE(m.kind == RouteMatch::Kind::kFound);
  return (*m.handler)(Request()).body;
}

}  // namespace

TEST_CASE("Router matches literal paths, variables and custom verbs") {
  Router router;
  router.Add("GET", "/v1/cases", Named("list"), "cases.list")
      .Add("POST", "/v1/cases", Named("create"), "cases.create")
      .Add("GET", "/v1/cases/{id}", Named("get"), "cases.get")
      .Add("POST", "/v1/cases/{id}:claim", Named("claim"), "cases.claim")
      .Add("POST", "/v1/cases/{id}:{action}", Named("action"), "cases.action")
      .Add("GET", "/v1/cases/{id}/events", Named("events"), "cases.events")
      .Add("GET", "/v1/companies/{orgNumber}/cases", Named("company"))
      .Add("GET", "/", Named("root"));

  auto m = router.Match("GET", "/v1/cases");
  CHECK(Call(m) == "list");
  CHECK(m.route_name == "cases.list");
  CHECK(m.params.empty());

  CHECK(Call(router.Match("POST", "/v1/cases")) == "create");

  m = router.Match("GET", "/v1/cases/c-42");
  CHECK(Call(m) == "get");
  CHECK(m.params.at("id") == "c-42");

  // The literal verb beats the captured one.
  m = router.Match("POST", "/v1/cases/c-42:claim");
  CHECK(Call(m) == "claim");
  CHECK(m.route_name == "cases.claim");
  CHECK(m.params.at("id") == "c-42");
  CHECK(m.params.count("action") == 0);

  m = router.Match("POST", "/v1/cases/c-42:triage");
  CHECK(Call(m) == "action");
  CHECK(m.params.at("id") == "c-42");
  CHECK(m.params.at("action") == "triage");

  m = router.Match("GET", "/v1/cases/c-42/events");
  CHECK(Call(m) == "events");

  m = router.Match("GET", "/v1/companies/556677-8899/cases");
  CHECK(m.route_name == "GET /v1/companies/{orgNumber}/cases");
  CHECK(m.params.at("orgNumber") == "556677-8899");

  CHECK(Call(router.Match("GET", "/")) == "root");
}

TEST_CASE("Router decodes captured values and keeps an encoded ':' inside the id") {
  Router router;
  router.Add("GET", "/v1/cases/{id}", Named("get"))
      .Add("POST", "/v1/cases/{id}:{action}", Named("action"));
  auto m = router.Match("GET", "/v1/cases/a%20b%3Ac");
  REQUIRE(m.kind == RouteMatch::Kind::kFound);
  CHECK(m.params.at("id") == "a b:c");
  m = router.Match("POST", "/v1/cases/x%3Ay:claim");
  REQUIRE(m.kind == RouteMatch::Kind::kFound);
  CHECK(m.params.at("id") == "x:y");
  CHECK(m.params.at("action") == "claim");
  // A malformed escape matches nothing.
  CHECK(router.Match("GET", "/v1/cases/%zz").kind == RouteMatch::Kind::kNotFound);
}

TEST_CASE("Router answers 404 for unknown paths and 405 with Allow for other methods") {
  Router router;
  router.Add("GET", "/v1/cases", Named("list"))
      .Add("POST", "/v1/cases", Named("create"))
      .Add("GET", "/v1/cases/{id}", Named("get"))
      .Add("POST", "/v1/cases/{id}:claim", Named("claim"));

  CHECK(router.Match("GET", "/v1/nothing").kind == RouteMatch::Kind::kNotFound);
  CHECK(router.Match("GET", "/v1/cases/").kind == RouteMatch::Kind::kNotFound);
  CHECK(router.Match("GET", "/v1/cases/a/b").kind == RouteMatch::Kind::kNotFound);
  CHECK(router.Match("GET", "relative").kind == RouteMatch::Kind::kNotFound);
  CHECK(router.Match("POST", "/v1/cases/x:unknown").kind == RouteMatch::Kind::kNotFound);

  auto m = router.Match("DELETE", "/v1/cases");
  CHECK(m.kind == RouteMatch::Kind::kMethodNotAllowed);
  CHECK(m.allow == "GET, HEAD, POST");

  // A verb path is not a case id: GET on it is 405 with POST allowed.
  m = router.Match("GET", "/v1/cases/c-1:claim");
  CHECK(m.kind == RouteMatch::Kind::kMethodNotAllowed);
  CHECK(m.allow == "POST");

  // HEAD falls back to GET.
  m = router.Match("HEAD", "/v1/cases/c-1");
  CHECK(Call(m) == "get");
}

TEST_CASE("Router rejects malformed patterns and duplicates") {
  Router router;
  router.Add("GET", "/v1/cases/{id}", Named("get"));
  CHECK_THROWS_AS(router.Add("GET", "/v1/cases/{id}", Named("again")), std::invalid_argument);
  CHECK_THROWS_AS(router.Add("GET", "v1/cases", Named("x")), std::invalid_argument);
  CHECK_THROWS_AS(router.Add("GET", "/v1/{id", Named("x")), std::invalid_argument);
  CHECK_THROWS_AS(router.Add("GET", "/v1/{a}/{a}", Named("x")), std::invalid_argument);
  CHECK_THROWS_AS(router.Add("GET", "/v1//x", Named("x")), std::invalid_argument);
  CHECK_THROWS_AS(router.Add("POST", "/v1/x:", Named("x")), std::invalid_argument);
  CHECK_THROWS_AS(router.Add("GET", "/v1/{bad-name}", Named("x")), std::invalid_argument);
  CHECK(router.routes().size() == 1);
}

TEST_CASE("Requests parse targets, decode queries and look up headers case-insensitively") {
  Request r;
  REQUIRE(ParseTarget("/v1/cases/a%20b?state=NEW&need=a&need=b+c&q=%C3%A5r&flag", &r).ok());
  CHECK(r.path == "/v1/cases/a b");
  CHECK(r.query.Get("state") == "NEW");
  CHECK(r.query.GetAll("need") == std::vector<std::string_view>{"a", "b c"});
  CHECK(r.query.Get("q") == "\xC3\xA5r");
  CHECK(r.query.Get("flag") == "");
  CHECK_FALSE(r.query.Get("missing").has_value());

  CHECK_FALSE(ParseTarget("/x?a=%4", &r).ok());
  CHECK_FALSE(ParseTarget("http://example.org/x", &r).ok());
  CHECK_FALSE(ParseTarget("/a%00b", &r).ok());

  Headers h;
  h.Add("Content-Type", "application/json");
  h.Add("Cookie", "a=1");
  h.Add("cookie", "b=2");
  CHECK(h.Get("content-type") == "application/json");
  CHECK(h.GetAll("COOKIE").size() == 2);
  h.Set("COOKIE", "c=3");
  CHECK(h.GetAll("cookie") == std::vector<std::string_view>{"c=3"});
  h.Remove("Content-TYPE");
  CHECK_FALSE(h.Has("content-type"));
  CHECK(h.GetOr("x", "fallback") == "fallback");
}

TEST_CASE("JsonError follows API.md's error body and the one status table") {
  CHECK(HttpStatusFor(base::Code::kInvalidArgument) == 400);
  CHECK(HttpStatusFor(base::Code::kUnauthenticated) == 401);
  CHECK(HttpStatusFor(base::Code::kPermissionDenied) == 403);
  CHECK(HttpStatusFor(base::Code::kNotFound) == 404);
  CHECK(HttpStatusFor(base::Code::kFailedPrecondition) == 409);
  CHECK(HttpStatusFor(base::Code::kAborted) == 409);
  CHECK(HttpStatusFor(base::Code::kResourceExhausted) == 429);
  CHECK(HttpStatusFor(base::Code::kUnavailable) == 503);
  CHECK(HttpStatusFor(base::Code::kInternal) == 500);

  Response r = JsonError(base::InvalidField("company.orgNumber", "check digit is wrong"));
  CHECK(r.status == 400);
  CHECK(r.content_type == "application/json");
  auto v = boost::json::parse(r.body);
  const auto& e = v.at("error");
  CHECK(e.at("code").as_int64() == 400);
  CHECK(e.at("status").as_string() == "INVALID_ARGUMENT");
  CHECK(e.at("message").as_string() == "company.orgNumber: check digit is wrong");
  CHECK(e.at("details").at(0).at("field").as_string() == "company.orgNumber");
  CHECK(e.at("details").at(0).at("description").as_string() == "check digit is wrong");

  r = JsonError(base::Aborted("version 3 expected, case is at 4 \"quoted\""));
  CHECK(r.status == 409);
  v = boost::json::parse(r.body);
  CHECK(v.at("error").at("status").as_string() == "ABORTED");
  CHECK(v.at("error").at("message").as_string() == "version 3 expected, case is at 4 \"quoted\"");
  CHECK_FALSE(v.at("error").as_object().contains("details"));
}

TEST_CASE("Dispatcher routes, answers JSON 404/405, catches handler exceptions, adds headers") {
  Router router;
  router.Add("GET", "/v1/cases/{id}", [](const Request& r) {
    return Response::Json(200, "{\"id\":\"" + std::string(r.PathParam("id")) + "\"}");
  }, "cases.get");
  router.Add("POST", "/v1/boom", [](const Request&) -> Response {
    throw std::runtime_error("secret detail");
  }, "boom");
  router.Add("GET", "/healthz", [](const Request&) { return Response::Text(200, "ok"); });
  std::vector<std::string> errors;
  Dispatcher dispatcher(router, nullptr, {}, [&](std::string_view l) { errors.emplace_back(l); });

  auto run = [&](std::string method, std::string target) {
    Request r;
    r.method = std::move(method);
    REQUIRE(ParseTarget(target, &r).ok());
    r.request_id = "rid-1";
    std::string route;
    Response response = dispatcher.Handle(r, &route);
    dispatcher.Finish(r.path, &response);
    return std::make_pair(response, route);
  };

  auto [ok, route] = run("GET", "/v1/cases/c-7");
  CHECK(ok.status == 200);
  CHECK(ok.body == "{\"id\":\"c-7\"}");
  CHECK(route == "cases.get");
  CHECK(ok.headers.Get("Cache-Control") == "no-store");
  CHECK(ok.headers.Get("X-Content-Type-Options") == "nosniff");
  CHECK(ok.headers.Get("Referrer-Policy") == "no-referrer");
  CHECK(ok.headers.Get("X-Frame-Options") == "DENY");
  CHECK(ok.headers.Get("Content-Security-Policy")->find("frame-ancestors 'none'") !=
        std::string_view::npos);

  auto [missing, route2] = run("GET", "/v1/unknown");
  CHECK(missing.status == 404);
  CHECK(route2.empty());
  CHECK(boost::json::parse(missing.body).at("error").at("status").as_string() == "NOT_FOUND");

  auto [wrong, route3] = run("PUT", "/v1/cases/c-7");
  CHECK(wrong.status == 405);
  CHECK(wrong.headers.Get("Allow") == "GET, HEAD");
  CHECK(boost::json::parse(wrong.body).at("error").at("code").as_int64() == 405);

  auto [boom, route4] = run("POST", "/v1/boom");
  CHECK(boom.status == 500);
  CHECK(boom.body.find("secret") == std::string::npos);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].find("secret detail") != std::string::npos);

  auto [health, route5] = run("GET", "/healthz");
  CHECK(health.headers.Get("Cache-Control") == "no-store");
}
