// The listener: binds, accepts connections on their own strands, enforces the connection cap,
// owns the I/O threads and the handler worker pool, and stops in order.
#include "engine/http/server.h"

#include <openssl/ssl.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <filesystem>
#include <fstream>
#include <future>
#include <optional>
#include <random>
#include <thread>

#include "engine/http/session.h"

namespace tillvaxt::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Connections beyond a cap that still get a 503; beyond these, closed.
constexpr size_t kMaxRejecting = 64;

// The peer of an accepted socket, and the key the per-address cap counts it under ("" for a
// trusted proxy: its clients share its address).
internal::Peer PeerOf(const tcp::socket& socket, const base::CidrSet& trusted) {
  internal::Peer peer{"unknown", "unknown", ""};
  boost::system::error_code ec;
  auto endpoint = socket.remote_endpoint(ec);
  if (ec) return peer;
  std::string text = endpoint.address().to_string();
  std::optional<base::IpAddress> ip = base::ParseIp(text);
  peer.ip = ip ? ip->ToString() : text;
  peer.text = (endpoint.address().is_v6() ? "[" + text + "]" : text) + ":" +
              std::to_string(endpoint.port());
  if (ip && !trusted.Contains(*ip)) peer.address_key = base::AddressKey(*ip);
  return peer;
}

std::string RandomPrefix() {
  std::random_device device;
  char buf[16];
  std::snprintf(buf, sizeof(buf), "%08x", static_cast<unsigned>(device()));
  return buf;
}

bool Readable(const std::string& path) {
  std::ifstream in(path);
  return static_cast<bool>(in);
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions o, const Router& r, ServerHooks h)
      : options(std::move(o)), router(r), hooks(std::move(h)) {}

  ServerOptions options;
  const Router& router;
  ServerHooks hooks;
  std::shared_ptr<internal::ServerState> state;

  // Declared before everything bound to it, so it is destroyed after them.
  net::io_context ioc;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work;
  std::unique_ptr<net::ssl::context> tls;
  std::unique_ptr<tcp::acceptor> acceptor;
  std::unique_ptr<net::steady_timer> retry;
  std::unique_ptr<net::thread_pool> workers;
  std::vector<std::thread> threads;
  std::atomic<uint16_t> port{0};
  std::mutex control;
  bool started = false;
  bool stopped = false;

  void LogError(const std::string& line) {
    if (state && state->error_log) state->error_log(line);
  }

  base::Status SetUpTls();
  void DoAccept();
  void OnAccept(boost::system::error_code ec, tcp::socket socket);
};

base::Status Server::Impl::SetUpTls() {
  const std::string& cert = options.tls_cert_file;
  const std::string& key = options.tls_key_file;
  if (cert.empty() && key.empty()) return base::Status::Ok();
  if (cert.empty() || key.empty()) {
    return base::InvalidArgument("TLS needs both a certificate file and a key file");
  }
  if (!Readable(cert))
    return base::InvalidArgument("cannot read TLS certificate file '" + cert + "'");
  if (!Readable(key)) return base::InvalidArgument("cannot read TLS key file '" + key + "'");
  auto ctx = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  ctx->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                   net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 |
                   net::ssl::context::no_tlsv1_1 | net::ssl::context::no_compression |
                   net::ssl::context::single_dh_use);
  boost::system::error_code ec;
  ctx->use_certificate_chain_file(cert, ec);
  if (ec) {
    return base::InvalidArgument("TLS certificate file '" + cert +
                                 "' holds no valid PEM certificate: " + ec.message());
  }
  ctx->use_private_key_file(key, net::ssl::context::pem, ec);
  if (ec) {
    return base::InvalidArgument("TLS key file '" + key +
                                 "' holds no valid PEM private key: " + ec.message());
  }
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return base::InvalidArgument("TLS key file '" + key + "' does not match the certificate '" +
                                 cert + "'");
  }
  tls = std::move(ctx);
  return base::Status::Ok();
}

