// Internal to the server (server.cc and session.cc only; it includes Asio): the state that
// connections share with the listener, and the factory that starts a connection.
//
// ServerState is shared by the Server and every session (shared_ptr), so a session that
// outlives Stop() never touches freed memory. Its registry is guarded by `mu`.
#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/thread_annotations.h"
#include "engine/http/dispatcher.h"
#include "engine/http/metrics.h"
#include "engine/http/server.h"
#include "engine/http/static_files.h"

namespace tillvaxt::http::internal {

// What the listener and the stream writers need of a connection. All functions thread-safe
// (they post to the connection's strand).
class SessionBase : public std::enable_shared_from_this<SessionBase> {
 public:
  virtual ~SessionBase() = default;
  // The server is stopping: close when idle, end a stream, finish the request in flight.
  virtual void Shutdown() = 0;
  // Close the socket now.
  virtual void ForceClose() = 0;
  // From a StreamWriter.
  virtual void PostChunk(std::string data) = 0;
  virtual void PostEnd() = 0;
};

struct ServerState {
  ServerOptions options;
  LogSink access_log;
  LogSink error_log;
  std::unique_ptr<StaticFiles> static_files;
  std::unique_ptr<Dispatcher> dispatcher;
  boost::asio::thread_pool* workers = nullptr;  // owned by the Server, outlives handler posts

  CounterFamily* requests_total = nullptr;  // all null without a Metrics registry
  HistogramFamily* request_seconds = nullptr;
  CounterFamily* rejected_total = nullptr;
  CounterFamily* timeouts_total = nullptr;

  std::atomic<bool> stopping{false};
  std::string id_prefix;
  std::atomic<uint64_t> next_id{1};

  mutable std::mutex mu;
  std::condition_variable cv;  // notified when a session goes away
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions GUARDED_BY(mu);
  size_t counted GUARDED_BY(mu) = 0;    // sessions that count toward max_connections
  size_t rejecting GUARDED_BY(mu) = 0;  // sessions only answering 503
  // Counted sessions per peer address key (base::AddressKey); trusted proxies are not counted.
  std::unordered_map<std::string, size_t> per_address GUARDED_BY(mu);

  std::string NextRequestId();
  // `address_key` is "" for a session not counted per address.
  void Register(SessionBase* session, std::weak_ptr<SessionBase> weak, bool counted,
                const std::string& address_key);
  void Unregister(SessionBase* session, bool counted, const std::string& address_key);
  std::vector<std::shared_ptr<SessionBase>> Snapshot() const;
  size_t open() const;
};

// The peer of a new connection.
struct Peer {
  std::string ip;           // "127.0.0.1", "2001:db8::1" (no port); "unknown" when not known
  std::string text;         // "127.0.0.1:53412", "[2001:db8::1]:443", for logs
  std::string address_key;  // what the per-address cap counts it under; "" when exempt
};

// Starts serving `socket` (accepted on its own strand). With `tls`, handshakes first. A
// `reject` session reads one request and answers 503 with Retry-After (a connection cap is
// reached), then closes.
void StartSession(std::shared_ptr<ServerState> state, boost::asio::ip::tcp::socket socket,
                  boost::asio::ssl::context* tls, bool reject, Peer peer);

}  // namespace tillvaxt::http::internal
