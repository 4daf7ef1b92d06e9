// Server: the HTTP/1.1 (and HTTPS) listener that feeds requests to a Router.
//
// I/O runs on a small Asio thread pool; each connection has its own strand; handlers run on a
// separate worker pool (they may block on the database) and their responses are posted back to
// the connection's strand. Keep-alive; pipelined requests are answered in order, one at a time,
// with read-ahead bounded by the header limit. A request whose framing is ambiguous (any
// Transfer-Encoding but a lone "chunked", or one together with a Content-Length: RFC 9112 §6.1,
// §6.3) is answered 400 and its connection closed, so nothing after it is read as a request.
// Every limit below is enforced per connection, and every response carries the security headers
// of Dispatcher::Finish and an X-Request-Id. Requests the router does not know fall back to the
// static files of `static_root` when set.
//
// Only server.cc and session.cc see Asio and Beast; this header does not.
// Thread-safety: Start and Stop from one controlling thread; port() and the counters from any.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/base/net_address.h"
#include "engine/base/status.h"
#include "engine/http/access_log.h"
#include "engine/http/dispatcher.h"
#include "engine/http/metrics.h"
#include "engine/http/router.h"

namespace tillvaxt::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port; Server::port() tells which
  int io_threads = 2;
  int worker_threads = 4;

  size_t body_limit = 1 << 20;         // larger bodies: 413
  size_t header_limit = 16 << 10;      // request line + headers; larger: 431
  size_t max_target_length = 8 << 10;  // longer request targets: 414
  // Beyond either cap a connection is answered 503 with Retry-After and closed (at most 64 such
  // answers at a time; beyond those, closed). The per-address cap counts connections per peer
  // address (IPv6: per /64); trusted proxies are exempt, as all their clients share it.
  size_t max_connections = 1024;
  size_t max_connections_per_address = 64;
  // A request must arrive completely, headers and body, within `read_timeout` of its first byte
  // (slow clients are cut off). Its request line and headers must arrive within
  // `header_timeout` (or `read_timeout` when that is shorter); on a new connection that
  // deadline counts from the accept and also covers the TLS handshake and the first byte. So a
  // client that sends nothing or trickles its headers holds a connection slot that long.
  std::chrono::milliseconds read_timeout{10'000};
  std::chrono::milliseconds header_timeout{5'000};
  std::chrono::milliseconds idle_timeout{60'000};   // keep-alive wait between requests
  std::chrono::milliseconds write_timeout{30'000};  // each response write, each stream chunk
  std::chrono::milliseconds drain_timeout{10'000};  // Stop(): how long in-flight work may take
  size_t stream_buffer_limit = 1 << 20;             // bytes a slow stream client may have queued

  // TLS when both are set (PEM files); Start() fails clearly when they are missing or invalid.
  std::string tls_cert_file;
  std::string tls_key_file;

  // Reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed
  // (client_address.h); empty: those headers are never read.
  base::CidrSet trusted_proxies;

  std::string static_root;  // e.g. web/dist; empty: no static files
  std::string content_security_policy = std::string(kDefaultContentSecurityPolicy);
};

struct ServerHooks {
  // When set, the server registers and updates:
  //   tillvaxt_http_requests_total{route,method,status}
  //   tillvaxt_http_request_duration_seconds{route}   (histogram)
  //   tillvaxt_http_connections                        (open connections)
  //   tillvaxt_http_connections_rejected_total, tillvaxt_http_timeouts_total
  // Must outlive the server.
  Metrics* metrics = nullptr;
  LogSink access_log;  // one JSON line per request; default: stdout
  LogSink error_log;   // server problems (handler exceptions, accept errors); default: stderr
};

class Server {
 public:
  // `router` must outlive the server and not change after Start().
  Server(ServerOptions options, const Router& router, ServerHooks hooks = {});
  ~Server();  // Stop()s
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds, listens and starts the threads. Errors: bad address, port in use, unreadable or
  // invalid TLS files, a static root that is not a folder.
  base::Status Start();

  // Graceful: stops accepting (new connections are refused), closes idle keep-alive connections,
  // ends streams, lets in-flight requests finish and answers them with Connection: close, then
  // after `drain_timeout` closes whatever is left. Waits for running handlers. Idempotent.
  // REQUIRES: not called from a handler (it waits for the handler threads).
  void Stop();

  uint16_t port() const;
  bool tls() const;
  size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tillvaxt::http
