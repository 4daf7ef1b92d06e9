#include "engine/http/server.h"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <random>
#include <thread>

#include "tests/unit/http/test_client.h"

using namespace tillvaxt;
using namespace tillvaxt::http;
using testing::Conn;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

// Writes to a closed socket must fail with EPIPE, not kill the test.
const bool kIgnoreSigpipe = [] {
  std::signal(SIGPIPE, SIG_IGN);
  return true;
}();

struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tv-http-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void WriteFile(const fs::path& p, const std::string& text) {
  std::ofstream(p, std::ios::binary) << text;
}

std::string ErrorStatus(const std::string& body) {
  return std::string(boost::json::parse(body).at("error").at("status").as_string());
}
// Polls `done` for up to two seconds: the server records metrics and log lines after the last
// byte is written, which can be just after the client has read it.
template <class F>
bool Eventually(F done) {
  auto deadline = std::chrono::steady_clock::now() + 2s;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

int64_t ErrorCode(const std::string& body) {
  return boost::json::parse(body).at("error").at("code").as_int64();
}

// A server on a free port with a few routes, capturing its logs.
struct Fixture {
  Router router;
  Metrics metrics;
  std::mutex mu;
  std::vector<std::string> access;
  std::vector<std::string> errors;
  std::unique_ptr<Server> server;

  // /v1/slow blocks until `release` is set; `slow_started` tells when it is in the handler.
  std::promise<void> slow_started;
  std::shared_future<void> release;
  std::promise<void> release_promise;

  Fixture() {
    release = release_promise.get_future().share();
    router.Add(
        "GET", "/v1/hello",
        [](const Request& r) {
          Response res = Response::Json(
              200, "{\"hello\":\"" + std::string(r.query.Get("name").value_or("world")) + "\"}");
          res.user = "coord.eskilstuna";
          return res;
        },
        "hello");
    router.Add(
        "POST", "/v1/echo",
        [](const Request& r) { return Response::Text(200, r.body, "application/octet-stream"); },
        "echo");
    router.Add(
        "POST", "/v1/cases/{id}:claim",
        [](const Request& r) {
          return Response::Json(200, "{\"claimed\":\"" + std::string(r.PathParam("id")) + "\"}");
        },
        "cases.claim");
    router.Add(
        "GET", "/v1/slow",
        [this](const Request&) {
          slow_started.set_value();
          release.wait();
          return Response::Json(200, "{\"slow\":true}");
        },
        "slow");
    router.Add("GET", "/healthz", [](const Request&) { return Response::Text(200, "ok"); });
    router.Add(
        "GET", "/v1/headers",
        [](const Request&) {
          Response r = Response::Json(200, "{}");
          r.headers.Set("Content-Length", "999");
          r.headers.Set("X-Evil", "a\r\nSet-Cookie: stolen=1");
          r.headers.Set("X-Fine", "yes");
          return r;
        },
        "headers");
    router.Add("GET", "/v1/bad-status", [](const Request&) { return Response::Json(1000, "{}"); });
  }

  base::Status Start(ServerOptions options = {}) {
    options.port = 0;
    ServerHooks hooks;
    hooks.metrics = &metrics;
    hooks.access_log = [this](std::string_view line) {
      std::lock_guard lock(mu);
      access.emplace_back(line);
    };
    hooks.error_log = [this](std::string_view line) {
      std::lock_guard lock(mu);
      errors.emplace_back(line);
    };
    server = std::make_unique<Server>(options, router, hooks);
    return server->Start();
  }

  uint16_t port() const { return server->port(); }

  std::vector<std::string> AccessLines() {
    std::lock_guard lock(mu);
    return access;
  }
};

}  // namespace