void Server::Impl::DoAccept() {
  acceptor->async_accept(net::make_strand(ioc),
                         [this](boost::system::error_code ec, tcp::socket socket) {
                           OnAccept(ec, std::move(socket));
                         });
}

void Server::Impl::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  try {
    if (ec) {
      if (ec == net::error::operation_aborted || !acceptor->is_open()) return;
      LogError("accept failed: " + ec.message());
      // Out of descriptors or memory: back off instead of spinning.
      retry->expires_after(std::chrono::milliseconds(100));
      retry->async_wait([this](boost::system::error_code wait_ec) {
        if (!wait_ec && acceptor->is_open()) DoAccept();
      });
      return;
    }
    boost::system::error_code ignored;
    if (state->stopping) {
      socket.close(ignored);
      return;
    }
    socket.set_option(tcp::no_delay(true), ignored);
    internal::Peer peer = PeerOf(socket, options.trusted_proxies);
    bool over = false;
    bool may_reject = false;
    {
      std::lock_guard lock(state->mu);
      over = state->counted >= options.max_connections;
      if (!over && !peer.address_key.empty()) {
        auto it = state->per_address.find(peer.address_key);
        over = it != state->per_address.end() && it->second >= options.max_connections_per_address;
      }
      may_reject = state->rejecting < kMaxRejecting;
    }
    if (over) {
      if (state->rejected_total) state->rejected_total->Inc();
      if (may_reject) {
        internal::StartSession(state, std::move(socket), tls.get(), /*reject=*/true,
                               std::move(peer));
      } else {
        socket.close(ignored);
      }
    } else {
      internal::StartSession(state, std::move(socket), tls.get(), /*reject=*/false,
                             std::move(peer));
    }
  } catch (const std::exception& e) {
    LogError(std::string("accepting a connection failed: ") + e.what());
  }
  DoAccept();
}

Server::Server(ServerOptions options, const Router& router, ServerHooks hooks)
    : impl_(std::make_unique<Impl>(std::move(options), router, std::move(hooks))) {}

Server::~Server() { Stop(); }

