#include <catch2/catch.hpp>
#include <map>
#include <set>

#include "engine/api/routes.h"
#include "engine/auth/authenticator.h"
#include "engine/http/server.h"
#include "engine/service/event_hub.h"
#include "tests/support/service_fixture.h"
#include "tests/unit/http/test_client.h"

using namespace tillvaxt;
using http::testing::Conn;

namespace {

constexpr char kPassword[] = "stream-test-password";

// One SSE message as received.
struct Message {
  int64_t id = 0;
  std::string event;
  std::string data;
};

// The whole API on a real server (port 0) over the memory store.
struct Server : testing::ServiceFixture {
  Server() : ServiceFixture({.id_seed = std::nullopt}) {
    auth = std::make_unique<auth::Authenticator>(*users, clock);
    REQUIRE(auth->EnsureDemoUsers(cases->config(), kPassword).ok());
    service::EventHubOptions hub_options;
    hub_options.format = api::SseMessage;
    hub = std::make_unique<service::EventHub>(*cases, *store, hub_options);
    REQUIRE(hub->Start().ok());
    ctx = std::make_unique<api::ApiContext>(api::ApiContext{*cases, *auth, clock});
    ctx->events = hub.get();
    api::AddApiRoutes(router, *ctx);
    http::ServerOptions options;
    options.port = 0;  // a free port
    server = std::make_unique<http::Server>(options, router);
    REQUIRE(server->Start().ok());
  }
  ~Server() {
    server->Stop();
    hub->Stop();
    server.reset();
    hub.reset();
  }

  std::string Token(const std::string& username) {
    auto login = auth->Login(username, kPassword, "");
    REQUIRE(login.ok());
    return login->token;
  }

  // POST with JSON as `username`; the reply.
  http::testing::Reply Post(const std::string& username, const std::string& target,
                            const std::string& body) {
    auto conn = Conn::Open(server->port());
    REQUIRE(conn);
    auto reply = conn->Roundtrip(
        "POST", target, body,
        "Content-Type: application/json\r\nAuthorization: Bearer " + Token(username) + "\r\n");
    REQUIRE(reply);
    return *reply;
  }

  // Logs a case at Eskilstuna and triages it: the case's id.
  std::string NewMatchedCase(const std::string& org = "556036-0793") {
    auto created = Post("coord.eskilstuna", "/v1/cases",
                        R"({"title":"Behöver kapital","company":{"name":"Verkstad AB",)"
                        R"("orgNumber":")" +
                            org + R"("}})");
    REQUIRE(created.status == 201);
    const std::string marker = "\"id\":\"";
    const size_t at = created.body.find(marker);
    REQUIRE(at != std::string::npos);
    const std::string id = created.body.substr(
        at + marker.size(), created.body.find('"', at + marker.size()) - at - marker.size());
    auto triaged =
        Post("coord.eskilstuna", "/v1/cases/" + id + ":triage", R"({"needs":["financing"]})");
    REQUIRE(triaged.status == 200);
    return id;
  }

  std::unique_ptr<auth::Authenticator> auth;
  std::unique_ptr<service::EventHub> hub;
  std::unique_ptr<api::ApiContext> ctx;
  http::Router router;
  std::unique_ptr<http::Server> server;
};

// A connected GET /v1/stream.
class Stream {
 public:
  Stream(Server& s, const std::string& username, const std::string& extra_headers = "",
         const std::string& query = "") {
    conn_ = Conn::Open(s.server->port());
    REQUIRE(conn_);
    REQUIRE(conn_->Send("GET /v1/stream" + query + " HTTP/1.1\r\nHost: localhost\r\n" +
                        "Authorization: Bearer " + s.Token(username) + "\r\n" + extra_headers +
                        "\r\n"));
    auto head = conn_->ReadHead();
    REQUIRE(head);
    status = head->status;
    content_type = std::string(head->headers.GetOr("Content-Type", ""));
  }

  // Messages until `done` holds or `wait` passes without a complete one.
  std::vector<Message> Until(const std::function<bool(const std::vector<Message>&)>& done,
                             std::chrono::milliseconds wait = std::chrono::milliseconds(3000)) {
    conn_->SetTimeout(wait);
    while (!done(messages_)) {
      auto chunk = conn_->ReadChunk();
      if (!chunk || chunk->empty()) break;
      text_ += *chunk;
      size_t end;
      while ((end = text_.find("\n\n")) != std::string::npos) {
        std::string block = text_.substr(0, end);
        text_.erase(0, end + 2);
        Message m;
        size_t pos = 0;
        while (pos < block.size()) {
          size_t nl = block.find('\n', pos);
          if (nl == std::string::npos) nl = block.size();
          std::string line = block.substr(pos, nl - pos);
          pos = nl + 1;
          if (line.rfind("id: ", 0) == 0) m.id = std::stoll(line.substr(4));
          if (line.rfind("event: ", 0) == 0) m.event = line.substr(7);
          if (line.rfind("data: ", 0) == 0) m.data = line.substr(6);
        }
        if (!m.event.empty()) messages_.push_back(m);  // heartbeats are comments
      }
    }
    return messages_;
  }

  int status = 0;
  std::string content_type;

 private:
  std::unique_ptr<Conn> conn_;
  std::string text_;
  std::vector<Message> messages_;
};

std::vector<Message> ForCase(const std::vector<Message>& all, const std::string& id) {
  std::vector<Message> out;
  for (const Message& m : all) {
    if (m.data.find("\"caseId\":\"" + id + "\"") != std::string::npos) out.push_back(m);
  }
  return out;
}