TEST_CASE("Server routes requests and answers JSON 404 and 405 with security headers") {
  Fixture f;
  REQUIRE(f.Start().ok());
  auto c = Conn::Open(f.port());
  REQUIRE(c);

  auto r = c->Roundtrip("GET", "/v1/hello?name=S%C3%B6rmland");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "{\"hello\":\"S\xC3\xB6rmland\"}");
  CHECK(r->headers.Get("Content-Type") == "application/json");
  CHECK(r->headers.Get("Cache-Control") == "no-store");
  CHECK(r->headers.Get("X-Content-Type-Options") == "nosniff");
  CHECK(r->headers.Get("Referrer-Policy") == "no-referrer");
  CHECK(r->headers.Get("X-Frame-Options") == "DENY");
  CHECK(r->headers.Get("Content-Security-Policy")->find("default-src 'self'") == 0);
  CHECK(r->headers.Has("X-Request-Id"));
  CHECK(r->headers.Has("Date"));

  r = c->Roundtrip("POST", "/v1/cases/c-9:claim", "", "X-Request-Id: trace-123\r\n");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "{\"claimed\":\"c-9\"}");
  CHECK(r->headers.Get("X-Request-Id") == "trace-123");

  r = c->Roundtrip("GET", "/v1/nothing");
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(ErrorStatus(r->body) == "NOT_FOUND");
  CHECK(r->headers.Get("X-Frame-Options") == "DENY");

  r = c->Roundtrip("DELETE", "/v1/hello");
  REQUIRE(r);
  CHECK(r->status == 405);
  CHECK(r->headers.Get("Allow") == "GET, HEAD");
  CHECK(ErrorCode(r->body) == 405);

  r = c->Roundtrip("HEAD", "/v1/hello");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->headers.Get("Content-Length") == "17");
  CHECK(r->body.empty());

  // Handlers cannot break the framing or inject header lines.
  r = c->Roundtrip("GET", "/v1/headers");
  REQUIRE(r);
  CHECK(r->body == "{}");
  CHECK(r->headers.Get("Content-Length") == "2");
  CHECK(r->headers.Get("X-Fine") == "yes");
  CHECK_FALSE(r->headers.Has("X-Evil"));
  CHECK_FALSE(r->headers.Has("Set-Cookie"));

  r = c->Roundtrip("GET", "/v1/bad-status");
  REQUIRE(r);
  CHECK(r->status == 500);
  CHECK(ErrorStatus(r->body) == "INTERNAL");

  // Still the same connection: keep-alive held through errors.
  r = c->Roundtrip("GET", "/healthz");
  REQUIRE(r);
  CHECK(r->body == "ok");
  CHECK(r->headers.Get("Cache-Control") == "no-store");
}

TEST_CASE("Server keeps connections alive and answers pipelined requests in order") {
  Fixture f;
  REQUIRE(f.Start().ok());
  auto c = Conn::Open(f.port());
  REQUIRE(c);
  for (int i = 0; i < 5; ++i) {
    auto r = c->Roundtrip("GET", "/v1/hello?name=" + std::to_string(i));
    REQUIRE(r);
    CHECK(r->body == "{\"hello\":\"" + std::to_string(i) + "\"}");
  }
  std::string batch;
  for (int i = 0; i < 3; ++i) {
    batch += "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n" + std::to_string(i);
  }
  REQUIRE(c->Send(batch));
  for (int i = 0; i < 3; ++i) {
    auto r = c->Read();
    REQUIRE(r);
    CHECK(r->body == std::to_string(i));
  }
  CHECK(f.server->open_connections() == 1);

  // Connection: close is honoured.
  auto r = c->Roundtrip("GET", "/v1/hello", "", "Connection: close\r\n");
  REQUIRE(r);
  CHECK(r->headers.Get("Connection") == "close");
  CHECK(c->ClosedWithin(2s));
}

