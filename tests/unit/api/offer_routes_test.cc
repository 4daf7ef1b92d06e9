#include <boost/json.hpp>
#include <catch2/catch.hpp>

#include "engine/api/routes.h"
#include "engine/auth/authenticator.h"
#include "engine/http/server.h"
#include "engine/service/offer_service.h"
#include "tests/support/service_fixture.h"
#include "tests/unit/http/test_client.h"

// The offer routes over HTTP against an in-process server on a free port, with the services,
// sign-in and route table as `tillvaxt serve` wires them, over the memory store (the stores'
// conformance suite holds it to the SQLite store's behaviour).
namespace tillvaxt::api {
namespace {

namespace json = boost::json;
constexpr char kPassword[] = "offer-routes-password";

struct Server : testing::ServiceFixture {
  Server() : ServiceFixture({.id_seed = std::nullopt}) {
    auto offer_service = service::OfferService::Create(*cases, *store, clock, nullptr);
    REQUIRE(offer_service.ok());
    offers = std::move(*offer_service);
    cases->SetOfferLookup([this](const std::string& id) { return offers->CheckLinkable(id); });
    auth = std::make_unique<auth::Authenticator>(*users, clock);
    REQUIRE(auth->EnsureDemoUsers(cases->config(), kPassword).ok());
    ctx = std::make_unique<ApiContext>(ApiContext{*cases, *auth, clock});
    ctx->offers = offers.get();
    AddApiRoutes(router, *ctx);
    http::ServerOptions server_options;
    server_options.address = "127.0.0.1";
    server_options.port = 0;
    server_options.worker_threads = 2;
    server = std::make_unique<http::Server>(server_options, router);
    REQUIRE(server->Start().ok());
  }
  ~Server() {
    server->Stop();
    server.reset();
    ctx.reset();
    auth.reset();
    offers.reset();
  }

  struct Answer {
    int status = 0;
    json::value body;
  };

  Answer Call(const std::string& user, const std::string& method, const std::string& target,
              const std::string& body = "") {
    auto conn = http::testing::Conn::Open(server->port());
    REQUIRE(conn);
    std::string headers = "Content-Type: application/json\r\n";
    if (!user.empty()) headers += "Authorization: Bearer " + Token(user) + "\r\n";
    auto reply = conn->Roundtrip(method, target, body, headers);
    REQUIRE(reply);
    boost::system::error_code ec;
    json::value parsed = json::parse(reply->body, ec);
    return {reply->status, ec ? json::value() : parsed};
  }

  std::string Token(const std::string& user) {
    if (auto it = tokens.find(user); it != tokens.end()) return it->second;
    auto conn = http::testing::Conn::Open(server->port());
    REQUIRE(conn);
    json::object login{{"username", user}, {"password", kPassword}};
    auto reply = conn->Roundtrip("POST", "/v1/sessions", json::serialize(login),
                                 "Content-Type: application/json\r\n");
    REQUIRE(reply);
    REQUIRE(reply->status == 200);
    std::string token(json::parse(reply->body).at("token").as_string());
    tokens[user] = token;
    return token;
  }

  std::unique_ptr<service::OfferService> offers;
  std::unique_ptr<auth::Authenticator> auth;
  std::unique_ptr<ApiContext> ctx;
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::map<std::string, std::string> tokens;
};

std::string Field(const json::value& error) {
  const json::value* details = error.as_object().at("error").as_object().if_contains("details");
  if (details == nullptr || details->as_array().empty()) return "";
  return std::string(details->as_array()[0].as_object().at("field").as_string());
}

std::string Str(const json::value& v, const char* key) {
  return std::string(v.as_object().at(key).as_string());
}

constexpr char kOffer[] = R"({"kind": "FUNDING_CALL", "title": "Finansiering för tillväxt",
  "description": "Innovationscheckar till företagen", "needs": ["financing"],
  "validFrom": "2020-01-01T00:00:00Z", "validUntil": "2099-01-01T00:00:00Z"})";

