// The security findings of the attack probe, each proven over real sockets against the real
// `tillvaxt serve --demo` binary: request smuggling through a Transfer-Encoding the server does
// not implement; login limits that slow a guesser down without locking anyone out, per account,
// per address and per client behind a trusted proxy, and never refuse the owner's known device;
// the CSRF origin check with its scheme; the connection caps answered 503 with Retry-After; the
// header deadline a slow client holds a slot for; and demo data whose free text names no
// company. (The search's anonymity rule is proven in http_api_test.cc, beside the other
// visibility tests.)
//
// Different client addresses are loopback addresses other than 127.0.0.1 (Linux routes all of
// 127.0.0.0/8 to lo), so each test's address limits disturb no other test.
#include <sys/wait.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <regex>

#include "tests/integration/api_harness.h"

namespace tillvaxt::apitest {
namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

// The server of this file with the defaults (plain HTTP, no trusted proxy).
struct PlainServer {
  TempDir dir;
  std::unique_ptr<ServerProcess> server;
  PlainServer() { server = ServerProcess::Start(dir.path() / "data"); }
  uint16_t port() const { return server->port(); }
};

PlainServer& Plain() {
  static PlainServer plain;
  return plain;
}

// A server that trusts 127.0.0.1 as its reverse proxy.
struct ProxiedServer {
  TempDir dir;
  std::unique_ptr<ServerProcess> server;
  ProxiedServer() {
    server = ServerProcess::Start(dir.path() / "data", {"--trusted-proxy", "127.0.0.1/32"});
  }
  uint16_t port() const { return server->port(); }
};

ProxiedServer& Proxied() {
  static ProxiedServer proxied;
  return proxied;
}

std::string LoginBody(const std::string& user, const std::string& password = kDemoPassword) {
  return json::serialize(json::object{{"username", user}, {"password", password}});
}

// POST /v1/sessions on a connection of its own from `source`.
Reply Login(uint16_t port, const std::string& user, const std::string& password,
            const Headers& headers = {}, const std::string& source = "") {
  Client c(port);
  if (!source.empty()) c.BindTo(source);
  return c.Send("POST", "/v1/sessions", LoginBody(user, password), headers);
}

// The value of cookie `name` among a reply's Set-Cookie headers ("" when not set).
std::string SetCookieValue(const Reply& r, const std::string& name) {
  for (const std::string& cookie : r.Headers("Set-Cookie")) {
    if (cookie.rfind(name + "=", 0) == 0) {
      return cookie.substr(name.size() + 1, cookie.find(';') - name.size() - 1);
    }
  }
  return "";
}

std::string Token(uint16_t port, const std::string& user) {
  Reply r = Login(port, user, kDemoPassword);
  INFO(r.Describe());
  REQUIRE(r.status == 200);
  return Str(r.Json(), "token");
}

void CheckStatus(const Reply& r, int status) {
  INFO(r.Describe());
  CHECK(r.status == status);
}

int RetryAfter(const Reply& r) {
  auto value = r.Header("Retry-After");
  return value ? std::atoi(value->c_str()) : -1;
}

// =============================================================================================
// Finding 1: request smuggling

TEST_CASE(
    "a Transfer-Encoding the server does not implement is answered 400 and the connection "
    "closed: the request hidden behind it is never answered",
    "[security][smuggling]") {
  uint16_t port = Plain().port();
  std::string host = "Host: 127.0.0.1:" + std::to_string(port) + "\r\n";
  std::string token = Token(port, "coord.eskilstuna");
  // What a front end that reads the Transfer-Encoding would pass on as a second request.
  std::string hidden =
      "GET /v1/me HTTP/1.1\r\n" + host + "Authorization: Bearer " + token + "\r\n\r\n";
  std::string empty = "{}";
  std::string length = "Content-Length: " + std::to_string(empty.size()) + "\r\n";
  std::string chunked_body = "2\r\n{}\r\n0\r\n\r\n";

  struct Attack {
    std::string name;
    std::string head;  // request line and headers, without the empty line
    std::string body;
    bool ours;  // refused by the server's own check (its message names Transfer-Encoding)
  };
  std::string post = "POST /v1/cases HTTP/1.1\r\n" + host + "Content-Type: application/json\r\n";
  std::vector<Attack> attacks = {
      {"xchunked", post + "Transfer-Encoding: xchunked\r\n" + length, empty, true},
      {"chunked, identity", post + "Transfer-Encoding: chunked, identity\r\n" + length, empty,
       true},
      {"identity", post + "Transfer-Encoding: identity\r\n" + length, empty, true},
      {"folded", post + "Transfer-Encoding: x\r\n chunked\r\n" + length, empty, false},
      {"gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n", chunked_body, true},
      {"two fields chunked + identity",
       post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", chunked_body, false},
      {"two fields x + chunked", post + "Transfer-Encoding: x\r\nTransfer-Encoding: chunked\r\n",
       chunked_body, true},
      {"chunked then Content-Length", post + "Transfer-Encoding: chunked\r\n" + length,
       chunked_body, false},
      {"Content-Length then chunked", post + length + "Transfer-Encoding: chunked\r\n",
       chunked_body, false},
      {"empty", post + "Transfer-Encoding: \r\n" + length, empty, true},
      {"HTTP/1.0 chunked",
       "POST /v1/cases HTTP/1.0\r\n" + host +
           "Connection: keep-alive\r\nContent-Type: application/json\r\n"
           "Transfer-Encoding: chunked\r\n",
       chunked_body, true},
  };
  for (const Attack& a : attacks) {
    INFO("Transfer-Encoding: " << a.name);
    // Read the connection to its end: the server closes it, and answers only the first request.
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string request = a.head + "\r\n" + a.body + hidden;
    REQUIRE(::send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
            static_cast<long>(request.size()));
    std::string received;
    char buf[4096];
    long n = 0;
    auto began = std::chrono::steady_clock::now();
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) received.append(buf, static_cast<size_t>(n));
    bool closed = n == 0;  // an orderly close, not the receive timeout
    ::close(fd);
    INFO(received.substr(
        received.find("\r\n\r\n") == std::string::npos ? 0 : received.find("\r\n\r\n") + 4, 300));
    CHECK(closed);
    CHECK(std::chrono::steady_clock::now() - began < std::chrono::seconds(4));
    bool http10 = a.head.find(" HTTP/1.0\r\n") != std::string::npos;
    CHECK(received.rfind(http10 ? "HTTP/1.0 400 " : "HTTP/1.1 400 ", 0) == 0);
    // HTTP/1.1 says it closes; for HTTP/1.0 closing is the default.
    if (!http10) CHECK(received.find("\r\nConnection: close\r\n") != std::string::npos);
    CHECK(received.find("INVALID_ARGUMENT") != std::string::npos);
    if (a.ours) CHECK(received.find("Transfer-Encoding") != std::string::npos);
    // Exactly one response: the hidden GET /v1/me was not answered.
    static const std::regex kStatusLine("HTTP/1\\.[01] [0-9]{3} ");
    auto responses =
        std::distance(std::sregex_iterator(received.begin(), received.end(), kStatusLine),
                      std::sregex_iterator());
    CHECK(responses == 1);
    CHECK(received.find("coord.eskilstuna") == std::string::npos);
  }

  // A plain chunked request is framed by its chunks, and the next one on the connection is
  // answered as usual.
  Client ok(port);
  std::string login = LoginBody("coord.eskilstuna");
  char size[16];
  std::snprintf(size, sizeof size, "%zx", login.size());
  REQUIRE(ok.SendRaw("POST /v1/sessions HTTP/1.1\r\n" + host +
                     "Content-Type: application/json\r\nTransfer-Encoding: \tChunked \r\n\r\n" +
                     size + "\r\n" + login + "\r\n0\r\n\r\n" + hidden));
  CheckStatus(ok.ReadReply(), 200);
  Reply me = ok.ReadReply();
  CheckStatus(me, 200);
  CHECK(Str(me.Json(), "username") == "coord.eskilstuna");
}

// =============================================================================================
// Finding 2: login limits

TEST_CASE(
    "failed logins make the account wait longer each time, and its owner's known device "
    "or session still signs in",
    "[security][login]") {
  uint16_t port = Plain().port();
  const std::string user = "coord.nykoping";
  // The owner signed in from this browser before: it holds a session and a device cookie.
  Reply earlier = Login(port, user, kDemoPassword);
  REQUIRE(earlier.status == 200);
  std::string device = SetCookieValue(earlier, "tillvaxt_device");
  std::string session = SetCookieValue(earlier, "tillvaxt_session");
  REQUIRE_FALSE(device.empty());
  REQUIRE_FALSE(session.empty());
  // Another user's device cookie proves nothing for this account.
  std::string other_device =
      SetCookieValue(Login(port, "coord.strangnas", kDemoPassword), "tillvaxt_device");
  REQUIRE_FALSE(other_device.empty());

  // Someone guesses: three free failures, then 1 s, then 2 s.
  for (int i = 0; i < 3; ++i) CheckStatus(Login(port, user, "guess-" + std::to_string(i)), 401);
  Reply waits = Login(port, user, kDemoPassword);  // even the right password waits
  CheckStatus(waits, 429);
  CHECK(Str(waits.Json(), "error.status") == "RESOURCE_EXHAUSTED");
  CHECK(RetryAfter(waits) == 1);
  CHECK(waits.Headers("Set-Cookie").empty());
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CheckStatus(Login(port, user, "guess-3"), 401);
  Reply longer = Login(port, user, kDemoPassword);
  CheckStatus(longer, 429);
  CHECK(RetryAfter(longer) == 2);

  // Meanwhile the owner's browser signs in: by its device cookie, or by its session.
  Reply by_device = Login(port, user, kDemoPassword, {{"Cookie", "tillvaxt_device=" + device}});
  CheckStatus(by_device, 200);
  CHECK_FALSE(SetCookieValue(by_device, "tillvaxt_device").empty());  // renewed
  CheckStatus(Login(port, user, kDemoPassword, {{"Cookie", "tillvaxt_session=" + session}}), 200);
  // A wrong password from the known device is still a wrong password.
  CheckStatus(Login(port, user, "guess-4", {{"Cookie", "tillvaxt_device=" + device}}), 401);
  // Neither a stranger's device cookie nor a forged one helps the guesser.
  CheckStatus(Login(port, user, kDemoPassword, {{"Cookie", "tillvaxt_device=" + other_device}}),
              429);
  std::string forged = device;
  forged.back() = forged.back() == 'A' ? 'B' : 'A';
  CheckStatus(Login(port, user, kDemoPassword, {{"Cookie", "tillvaxt_device=" + forged}}), 429);
  // And the guesser's wait was not reset by the owner's logins.
  CHECK(RetryAfter(Login(port, user, kDemoPassword)) >= 1);
}

TEST_CASE(
    "twenty failures from one address make that address wait, but never refuse a known "
    "device or session of the user",
    "[security][login]") {
  uint16_t port = Plain().port();
  const std::string attacker = "127.0.0.3";  // this test's own client address
  // The manager signed in before, from the same address as the attacker (say, one office).
  Reply earlier = Login(port, "manager", kDemoPassword, {}, attacker);
  REQUIRE(earlier.status == 200);
  std::string device = SetCookieValue(earlier, "tillvaxt_device");
  std::string session = SetCookieValue(earlier, "tillvaxt_session");

  for (int i = 0; i < 20; ++i) {
    CheckStatus(Login(port, "nobody-" + std::to_string(i), "guess", {}, attacker), 401);
  }
  Reply blocked = Login(port, "admin", kDemoPassword, {}, attacker);
  CheckStatus(blocked, 429);
  CHECK(RetryAfter(blocked) > 800);
  CHECK(RetryAfter(blocked) <= 900);
  // X-Forwarded-For from a peer that is no trusted proxy changes nothing.
  CheckStatus(Login(port, "admin", kDemoPassword, {{"X-Forwarded-For", "198.51.100.7"}}, attacker),
              429);
  // Another address is not affected.
  CheckStatus(Login(port, "admin", kDemoPassword, {}, "127.0.0.1"), 200);
  // The manager's own browser at the blocked address: its device cookie, or its session.
  CheckStatus(
      Login(port, "manager", kDemoPassword, {{"Cookie", "tillvaxt_device=" + device}}, attacker),
      200);
  CheckStatus(
      Login(port, "manager", kDemoPassword, {{"Cookie", "tillvaxt_session=" + session}}, attacker),
      200);
  // The manager's cookies are no way in for another account.
  CheckStatus(
      Login(port, "admin", kDemoPassword, {{"Cookie", "tillvaxt_device=" + device}}, attacker),
      429);
  CheckStatus(
      Login(port, "admin", kDemoPassword, {{"Cookie", "tillvaxt_session=" + session}}, attacker),
      429);
}

TEST_CASE(
    "behind a trusted proxy the per-address limit counts the client X-Forwarded-For "
    "names, and from anyone else X-Forwarded-For is ignored",
    "[security][login][proxy]") {
  uint16_t port = Proxied().port();
  auto via_proxy = [&](const std::string& forwarded, const std::string& user,
                       const std::string& password) {
    return Login(port, user, password, {{"X-Forwarded-For", forwarded}}, "127.0.0.1");
  };
  for (int i = 0; i < 20; ++i) {
    CheckStatus(via_proxy("203.0.113.1", "nobody-" + std::to_string(i), "guess"), 401);
  }
  Reply blocked = via_proxy("203.0.113.1", "admin", kDemoPassword);
  CheckStatus(blocked, 429);
  CHECK(RetryAfter(blocked) > 800);
  // Every other client behind the proxy signs in: one client no longer locks out the office.
  CheckStatus(via_proxy("203.0.113.2", "admin", kDemoPassword), 200);
  CheckStatus(via_proxy("[2001:db8::2]:4711", "manager", kDemoPassword), 200);
  CheckStatus(Login(port, "manager", kDemoPassword, {}, "127.0.0.1"), 200);  // the proxy itself
  // What the client wrote to the left of the proxy's entry does not count.
  CheckStatus(via_proxy("203.0.113.2, 203.0.113.1", "admin", kDemoPassword), 429);
  // A peer that is no trusted proxy is its own client whatever it forwards: its header
  // neither blocks it nor gets it around a block.
  CheckStatus(
      Login(port, "admin", kDemoPassword, {{"X-Forwarded-For", "203.0.113.1"}}, "127.0.0.4"), 200);
  for (int i = 0; i < 20; ++i) {
    CheckStatus(Login(port, "nobody-" + std::to_string(i), "guess",
                      {{"X-Forwarded-For", "198.51.100." + std::to_string(i)}}, "127.0.0.5"),
                401);
  }
  CheckStatus(
      Login(port, "admin", kDemoPassword, {{"X-Forwarded-For", "198.51.100.99"}}, "127.0.0.5"),
      429);
}

TEST_CASE("bad --trusted-proxy values are refused naming the flag and the value",
          "[security][proxy]") {
  TempDir dir;
  std::vector<std::string> base = {"serve",    "--data",      (dir.path() / "data").string(),
                                   "--listen", "127.0.0.1:0", "--web="};
  for (const char* bad :
       {"10.0.0.0/33", "not-an-address", "10.0.0.1/8", "10.0.0.0/", "::/129", "proxy.example"}) {
    INFO(bad);
    std::vector<std::string> args = base;
    args.insert(args.end(), {"--trusted-proxy", "10.0.0.0/8", "--trusted-proxy", bad});
    auto [code, output] = RunTillvaxt(args);
    INFO(output);
    CHECK(code == 2);
    CHECK(output.find("--trusted-proxy") != std::string::npos);
    CHECK(output.find(std::string("'") + bad + "'") != std::string::npos);
    CHECK(output.find("listening") == std::string::npos);
  }
  auto [code, output] = RunTillvaxt(base, {{"TILLVAXT_TRUSTED_PROXY", "10.0.0.0/8, bogus"}});
  INFO(output);
  CHECK(code == 2);
  CHECK(output.find("TILLVAXT_TRUSTED_PROXY") != std::string::npos);
  CHECK(output.find("'bogus'") != std::string::npos);
  auto [help_code, help] = RunTillvaxt({"serve", "--help"});
  CHECK(help_code == 0);
  CHECK(help.find("--trusted-proxy CIDR") != std::string::npos);
  CHECK(help.find("--max-connections-per-address N") != std::string::npos);
}

// =============================================================================================
// Finding 4: the CSRF origin check, the connection caps, slow clients

TEST_CASE(
    "the CSRF origin check compares the scheme: https://<Host> is not our origin on plain "
    "HTTP, and is behind a trusted proxy that says so",
    "[security][csrf]") {
  auto create = [](uint16_t port, const std::string& token, Headers headers) {
    headers.emplace_back("Cookie", "tillvaxt_session=" + token);
    json::object body{{"title", "Origin-prov"},
                      {"description", "CSRF-prov"},
                      {"company",
                       {{"name", "Ursprungsbolaget AB"},
                        {"orgNumber", OrgNumber(static_cast<uint64_t>(port) * 7 + headers.size())},
                        {"municipality", "Eskilstuna"},
                        {"size", "SMALL"},
                        {"industry", "Verkstad"}}},
                      {"contact", {{"name", "Kontakt"}, {"email", "kontakt@example.se"}}}};
    return Client(port).Send("POST", "/v1/cases", json::serialize(body), headers);
  };
  {
    uint16_t port = Plain().port();
    std::string token = Token(port, "coord.eskilstuna");
    std::string host = "127.0.0.1:" + std::to_string(port);
    Reply https = create(port, token, {{"Origin", "https://" + host}});
    CheckStatus(https, 403);
    CHECK(Str(https.Json(), "error.message").find("X-Requested-With") != std::string::npos);
    // X-Forwarded-Proto from a peer that is no trusted proxy is not believed.
    CheckStatus(
        create(port, token, {{"Origin", "https://" + host}, {"X-Forwarded-Proto", "https"}}), 403);
    CheckStatus(create(port, token, {{"Origin", "http://evil.example"}}), 403);
    CheckStatus(create(port, token, {{"Origin", "null"}}), 403);
    CheckStatus(create(port, token, {{"Origin", "http://" + host + ".evil.example"}}), 403);
    CheckStatus(create(port, token, {{"Origin", "http://" + host}}), 201);
    CheckStatus(create(port, token, {{"Origin", "HTTP://" + host}}), 201);
  }
  {
    uint16_t port = Proxied().port();
    std::string token = Token(port, "coord.eskilstuna");
    std::string host = "127.0.0.1:" + std::to_string(port);
    Headers https_proxy = {{"X-Forwarded-Proto", "https"}, {"X-Forwarded-For", "203.0.113.50"}};
    auto with = [](Headers h, std::string name, std::string value) {
      h.emplace_back(std::move(name), std::move(value));
      return h;
    };
    CheckStatus(create(port, token, with(https_proxy, "Origin", "https://" + host)), 201);
    CheckStatus(create(port, token, with(https_proxy, "Origin", "http://" + host)), 403);
    CheckStatus(create(port, token, {{"Origin", "https://" + host}}), 403);  // no proto: http
    CheckStatus(create(port, token, {{"Origin", "http://" + host}}), 201);
    // Signed in over https through the proxy, the cookies are Secure.
    Reply login = Login(port, "manager", kDemoPassword, https_proxy);
    REQUIRE(login.status == 200);
    for (const std::string& cookie : login.Headers("Set-Cookie")) {
      CHECK(cookie.find("; Secure") != std::string::npos);
    }
    Reply plain_login = Login(port, "manager", kDemoPassword);
    for (const std::string& cookie : plain_login.Headers("Set-Cookie")) {
      CHECK(cookie.find("Secure") == std::string::npos);
    }
  }
}

TEST_CASE(
    "the connection caps answer 503 with Retry-After and close, per address too, and "
    "exempt trusted proxies",
    "[security][connections]") {
  TempDir dir;
  auto server = ServerProcess::Start(
      dir.path() / "data", {"--max-connections", "8", "--max-connections-per-address", "2",
                            "--trusted-proxy", "127.0.0.5"});
  uint16_t port = server->port();
  std::vector<std::unique_ptr<Client>> held;
  // Holds one more served connection from `source`; false when it was not served.
  auto hold = [&](const std::string& source) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto c = std::make_unique<Client>(port);
      c->BindTo(source);
      if (c->Send("GET", "/healthz").status == 200) {
        held.push_back(std::move(c));
        return true;
      }
      // A connection closed a moment ago may not have been counted out yet.
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  };
  // Over a cap: a 503 that can be read, with Retry-After and Connection: close, then the end.
  auto check_refused = [&](const std::string& source) {
    Client c(port);
    c.BindTo(source);
    // Two requests at once: the second is never read, and must not turn the close into a reset
    // that destroys the answer to the first.
    std::string request = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    REQUIRE(c.SendRaw(request + request));
    Reply r = c.ReadReply();
    INFO(source << ": " << r.Describe());
    CHECK(r.status == 503);
    CHECK(Str(r.Json(), "error.status") == "UNAVAILABLE");
    CHECK(r.Header("Retry-After") == "2");
    CHECK(r.Header("Connection") == "close");
  };