TEST_CASE("Server answers 413 for a 2 MiB body and 431 for huge headers") {
  Fixture f;
  REQUIRE(f.Start().ok());
  {
    auto c = Conn::Open(f.port());
    REQUIRE(c);
    std::string body(2u << 20, 'x');
    std::string req =
        "POST /v1/echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) +
        "\r\n\r\n";
    REQUIRE(c->Send(req));
    c->Send(body);  // the server may stop reading early; what matters is the answer
    auto r = c->Read();
    REQUIRE(r);
    CHECK(r->status == 413);
    CHECK(ErrorCode(r->body) == 413);
    CHECK(r->headers.Get("X-Content-Type-Options") == "nosniff");
  }
  {
    auto c = Conn::Open(f.port());
    REQUIRE(c);
    std::string req =
        "GET /v1/hello HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(32 << 10, 'y') + "\r\n\r\n";
    c->Send(req);
    auto r = c->Read();
    REQUIRE(r);
    CHECK(r->status == 431);
    CHECK(ErrorCode(r->body) == 431);
  }
  {
    // A body just under the limit is fine.
    auto c = Conn::Open(f.port());
    REQUIRE(c);
    auto r = c->Roundtrip("POST", "/v1/echo", std::string((1u << 20) - 10, 'z'));
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body.size() == (1u << 20) - 10);
  }
}

TEST_CASE("Server answers malformed HTTP with 400 and survives garbage") {
  Fixture f;
  REQUIRE(f.Start().ok());
  {
    auto c = Conn::Open(f.port());
    REQUIRE(c);
    c->Send("GARBAGE\r\n\r\n");
    auto r = c->Read();
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(ErrorStatus(r->body) == "INVALID_ARGUMENT");
  }
  {
    auto c = Conn::Open(f.port());
    REQUIRE(c);
    c->Send("GET /v1/hello HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n");
    auto r = c->Read();
    REQUIRE(r);
    CHECK(r->status == 400);
  }
  {
    auto c = Conn::Open(f.port());
    REQUIRE(c);
    auto r = c->Roundtrip("GET", "/v1/hello?x=%zz");
    REQUIRE(r);
    CHECK(r->status == 400);
  }
  {
    ServerOptions o;
    o.max_target_length = 64;
    Fixture g;
    REQUIRE(g.Start(o).ok());
    auto c = Conn::Open(g.port());
    REQUIRE(c);
    auto r = c->Roundtrip("GET", "/v1/hello?name=" + std::string(100, 'a'));
    REQUIRE(r);
    CHECK(r->status == 414);
  }
  std::mt19937 rng(42);
  for (int i = 0; i < 40; ++i) {
    auto c = Conn::Open(f.port());
    REQUIRE(c);
    c->SetTimeout(2000ms);
    std::string junk(1 + rng() % 600, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng() % 256);
    if (i % 2 == 0) junk = "POST /v1/echo HTTP/1.1\r\n" + junk;
    junk += "\r\n\r\n";
    c->Send(junk);
    c->Read();  // any answer or none; the server must live on
  }
  auto c = Conn::Open(f.port());
  REQUIRE(c);
  auto r = c->Roundtrip("GET", "/healthz");
  REQUIRE(r);
  CHECK(r->status == 200);
}

TEST_CASE(
    "Server answers a Transfer-Encoding it does not implement with 400 and closes, so a "
    "request hidden behind it is never answered") {
  Fixture f;
  REQUIRE(f.Start().ok());
  const std::string hidden = "GET /v1/hello?name=hidden HTTP/1.1\r\nHost: x\r\n\r\n";
  for (std::string framing :
       {"Transfer-Encoding: xchunked\r\nContent-Length: 2\r\n\r\nhi",
        "Transfer-Encoding: chunked, identity\r\nContent-Length: 2\r\n\r\nhi",
        "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
        "Transfer-Encoding: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n",
        "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n"}) {
    INFO(framing);
    auto c = Conn::Open(f.port());
    REQUIRE(c);
    REQUIRE(c->Send("POST /v1/echo HTTP/1.1\r\nHost: x\r\n" + framing + hidden));
    auto r = c->Read();
    REQUIRE(r);
    CHECK(r->status == 400);
    CHECK(ErrorStatus(r->body) == "INVALID_ARGUMENT");
    CHECK(Contains(r->body, "Transfer-Encoding"));
    CHECK(r->headers.Get("Connection") == "close");
    CHECK(c->ClosedWithin(3s));
    CHECK_FALSE(Contains(c->buffered(), "hidden"));
  }
  // A lone chunked is framed by its chunks, and the next request is answered.
  auto c = Conn::Open(f.port());
  REQUIRE(c);
  REQUIRE(
      c->Send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
              "2\r\nhi\r\n0\r\n\r\n" +
              hidden));
  auto echoed = c->Read();
  REQUIRE(echoed);
  CHECK(echoed->body == "hi");
  auto next = c->Read();
  REQUIRE(next);
  CHECK(next->body == "{\"hello\":\"hidden\"}");
}