TEST_CASE("offer routes: publish, read, list, search, inbox, suggestions, link and withdraw") {
  Server s;
  auto published = s.Call("actor.vinnova", "POST", "/v1/offers", kOffer);
  REQUIRE(published.status == 201);
  const std::string id = Str(published.body, "id");
  CHECK(Str(published.body, "state") == "PUBLISHED");
  CHECK(Str(published.body, "level") == "NATIONAL");
  const json::array& recipients = published.body.as_object().at("recipients").as_array();
  REQUIRE(recipients.size() == 2);
  CHECK(Str(recipients[0], "level") == "REGIONAL");
  CHECK(recipients[0].as_object().at("actors").as_array() == json::array{"almi-malardalen"});
  CHECK(Str(recipients[1], "level") == "LOCAL");
  CHECK(recipients[1].as_object().at("actors").as_array() == json::array{"munktell-science-park"});

  auto got = s.Call("coord.eskilstuna", "GET", "/v1/offers/" + id);
  REQUIRE(got.status == 200);
  CHECK(Str(got.body, "title") == "Finansiering för tillväxt");
  CHECK(s.Call("coord.eskilstuna", "GET", "/v1/offers/nope").status == 404);
  CHECK(s.Call("", "GET", "/v1/offers").status == 401);

  auto listed = s.Call("manager", "GET", "/v1/offers?node=eskilstuna&active=true&need=financing");
  REQUIRE(listed.status == 200);
  CHECK(listed.body.at("offers").as_array().size() == 1);
  auto searched = s.Call("manager", "GET", "/v1/offers?q=finansieringen");
  REQUIRE(searched.status == 200);
  CHECK(searched.body.at("offers").as_array().size() == 1);
  CHECK(s.Call("manager", "GET", "/v1/offers?q=rekrytering").body.at("offers").as_array().empty());

  // A case at Eskilstuna needing financing: the offer fits it.
  auto created = s.Call("coord.eskilstuna", "POST", "/v1/cases",
                        R"({"title": "Finansiering av ny maskinpark", "needs": ["financing"],
                            "company": {"name": "Verkstad AB", "orgNumber": "556036-0793"}})");
  REQUIRE(created.status == 201);
  const std::string case_id = Str(created.body, "id");
  auto suggested = s.Call("coord.eskilstuna", "GET", "/v1/cases/" + case_id + "/suggestedOffers");
  REQUIRE(suggested.status == 200);
  const json::array& items = suggested.body.at("offers").as_array();
  REQUIRE(items.size() == 1);
  CHECK(Str(items[0].at("offer"), "id") == id);
  CHECK(items[0].at("score").to_number<double>() == Approx(2.0));
  CHECK(s.Call("coord.nykoping", "GET", "/v1/cases/" + case_id + "/suggestedOffers").status == 404);
  auto cases_found = s.Call("coord.eskilstuna", "GET", "/v1/cases?q=maskinparken");
  REQUIRE(cases_found.status == 200);
  CHECK(cases_found.body.at("cases").as_array().size() == 1);

  auto inbox = s.Call("coord.eskilstuna", "GET", "/v1/nodes/eskilstuna/inbox");
  REQUIRE(inbox.status == 200);
  const json::array& entries = inbox.body.at("entries").as_array();
  REQUIRE(entries.size() == 1);
  CHECK(Str(entries[0].at("offer"), "id") == id);
  REQUIRE(entries[0].at("matchingCases").as_array().size() == 1);
  CHECK(Str(entries[0].at("matchingCases").as_array()[0], "id") == case_id);
  CHECK(s.Call("coord.nykoping", "GET", "/v1/nodes/eskilstuna/inbox").status == 403);
  CHECK(s.Call("manager", "GET", "/v1/nodes/eskilstuna/inbox").status == 200);

  auto unknown_link = s.Call("coord.eskilstuna", "POST", "/v1/cases/" + case_id + ":linkOffer",
                             R"({"offerId": "nope"})");
  CHECK(unknown_link.status == 400);
  CHECK(Field(unknown_link.body) == "offerId");
  auto linked = s.Call("coord.eskilstuna", "POST", "/v1/cases/" + case_id + ":linkOffer",
                       R"({"offerId": ")" + id + R"("})");
  REQUIRE(linked.status == 200);
  CHECK(linked.body.at("offerIds").as_array() == json::array{json::string(id)});

  CHECK(s.Call("actor.rise", "POST", "/v1/offers/" + id + ":withdraw", "{}").status == 403);
  CHECK(s.Call("actor.vinnova", "POST", "/v1/offers/" + id + ":cancel", "{}").status == 404);
  auto withdrawn = s.Call("actor.vinnova", "POST", "/v1/offers/" + id + ":withdraw",
                          R"({"reason": "fulltecknat"})");
  REQUIRE(withdrawn.status == 200);
  CHECK(Str(withdrawn.body, "state") == "WITHDRAWN");
  CHECK(s.Call("actor.vinnova", "POST", "/v1/offers/" + id + ":withdraw", "{}").status == 409);
  CHECK(s.Call("manager", "GET", "/v1/offers?active=true").body.at("offers").as_array().empty());
}

TEST_CASE("offer routes: bad input answers 400 or 403 with the field named") {
  Server s;
  auto unknown_need = s.Call("actor.vinnova", "POST", "/v1/offers",
                             R"({"kind": "EVENT", "title": "x", "needs": ["teleportation"]})");
  CHECK(unknown_need.status == 400);
  CHECK(Field(unknown_need.body) == "needs");
  auto unknown_area = s.Call("actor.vinnova", "POST", "/v1/offers",
                             R"({"kind": "EVENT", "title": "x", "areas": ["moon"]})");
  CHECK(unknown_area.status == 400);
  CHECK(Field(unknown_area.body) == "areas");
  auto unknown_node = s.Call("actor.vinnova", "POST", "/v1/offers",
                             R"({"kind": "EVENT", "title": "x", "nodes": ["gotham"]})");
  CHECK(unknown_node.status == 400);
  CHECK(Field(unknown_node.body) == "nodes");
  auto backwards = s.Call("actor.vinnova", "POST", "/v1/offers",
                          R"({"kind": "EVENT", "title": "x", "validFrom": "2099-02-01T00:00:00Z",
                              "validUntil": "2099-01-01T00:00:00Z"})");
  CHECK(backwards.status == 400);
  CHECK(Field(backwards.body) == "validUntil");
  auto no_title = s.Call("actor.vinnova", "POST", "/v1/offers", R"({"kind": "EVENT"})");
  CHECK(no_title.status == 400);
  CHECK(Field(no_title.body) == "title");
  CHECK(s.Call("coord.eskilstuna", "POST", "/v1/offers", kOffer).status == 403);
  CHECK(s.Call("manager", "POST", "/v1/offers", kOffer).status == 403);
  CHECK(s.Call("actor.vinnova", "POST", "/v1/offers", R"({"kind": 7})").status == 400);
  auto bad_filter = s.Call("manager", "GET", "/v1/offers?node=gotham");
  CHECK(bad_filter.status == 400);
  CHECK(Field(bad_filter.body) == "node");
  CHECK(Field(s.Call("manager", "GET", "/v1/offers?active=maybe").body) == "active");
  CHECK(Field(s.Call("manager", "GET", "/v1/offers?colour=red").body) == "colour");
  CHECK(s.Call("manager", "GET", "/v1/nodes/gotham/inbox").status == 404);
}

}  // namespace
}  // namespace tillvaxt::api