  REQUIRE(hold("127.0.0.1"));
  REQUIRE(hold("127.0.0.1"));
  check_refused("127.0.0.1");                              // per address
  REQUIRE(hold("127.0.0.6"));                              // another address is served
  for (int i = 0; i < 4; ++i) REQUIRE(hold("127.0.0.5"));  // the trusted proxy is exempt
  REQUIRE(hold("127.0.0.7"));                              // 8 in all
  check_refused("127.0.0.8");                              // the total cap
  // Room again once one closes.
  held.erase(held.begin());
  CHECK(hold("127.0.0.1"));
  server->Signal(SIGTERM);
  CHECK(server->Wait() == 0);
}

TEST_CASE(
    "a slow client holds a connection at most the header timeout, 5 s by default; a body "
    "may take the read timeout",
    "[security][connections]") {
  uint16_t port = Plain().port();
  {
    INFO("a connection that sends nothing is closed after about 5 s, not 10");
    Client idle(port);
    idle.BindTo("127.0.0.9");
    REQUIRE(idle.Connect());
    auto began = std::chrono::steady_clock::now();
    CHECK(idle.ClosedWithin(std::chrono::seconds(9)));
    auto took = std::chrono::steady_clock::now() - began;
    CHECK(took >= std::chrono::milliseconds(4500));
    CHECK(took < std::chrono::milliseconds(7000));
  }
  TempDir dir;
  auto server = ServerProcess::Start(dir.path() / "data", {"--header-timeout", "1"});
  uint16_t quick = server->port();
  {
    INFO("headers trickling in are cut off at the header timeout");
    Client slow(quick);
    REQUIRE(slow.Connect());
    std::string request =
        "GET /v1/config HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + std::string(100, 'p') +
        "\r\n\r\n";
    auto began = std::chrono::steady_clock::now();
    bool closed = false;
    for (char ch : request) {
      if (!slow.SendRaw(std::string_view(&ch, 1)) ||
          slow.ClosedWithin(std::chrono::milliseconds(50))) {
        closed = true;
        break;
      }
    }
    auto took = std::chrono::steady_clock::now() - began;
    CHECK(closed);
    CHECK(took >= std::chrono::milliseconds(900));
    CHECK(took < std::chrono::milliseconds(3000));
  }
  {
    INFO("a body arriving for longer than the header timeout is still read and answered");
    Client body(quick);
    std::string payload = R"({"title":"långsam kropp"})";
    REQUIRE(
        body.SendRaw("POST /v1/cases HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     "application/json\r\nContent-Length: " +
                     std::to_string(payload.size()) + "\r\n\r\n"));
    for (char ch : payload) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2500 / payload.size()));
      REQUIRE(body.SendRaw(std::string_view(&ch, 1)));
    }
    CheckStatus(body.ReadReply(), 401);  // read to its end, then refused: nobody signed in
  }
  server->Signal(SIGTERM);
  CHECK(server->Wait() == 0);
}

