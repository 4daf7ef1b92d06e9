// The v1 API over real sockets: the real `tillvaxt serve --demo` binary as a child process,
// HTTP/1.1 from a small blocking client. Success paths of every case, auth, configuration,
// workflow and operations endpoint; every error row of API.md (and that errors change nothing);
// the authorisation matrix with its no-leak rules; the claim race; a full lifecycle; slow
// clients and the connection cap; SIGTERM under load.
//
// One demo server (with its ~300 seeded cases) is shared by all test cases of a process; the
// timeout and SIGTERM tests start their own.
#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <functional>
#include <latch>
#include <set>

#include "tests/integration/api_harness.h"
#include "tillvaxt/api/v1/cases.pb.h"

namespace tillvaxt::apitest {
namespace {

constexpr char kOwnNode[] = "eskilstuna";
constexpr char kOtherNode[] = "nykoping";
constexpr char kNeed[] = "business-development";
constexpr char kArea[] = "smart-industri";
constexpr char kUnrelatedActor[] = "energimyndigheten";

// ---------------------------------------------------------------------------------------------
// The shared server

struct MainServer {
  TempDir dir;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<TokenCache> tokens;
  json::value config;

  MainServer() {
    server = ServerProcess::Start(dir.path() / "data");
    tokens = std::make_unique<TokenCache>(server->port());
  }
  uint16_t port() const { return server->port(); }
};

MainServer& Main() {
  static MainServer main;
  return main;
}

Api As(const std::string& user) { return Api(Main().port(), Main().tokens->Token(user)); }
Api Anonymous() { return Api(Main().port(), ""); }

// ---------------------------------------------------------------------------------------------
// Cases

// A case with identity strings unique to it, so responses can be searched for leaks.
struct NewCase {
  std::string tag;
  std::string company;
  std::string org;
  std::string contact_name;
  std::string email;
  std::string phone;
  json::object body;
};

NewCase MakeCase(std::string_view title_word = "Ärende") {
  static std::atomic<int> counter{0};
  int n = ++counter;
  uint64_t seed = static_cast<uint64_t>(::getpid()) * 100000u + static_cast<uint64_t>(n);
  NewCase c;
  c.tag = "t" + std::to_string(seed);
  c.company = "Hemligbolaget" + c.tag + " AB";
  c.org = OrgNumber(seed);
  c.contact_name = "Kontaktperson" + c.tag;
  c.email = "kontakt." + c.tag + "@hemligt.example";
  c.phone = "+46705" + std::to_string(100000 + n);
  c.body = {{"title", std::string(title_word) + " " + c.tag + ": automatiserad montering"},
            {"description", "Vill automatisera monteringen och behöver affärsutveckling."},
            {"company",
             {{"name", c.company},
              {"orgNumber", c.org},
              {"municipality", "Eskilstuna"},
              {"size", "SMALL"},
              {"industry", "Verkstad"}}},
            {"contact", {{"name", c.contact_name}, {"email", c.email}, {"phone", c.phone}}}};
  return c;
}

// No trace of the case's company identity or contact in `body`.
void CheckNoIdentity(const std::string& body, const NewCase& c) {
  INFO("body: " << body.substr(0, 400));
  CHECK(body.find(c.company) == std::string::npos);
  CHECK(body.find(c.org) == std::string::npos);
  CHECK(body.find(c.org.substr(0, 6) + c.org.substr(7)) == std::string::npos);
  CHECK(body.find(c.contact_name) == std::string::npos);
  CHECK(body.find(c.email) == std::string::npos);
  CHECK(body.find(c.phone) == std::string::npos);
}

// No trace of the case's personal contact data in `body`.
void CheckNoContact(const std::string& body, const NewCase& c) {
  INFO("body: " << body.substr(0, 400));
  CHECK(body.find(c.contact_name) == std::string::npos);
  CHECK(body.find(c.email) == std::string::npos);
  CHECK(body.find(c.phone) == std::string::npos);
}

void CheckIdentity(const json::value& view, const NewCase& c) {
  CHECK(Str(view, "company.name") == c.company);
  CHECK(Str(view, "company.orgNumber") == c.org);
  CHECK(Str(view, "contact.email") == c.email);
  CHECK(Str(view, "contact.phone") == c.phone);
  CHECK(At(view, "anonymised") == json::value(false));
}

// The error body of API.md, with the status name.
void CheckError(const Reply& r, int http, std::string_view status_name) {
  INFO(r.Describe());
  REQUIRE(r.status == http);
  json::value v = r.Json();
  CHECK(At(v, "error.code") == json::value(http));
  CHECK(Str(v, "error.status") == status_name);
  CHECK_FALSE(Str(v, "error.message").empty());
}

// The fields named in error.details.
std::vector<std::string> DetailFields(const Reply& r) {
  std::vector<std::string> out;
  for (const auto& d : Arr(r.Json(), "error.details")) out.push_back(Str(d, "field"));
  return out;
}

void CheckInvalid(const Reply& r, std::string_view field, std::string_view in_message = {}) {
  CheckError(r, 400, "INVALID_ARGUMENT");
  INFO(r.Describe());
  if (!field.empty()) CHECK(Has(DetailFields(r), field));
  if (!in_message.empty())
    CHECK(Str(r.Json(), "error.message").find(in_message) != std::string::npos);
}

int64_t Version(const json::value& c) {
  json::value v = At(c, "version");
  REQUIRE(v.is_string());  // int64 is a string in protobuf's JSON mapping
  return std::stoll(std::string(v.as_string()));
}

json::value Created(Api& coord, const NewCase& c) {
  Reply r = coord.Post("/v1/cases", c.body);
  INFO(r.Describe());
  REQUIRE(r.status == 201);
  return r.Json();
}

Reply Act(Api& api, std::string_view id, std::string_view verb, const json::object& body = {}) {
  return api.Post("/v1/cases/" + std::string(id) + ":" + std::string(verb), body);
}

json::value ActOk(Api& api, std::string_view id, std::string_view verb,
                  const json::object& body = {}) {
  Reply r = Act(api, id, verb, body);
  INFO(verb << " → " << r.Describe());
  REQUIRE(r.status == 200);
  return r.Json();
}

json::value GetCase(Api& api, std::string_view id) {
  Reply r = api.Get("/v1/cases/" + std::string(id));
  INFO(r.Describe());
  REQUIRE(r.status == 200);
  return r.Json();
}

json::array Events(Api& api, std::string_view id) {
  Reply r = api.Get("/v1/cases/" + std::string(id) + "/events");
  INFO(r.Describe());
  REQUIRE(r.status == 200);
  return Arr(r.Json(), "events");
}

// The same for a caller made just for one call.
Reply Act(Api&& api, std::string_view id, std::string_view verb, const json::object& body = {}) {
  return Act(api, id, verb, body);
}
json::value ActOk(Api&& api, std::string_view id, std::string_view verb,
                  const json::object& body = {}) {
  return ActOk(api, id, verb, body);
}
json::value GetCase(Api&& api, std::string_view id) { return GetCase(api, id); }

std::string Actor(const std::string& id) { return "actor." + id; }

// A reassignment target: an actor serving the case's need that was never involved in it
// (the business offices of the other nodes are never routed a case at kOwnNode).
std::string OtherActorFor(const json::value& c) {
  std::vector<std::string> involved = Strs(c, "involvedActors");
  for (const char* a : {"naringsliv-nykoping", "naringsliv-strangnas", "naringsliv-katrineholm"}) {
    if (!Has(involved, a) && Str(c, "assignee") != a) return a;
  }
  return "";
}

// An offer to link: published once per process by an actor. "" when it cannot be published.
const std::string& OfferId() {
  static const std::string id = [] {
    Api publisher = As("actor.almi-malardalen");
    json::object body{{"kind", "PROJECT"},
                      {"title", "Affärsutvecklingscheckar"},
                      {"description", "Stöd till små företag"},
                      {"needs", json::array{kNeed}}};
    Reply r = publisher.Post("/v1/offers", body);
    return r.status == 201 ? Str(r.Json(), "id") : std::string();
  }();
  return id;
}

// A valid body for each verb, so refusals come from the cause under test, not the body.
json::object ActionBody(std::string_view verb, const json::value& c) {
  if (verb == "triage") return {{"needs", json::array{kNeed}}, {"areas", json::array{kArea}}};
  if (verb == "escalate" || verb == "decline" || verb == "release" || verb == "wait" ||
      verb == "reopen" || verb == "withdraw" || verb == "reject") {
    return {{"reason", "testskäl"}};
  }
  if (verb == "reassign") return {{"actor", OtherActorFor(c)}, {"reason", "frånvaro"}};
  if (verb == "resolve") return {{"outcome", {{"kind", "SOLUTION"}, {"note", "klart"}}}};
  if (verb == "close") return {{"feedback", "bra"}};
  if (verb == "followUp") {
    return {{"title", "Uppföljning"},
            {"description", "nästa steg"},
            {"needs", json::array{kNeed}},
            {"areas", json::array{kArea}}};
  }
  if (verb == "recordEffect") {
    return {{"effect", {{"kind", "FUNDING_GRANTED"}, {"note", "beviljat"}}},
            {"monthsAfterClose", 3}};
  }
  if (verb == "linkOffer") return {{"offerId", OfferId().empty() ? "offer-1" : OfferId()}};
  return {};
}

// A fresh case at kOwnNode driven to `state` along the main path; MATCHED and later have at
// least two candidates at triage, and the first one claims.
struct Driven {
  NewCase nc;
  json::value view;  // as the manager sees it
  std::string id;
  std::string claimer;          // the assignee from CLAIMED on
  std::string other_candidate;  // a candidate that did not claim
};

Driven Drive(std::string_view state) {
  Api coord = As("coord.eskilstuna");
  Api manager = As("manager");
  Driven d;
  d.nc = MakeCase();
  json::value c = Created(coord, d.nc);
  d.id = Str(c, "id");
  auto step = [&](std::string_view target) { return state == target; };
  if (!step("NEW")) {
    c = ActOk(coord, d.id, "triage", ActionBody("triage", c));
    std::vector<std::string> candidates = Strs(c, "candidates");
    REQUIRE(Str(c, "state") == "MATCHED");
    REQUIRE(candidates.size() >= 2);
    d.claimer = candidates[0];
    d.other_candidate = candidates[1];
    if (!step("MATCHED")) {
      Api claimer = As(Actor(d.claimer));
      c = ActOk(claimer, d.id, "claim");
      if (!step("CLAIMED")) {
        c = ActOk(claimer, d.id, "start");
        if (step("WAITING")) c = ActOk(claimer, d.id, "wait", ActionBody("wait", c));
        if (step("RESOLVED") || step("CLOSED")) {
          c = ActOk(claimer, d.id, "resolve", ActionBody("resolve", c));
        }
        if (step("CLOSED")) c = ActOk(coord, d.id, "close", ActionBody("close", c));
      }
    }
  }
  d.view = GetCase(manager, d.id);
  REQUIRE(Str(d.view, "state") == state);
  return d;
}

// ---------------------------------------------------------------------------------------------
// The workflow of WORKFLOW.md, as the oracle of the authorisation matrix

struct TransitionSpec {
  std::string name;
  std::vector<std::string> from;
  std::vector<std::string> permits;  // SYSTEM omitted: no user is SYSTEM
};

const std::vector<TransitionSpec>& Transitions() {
  static const std::vector<std::string> kOpen = {"NEW",     "TRIAGED",     "MATCHED",
                                                 "CLAIMED", "IN_PROGRESS", "WAITING"};
  static const std::vector<TransitionSpec> kAll = {
      {"triage", {"NEW"}, {"COORDINATOR/OWN_NODE"}},
      {"escalate",
       {"MATCHED", "CLAIMED", "IN_PROGRESS"},
       {"COORDINATOR/OWN_NODE", "ACTOR/CANDIDATE", "ACTOR/ASSIGNEE"}},
      {"claim", {"MATCHED"}, {"ACTOR/CANDIDATE"}},
      {"decline", {"MATCHED"}, {"ACTOR/CANDIDATE"}},
      {"release", {"CLAIMED", "IN_PROGRESS"}, {"ACTOR/ASSIGNEE"}},
      {"start", {"CLAIMED"}, {"ACTOR/ASSIGNEE"}},
      {"wait", {"IN_PROGRESS"}, {"ACTOR/ASSIGNEE"}},
      {"resume", {"WAITING"}, {"ACTOR/ASSIGNEE"}},
      {"reassign", {"CLAIMED", "IN_PROGRESS", "WAITING"}, {"MANAGER", "ACTOR/ASSIGNEE"}},
      {"resolve", {"CLAIMED", "IN_PROGRESS", "WAITING"}, {"ACTOR/ASSIGNEE"}},
      {"reopen", {"RESOLVED"}, {"COORDINATOR/OWN_NODE", "ACTOR/ASSIGNEE"}},
      {"close", {"RESOLVED"}, {"COORDINATOR/OWN_NODE"}},
      {"withdraw", kOpen, {"COORDINATOR/OWN_NODE"}},
      {"reject", {"NEW", "TRIAGED"}, {"COORDINATOR/OWN_NODE"}},
      {"followUp", {"RESOLVED", "CLOSED"}, {"COORDINATOR/OWN_NODE"}},
      {"recordEffect", {"CLOSED"}, {"COORDINATOR/OWN_NODE"}},
      {"linkOffer", kOpen, {"COORDINATOR/OWN_NODE", "ACTOR/ASSIGNEE"}},
  };
  return kAll;
}

enum class Role { kCoordOwn, kCoordOther, kCandidate, kAssignee, kUnrelated, kManager, kAdmin };

const char* RoleName(Role r) {
  switch (r) {
    case Role::kCoordOwn:
      return "coordinator of the case's node";
    case Role::kCoordOther:
      return "coordinator of another node";
    case Role::kCandidate:
      return "candidate (or former candidate) actor";
    case Role::kAssignee:
      return "assignee actor";
    case Role::kUnrelated:
      return "unrelated actor";
    case Role::kManager:
      return "manager";
    case Role::kAdmin:
      return "admin";
  }
  return "";
}

constexpr Role kRoles[] = {Role::kCoordOwn,  Role::kCoordOther, Role::kCandidate, Role::kAssignee,
                           Role::kUnrelated, Role::kManager,    Role::kAdmin};

// The user in `role` for the case `d` ("" when the case has no one in that role yet).
std::string UserFor(Role role, const Driven& d) {
  std::string state = Str(d.view, "state");
  switch (role) {
    case Role::kCoordOwn:
      return "coord.eskilstuna";
    case Role::kCoordOther:
      return "coord.nykoping";
    case Role::kCandidate:
      return d.other_candidate.empty() ? "" : Actor(d.other_candidate);
    case Role::kAssignee:
      return Str(d.view, "assignee").empty() ? "" : Actor(d.claimer);
    case Role::kUnrelated:
      return Actor(kUnrelatedActor);
    case Role::kManager:
      return "manager";
    case Role::kAdmin:
      return "admin";
  }
  return "";
}

bool Visible(Role role) { return role != Role::kCoordOther && role != Role::kUnrelated; }

// Sees company identity and contact (API.md "Visibility").
bool SeesIdentity(Role role) {
  return role == Role::kCoordOwn || role == Role::kAssignee || role == Role::kManager ||
         role == Role::kAdmin;
}

bool Permitted(Role role, const TransitionSpec& t, const json::value& c, const std::string& user) {
  std::vector<std::string> candidates = Strs(c, "candidates");
  for (const std::string& p : t.permits) {
    if (p == "COORDINATOR/OWN_NODE" && role == Role::kCoordOwn) return true;
    if (p == "MANAGER" && role == Role::kManager) return true;
    if (user.rfind("actor.", 0) == 0) {
      std::string actor = user.substr(6);
      if (p == "ACTOR/CANDIDATE" && Has(candidates, actor)) return true;
      if (p == "ACTOR/ASSIGNEE" && Str(c, "assignee") == actor) return true;
    }
  }
  return false;
}

struct Expectation {
  int http;
  std::string status;  // "" for 200
};

// WORKFLOW.md's error order: visibility (404), the claim race (409 ABORTED), the state (409
// FAILED_PRECONDITION), the permit (403).
Expectation Expected(Role role, const TransitionSpec& t, const json::value& c,
                     const std::string& user) {
  if (!Visible(role)) return {404, "NOT_FOUND"};
  bool is_actor = user.rfind("actor.", 0) == 0;
  if (t.name == "claim" && !Str(c, "assignee").empty() && is_actor) return {409, "ABORTED"};
  if (!Has(t.from, Str(c, "state"))) return {409, "FAILED_PRECONDITION"};
  if (!Permitted(role, t, c, user)) return {403, "PERMISSION_DENIED"};
  return {200, ""};
}

bool ListHas(const Reply& r, std::string_view id) {
  for (const auto& c : Arr(r.Json(), "cases")) {
    if (Str(c, "id") == id) return true;
  }
  return false;
}

// An RFC 3339 UTC time comparable as a string: protobuf prints no fraction at whole seconds
// ("…:00Z") and 3, 6 or 9 digits otherwise, so pad the fraction to 9 digits.
std::string SortableTime(std::string t) {
  if (t.empty() || t.back() != 'Z') return t;
  t.pop_back();
  size_t dot = t.find('.');
  if (dot == std::string::npos) {
    dot = t.size();
    t += '.';
  }
  while (t.size() - dot - 1 < 9) t += '0';
  return t + "Z";
}

std::string Url(std::string_view text) {
  std::string out;
  for (unsigned char ch : text) {
    if (std::isalnum(ch) || ch == '-' || ch == '_' || ch == '.') {
      out += static_cast<char>(ch);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", ch);
      out += buf;
    }
  }
  return out;
}

// =============================================================================================

TEST_CASE(
    "sessions: login gives a token and an HttpOnly SameSite=Strict cookie and me and logout work",
    "[api][auth]") {
  Client c(Main().port());
  Reply login =
      c.Send("POST", "/v1/sessions",
             R"({"username":"coord.eskilstuna","password":")" + std::string(kDemoPassword) + "\"}");
  INFO(login.Describe());
  REQUIRE(login.status == 200);
  json::value body = login.Json();
  std::string token = Str(body, "token");
  REQUIRE(token.size() >= 32);
  CHECK(Str(body, "user.username") == "coord.eskilstuna");
  CHECK(Str(body, "user.role") == "COORDINATOR");
  CHECK(Str(body, "user.node") == kOwnNode);
  CHECK(login.Header("Cache-Control") == "no-store");
  auto cookies = login.Headers("Set-Cookie");
  REQUIRE(cookies.size() == 2);
  const std::string& cookie = cookies[0];
  CHECK(cookie.rfind("tillvaxt_session=" + token, 0) == 0);
  CHECK(cookie.find("HttpOnly") != std::string::npos);
  CHECK(cookie.find("SameSite=Strict") != std::string::npos);
  CHECK(cookie.find("Path=/;") != std::string::npos);
  CHECK(cookie.find("Secure") == std::string::npos);  // plain HTTP
  // The known-device cookie, sent back only to the login route.
  const std::string& device = cookies[1];
  CHECK(device.rfind("tillvaxt_device=", 0) == 0);
  CHECK(device.find("Path=/v1/sessions;") != std::string::npos);
  CHECK(device.find("HttpOnly") != std::string::npos);
  CHECK(device.find("SameSite=Strict") != std::string::npos);
  CHECK(device.find("Max-Age=2592000") != std::string::npos);