TEST_CASE("Server answers Expect: 100-continue") {
  Fixture f;
  REQUIRE(f.Start().ok());
  auto c = Conn::Open(f.port());
  REQUIRE(c);
  REQUIRE(
      c->Send("POST /v1/echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
              "Content-Length: 5\r\n\r\n"));
  auto cont = c->ReadHead();
  REQUIRE(cont);
  CHECK(cont->status == 100);
  REQUIRE(c->Send("hello"));
  auto r = c->Read();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "hello");
}

TEST_CASE("Server cuts off a slow client at the read timeout") {
  Fixture f;
  ServerOptions o;
  o.read_timeout = 600ms;
  REQUIRE(f.Start(o).ok());
  auto c = Conn::Open(f.port());
  REQUIRE(c);
  std::string request = "GET /v1/hello HTTP/1.1\r\nHost: localhost\r\nX-Slow: yes\r\n\r\n";
  auto start = std::chrono::steady_clock::now();
  bool cut_off = false;
  for (char ch : request) {
    if (!c->Send(std::string_view(&ch, 1)) || c->ClosedWithin(200ms)) {
      cut_off = true;
      break;
    }
  }
  auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(cut_off);
  CHECK(elapsed < 3s);
  CHECK(Eventually([&] { return Contains(f.metrics.Render(), "tillvaxt_http_timeouts_total 1"); }));

  // A connection that never sends anything is closed too.
  auto silent = Conn::Open(f.port());
  REQUIRE(silent);
  CHECK(silent->ClosedWithin(3s));
}

TEST_CASE("Server closes idle keep-alive connections after the idle timeout") {
  Fixture f;
  ServerOptions o;
  o.idle_timeout = 300ms;
  REQUIRE(f.Start(o).ok());
  auto c = Conn::Open(f.port());
  REQUIRE(c);
  REQUIRE(c->Roundtrip("GET", "/v1/hello"));
  CHECK(c->ClosedWithin(3s));
}

TEST_CASE("Server caps connections: the excess is answered 503") {
  Fixture f;
  ServerOptions o;
  o.max_connections = 2;
  REQUIRE(f.Start(o).ok());
  auto a = Conn::Open(f.port());
  auto b = Conn::Open(f.port());
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(a->Roundtrip("GET", "/v1/hello")->status == 200);
  REQUIRE(b->Roundtrip("GET", "/v1/hello")->status == 200);
  {
    auto third = Conn::Open(f.port());
    REQUIRE(third);
    auto r = third->Roundtrip("GET", "/v1/hello");
    REQUIRE(r);
    CHECK(r->status == 503);
    CHECK(ErrorStatus(r->body) == "UNAVAILABLE");
    CHECK(r->headers.Get("Retry-After") == "2");
    CHECK(r->headers.Get("Connection") == "close");
    CHECK(third->ClosedWithin(2s));
  }
  a.reset();
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (f.server->open_connections() > 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  auto again = Conn::Open(f.port());
  REQUIRE(again);
  auto r = again->Roundtrip("GET", "/v1/hello");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(Contains(f.metrics.Render(), "tillvaxt_http_connections_rejected_total 1"));
}

TEST_CASE("Server serves static files with an SPA fallback and refuses traversal") {
  TempDir dir;
  fs::create_directories(dir.path / "dist" / "assets");
  WriteFile(dir.path / "dist" / "index.html", "<!doctype html><p>app</p>");
  WriteFile(dir.path / "dist" / "assets" / "app-1a2b3c4d.js", "export{}");
  WriteFile(dir.path / "secret.txt", "top secret");
  Fixture f;
  ServerOptions o;
  o.static_root = (dir.path / "dist").string();
  REQUIRE(f.Start(o).ok());
  auto c = Conn::Open(f.port());
  REQUIRE(c);

  auto r = c->Roundtrip("GET", "/");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->headers.Get("Content-Type") == "text/html; charset=utf-8");
  CHECK(r->body == "<!doctype html><p>app</p>");
  CHECK(r->headers.Get("X-Frame-Options") == "DENY");
  CHECK(r->headers.Get("Cache-Control") == "no-cache");

  r = c->Roundtrip("GET", "/assets/app-1a2b3c4d.js");
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->headers.Get("Content-Type") == "text/javascript; charset=utf-8");
  CHECK(r->headers.Get("Cache-Control") == "public, max-age=31536000, immutable");
  std::string etag(*r->headers.Get("ETag"));
  r = c->Roundtrip("GET", "/assets/app-1a2b3c4d.js", "", "If-None-Match: " + etag + "\r\n");
  REQUIRE(r);
  CHECK(r->status == 304);

  r = c->Roundtrip("GET", "/cases/c-12");  // a client-side route
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "<!doctype html><p>app</p>");

  for (std::string target : {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
                             "/assets/../../secret.txt"}) {
    INFO(target);
    r = c->Roundtrip("GET", target);
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body.find("top secret") == std::string::npos);
  }

  r = c->Roundtrip("GET", "/v1/unknown");  // the API keeps its JSON 404
  REQUIRE(r);
  CHECK(r->status == 404);
  CHECK(ErrorStatus(r->body) == "NOT_FOUND");
  r = c->Roundtrip("GET", "/missing.png");
  REQUIRE(r);
  CHECK(r->status == 404);
}