// =============================================================================================
// Finding 3: the demo data

TEST_CASE("the seeded demo cases never name their company in the title or description",
          "[security][seed]") {
  uint16_t port = Plain().port();
  Client admin(port);
  Reply r = admin.Send("GET", "/v1/cases?pageSize=1000", {},
                       {{"Authorization", "Bearer " + Token(port, "admin")}});
  REQUIRE(r.status == 200);
  json::array cases = Arr(r.Json(), "cases");
  REQUIRE(cases.size() >= 300);
  int checked = 0;
  for (const auto& c : cases) {
    std::string name = Str(c, "company.name");
    std::string org = Str(c, "company.orgNumber");
    if (name.find("Ursprungsbolaget") != std::string::npos) continue;  // the CSRF test's
    REQUIRE(name.size() > 3);
    REQUIRE(org.size() == 11);
    std::string core = name.substr(0, name.rfind(" AB"));  // "Nyköpingsfoder"
    std::string digits = org.substr(0, 6) + org.substr(7);
    for (const std::string& text : {Str(c, "title"), Str(c, "description")}) {
      INFO(name << " (" << org << "): " << text);
      CHECK_FALSE(text.empty());
      CHECK(text.find(core) == std::string::npos);
      CHECK(text.find(org) == std::string::npos);
      CHECK(text.find(digits) == std::string::npos);
    }
    ++checked;
  }
  CHECK(checked >= 300);
}

}  // namespace
}  // namespace tillvaxt::apitest