  SECTION("GET /v1/me with the bearer token and with the cookie") {
    Reply me = c.Send("GET", "/v1/me", {}, {{"Authorization", "Bearer " + token}});
    REQUIRE(me.status == 200);
    CHECK(Str(me.Json(), "username") == "coord.eskilstuna");
    CHECK(Str(me.Json(), "role") == "COORDINATOR");
    Reply by_cookie = c.Send("GET", "/v1/me", {}, {{"Cookie", "tillvaxt_session=" + token}});
    REQUIRE(by_cookie.status == 200);
    CHECK(Str(by_cookie.Json(), "username") == "coord.eskilstuna");
    for (const char* user : {"manager", "admin", "actor.mitc"}) {
      Reply other = As(user).Get("/v1/me");
      REQUIRE(other.status == 200);
      CHECK(Str(other.Json(), "username") == user);
    }
    CHECK(Str(As("actor.mitc").Get("/v1/me").Json(), "actor") == "mitc");
    CHECK(Str(As("manager").Get("/v1/me").Json(), "role") == "MANAGER");
    CHECK(Str(As("admin").Get("/v1/me").Json(), "role") == "ADMIN");
  }

  SECTION("a cookie-authenticated change needs X-Requested-With (CSRF)") {
    std::vector<std::pair<std::string, std::string>> cookie_only = {
        {"Cookie", "tillvaxt_session=" + token}};
    NewCase nc = MakeCase();
    Reply refused = c.Send("POST", "/v1/cases", json::serialize(nc.body), cookie_only);
    CheckError(refused, 403, "PERMISSION_DENIED");
    CHECK(Str(refused.Json(), "error.message").find("X-Requested-With") != std::string::npos);
    Reply foreign =
        c.Send("POST", "/v1/cases", json::serialize(nc.body),
               {{"Cookie", "tillvaxt_session=" + token}, {"Origin", "https://evil.example"}});
    CheckError(foreign, 403, "PERMISSION_DENIED");
    // Nothing was logged by the refused requests.
    Reply found = As("manager").Get("/v1/companies/" + nc.org + "/cases");
    REQUIRE(found.status == 200);
    CHECK(Arr(found.Json(), "cases").empty());
    Reply logout_refused = c.Send("DELETE", "/v1/sessions/current", {}, cookie_only);
    CheckError(logout_refused, 403, "PERMISSION_DENIED");

    Reply accepted =
        c.Send("POST", "/v1/cases", json::serialize(nc.body),
               {{"Cookie", "tillvaxt_session=" + token}, {"X-Requested-With", "XMLHttpRequest"}});
    CHECK(accepted.status == 201);
    // Our own origin (Origin equal to Host) is also accepted.
    Reply same_origin = c.Send("POST", "/v1/cases", json::serialize(MakeCase().body),
                               {{"Cookie", "tillvaxt_session=" + token},
                                {"Origin", "http://127.0.0.1:" + std::to_string(Main().port())}});
    CHECK(same_origin.status == 201);
    Reply logout =
        c.Send("DELETE", "/v1/sessions/current", {},
               {{"Cookie", "tillvaxt_session=" + token}, {"X-Requested-With", "XMLHttpRequest"}});
    CHECK(logout.status == 204);
    auto cleared = logout.Headers("Set-Cookie");
    REQUIRE(cleared.size() == 1);
    CHECK(cleared[0].find("Max-Age=0") != std::string::npos);
    CheckError(c.Send("GET", "/v1/me", {}, cookie_only), 401, "UNAUTHENTICATED");
  }