base::Status Server::Start() {
  Impl& m = *impl_;
  std::lock_guard control(m.control);
  if (m.started) return base::FailedPrecondition("the server was already started");
  const ServerOptions& o = m.options;
  if (o.io_threads < 1 || o.worker_threads < 1) {
    return base::InvalidArgument("the server needs at least one I/O and one worker thread");
  }
  if (o.header_limit < 512 || o.max_connections < 1 || o.max_connections_per_address < 1) {
    return base::InvalidArgument("header limit (>= 512) or connection cap (>= 1) too small");
  }
  TV_RETURN_IF_ERROR(m.SetUpTls());

  auto state = std::make_shared<internal::ServerState>();
  state->options = o;
  state->access_log = m.hooks.access_log ? m.hooks.access_log : StdoutSink();
  state->error_log = m.hooks.error_log ? m.hooks.error_log : StderrSink();
  if (!o.static_root.empty()) {
    std::error_code ec;
    if (!std::filesystem::is_directory(o.static_root, ec)) {
      return base::InvalidArgument("static file folder '" + o.static_root + "' is not a folder");
    }
    state->static_files = std::make_unique<StaticFiles>(StaticFilesOptions{o.static_root});
  }
  DispatcherOptions dispatcher_options;
  dispatcher_options.content_security_policy = o.content_security_policy;
  dispatcher_options.strict_transport_security = m.tls != nullptr;
  state->dispatcher = std::make_unique<Dispatcher>(m.router, state->static_files.get(),
                                                   std::move(dispatcher_options), state->error_log);
  state->id_prefix = RandomPrefix();

  boost::system::error_code ec;
  auto address = net::ip::make_address(o.address, ec);
  if (ec) return base::InvalidArgument("invalid listen address '" + o.address + "'");
  tcp::endpoint endpoint(address, o.port);
  std::string where = o.address + ":" + std::to_string(o.port);
  auto acceptor = std::make_unique<tcp::acceptor>(net::make_strand(m.ioc));
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
  if (ec) return base::Unavailable("cannot listen on " + where + ": " + ec.message());
  m.port = acceptor->local_endpoint(ec).port();

  if (Metrics* metrics = m.hooks.metrics) {
    state->requests_total = &metrics->AddCounter(
        "tillvaxt_http_requests_total", "HTTP requests answered, by route, method and status.",
        {"route", "method", "status"});
    state->request_seconds = &metrics->AddHistogram(
        "tillvaxt_http_request_duration_seconds",
        "Time from a complete request to its response written, by route.", {"route"});
    state->rejected_total = &metrics->AddCounter("tillvaxt_http_connections_rejected_total",
                                                 "Connections refused at the connection cap.");
    state->timeouts_total = &metrics->AddCounter(
        "tillvaxt_http_timeouts_total", "Connections cut off because a request came too slowly.");
    std::weak_ptr<internal::ServerState> weak = state;
    metrics->AddCallbackGauge("tillvaxt_http_connections", "Open HTTP connections.", [weak] {
      auto s = weak.lock();
      return s ? static_cast<double>(s->open()) : 0.0;
    });
  }

  m.state = state;
  m.acceptor = std::move(acceptor);
  m.retry = std::make_unique<net::steady_timer>(m.acceptor->get_executor());
  m.workers = std::make_unique<net::thread_pool>(static_cast<size_t>(o.worker_threads));
  state->workers = m.workers.get();
  m.work.emplace(m.ioc.get_executor());
  for (int i = 0; i < o.io_threads; ++i) {
    m.threads.emplace_back([&m] {
      for (;;) {
        try {
          m.ioc.run();
          return;
        } catch (const std::exception& e) {
          m.LogError(std::string("I/O thread caught: ") + e.what());
        } catch (...) {
          m.LogError("I/O thread caught a non-standard exception");
        }
      }
    });
  }
  net::post(m.acceptor->get_executor(), [&m] { m.DoAccept(); });
  m.started = true;
  return base::Status::Ok();
}

void Server::Stop() {
  Impl& m = *impl_;
  std::lock_guard control(m.control);
  if (!m.started || m.stopped) return;
  m.stopped = true;
  auto& state = *m.state;
  state.stopping = true;

  // 1. Refuse new connections.
  std::promise<void> closed;
  net::post(m.acceptor->get_executor(), [&m, &closed] {
    boost::system::error_code ignored;
    m.acceptor->close(ignored);
    m.retry->cancel();
    closed.set_value();
  });
  closed.get_future().wait();

  // 2. Idle connections close, streams end, requests in flight finish.
  for (auto& session : state.Snapshot()) session->Shutdown();
  auto drained = [&state] { return state.sessions.empty(); };
  {
    std::unique_lock lock(state.mu);
    state.cv.wait_for(lock, m.options.drain_timeout, drained);
  }
  // 3. Whatever is left after the drain timeout is cut off.
  size_t left = state.open();
  if (left > 0) {
    m.LogError("closing " + std::to_string(left) + " connection(s) after the drain timeout");
    for (auto& session : state.Snapshot()) session->ForceClose();
  }
  // 4. Handlers still running finish (their connection may be gone); then the I/O threads.
  m.workers->join();
  {
    std::unique_lock lock(state.mu);
    state.cv.wait_for(lock, std::chrono::seconds(2), drained);
  }
  m.work.reset();
  m.ioc.stop();
  for (auto& t : m.threads) t.join();
  m.threads.clear();
}

uint16_t Server::port() const { return impl_->port; }

bool Server::tls() const { return impl_->tls != nullptr; }

size_t Server::open_connections() const { return impl_->state ? impl_->state->open() : 0; }

}  // namespace tillvaxt::http