TEST_CASE("Server streams a response chunk by chunk, with heartbeats") {
  Fixture f;
  std::promise<std::shared_ptr<StreamWriter>> writer_promise;
  std::promise<void> closed_promise;
  f.router.Add(
      "GET", "/v1/stream",
      [&](const Request&) {
        auto body = std::make_shared<StreamBody>();
        body->heartbeat_interval = 100ms;
        body->on_open = [&](std::shared_ptr<StreamWriter> w) { writer_promise.set_value(w); };
        body->on_close = [&] { closed_promise.set_value(); };
        return Response::Stream(200, "text/event-stream", body);
      },
      "stream");
  REQUIRE(f.Start().ok());
  auto c = Conn::Open(f.port());
  REQUIRE(c);
  REQUIRE(c->Send("GET /v1/stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  auto head = c->ReadHead();
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->headers.Get("Content-Type") == "text/event-stream");
  CHECK(head->headers.Get("Transfer-Encoding") == "chunked");
  CHECK(head->headers.Get("Cache-Control") == "no-store");

  auto writer_future = writer_promise.get_future();
  REQUIRE(writer_future.wait_for(5s) == std::future_status::ready);
  auto writer = writer_future.get();
  // Nothing written yet: the first chunk is a heartbeat.
  auto beat = c->ReadChunk();
  REQUIRE(beat);
  CHECK(*beat == ":\n\n");

  for (std::string event : {"data: one\n\n", "data: two\n\n", "data: three\n\n"}) {
    CHECK(writer->Write(event));
    std::optional<std::string> chunk;
    do {
      chunk = c->ReadChunk();
      REQUIRE(chunk);
    } while (*chunk == ":\n\n");
    CHECK(*chunk == event);
  }
  writer->End();
  std::optional<std::string> last;
  do {
    last = c->ReadChunk();
    REQUIRE(last);
  } while (*last == ":\n\n");
  CHECK(last->empty());
  CHECK(c->ClosedWithin(2s));
  CHECK_FALSE(writer->Write("late"));
  CHECK(closed_promise.get_future().wait_for(5s) == std::future_status::ready);

  REQUIRE(Eventually([&] { return !f.AccessLines().empty(); }));
  auto lines = f.AccessLines();
  auto last_line = boost::json::parse(lines.back());
  CHECK(last_line.at("route").as_string() == "stream");
  CHECK(last_line.at("status").as_int64() == 200);
}

TEST_CASE("Server notices a vanished stream client and tells the producer") {
  Fixture f;
  std::promise<std::shared_ptr<StreamWriter>> writer_promise;
  std::promise<void> closed_promise;
  f.router.Add("GET", "/v1/stream", [&](const Request&) {
    auto body = std::make_shared<StreamBody>();
    body->heartbeat_interval = 50ms;
    body->on_open = [&](std::shared_ptr<StreamWriter> w) { writer_promise.set_value(w); };
    body->on_close = [&] { closed_promise.set_value(); };
    return Response::Stream(200, "text/event-stream", body);
  });
  REQUIRE(f.Start().ok());
  auto c = Conn::Open(f.port());
  REQUIRE(c);
  REQUIRE(c->Send("GET /v1/stream HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(c->ReadHead());
  auto writer = writer_promise.get_future().get();
  c.reset();  // the client goes away
  CHECK(closed_promise.get_future().wait_for(5s) == std::future_status::ready);
  CHECK_FALSE(writer->Write("data: gone\n\n"));
  CHECK_FALSE(writer->open());
}

TEST_CASE("Server stops gracefully: in-flight requests finish, new connections are refused") {
  Fixture f;
  ServerOptions o;
  o.drain_timeout = 10s;
  REQUIRE(f.Start(o).ok());
  uint16_t port = f.port();

  auto idle = Conn::Open(port);
  REQUIRE(idle);
  REQUIRE(idle->Roundtrip("GET", "/v1/hello")->status == 200);

  auto busy = Conn::Open(port);
  REQUIRE(busy);
  REQUIRE(busy->Send("GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(f.slow_started.get_future().wait_for(5s) == std::future_status::ready);

  std::thread stopper([&] { f.server->Stop(); });
  // New connections are refused once Stop() has begun.
  bool refused = false;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!refused && std::chrono::steady_clock::now() < deadline) {
    auto probe = Conn::Open(port);
    if (!probe) {
      refused = true;
    } else {
      std::this_thread::sleep_for(10ms);
    }
  }
  CHECK(refused);
  // The idle keep-alive connection is closed.
  CHECK(idle->ClosedWithin(3s));

  // The request in flight completes with 200 and Connection: close.
  f.release_promise.set_value();
  auto r = busy->Read();
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "{\"slow\":true}");
  CHECK(r->headers.Get("Connection") == "close");
  CHECK(busy->ClosedWithin(3s));
  stopper.join();
  CHECK(f.server->open_connections() == 0);
  f.server->Stop();  // idempotent
}

TEST_CASE("Server stop cuts off what outlasts the drain timeout") {
  Fixture f;
  ServerOptions o;
  o.drain_timeout = 200ms;
  REQUIRE(f.Start(o).ok());
  auto busy = Conn::Open(f.port());
  REQUIRE(busy);
  REQUIRE(busy->Send("GET /v1/slow HTTP/1.1\r\nHost: x\r\n\r\n"));
  REQUIRE(f.slow_started.get_future().wait_for(5s) == std::future_status::ready);
  std::thread stopper([&] { f.server->Stop(); });
  CHECK(busy->ClosedWithin(3s));
  f.release_promise.set_value();  // the handler may finish; nobody is left to answer
  stopper.join();
}

TEST_CASE("Server speaks TLS with a certificate and refuses bad TLS files") {
  TempDir dir;
  std::string cert = (dir.path / "cert.pem").string();
  std::string key = (dir.path / "key.pem").string();
  std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout '" + key + "' -out '" +
                    cert + "' -days 1 -subj /CN=localhost >/dev/null 2>&1";
  // The test command installs every tool a test needs: a missing one is a failure, not a skip.
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
    FAIL(
        "openssl (the command) not found: install the Debian package openssl"
        " (scripts/deps.sh TV_TEST_PACKAGES)");
  }
  INFO(cmd);
  REQUIRE(std::system(cmd.c_str()) == 0);
  Fixture f;
  ServerOptions o;
  o.tls_cert_file = cert;
  o.tls_key_file = key;
  REQUIRE(f.Start(o).ok());
  CHECK(f.server->tls());

  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  REQUIRE(ctx);
  REQUIRE(SSL_CTX_load_verify_locations(ctx, cert.c_str(), nullptr) == 1);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  {
    auto c = Conn::Open(f.port(), ctx);
    REQUIRE(c);
    auto r = c->Roundtrip("GET", "/v1/hello");
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->body == "{\"hello\":\"world\"}");
    CHECK(r->headers.Get("Strict-Transport-Security") == "max-age=31536000");
    r = c->Roundtrip("GET", "/v1/hello?name=again");  // keep-alive over TLS
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  {
    // Plain HTTP on the TLS port gets nothing useful and does not hurt the server.
    auto plain = Conn::Open(f.port());
    REQUIRE(plain);
    plain->SetTimeout(2000ms);
    plain->Send("GET /v1/hello HTTP/1.1\r\nHost: x\r\n\r\n");
    auto r = plain->Read();
    CHECK_FALSE((r && r->status == 200));
  }
  SSL_CTX_free(ctx);

  Fixture missing;
  ServerOptions bad;
  bad.tls_cert_file = (dir.path / "nope.pem").string();
  bad.tls_key_file = key;
  auto st = missing.Start(bad);
  CHECK_FALSE(st.ok());
  CHECK(st.message().find("nope.pem") != std::string::npos);

  WriteFile(dir.path / "garbage.pem", "not a certificate");
  Fixture garbage;
  bad.tls_cert_file = (dir.path / "garbage.pem").string();
  st = garbage.Start(bad);
  CHECK_FALSE(st.ok());
  CHECK(st.message().find("garbage.pem") != std::string::npos);

  Fixture half;
  ServerOptions only_cert;
  only_cert.tls_cert_file = cert;
  CHECK_FALSE(half.Start(only_cert).ok());
}

TEST_CASE("Server reports bind errors and records metrics and access log lines") {
  Fixture f;
  REQUIRE(f.Start().ok());
  auto c = Conn::Open(f.port());
  REQUIRE(c);
  REQUIRE(c->Roundtrip("GET", "/v1/hello")->status == 200);
  REQUIRE(c->Roundtrip("GET", "/v1/hello")->status == 200);
  REQUIRE(c->Roundtrip("GET", "/v1/nope")->status == 404);

  CHECK(Eventually([&] { return f.AccessLines().size() == 3; }));
  std::string text = f.metrics.Render();
  CHECK(
      text.find("tillvaxt_http_requests_total{route=\"hello\",method=\"GET\",status=\"200\"} 2") !=
      std::string::npos);
  CHECK(text.find("tillvaxt_http_requests_total{route=\"none\",method=\"GET\",status=\"404\"} 1") !=
        std::string::npos);
  CHECK(text.find("tillvaxt_http_request_duration_seconds_count{route=\"hello\"} 2") !=
        std::string::npos);
  CHECK(text.find("tillvaxt_http_connections 1") != std::string::npos);

  auto lines = f.AccessLines();
  REQUIRE(lines.size() == 3);
  auto line = boost::json::parse(lines[0]);
  CHECK(line.at("method").as_string() == "GET");
  CHECK(line.at("path").as_string() == "/v1/hello");
  CHECK(line.at("route").as_string() == "hello");
  CHECK(line.at("status").as_int64() == 200);
  CHECK(line.at("user").as_string() == "coord.eskilstuna");
  CHECK(line.at("bytes").to_number<int64_t>() > 17);
  CHECK(line.at("remote").as_string().starts_with("127.0.0.1:"));
  CHECK(!line.at("requestId").as_string().empty());
  CHECK(line.as_object().contains("durationMs"));
  CHECK(line.as_object().contains("time"));

  Fixture clash;
  ServerOptions same;
  same.port = f.port();
  ServerHooks quiet;
  quiet.access_log = [](std::string_view) {};
  Server second(same, clash.router, quiet);
  auto st = second.Start();
  CHECK_FALSE(st.ok());
  CHECK(st.code() == base::Code::kUnavailable);

  Fixture bad_address;
  ServerOptions o;
  o.address = "not-an-address";
  CHECK_FALSE(bad_address.Start(o).ok());
}