  SECTION("DELETE /v1/sessions/current with the bearer token ends the session") {
    Reply out =
        c.Send("DELETE", "/v1/sessions/current", {}, {{"Authorization", "Bearer " + token}});
    CHECK(out.status == 204);
    CheckError(c.Send("GET", "/v1/me", {}, {{"Authorization", "Bearer " + token}}), 401,
               "UNAUTHENTICATED");
  }

  SECTION("401: no, malformed or unknown credentials; wrong password") {
    CheckError(c.Send("GET", "/v1/me"), 401, "UNAUTHENTICATED");
    CheckError(c.Send("GET", "/v1/cases"), 401, "UNAUTHENTICATED");
    CheckError(c.Send("GET", "/v1/me", {}, {{"Authorization", "Bearer nonsense"}}), 401,
               "UNAUTHENTICATED");
    CheckError(c.Send("GET", "/v1/me", {}, {{"Authorization", "Basic YWRtaW46YWRtaW4="}}), 401,
               "UNAUTHENTICATED");
    CheckError(
        c.Send("GET", "/v1/config", {}, {{"Authorization", "Bearer " + std::string(64, 'a')}}), 401,
        "UNAUTHENTICATED");
    NewCase nc = MakeCase();
    CheckError(c.Send("POST", "/v1/cases", json::serialize(nc.body)), 401, "UNAUTHENTICATED");
    Reply wrong = c.Send("POST", "/v1/sessions",
                         R"({"username":"coord.eskilstuna","password":"not-the-password"})");
    CheckError(wrong, 401, "UNAUTHENTICATED");
    CHECK(wrong.Headers("Set-Cookie").empty());
  }

  SECTION("400 on login: missing fields name them; unknown fields; not JSON") {
    CheckInvalid(c.Send("POST", "/v1/sessions", R"({"username":"manager"})"), "password");
    CheckInvalid(c.Send("POST", "/v1/sessions", R"({"password":"x"})"), "username");
    CheckInvalid(c.Send("POST", "/v1/sessions", R"({"username":"manager","pwd":"x"})"), "");
    CheckInvalid(c.Send("POST", "/v1/sessions", "username=manager"), "");
  }
}

TEST_CASE("failed logins slow the account down: 429 RESOURCE_EXHAUSTED with Retry-After",
          "[api][auth]") {
  // coord.katrineholm is used by no other test: slowing it down disturbs nothing.
  const std::string right =
      R"({"username":"coord.katrineholm","password":")" + std::string(kDemoPassword) + "\"}";
  const std::string wrong = R"({"username":"coord.katrineholm","password":"wrong-password-1"})";
  Client c(Main().port());
  for (int i = 0; i < 3; ++i) {
    CheckError(c.Send("POST", "/v1/sessions", wrong), 401, "UNAUTHENTICATED");
  }
  // Even the right password waits now, refused before it is checked.
  Reply limited = c.Send("POST", "/v1/sessions", right);
  CheckError(limited, 429, "RESOURCE_EXHAUSTED");
  auto retry = limited.Header("Retry-After");
  REQUIRE(retry);
  CHECK(*retry == "1");
  CHECK(limited.Headers("Set-Cookie").empty());
  // Other users are not affected.
  CHECK(c.Send("POST", "/v1/sessions",
               R"({"username":"coord.strangnas","password":")" + std::string(kDemoPassword) + "\"}")
            .status == 200);
  // It is a delay, not a lock: after it, the right password signs in.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(c.Send("POST", "/v1/sessions", right).status == 200);
}