auto HasRouted(const std::string& id) {
  return [id](const std::vector<Message>& all) {
    for (const Message& m : ForCase(all, id)) {
      if (m.event == "ROUTED") return true;
    }
    return false;
  };
}

}  // namespace

TEST_CASE("stream: events reach the node's coordinators and the candidates, nobody else",
          "[stream]") {
  Server s;
  // The candidates for a financing case at Eskilstuna, from a first case.
  const std::string probe = s.NewMatchedCase("556703-7485");
  auto probe_case = s.store->GetCase(probe);
  REQUIRE(probe_case.ok());
  REQUIRE_FALSE(probe_case->candidates.empty());
  const std::string candidate = probe_case->candidates.front();

  Stream coordinator(s, "coord.eskilstuna");
  CHECK(coordinator.status == 200);
  CHECK(coordinator.content_type.rfind("text/event-stream", 0) == 0);
  Stream actor(s, "actor." + candidate);
  Stream other_node(s, "coord.nykoping");
  Stream stranger(s, "actor.business-sweden");
  Stream manager(s, "manager");

  const std::string id = s.NewMatchedCase();
  auto c = s.store->GetCase(id);
  REQUIRE(c.ok());
  REQUIRE(std::find(c->candidates.begin(), c->candidates.end(), candidate) != c->candidates.end());

  auto seen = ForCase(coordinator.Until(HasRouted(id)), id);
  REQUIRE(seen.size() == static_cast<size_t>(c->version));
  CHECK(seen.front().event == "CREATED");
  CHECK(seen.back().event == "ROUTED");
  for (size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].id > seen[i - 1].id);
  CHECK(seen.front().data.find("\"user\":\"coord.eskilstuna\"") != std::string::npos);
  CHECK(seen.front().data.find("\"toState\":\"NEW\"") != std::string::npos);

  auto by_manager = ForCase(manager.Until(HasRouted(id)), id);
  CHECK(by_manager.size() == seen.size());
  // The candidate sees the case from its ROUTED on: the event that made it a candidate.
  auto by_actor = ForCase(actor.Until(HasRouted(id)), id);
  REQUIRE(by_actor.size() == 1);
  CHECK(by_actor[0].id == seen.back().id);
  CHECK(by_actor[0].event == "ROUTED");

  // Nothing at all for a coordinator of another node or an actor never involved.
  const auto never = [](const std::vector<Message>&) { return false; };
  CHECK(other_node.Until(never, std::chrono::milliseconds(700)).empty());
  CHECK(stranger.Until(never, std::chrono::milliseconds(300)).empty());
}

TEST_CASE("stream: Last-Event-ID replays exactly the missed events", "[stream]") {
  Server s;
  const std::string first = s.NewMatchedCase();
  s.hub->Poll();
  const int64_t seen_up_to = *s.store->LastPosition();
  const std::string missed = s.NewMatchedCase("556703-7485");
  auto missed_case = s.store->GetCase(missed);
  REQUIRE(missed_case.ok());
  auto log = s.store->EventsAfter(seen_up_to, 100);
  REQUIRE(log.ok());
  std::vector<int64_t> expected;
  for (const auto& p : *log) expected.push_back(p.position);
  REQUIRE(expected.size() == static_cast<size_t>(missed_case->version));

  for (const std::string how : {"header", "query"}) {
    INFO(how);
    Stream resumed =
        how == std::string("header")
            ? Stream(s, "coord.eskilstuna", "Last-Event-ID: " + std::to_string(seen_up_to) + "\r\n")
            : Stream(s, "coord.eskilstuna", "", "?lastEventId=" + std::to_string(seen_up_to));
    auto replay = resumed.Until(
        [&](const std::vector<Message>& all) { return all.size() >= expected.size(); });
    std::vector<int64_t> ids;
    for (const Message& m : replay) ids.push_back(m.id);
    CHECK(ids == expected);
    CHECK(ForCase(replay, first).empty());
    CHECK(ForCase(replay, missed).size() == expected.size());
  }

  // Then live: the next event follows the replay, and nothing is repeated.
  Stream resumed(s, "coord.eskilstuna", "Last-Event-ID: " + std::to_string(seen_up_to) + "\r\n");
  resumed.Until([&](const std::vector<Message>& all) { return all.size() >= expected.size(); });
  auto escalated = s.Post("coord.eskilstuna", "/v1/cases/" + missed + ":escalate",
                          R"({"reason":"behöver nationell aktör"})");
  REQUIRE(escalated.status == 200);
  auto all = resumed.Until([&](const std::vector<Message>& got) {
    for (const Message& m : got) {
      if (m.event == "ESCALATED") return true;
    }
    return false;
  });
  std::set<int64_t> unique;
  for (const Message& m : all) unique.insert(m.id);
  CHECK(unique.size() == all.size());
  REQUIRE(all.size() > expected.size());
  CHECK(all[expected.size()].event == "ESCALATED");
  CHECK(all[expected.size()].id > expected.back());
}

TEST_CASE("stream: a bad Last-Event-ID is refused, and the stream needs a session", "[stream]") {
  Server s;
  Stream bad(s, "coord.eskilstuna", "Last-Event-ID: yesterday\r\n");
  CHECK(bad.status == 400);
  auto conn = Conn::Open(s.server->port());
  REQUIRE(conn);
  auto anonymous = conn->Roundtrip("GET", "/v1/stream");
  REQUIRE(anonymous);
  CHECK(anonymous->status == 401);
}