TEST_CASE("configuration and workflow and health and readiness and metrics", "[api][ops]") {
  Api manager = As("manager");

  SECTION("GET /v1/config") {
    Reply r = As("actor.mitc").Get("/v1/config");
    INFO(r.Describe());
    REQUIRE(r.status == 200);
    json::value v = r.Json();
    std::vector<std::string> nodes;
    for (const auto& n : Arr(v, "nodes")) nodes.push_back(Str(n, "id"));
    CHECK(nodes == std::vector<std::string>{"eskilstuna", "nykoping", "strangnas", "katrineholm"});
    CHECK(Strs(v, "levels") ==
          std::vector<std::string>{"LOCAL", "REGIONAL", "NATIONAL", "INTERNATIONAL"});
    CHECK(Arr(v, "needs").size() == 7);
    CHECK(Arr(v, "areas").size() == 7);
    bool found = false;
    for (const auto& a : Arr(v, "actors")) {
      if (Str(a, "id") == "mitc") {
        found = true;
        CHECK(Str(a, "level") == "LOCAL");
        CHECK(Has(Strs(a, "needs"), "innovation"));
        CHECK(Strs(a, "nodes") == std::vector<std::string>{"eskilstuna"});
        CHECK_FALSE(Str(a, "name").empty());
      }
    }
    CHECK(found);
    CheckError(Anonymous().Get("/v1/config"), 401, "UNAUTHENTICATED");
  }

  SECTION("GET /v1/workflow matches WORKFLOW.md") {
    Reply r = manager.Get("/v1/workflow");
    REQUIRE(r.status == 200);
    json::value v = r.Json();
    std::map<std::string, bool> terminal;
    for (const auto& s : Arr(v, "states")) terminal[Str(s, "name")] = At(s, "terminal").as_bool();
    CHECK(terminal.size() == 11);
    CHECK(terminal["CLOSED"]);
    CHECK(terminal["UNMATCHED"]);
    CHECK_FALSE(terminal["WAITING"]);
    json::array transitions = Arr(v, "transitions");
    REQUIRE(transitions.size() == Transitions().size());
    for (size_t i = 0; i < transitions.size(); ++i) {
      const TransitionSpec& spec = Transitions()[i];
      INFO(spec.name);
      CHECK(Str(transitions[i], "name") == spec.name);
      CHECK(Strs(transitions[i], "from") == spec.from);
      std::vector<std::string> scopes;
      for (const auto& s : Strs(transitions[i], "scopes")) {
        if (s != "SYSTEM") scopes.push_back(s);
      }
      CHECK(scopes == spec.permits);
      CHECK_FALSE(Strs(transitions[i], "roles").empty());
    }
    CheckError(Anonymous().Get("/v1/workflow"), 401, "UNAUTHENTICATED");
  }

  SECTION("/healthz, /readyz, /metrics need no credentials") {
    Client c(Main().port());
    Reply health = c.Send("GET", "/healthz");
    CHECK(health.status == 200);
    CHECK(Str(health.Json(), "status") == "ok");
    Reply ready = c.Send("GET", "/readyz");
    CHECK(ready.status == 200);
    CHECK(Str(ready.Json(), "status") == "ready");
    // Something to count: successes and a 404 on the case routes.
    REQUIRE(manager.Get("/v1/cases?pageSize=1").status == 200);
    REQUIRE(manager.Get("/v1/cases/no-such-case").status == 404);
    // A request is counted once its response is written: wait until the client's view of
    // the 404 has reached the counters.
    Reply metrics;
    for (int attempt = 0; attempt < 100; ++attempt) {
      metrics = c.Send("GET", "/metrics");
      REQUIRE(metrics.status == 200);
      if (metrics.body.find("route=\"cases.get\"") != std::string::npos) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(metrics.Header("Content-Type").value_or("").rfind("text/plain", 0) == 0);
    const std::string& m = metrics.body;
    INFO(m.substr(0, 3000));
    CHECK(m.find("# TYPE tillvaxt_http_requests_total counter") != std::string::npos);
    CHECK(m.find("# TYPE tillvaxt_http_request_duration_seconds histogram") != std::string::npos);
    auto has_counter = [&](std::string_view route, std::string_view status) {
      std::istringstream lines(m);
      std::string line;
      while (std::getline(lines, line)) {
        if (line.rfind("tillvaxt_http_requests_total{", 0) == 0 &&
            line.find("route=\"" + std::string(route) + "\"") != std::string::npos &&
            line.find("status=\"" + std::string(status) + "\"") != std::string::npos) {
          return std::atof(line.substr(line.rfind(' ') + 1).c_str()) >= 1;
        }
      }
      return false;
    };
    CHECK(has_counter("cases.list", "200"));
    CHECK(has_counter("cases.get", "404"));
    CHECK(has_counter("sessions.create", "200"));
    CHECK(m.find("tillvaxt_http_request_duration_seconds_bucket{") != std::string::npos);
    CHECK(m.find("le=\"+Inf\"") != std::string::npos);
    CHECK(m.find("tillvaxt_http_request_duration_seconds_count{") != std::string::npos);
    CHECK(m.find("tillvaxt_http_request_duration_seconds_sum{") != std::string::npos);
  }

  SECTION("security headers on API responses") {
    Reply r = manager.Get("/v1/config");
    CHECK(r.Header("X-Content-Type-Options") == "nosniff");
    CHECK(r.Header("Cache-Control") == "no-store");
    CHECK(r.Header("Referrer-Policy").has_value());
    CHECK(r.Header("Content-Security-Policy").has_value());
  }
}

TEST_CASE(
    "POST /v1/cases logs a case: 201 with Location and ETag in NEW at LOCAL with relatedCases",
    "[api][cases]") {
  Api coord = As("coord.eskilstuna");
  NewCase nc = MakeCase();
  // Accept the org number without its hyphen: it is stored normalised.
  std::string bare = nc.org.substr(0, 6) + nc.org.substr(7);
  nc.body["company"].as_object()["orgNumber"] = bare;
  nc.body["needs"] = json::array{kNeed};
  Reply r = coord.Post("/v1/cases", nc.body);
  INFO(r.Describe());
  REQUIRE(r.status == 201);
  json::value c = r.Json();
  std::string id = Str(c, "id");
  REQUIRE_FALSE(id.empty());
  CHECK(r.Header("Location") == "/v1/cases/" + id);
  CHECK(r.Header("ETag") == "\"v1\"");
  CHECK(r.Header("Content-Type").value_or("").rfind("application/json", 0) == 0);
  CHECK(Str(c, "state") == "NEW");
  CHECK(Str(c, "level") == "LOCAL");
  CHECK(Str(c, "node") == kOwnNode);
  CHECK(At(c, "version") == json::value("1"));
  CHECK(Strs(c, "needs") == std::vector<std::string>{kNeed});
  CheckIdentity(c, nc);
  CHECK_FALSE(Str(c, "createTime").empty());
  CHECK(Arr(c, "relatedCases").empty());
  std::vector<std::string> allowed = Strs(c, "allowedActions");
  CHECK(Has(allowed, "triage"));
  CHECK(Has(allowed, "withdraw"));
  CHECK(Has(allowed, "reject"));
  CHECK_FALSE(Has(allowed, "claim"));

  // GET shows the same case with the same ETag.
  Reply got = coord.Get("/v1/cases/" + id);
  REQUIRE(got.status == 200);
  CHECK(got.Header("ETag") == "\"v1\"");
  CHECK(Str(got.Json(), "title") == Str(c, "title"));

  SECTION("the same company logged at another node returns the open case in relatedCases") {
    Api other = As("coord.nykoping");
    NewCase again = MakeCase();
    again.body["company"].as_object()["orgNumber"] = nc.org;
    Reply second = other.Post("/v1/cases", again.body);
    INFO(second.Describe());
    REQUIRE(second.status == 201);
    json::value s = second.Json();
    CHECK(Str(s, "node") == kOtherNode);
    json::array related = Arr(s, "relatedCases");
    REQUIRE(related.size() == 1);
    CHECK(Str(related[0], "id") == id);
    CHECK(Str(related[0], "node") == kOwnNode);
    CHECK(Str(related[0], "state") == "NEW");
    // Only where and what state: not the other node's company record or contact.
    CHECK(Str(related[0], "contact.email").empty());
    CHECK(second.body.find(nc.email) == std::string::npos);
    // The same node logging again is not "another node".
    NewCase third = MakeCase();
    third.body["company"].as_object()["orgNumber"] = nc.org;
    Reply same_node = coord.Post("/v1/cases", third.body);
    REQUIRE(same_node.status == 201);
    json::array related_here = Arr(same_node.Json(), "relatedCases");
    REQUIRE(related_here.size() == 1);
    CHECK(Str(related_here[0], "node") == kOtherNode);
  }

  SECTION("a closed case at another node is not related") {
    Driven closed = Drive("CLOSED");
    NewCase again = MakeCase();
    again.body["company"].as_object()["orgNumber"] = closed.nc.org;
    Reply second = As("coord.nykoping").Post("/v1/cases", again.body);
    REQUIRE(second.status == 201);
    CHECK(Arr(second.Json(), "relatedCases").empty());
  }

  SECTION("only a coordinator logs, and only at their own node") {
    for (const char* user : {"manager", "admin", "actor.mitc"}) {
      INFO(user);
      CheckError(As(user).Post("/v1/cases", MakeCase().body), 403, "PERMISSION_DENIED");
    }
    NewCase elsewhere = MakeCase();
    elsewhere.body["node"] = kOtherNode;
    CheckError(coord.Post("/v1/cases", elsewhere.body), 403, "PERMISSION_DENIED");
    NewCase own = MakeCase();
    own.body["node"] = kOwnNode;
    CHECK(coord.Post("/v1/cases", own.body).status == 201);
  }
}

TEST_CASE("GET /v1/cases: every filter and paging and candidate=me and assignee=me",
          "[api][cases]") {
  Api manager = As("manager");
  Driven matched = Drive("MATCHED");
  Driven claimed = Drive("CLAIMED");

  auto list = [&](Api& api, const std::string& query) {
    Reply r = api.Get("/v1/cases?" + query);
    INFO(query << " → " << r.Describe());
    REQUIRE(r.status == 200);
    return Arr(r.Json(), "cases");
  };

  SECTION("each filter returns only matching cases, and some") {
    struct F {
      std::string query;
      std::function<bool(const json::value&)> holds;
    };
    std::vector<F> filters = {
        {"state=MATCHED", [](const json::value& c) { return Str(c, "state") == "MATCHED"; }},
        {"state=CLOSED", [](const json::value& c) { return Str(c, "state") == "CLOSED"; }},
        {"level=REGIONAL", [](const json::value& c) { return Str(c, "level") == "REGIONAL"; }},
        {"node=nykoping", [](const json::value& c) { return Str(c, "node") == "nykoping"; }},
        {"need=financing", [](const json::value& c) { return Has(Strs(c, "needs"), "financing"); }},
        {"area=life-science",
         [](const json::value& c) { return Has(Strs(c, "areas"), "life-science"); }},
        {"assignee=" + claimed.claimer,
         [&](const json::value& c) { return Str(c, "assignee") == claimed.claimer; }},
        {"candidate=" + matched.claimer,
         [&](const json::value& c) { return Has(Strs(c, "candidates"), matched.claimer); }},
        {"q=" + matched.nc.tag,
         [&](const json::value& c) {
           return Str(c, "title").find(matched.nc.tag) != std::string::npos;
         }},
        {"state=MATCHED&node=eskilstuna&need=" + std::string(kNeed),
         [](const json::value& c) {
           return Str(c, "state") == "MATCHED" && Str(c, "node") == "eskilstuna" &&
                  Has(Strs(c, "needs"), kNeed);
         }},
    };
    for (const F& f : filters) {
      json::array cases = list(manager, f.query + "&pageSize=1000");
      INFO(f.query);
      CHECK_FALSE(cases.empty());
      for (const auto& c : cases) CHECK(f.holds(c));
    }
    json::array by_tag = list(manager, "q=" + matched.nc.tag);
    REQUIRE(by_tag.size() == 1);
    CHECK(Str(by_tag[0], "id") == matched.id);
  }

  SECTION("paging: pageSize, nextPageToken, pageToken cover every case once, newest first") {
    json::array all = list(manager, "pageSize=1000");
    REQUIRE(all.size() > 300);
    std::vector<std::string> paged;
    std::string token;
    int pages = 0;
    do {
      Reply r =
          manager.Get("/v1/cases?pageSize=37" + (token.empty() ? "" : "&pageToken=" + Url(token)));
      REQUIRE(r.status == 200);
      json::array cases = Arr(r.Json(), "cases");
      token = Str(r.Json(), "nextPageToken");
      CHECK(cases.size() <= 37);
      if (!token.empty()) CHECK(cases.size() == 37);
      for (const auto& c : cases) paged.push_back(Str(c, "id"));
      REQUIRE(++pages < 100);
    } while (!token.empty());
    std::vector<std::string> single;
    for (const auto& c : all) single.push_back(Str(c, "id"));
    CHECK(paged == single);
    CHECK(std::set<std::string>(paged.begin(), paged.end()).size() == paged.size());
    for (size_t i = 1; i < all.size(); ++i) {
      CHECK(SortableTime(Str(all[i - 1], "createTime")) >= SortableTime(Str(all[i], "createTime")));
    }
    // The default page is 50.
    CHECK(list(manager, "").size() == 50);
    // A filter with paging.
    json::array first = list(manager, "node=strangnas&pageSize=2");
    CHECK(first.size() == 2);
  }

  SECTION("candidate=me is an actor's queue; assignee=me its own cases") {
    Api candidate = As(Actor(matched.other_candidate));
    json::array queue = list(candidate, "candidate=me&pageSize=1000");
    bool found = false;
    for (const auto& c : queue) {
      CHECK(Has(Strs(c, "candidates"), matched.other_candidate));
      found = found || Str(c, "id") == matched.id;
    }
    CHECK(found);
    Api assignee = As(Actor(claimed.claimer));
    json::array mine = list(assignee, "assignee=me&pageSize=1000");
    found = false;
    for (const auto& c : mine) {
      CHECK(Str(c, "assignee") == claimed.claimer);
      found = found || Str(c, "id") == claimed.id;
    }
    CHECK(found);
    // Without an actor, "me" matches nothing.
    CHECK(list(manager, "candidate=me").empty());
  }

  SECTION("a coordinator lists only the node's cases; an actor only its own") {
    Api coord = As("coord.eskilstuna");
    json::array cases = list(coord, "pageSize=1000");
    CHECK_FALSE(cases.empty());
    for (const auto& c : cases) CHECK(Str(c, "node") == kOwnNode);
    CHECK(list(coord, "node=nykoping").empty());
    Api actor = As(Actor(matched.other_candidate));
    for (const auto& c : list(actor, "pageSize=1000")) {
      CHECK(Has(Strs(c, "involvedActors"), matched.other_candidate));
    }
  }

  SECTION("GET /v1/companies/{orgNumber}/cases: newest first, either spelling") {
    Reply r = manager.Get("/v1/companies/" + claimed.nc.org + "/cases");
    REQUIRE(r.status == 200);
    json::array cases = Arr(r.Json(), "cases");
    REQUIRE(cases.size() == 1);
    CHECK(Str(cases[0], "id") == claimed.id);
    CHECK(Str(cases[0], "company.name") == claimed.nc.company);
    std::string bare = claimed.nc.org.substr(0, 6) + claimed.nc.org.substr(7);
    Reply r2 = manager.Get("/v1/companies/" + bare + "/cases");
    REQUIRE(r2.status == 200);
    CHECK(Arr(r2.Json(), "cases").size() == 1);
    Reply r3 = manager.Get("/v1/companies/16" + bare + "/cases");  // with the century prefix
    REQUIRE(r3.status == 200);
    CHECK(Arr(r3.Json(), "cases").size() == 1);
    // Two cases of one company, newest first.
    NewCase again = MakeCase();
    again.body["company"].as_object()["orgNumber"] = claimed.nc.org;
    Api coord = As("coord.eskilstuna");
    json::value second = Created(coord, again);
    json::array both =
        Arr(manager.Get("/v1/companies/" + claimed.nc.org + "/cases").Json(), "cases");
    REQUIRE(both.size() == 2);
    CHECK(Str(both[0], "id") == Str(second, "id"));
    // The assignee finds it; a coordinator elsewhere does not.
    CHECK(ListHas(As(Actor(claimed.claimer)).Get("/v1/companies/" + claimed.nc.org + "/cases"),
                  claimed.id));
    CHECK_FALSE(ListHas(As("coord.nykoping").Get("/v1/companies/" + claimed.nc.org + "/cases"),
                        claimed.id));
  }
}

TEST_CASE("a full lifecycle NEW → CLOSED over HTTP with the history in order", "[api][cases]") {
  Api coord = As("coord.eskilstuna");
  NewCase nc = MakeCase("Livscykel");
  json::value c = Created(coord, nc);
  std::string id = Str(c, "id");
  c = ActOk(coord, id, "triage", ActionBody("triage", c));
  CHECK(Str(c, "state") == "MATCHED");
  CHECK(Str(c, "level") == "LOCAL");
  std::vector<std::string> candidates = Strs(c, "candidates");
  REQUIRE_FALSE(candidates.empty());
  json::array matches = Arr(c, "matches");
  REQUIRE(matches.size() == candidates.size());
  for (const auto& m : matches) {
    CHECK(Has(candidates, Str(m, "actor")));
    CHECK_FALSE(Strs(m, "reasons").empty());
  }
  CHECK_FALSE(Str(c, "deadline").empty());
  std::string actor = candidates[0];
  Api assignee = As(Actor(actor));
  // The candidate sees the case anonymised until it claims.
  json::value before = GetCase(assignee, id);
  CHECK(At(before, "anonymised") == json::value(true));
  CHECK(Has(Strs(before, "allowedActions"), "claim"));
  c = ActOk(assignee, id, "claim");
  CHECK(Str(c, "state") == "CLAIMED");
  CHECK(Str(c, "assignee") == actor);
  CheckIdentity(c, nc);  // revealed on claim
  {
    // If-Match with the current ETag is honoured (and so is expectedVersion below).
    Reply got = assignee.Get("/v1/cases/" + id);
    REQUIRE(got.Header("ETag"));
    Reply started = assignee.Call("POST", "/v1/cases/" + id + ":start", "{}",
                                  {{"If-Match", *got.Header("ETag")}});
    INFO(started.Describe());
    REQUIRE(started.status == 200);
    c = started.Json();
    CHECK(started.Header("ETag") == "\"v" + std::to_string(Version(c)) + "\"");
  }
  CHECK(Str(c, "state") == "IN_PROGRESS");
  c = ActOk(assignee, id, "wait", {{"reason", "väntar på offert"}});
  CHECK(Str(c, "state") == "WAITING");
  c = ActOk(assignee, id, "resume", {{"expectedVersion", std::to_string(Version(c))}});
  CHECK(Str(c, "state") == "IN_PROGRESS");
  c = ActOk(assignee, id, "resolve", {{"outcome", {{"kind", "FINANCING"}, {"note", "lån"}}}});
  CHECK(Str(c, "state") == "RESOLVED");
  CHECK(Str(c, "outcome.kind") == "FINANCING");
  c = ActOk(coord, id, "close", {{"feedback", "nöjd kund"}});
  CHECK(Str(c, "state") == "CLOSED");
  CHECK(Strs(c, "allowedActions") == std::vector<std::string>{"followUp", "recordEffect"});
  c = ActOk(
      coord, id, "recordEffect",
      {{"effect", {{"kind", "PEOPLE_HIRED"}, {"note", "två anställda"}}}, {"monthsAfterClose", 6}});
  CHECK(Str(c, "state") == "CLOSED");
  json::array effects = Arr(c, "effects");
  REQUIRE(effects.size() == 1);
  CHECK(Str(effects[0], "effect.kind") == "PEOPLE_HIRED");
  CHECK(At(effects[0], "monthsAfterClose") == json::value(6));
  CHECK(Version(c) == 10);

  json::array events = Events(coord, id);
  struct Step {
    const char* type;
    const char* action;
    const char* from;
    const char* to;
  };
  const Step kSteps[] = {
      {"CREATED", "", "", "NEW"},
      {"TRIAGED", "triage", "NEW", "TRIAGED"},
      {"ROUTED", "triage", "TRIAGED", "MATCHED"},
      {"CLAIMED", "claim", "MATCHED", "CLAIMED"},
      {"TRANSITIONED", "start", "CLAIMED", "IN_PROGRESS"},
      {"TRANSITIONED", "wait", "IN_PROGRESS", "WAITING"},
      {"TRANSITIONED", "resume", "WAITING", "IN_PROGRESS"},
      {"RESOLVED", "resolve", "IN_PROGRESS", "RESOLVED"},
      {"TRANSITIONED", "close", "RESOLVED", "CLOSED"},
      {"EFFECT_RECORDED", "recordEffect", "CLOSED", "CLOSED"},
  };
  REQUIRE(events.size() == std::size(kSteps));
  std::string last_time;
  for (size_t i = 0; i < events.size(); ++i) {
    const json::value& e = events[i];
    INFO("event " << i << ": " << json::serialize(e));
    CHECK(At(e, "seq") == json::value(std::to_string(i + 1)));
    CHECK(Str(e, "type") == kSteps[i].type);
    if (i > 0) {
      CHECK(Str(e, "action") == kSteps[i].action);
      CHECK(Str(e, "fromState") == kSteps[i].from);
    }
    CHECK(Str(e, "toState") == kSteps[i].to);
    CHECK(Str(e, "caseId") == id);
    CHECK(SortableTime(Str(e, "time")) >= last_time);
    last_time = SortableTime(Str(e, "time"));
  }
  CHECK(Str(events[0], "user") == "coord.eskilstuna");
  CHECK(Str(events[3], "user") == Actor(actor));
  CHECK(Str(events[3], "actor") == actor);
  CHECK(Str(events[5], "reason") == "väntar på offert");
  CHECK(Str(events[8], "reason") == "nöjd kund");  // the close feedback
  CHECK(Str(events[9], "effect.kind") == "PEOPLE_HIRED");
}

TEST_CASE("every action verb does what API.md says", "[api][cases]") {
  Api coord = As("coord.eskilstuna");
  Api manager = As("manager");

  SECTION("escalate: one level up, routed again; the reason is logged") {
    Driven d = Drive("MATCHED");
    json::value c = ActOk(coord, d.id, "escalate", {{"reason", "behöver regional hjälp"}});
    CHECK(Str(c, "level") != "LOCAL");
    CHECK((Str(c, "state") == "MATCHED" || Str(c, "state") == "UNMATCHED"));
    json::array events = Events(coord, d.id);
    bool escalated = false;
    for (const auto& e : events) {
      if (Str(e, "type") == "ESCALATED" && Str(e, "reason") == "behöver regional hjälp") {
        escalated = true;
        CHECK(Str(e, "fromLevel") == "LOCAL");
      }
    }
    CHECK(escalated);
  }
  SECTION("decline: the candidate leaves the candidates; the others stay") {
    Driven d = Drive("MATCHED");
    json::value c =
        ActOk(As(Actor(d.other_candidate)), d.id, "decline", {{"reason", "ingen kapacitet"}});
    CHECK_FALSE(Has(Strs(c, "candidates"), d.other_candidate));
    CHECK(Has(Strs(GetCase(manager, d.id), "declined"), d.other_candidate));
    // The decliner still sees the case (it was a candidate), anonymised.
    CHECK(At(GetCase(As(Actor(d.other_candidate)), d.id), "anonymised") == json::value(true));
  }
  SECTION("release: back to MATCHED at the same level without the releaser") {
    Driven d = Drive("IN_PROGRESS");
    json::value c = ActOk(As(Actor(d.claimer)), d.id, "release", {{"reason", "fel match"}});
    json::value m = GetCase(manager, d.id);
    CHECK(Str(m, "assignee").empty());
    CHECK(Str(m, "level") == "LOCAL");
    CHECK(Str(m, "state") == "MATCHED");
    CHECK_FALSE(Has(Strs(m, "candidates"), d.claimer));
    // The former assignee still sees it, without the contact and without actions.
    CheckNoContact(json::serialize(c), d.nc);
    CHECK(Strs(c, "allowedActions").empty());
  }
  SECTION("reassign: by the manager, to another actor that serves the need") {
    Driven d = Drive("WAITING");
    std::string target = OtherActorFor(d.view);
    json::value c = ActOk(manager, d.id, "reassign", {{"actor", target}, {"reason", "semester"}});
    CHECK(Str(c, "assignee") == target);
    CHECK(Str(c, "state") == "WAITING");
    json::value seen = GetCase(As(Actor(target)), d.id);
    CHECK(Str(seen, "company.name") == d.nc.company);
  }
  SECTION("reopen: RESOLVED → IN_PROGRESS, outcome cleared") {
    Driven d = Drive("RESOLVED");
    json::value c = ActOk(coord, d.id, "reopen", {{"reason", "inte löst"}});
    CHECK(Str(c, "state") == "IN_PROGRESS");
    CHECK(Str(c, "outcome.kind").empty());
  }
  SECTION("withdraw and reject end the case") {
    Driven d = Drive("IN_PROGRESS");
    CHECK(Str(ActOk(coord, d.id, "withdraw", {{"reason", "företaget drog sig ur"}}), "state") ==
          "WITHDRAWN");
    Driven n = Drive("NEW");
    json::value r = ActOk(coord, n.id, "reject", {{"reason", "inte ett behov"}});
    CHECK(Str(r, "state") == "REJECTED");
    CHECK(Strs(r, "allowedActions").empty());
  }
  SECTION("followUp: a new case with parentId at the same node and company") {
    Driven d = Drive("CLOSED");
    json::value c = ActOk(coord, d.id, "followUp", ActionBody("followUp", d.view));
    std::vector<std::string> children = Strs(c, "childIds");
    REQUIRE(children.size() == 1);
    json::value child = GetCase(coord, children[0]);
    CHECK(Str(child, "parentId") == d.id);
    CHECK(Str(child, "state") == "NEW");
    CHECK(Str(child, "title") == "Uppföljning");
    CHECK(Str(child, "company.name") == d.nc.company);
    json::array events = Events(coord, d.id);
    CHECK(Str(events.back(), "type") == "FOLLOW_UP_CREATED");
    CHECK(Str(events.back(), "relatedCaseId") == children[0]);
  }
  SECTION("linkOffer: a published offer is attached once; unknown offers are refused") {
    REQUIRE_FALSE(OfferId().empty());
    Driven d = Drive("CLAIMED");
    json::value c = ActOk(As(Actor(d.claimer)), d.id, "linkOffer", {{"offerId", OfferId()}});
    CHECK(Strs(c, "offerIds") == std::vector<std::string>{OfferId()});
    CheckError(Act(coord, d.id, "linkOffer", {{"offerId", OfferId()}}), 409, "FAILED_PRECONDITION");
    CheckInvalid(Act(coord, d.id, "linkOffer", {}), "offerId");
    CheckInvalid(Act(coord, d.id, "linkOffer", {{"offerId", "no-such-offer"}}), "offerId");
    // Who may not link learns that, not whether the offer exists.
    CheckError(Act(As(Actor(d.other_candidate)), d.id, "linkOffer", {{"offerId", "no-such-offer"}}),
               403, "PERMISSION_DENIED");
    Driven closed = Drive("CLOSED");
    CheckError(Act(coord, closed.id, "linkOffer", {{"offerId", "no-such-offer"}}), 409,
               "FAILED_PRECONDITION");
  }
}

TEST_CASE("bad input answers 4xx naming the problem and changes nothing", "[api][errors]") {
  Api coord = As("coord.eskilstuna");
  Api manager = As("manager");
  Driven target = Drive("MATCHED");
  Driven claimed = Drive("CLAIMED");
  Driven closed = Drive("CLOSED");
  auto snapshot = [&](const std::string& id) {
    json::value c = GetCase(manager, id);
    return std::pair{Version(c), Events(manager, id).size()};
  };
  auto before_target = snapshot(target.id);
  auto before_claimed = snapshot(claimed.id);
  auto before_closed = snapshot(closed.id);
  Reply all_before = manager.Get("/v1/cases?pageSize=1000");
  REQUIRE(all_before.status == 200);
  size_t count_before = Arr(all_before.Json(), "cases").size();
  REQUIRE(count_before < 1000);
  const std::string kTag = "Felaktig" + std::to_string(::getpid());

  auto valid = [&] {
    NewCase nc = MakeCase(kTag);
    return nc.body;
  };
  auto post = [&](const json::object& body) { return coord.Post("/v1/cases", body); };

  SECTION("POST /v1/cases") {
    CheckInvalid(coord.PostRaw("/v1/cases", R"({"title": "x", )"), "", "JSON");
    CheckInvalid(coord.PostRaw("/v1/cases", "[1,2,3]"), "");
    CheckInvalid(coord.PostRaw("/v1/cases", "null"), "");
    {
      json::object b = valid();
      b["title"] = 5;
      CheckInvalid(post(b), "title", "title");
    }
    {
      json::object b = valid();
      b["needs"] = "financing";
      CheckInvalid(post(b), "needs", "needs");
    }
    {
      json::object b = valid();
      b["company"] = "Volvo";
      CheckInvalid(post(b), "company", "company");
    }
    {
      json::object b = valid();
      b["bogus"] = 1;
      CheckInvalid(post(b), "bogus", "bogus");
    }
    {
      json::object b = valid();
      b["company"].as_object()["vatNumber"] = "SE1";
      CheckInvalid(post(b), "company.vatNumber", "vatNumber");
    }
    {
      json::object b = valid();
      b.erase("title");
      CheckInvalid(post(b), "title");
    }
    {
      json::object b = valid();
      b["company"].as_object().erase("name");
      CheckInvalid(post(b), "company.name");
    }
    {
      json::object b = valid();
      b["company"].as_object().erase("orgNumber");
      CheckInvalid(post(b), "company.orgNumber");
    }
    for (const char* bad : {"556677-8890", "abc", "55667788", "5566778899-1", "55-66778899"}) {
      INFO(bad);
      json::object b = valid();
      b["company"].as_object()["orgNumber"] = bad;
      CheckInvalid(post(b), "company.orgNumber");
    }
    {
      json::object b = valid();
      b["company"].as_object()["size"] = "HUGE";
      CheckInvalid(post(b), "company.size");
    }
    {
      json::object b = valid();
      b["contact"].as_object()["email"] = "not-an-address";
      CheckInvalid(post(b), "contact.email");
    }
    {
      json::object b = valid();
      b["title"] = std::string(201, 'x');
      CheckInvalid(post(b), "title");
    }
    {
      json::object b = valid();
      b["needs"] = json::array{"flying"};
      CheckInvalid(post(b), "needs");
    }
    {
      json::object b = valid();
      b["areas"] = json::array{"space"};
      CheckInvalid(post(b), "areas");
    }
    {
      json::object b = valid();
      b["node"] = "atlantis";
      Reply r = post(b);
      CheckInvalid(r, "node");
    }
    {
      // Every violation at once.
      json::object b = valid();
      b.erase("title");
      b["company"].as_object()["orgNumber"] = "123";
      b["contact"].as_object()["email"] = "x";
      Reply r = post(b);
      CheckInvalid(r, "title");
      CHECK(Has(DetailFields(r), "company.orgNumber"));
      CHECK(Has(DetailFields(r), "contact.email"));
    }
    {
      std::string body = json::serialize(valid());
      body.replace(body.find("automatiserad"), 2, "\xC3\x28");
      CheckInvalid(coord.PostRaw("/v1/cases", body), "", "UTF-8");
      std::string overlong = json::serialize(valid());
      overlong.replace(overlong.find("automatiserad"), 1, "\xC0\xAF");
      CheckInvalid(coord.PostRaw("/v1/cases", overlong), "", "UTF-8");
    }
    {
      Reply r =
          coord.PostRaw("/v1/cases", json::serialize(valid()), {{"Content-Type", "text/plain"}});
      CheckInvalid(r, "", "Content-Type");
      Reply form = coord.PostRaw("/v1/cases", "title=x",
                                 {{"Content-Type", "application/x-www-form-urlencoded"}});
      CheckInvalid(form, "", "Content-Type");
    }
    {
      Reply r = coord.PostRaw("/v1/cases", "\x0a\xff\xff\xff",
                              {{"Content-Type", "application/x-protobuf"}});
      CheckInvalid(r, "");
    }
    {
      // 413: a body over 1 MiB.
      json::object b = valid();
      b["description"] = std::string((1 << 20) + 10, 'a');
      Reply r = post(b);
      INFO(r.Describe());
      CHECK(r.status == 413);
    }
  }

  SECTION("actions") {
    // Not allowed in this state: 409 FAILED_PRECONDITION, naming the state.
    Reply r = Act(coord, target.id, "triage", ActionBody("triage", target.view));
    CheckError(r, 409, "FAILED_PRECONDITION");
    CHECK(Str(r.Json(), "error.message").find("MATCHED") != std::string::npos);
    CheckError(Act(coord, target.id, "close", {{"feedback", "x"}}), 409, "FAILED_PRECONDITION");
    CheckError(Act(coord, closed.id, "withdraw", {{"reason", "x"}}), 409, "FAILED_PRECONDITION");
    // Unknown verb: 404 naming it.
    Reply unknown = Act(coord, target.id, "fly");
    CheckError(unknown, 404, "NOT_FOUND");
    CHECK(Str(unknown.Json(), "error.message").find("fly") != std::string::npos);
    // Reason required.
    CheckInvalid(Act(coord, target.id, "escalate", {}), "reason");
    CheckInvalid(Act(coord, target.id, "withdraw", {{"reason", ""}}), "reason");
    // Wrong types and unknown fields in the action body.
    CheckInvalid(coord.PostRaw("/v1/cases/" + target.id + ":escalate", R"({"reason": 7})"),
                 "reason");
    CheckInvalid(
        coord.PostRaw("/v1/cases/" + target.id + ":escalate", R"({"reason": "x", "why": "y"})"),
        "why");
    CheckInvalid(coord.PostRaw("/v1/cases/" + target.id + ":escalate",
                               R"({"reason": "x", "expectedVersion": "abc"})"),
                 "expectedVersion");
    CheckInvalid(coord.PostRaw("/v1/cases/" + target.id + ":escalate", "{not json"), "");
    // Field checks of the effects.
    Api assignee = As(Actor(claimed.claimer));
    CheckInvalid(Act(assignee, claimed.id, "resolve", {{"outcome", {{"kind", "MAGIC"}}}}),
                 "outcome.kind");
    CheckInvalid(Act(assignee, claimed.id, "resolve", {}), "outcome.kind");
    CheckInvalid(Act(manager, claimed.id, "reassign", {{"actor", "nobody"}, {"reason", "x"}}),
                 "actor");
    CheckInvalid(Act(coord, closed.id, "recordEffect",
                     {{"effect", {{"kind", "RICHES"}}}, {"monthsAfterClose", 3}}),
                 "effect.kind");
    {
      Reply months = Act(coord, closed.id, "recordEffect",
                         {{"effect", {{"kind", "GROWTH"}}}, {"monthsAfterClose", 500}});
      CheckInvalid(months, "");
      CHECK(Str(months.Json(), "error.message").find("month") != std::string::npos);
    }
    CheckInvalid(Act(coord, closed.id, "followUp", {}), "title");
    // Stale versions: 409 ABORTED, by body and by If-Match.
    Reply stale = Act(coord, target.id, "escalate", {{"reason", "x"}, {"expectedVersion", 1}});
    CheckError(stale, 409, "ABORTED");
    Reply stale_header = coord.Call("POST", "/v1/cases/" + target.id + ":escalate",
                                    R"({"reason":"x"})", {{"If-Match", "\"v1\""}});
    CheckError(stale_header, 409, "ABORTED");
    CheckInvalid(coord.Call("POST", "/v1/cases/" + target.id + ":escalate", R"({"reason":"x"})",
                            {{"If-Match", "yesterday"}}),
                 "If-Match");
    // Unknown case: 404.
    CheckError(Act(coord, "no-such-case", "triage", ActionBody("triage", target.view)), 404,
               "NOT_FOUND");
    // 413 on an action.
    Reply big = Act(coord, target.id, "escalate", {{"reason", std::string((1 << 20) + 1, 'r')}});
    CHECK(big.status == 413);
  }

  SECTION("the case list, the company lookup, unknown ids, routes and methods") {
    struct Q {
      std::string query;
      std::string field;
    };
    for (const Q& q : std::vector<Q>{{"state=FLYING", "state"},
                                     {"level=GALACTIC", "level"},
                                     {"node=atlantis", "node"},
                                     {"need=flying", "need"},
                                     {"area=space", "area"},
                                     {"assignee=nobody", "assignee"},
                                     {"candidate=nobody", "candidate"},
                                     {"pageSize=0", "pageSize"},
                                     {"pageSize=1001", "pageSize"},
                                     {"pageSize=ten", "pageSize"},
                                     {"sort=title", "sort"}}) {
      INFO(q.query);
      Reply r = manager.Get("/v1/cases?" + q.query);
      CheckInvalid(r, q.field);
      CHECK(Str(r.Json(), "error.message").find(q.field) != std::string::npos);
    }
    {
      Reply r = manager.Get("/v1/cases?pageToken=garbage!!");
      INFO(r.Describe());
      CheckInvalid(r, "");
      CHECK(Str(r.Json(), "error.message").find("pageToken") != std::string::npos);
    }
    CheckInvalid(manager.Get("/v1/companies/123/cases"), "orgNumber");
    CheckInvalid(manager.Get("/v1/companies/556677-8890/cases"), "orgNumber");
    CheckError(manager.Get("/v1/cases/no-such-case"), 404, "NOT_FOUND");
    CheckError(manager.Get("/v1/cases/no-such-case/events"), 404, "NOT_FOUND");
    CheckError(manager.Get("/v1/no-such-thing"), 404, "NOT_FOUND");
    CheckError(Anonymous().Get("/v1/no-such-thing"), 404, "NOT_FOUND");
    for (auto [method, path] : std::vector<std::pair<std::string, std::string>>{
             {"DELETE", "/v1/cases/" + target.id},
             {"PUT", "/v1/cases"},
             {"PATCH", "/v1/cases/" + target.id},
             {"GET", "/v1/cases/" + target.id + ":claim"},
             {"POST", "/v1/cases/" + target.id + "/events"},
             {"POST", "/v1/config"},
             {"GET", "/v1/sessions"},
             {"POST", "/healthz"}}) {
      INFO(method << " " << path);
      Reply r = manager.Call(method, path, method == "GET" ? "" : "{}");
      CHECK(r.status == 405);
      CHECK(r.Header("Allow").has_value());
      CHECK(At(r.Json(), "error.code") == json::value(405));
    }
  }

  // Whatever was refused, nothing changed.
  CHECK(snapshot(target.id) == before_target);
  CHECK(snapshot(claimed.id) == before_claimed);
  CHECK(snapshot(closed.id) == before_closed);
  Reply tagged = manager.Get("/v1/cases?q=" + kTag);
  REQUIRE(tagged.status == 200);
  CHECK(Arr(tagged.Json(), "cases").empty());
  CHECK(Arr(manager.Get("/v1/cases?pageSize=1000").Json(), "cases").size() == count_before);
  // And the server is still healthy.
  CHECK(Client(Main().port()).Send("GET", "/healthz").status == 200);
}

// ---------------------------------------------------------------------------------------------
// The authorisation matrix

// Reads `d` as `role` through every read endpoint and checks visibility and the leak rules.
void CheckReads(Role role, const Driven& d, const std::vector<std::string>& expected_allowed) {
  std::string user = UserFor(role, d);
  INFO(RoleName(role) << " (" << user << ") reading a " << Str(d.view, "state") << " case");
  Api api = As(user);
  std::string path = "/v1/cases/" + d.id;
  Reply get = api.Get(path);
  Reply events = api.Get(path + "/events");
  Reply list = api.Get("/v1/cases?pageSize=1000");
  Reply company = api.Get("/v1/companies/" + d.nc.org + "/cases");
  Reply by_name = api.Get("/v1/cases?pageSize=1000&q=" + Url(d.nc.company));
  REQUIRE(list.status == 200);
  REQUIRE(company.status == 200);
  REQUIRE(by_name.status == 200);
  if (!Visible(role)) {
    CheckError(get, 404, "NOT_FOUND");
    CheckError(events, 404, "NOT_FOUND");
    CHECK_FALSE(ListHas(list, d.id));
  } else {
    REQUIRE(get.status == 200);
    REQUIRE(events.status == 200);
    CHECK(ListHas(list, d.id));
    std::vector<std::string> allowed = Strs(get.Json(), "allowedActions");
    std::sort(allowed.begin(), allowed.end());
    CHECK(allowed == expected_allowed);
    CHECK(get.Header("ETag") == "\"v" + std::to_string(Version(get.Json())) + "\"");
  }
  if (SeesIdentity(role)) {
    CheckIdentity(get.Json(), d.nc);
    CHECK(ListHas(company, d.id));
  } else {
    CHECK_FALSE(ListHas(company, d.id));
    CHECK_FALSE(ListHas(by_name, d.id));
    for (const Reply* r : {&get, &events, &list, &company, &by_name})
      CheckNoIdentity(r->body, d.nc);
    if (Visible(role)) CHECK(At(get.Json(), "anonymised") == json::value(true));
  }
}

TEST_CASE("authorisation matrix: each role × each case endpoint and action × state",
          "[api][authz]") {
  for (const char* state :
       {"NEW", "MATCHED", "CLAIMED", "IN_PROGRESS", "WAITING", "RESOLVED", "CLOSED"}) {
    DYNAMIC_SECTION(state) {
      Api manager = As("manager");
      Driven shared = Drive(state);
      REQUIRE_FALSE(Has(Strs(shared.view, "involvedActors"), kUnrelatedActor));
      int64_t version = Version(shared.view);
      size_t history = Events(manager, shared.id).size();
      int refusals = 0;
      int successes = 0;
      for (Role role : kRoles) {
        std::string user = UserFor(role, shared);
        if (user.empty()) continue;  // nobody in this role yet (e.g. no assignee in MATCHED)
        std::vector<std::string> expected_allowed;
        for (const TransitionSpec& t : Transitions()) {
          Expectation want = Expected(role, t, shared.view, user);
          INFO(RoleName(role) << " (" << user << ") → " << t.name << " in " << state);
          if (want.http == 200) {
            expected_allowed.push_back(t.name);
            // Successes change the case: each on a fresh case in the same state.
            Driven fresh = Drive(state);
            std::string fresh_user = UserFor(role, fresh);
            REQUIRE(Expected(role, t, fresh.view, fresh_user).http == 200);
            Api api = As(fresh_user);
            Reply r = Act(api, fresh.id, t.name, ActionBody(t.name, fresh.view));
            INFO(r.Describe());
            {
              REQUIRE(r.status == 200);
              CHECK(Version(r.Json()) > Version(fresh.view));
              bool still_assignee = Str(r.Json(), "assignee") == fresh_user.substr(6);
              // A candidate that did not claim learns nothing of the identity; an assignee
              // that gave the case away keeps no contact data.
              if (role == Role::kCandidate && !still_assignee) CheckNoIdentity(r.body, fresh.nc);
              if (role == Role::kAssignee && !still_assignee) CheckNoContact(r.body, fresh.nc);
            }
            ++successes;
          } else {
            Api api = As(user);
            Reply r = Act(api, shared.id, t.name, ActionBody(t.name, shared.view));
            CheckError(r, want.http, want.status);
            CheckNoIdentity(r.body, shared.nc);
            ++refusals;
          }
        }
        std::sort(expected_allowed.begin(), expected_allowed.end());
        CheckReads(role, shared, expected_allowed);
      }
      // The refusals changed nothing.
      json::value after = GetCase(manager, shared.id);
      CHECK(Version(after) == version);
      CHECK(Events(manager, shared.id).size() == history);
      CHECK(refusals > 0);
      CHECK(successes > 0);
    }
  }
}

TEST_CASE("contact data: hidden from candidates and former assignees and shown to the assignee",
          "[api][authz]") {
  Driven d = Drive("IN_PROGRESS");
  Api manager = As("manager");
  std::string target = OtherActorFor(d.view);
  ActOk(manager, d.id, "reassign", {{"actor", target}, {"reason", "sjuk"}});
  // The new assignee sees identity and contact.
  CheckIdentity(GetCase(As(Actor(target)), d.id), d.nc);
  // The former assignee may still read the case, but not the contact.
  Reply former = As(Actor(d.claimer)).Get("/v1/cases/" + d.id);
  REQUIRE(former.status == 200);
  CHECK(former.body.find(d.nc.email) == std::string::npos);
  CHECK(former.body.find(d.nc.phone) == std::string::npos);
  // The candidate that never claimed sees nothing of the identity anywhere.
  Api candidate = As(Actor(d.other_candidate));
  for (const std::string& path :
       {"/v1/cases/" + d.id, "/v1/cases/" + d.id + "/events",
        std::string("/v1/cases?pageSize=1000"), "/v1/companies/" + d.nc.org + "/cases"}) {
    Reply r = candidate.Get(path);
    INFO(path);
    REQUIRE(r.status == 200);
    CheckNoIdentity(r.body, d.nc);
  }
}

TEST_CASE("q search finds only cases whose identity the caller sees, whatever the title says",
          "[api][authz]") {
  // Titles and descriptions are free text: people write the company's name into them. A
  // candidate that sees the case anonymised must not find it by that name.
  Api coord = As("coord.eskilstuna");
  NewCase nc = MakeCase();
  std::string word = "Hemligbolaget" + nc.tag;  // the company's own name, in the title
  nc.body["title"] = word + " vill automatisera monteringen";
  nc.body["description"] = word + " i Eskilstuna behöver affärsutveckling.";
  json::value c = Created(coord, nc);
  std::string id = Str(c, "id");
  c = ActOk(coord, id, "triage", ActionBody("triage", c));
  std::vector<std::string> candidates = Strs(c, "candidates");
  REQUIRE(candidates.size() >= 2);
  const std::string search = "/v1/cases?pageSize=1000&q=" + Url(word);

  Api candidate = As(Actor(candidates[1]));
  // The candidate lists the case (anonymised) but a search by the name does not find it.
  Reply listed = candidate.Get("/v1/cases?pageSize=1000&state=MATCHED");
  REQUIRE(listed.status == 200);
  CHECK(ListHas(listed, id));
  Reply hidden = candidate.Get(search);
  REQUIRE(hidden.status == 200);
  CHECK_FALSE(ListHas(hidden, id));
  CHECK(Str(hidden.Json(), "nextPageToken").empty());
  // Those who see the identity find it.
  Reply by_manager = As("manager").Get(search);
  REQUIRE(by_manager.status == 200);
  CHECK(ListHas(by_manager, id));
  CHECK(ListHas(coord.Get(search), id));
  // A claim reveals the identity to the assignee, and with it the search.
  Api claimer = As(Actor(candidates[0]));
  CHECK_FALSE(ListHas(claimer.Get(search), id));
  ActOk(claimer, id, "claim");
  CHECK(ListHas(claimer.Get(search), id));
  CHECK_FALSE(ListHas(candidate.Get(search), id));
}

TEST_CASE("q search fills its pages past the cases the caller may not find", "[api][authz]") {
  // Six cases share a title word; an actor that is a candidate of all of them sees them
  // anonymised and finds none, one that claimed two of them finds exactly those, page by page.
  Api coord = As("coord.eskilstuna");
  NewCase first = MakeCase();
  std::string word = "Sidfyllnad" + first.tag;
  std::vector<std::string> ids;
  std::vector<std::string> candidates;  // candidates of every one of the six
  for (int i = 0; i < 6; ++i) {
    NewCase nc = i == 0 ? first : MakeCase();
    nc.body["title"] = word + " nummer " + std::to_string(i);
    json::value c = Created(coord, nc);
    ids.push_back(Str(c, "id"));
    c = ActOk(coord, ids.back(), "triage", ActionBody("triage", c));
    std::vector<std::string> these = Strs(c, "candidates");
    if (i == 0) candidates = these;
    std::erase_if(candidates, [&](const std::string& a) { return !Has(these, a); });
  }
  REQUIRE(candidates.size() >= 2);
  Api claimer = As(Actor(candidates[0]));
  ActOk(claimer, ids[0], "claim");  // the oldest and
  ActOk(claimer, ids[1], "claim");  // the second oldest: four newer ones come first in the list
  std::vector<std::string> found;
  std::string token;
  int pages = 0;
  do {
    Reply r = claimer.Get("/v1/cases?pageSize=1&q=" + Url(word) +
                          (token.empty() ? "" : "&pageToken=" + Url(token)));
    REQUIRE(r.status == 200);
    json::array page = Arr(r.Json(), "cases");
    CHECK(page.size() <= 1);
    for (const auto& c : page) found.push_back(Str(c, "id"));
    token = Str(r.Json(), "nextPageToken");
    REQUIRE(++pages < 10);
  } while (!token.empty());
  std::sort(found.begin(), found.end());
  std::vector<std::string> expected = {ids[0], ids[1]};
  std::sort(expected.begin(), expected.end());
  CHECK(found == expected);
  // The first page already holds a case although four hidden ones are newer.
  Reply first_page = claimer.Get("/v1/cases?pageSize=1&q=" + Url(word));
  CHECK(Arr(first_page.Json(), "cases").size() == 1);
  Reply none = As(Actor(candidates[1])).Get("/v1/cases?pageSize=1000&q=" + Url(word));
  CHECK(Arr(none.Json(), "cases").empty());
}

TEST_CASE("32 concurrent claims of one case: exactly one 200 and 31 × 409 ABORTED",
          "[api][concurrency]") {
  Driven d = Drive("MATCHED");
  std::vector<std::string> candidates = Strs(d.view, "candidates");
  REQUIRE(candidates.size() >= 2);
  std::vector<std::unique_ptr<Api>> apis;
  for (int i = 0; i < 32; ++i) {
    apis.push_back(std::make_unique<Api>(
        Main().port(),
        Main().tokens->Token(Actor(candidates[static_cast<size_t>(i) % candidates.size()]))));
    REQUIRE(apis.back()->client().Connect());
  }
  std::vector<Reply> replies(32);
  std::latch start(32);
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      replies[static_cast<size_t>(i)] = Act(*apis[static_cast<size_t>(i)], d.id, "claim");
    });
  }
  for (auto& t : threads) t.join();
  int ok = 0;
  int aborted = 0;
  std::string winner;
  for (size_t i = 0; i < replies.size(); ++i) {
    const Reply& r = replies[i];
    INFO(i << ": " << r.Describe());
    if (r.status == 200) {
      ++ok;
      winner = Str(r.Json(), "assignee");
      CHECK(winner == candidates[i % candidates.size()]);
    } else {
      CheckError(r, 409, "ABORTED");
      ++aborted;
    }
  }
  CHECK(ok == 1);
  CHECK(aborted == 31);
  Api manager = As("manager");
  json::value c = GetCase(manager, d.id);
  CHECK(Str(c, "state") == "CLAIMED");
  CHECK(Str(c, "assignee") == winner);
  int claims = 0;
  for (const auto& e : Events(manager, d.id)) claims += Str(e, "type") == "CLAIMED" ? 1 : 0;
  CHECK(claims == 1);
  CHECK(Version(c) == Version(d.view) + 1);
}

TEST_CASE("application/x-protobuf in and out", "[api][protobuf]") {
  Api coord = As("coord.eskilstuna");
  NewCase nc = MakeCase();
  api::v1::CreateCaseRequest request;
  request.set_title("Protobuf " + nc.tag);
  request.mutable_company()->set_name(nc.company);
  request.mutable_company()->set_org_number(nc.org);
  request.mutable_contact()->set_email(nc.email);
  request.add_needs(kNeed);
  Reply r = coord.Call(
      "POST", "/v1/cases", request.SerializeAsString(),
      {{"Content-Type", "application/x-protobuf"}, {"Accept", "application/x-protobuf"}});
  INFO(r.status << " " << r.Header("Content-Type").value_or(""));
  REQUIRE(r.status == 201);
  CHECK(r.Header("Content-Type") == "application/x-protobuf");
  api::v1::Case created;
  REQUIRE(created.ParseFromString(r.body));
  CHECK(created.title() == "Protobuf " + nc.tag);
  CHECK(created.state() == "NEW");
  CHECK(created.level() == "LOCAL");
  CHECK(created.version() == 1);
  CHECK(created.company().org_number() == nc.org);
  CHECK(r.Header("Location") == "/v1/cases/" + created.id());

  Reply got =
      coord.Call("GET", "/v1/cases/" + created.id(), {}, {{"Accept", "application/x-protobuf"}});
  REQUIRE(got.status == 200);
  api::v1::Case read;
  REQUIRE(read.ParseFromString(got.body));
  CHECK(read.id() == created.id());
  CHECK(read.contact().email() == nc.email);
  CHECK(std::find(read.allowed_actions().begin(), read.allowed_actions().end(), "triage") !=
        read.allowed_actions().end());

  // An action with a protobuf body.
  api::v1::ActionRequest triage;
  triage.add_needs(kNeed);
  triage.add_areas(kArea);
  triage.set_expected_version(1);
  Reply acted = coord.Call(
      "POST", "/v1/cases/" + created.id() + ":triage", triage.SerializeAsString(),
      {{"Content-Type", "application/x-protobuf"}, {"Accept", "application/x-protobuf"}});
  REQUIRE(acted.status == 200);
  api::v1::Case after;
  REQUIRE(after.ParseFromString(acted.body));
  CHECK(after.state() == "MATCHED");
  CHECK(after.version() > 1);

  // JSON stays the default.
  Reply json_reply = coord.Get("/v1/cases/" + created.id());
  CHECK(json_reply.Header("Content-Type").value_or("").rfind("application/json", 0) == 0);
}

// ---------------------------------------------------------------------------------------------
// Servers of their own

TEST_CASE("slow clients are cut off by the read timeout and the connection cap holds",
          "[api][hardening]") {
  TempDir dir;
  auto server =
      ServerProcess::Start(dir.path() / "data", {"--read-timeout", "1", "--max-connections", "6"});
  uint16_t port = server->port();

  // One server for the three parts (sections would start one each).
  {
    INFO("a request trickling in byte by byte is cut off");
    Client slow(port);
    REQUIRE(slow.Connect());
    std::string request =
        "GET /v1/config HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(200, 'p') +
        "\r\n\r\n";
    auto began = std::chrono::steady_clock::now();
    bool closed = false;
    for (char ch : request) {
      if (!slow.SendRaw(std::string_view(&ch, 1))) {
        closed = true;
        break;
      }
      if (slow.ClosedWithin(std::chrono::milliseconds(100))) {
        closed = true;
        break;
      }
      if (std::chrono::steady_clock::now() - began > std::chrono::seconds(6)) break;
    }
    auto took = std::chrono::steady_clock::now() - began;
    CHECK(closed);
    CHECK(took >= std::chrono::milliseconds(900));
    CHECK(took < std::chrono::seconds(4));
    // It got no answer to its request (a 408 at most).
    CHECK(slow.buffered().find("200 OK") == std::string::npos);
  }

  {
    INFO("a connection that sends nothing is closed");
    Client idle(port);
    REQUIRE(idle.Connect());
    auto began = std::chrono::steady_clock::now();
    CHECK(idle.ClosedWithin(std::chrono::seconds(4)));
    CHECK(std::chrono::steady_clock::now() - began >= std::chrono::milliseconds(900));
  }

  {
    INFO("the connection cap: beyond it, 503 and close; room again once one closes");
    std::vector<std::unique_ptr<Client>> held;
    for (int i = 0; i < 6; ++i) {
      // Connections this test closed a moment ago may not have been counted out yet.
      int status = 0;
      for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
        held.push_back(std::make_unique<Client>(port));
        status = held.back()->Send("GET", "/healthz").status;
        if (status != 200) {
          held.pop_back();
          std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
      }
      REQUIRE(status == 200);
    }
    Client extra(port);
    Reply refused = extra.Send("GET", "/healthz");
    INFO(refused.Describe());
    CHECK((refused.status == 503 || refused.status == 0));
    CHECK(extra.ClosedWithin(std::chrono::seconds(2)));
    held.pop_back();
    bool served = false;
    for (int attempt = 0; attempt < 50 && !served; ++attempt) {
      Client again(port);
      served = again.Send("GET", "/healthz").status == 200;
      if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(served);
  }

  // Still serving after all of it.
  CHECK(Client(port).Send("GET", "/healthz").status == 200);
  server->Signal(SIGTERM);
  CHECK(server->Wait() == 0);
}

TEST_CASE("SIGTERM during load loses no acknowledged case", "[api][shutdown]") {
  TempDir dir;
  fs::path data = dir.path() / "data";
  auto server = ServerProcess::Start(data);
  TokenCache tokens(server->port());
  std::string token = tokens.Token("coord.eskilstuna");
  constexpr int kThreads = 6;
  std::vector<std::vector<std::string>> acked(kThreads);
  std::atomic<int> total{0};
  std::atomic<int> server_errors{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Api api(server->port(), token);
      for (int i = 0; i < 100000; ++i) {
        NewCase nc = MakeCase("Last");
        Reply r = api.Post("/v1/cases", nc.body);
        if (r.status == 201) {
          acked[static_cast<size_t>(t)].push_back(Str(r.Json(), "id"));
          ++total;
        } else if (r.status >= 500 && r.status != 503) {
          ++server_errors;
        } else if (r.status == 0 || r.status == 503) {
          // The server stops: once a fresh connection is refused too, we are done.
          if (!api.client().Connect()) break;
        }
      }
    });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (total < 60 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  REQUIRE(total >= 60);
  server->Signal(SIGTERM);
  int exit_code = server->Wait();
  for (auto& th : threads) th.join();
  INFO(server->Log().substr(0, 2000));
  CHECK(exit_code == 0);
  CHECK(server_errors == 0);

  auto restarted = ServerProcess::Start(data);
  TokenCache again(restarted->port());
  Api manager(restarted->port(), again.Token("manager"));
  int checked = 0;
  for (const auto& ids : acked) {
    for (const std::string& id : ids) {
      Reply r = manager.Get("/v1/cases/" + id);
      INFO(id << ": " << r.Describe());
      CHECK(r.status == 200);
      ++checked;
    }
  }
  CHECK(checked == total);
  restarted->Signal(SIGTERM);
  CHECK(restarted->Wait() == 0);
}

}  // namespace
}  // namespace tillvaxt::apitest
