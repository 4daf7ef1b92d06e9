// One HTTP connection: read a request, run its handler on the worker pool, write the response
// on the connection's strand, repeat; or drive a streaming response. Plain and TLS connections
// share the code through the Session template. Every completion handler runs under Guard, so no
// exception leaves a session: it is logged and the connection closed.
#include "engine/http/session.h"

#include <algorithm>
#include <array>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <optional>

#include "engine/http/beast_request.h"
#include "engine/http/client_address.h"

namespace tillvaxt::http::internal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using tcp = net::ip::tcp;

namespace {

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

constexpr size_t kReadChunk = 4096;
constexpr size_t kLingerBytes = 16u << 20;
constexpr std::chrono::milliseconds kLingerTime{2000};
constexpr std::chrono::milliseconds kTlsShutdownTime{1000};
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
// Retry-After of the 503 answered beyond a connection cap.
constexpr std::string_view kCapRetryAfterSeconds = "2";

beast::tcp_stream& Lowest(PlainStream& s) { return s; }
std::string_view SV(beast::string_view s) { return {s.data(), s.size()}; }
beast::tcp_stream& Lowest(TlsStream& s) { return s.next_layer(); }

bool SafeHeader(std::string_view name, std::string_view value) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c <= ' ' || c == ':' || c == 0x7f) return false;
  }
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

bool SaneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == ':';
    if (!ok) return false;
  }
  return true;
}

// Bounded label values: a client's invented method must not create new series.
std::string MethodLabel(std::string_view method) {
  static constexpr std::array<std::string_view, 7> kKnown = {"GET",    "HEAD",  "POST",   "PUT",
                                                             "DELETE", "PATCH", "OPTIONS"};
  for (auto m : kKnown) {
    if (m == method) return std::string(m);
  }
  return method.empty() ? "NONE" : "OTHER";
}

std::string ChunkFrame(std::string_view data) {
  char size[20];
  int n = std::snprintf(size, sizeof(size), "%zx\r\n", data.size());
  std::string frame;
  frame.reserve(static_cast<size_t>(n) + data.size() + 2);
  frame.append(size, static_cast<size_t>(n));
  frame.append(data);
  frame.append("\r\n");
  return frame;
}

class ChunkWriter final : public StreamWriter {
 public:
  explicit ChunkWriter(std::weak_ptr<SessionBase> session) : session_(std::move(session)) {}

  bool Write(std::string data) override {
    if (!open_) return false;
    auto session = session_.lock();
    if (!session) {
      MarkClosed();
      return false;
    }
    if (data.empty()) return true;
    {
      std::lock_guard lock(mu_);
      unsent_ += data.size();
    }
    session->PostChunk(std::move(data));
    return true;
  }
  void End() override {
    if (!open_.exchange(false)) return;
    cv_.notify_all();
    if (auto session = session_.lock()) session->PostEnd();
  }
  bool open() const override { return open_; }
  bool WaitWritable(size_t max_unsent, std::chrono::milliseconds timeout) override {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !open_ || unsent_ <= max_unsent; });
    return open_ && unsent_ <= max_unsent;
  }
  // The session wrote `n` bytes of the producer's data to the socket (or dropped them).
  void Sent(size_t n) {
    {
      std::lock_guard lock(mu_);
      unsent_ -= std::min(n, unsent_);
    }
    cv_.notify_all();
  }
  void MarkClosed() {
    open_ = false;
    cv_.notify_all();
  }

 private:
  std::weak_ptr<SessionBase> session_;
  std::atomic<bool> open_{true};
  std::mutex mu_;
  std::condition_variable cv_;
  size_t unsent_ = 0;  // guarded by mu_
};

template <class Stream>
class Session final : public SessionBase {
 public:
  Session(std::shared_ptr<ServerState> state, Stream stream, Peer peer, bool reject)
      : state_(std::move(state)),
        stream_(std::move(stream)),
        executor_(stream_.get_executor()),
        heartbeat_(executor_),
        buffer_(state_->options.header_limit + 16 * 1024),
        remote_(std::move(peer.text)),
        peer_ip_(std::move(peer.ip)),
        address_key_(reject ? std::string() : std::move(peer.address_key)),
        reject_(reject) {}

  ~Session() override { state_->Unregister(this, !reject_, address_key_); }

  void Start() {
    net::dispatch(executor_, [self = Self()] { self->Guard([&] { self->Begin(); }); });
  }

  void Shutdown() override {
    net::post(executor_, [self = Self()] { self->Guard([&] { self->OnShutdown(); }); });
  }
  void ForceClose() override {
    net::post(executor_, [self = Self()] { self->Close(); });
  }
  void PostChunk(std::string data) override {
    net::post(executor_, [self = Self(), data = std::move(data)]() mutable {
      self->Guard([&] { self->QueueChunk(std::move(data), /*from_producer=*/true); });
    });
  }
  void PostEnd() override {
    net::post(executor_, [self = Self()] { self->Guard([&] { self->EndStream(); }); });
  }

 private:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  enum class Phase { kHandshake, kIdle, kReading, kHandling, kWriting, kStreaming, kClosing };

  std::shared_ptr<Session> Self() { return std::static_pointer_cast<Session>(shared_from_this()); }

  // Runs `f`; an exception is logged and closes the connection.
  template <class F>
  void Guard(F&& f) {
    try {
      f();
    } catch (const std::exception& e) {
      LogError(std::string("connection from ") + remote_ + " failed: " + e.what());
      Close();
    } catch (...) {
      LogError("connection from " + remote_ + " failed with a non-standard exception");
      Close();
    }
  }

  void LogError(const std::string& line) {
    if (state_->error_log) state_->error_log(line);
  }

  void CountTimeout() {
    if (state_->timeouts_total) state_->timeouts_total->Inc();
  }

  bool Stopping() const { return shutting_down_ || state_->stopping.load(); }

  // The deadline for a request's line and headers, and for the whole request, counted from
  // request_start_ (the accept for the first request, its first byte for later ones).
  std::chrono::steady_clock::time_point HeaderDeadline() const {
    return request_start_ + std::min(state_->options.header_timeout, state_->options.read_timeout);
  }
  std::chrono::steady_clock::time_point RequestDeadline() const {
    return request_start_ + state_->options.read_timeout;
  }

  // ---- reading ----

  void Begin() {
    if constexpr (kTls) {
      phase_ = Phase::kHandshake;
      Lowest(stream_).expires_at(HeaderDeadline());
      stream_.async_handshake(net::ssl::stream_base::server, [self = Self()](beast::error_code ec) {
        self->Guard([&] { self->OnHandshake(ec); });
      });
    } else {
      DoRead();
    }
  }

  void OnHandshake(beast::error_code ec) {
    if (ec) {
      if (ec == beast::error::timeout) CountTimeout();
      return Close();
    }
    DoRead();
  }

  void DoRead() {
    if (closed_) return;
    if (Stopping()) return CloseGracefully();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(state_->options.header_limit));
    parser_->body_limit(state_->options.body_limit);
    request_ = Request();
    log_ = AccessLogEntry();
    recorded_ = false;
    head_ = false;
    version_ = 11;
    if (buffer_.size() == 0) {
      phase_ = Phase::kIdle;
      // A new connection must send its headers by the header deadline counted from the
      // accept; a kept-alive one may wait idle_timeout for its next request.
      if (first_request_) {
        Lowest(stream_).expires_at(HeaderDeadline());
      } else {
        Lowest(stream_).expires_after(state_->options.idle_timeout);
      }
      stream_.async_read_some(buffer_.prepare(kReadChunk),
                              [self = Self()](beast::error_code ec, size_t n) {
                                self->Guard([&] { self->OnFirstBytes(ec, n); });
                              });
    } else {
      request_start_ = std::chrono::steady_clock::now();  // pipelined: it starts now
      ReadHeader();
    }
  }

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec) {
      if (ec == beast::error::timeout && first_request_) CountTimeout();
      return Close();
    }
    if (!first_request_) request_start_ = std::chrono::steady_clock::now();
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    phase_ = Phase::kReading;
    received_ = std::chrono::system_clock::now();
    // The headers by the header deadline, the whole request by the read deadline: a slow
    // client is cut off, and holds its connection slot no longer than that.
    Lowest(stream_).expires_at(HeaderDeadline());
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = Self()](beast::error_code ec, size_t) {
                               self->Guard([&] { self->OnHeader(ec); });
                             });
  }

  void OnHeader(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    const auto& header = parser_->get();
    version_ = header.version() == 10 ? 10 : 11;
    log_.method = std::string(SV(header.method_string()));
    if (std::string problem = FramingProblem(header); !problem.empty()) {
      return WriteProtocolError(400, "INVALID_ARGUMENT", problem);
    }
    if (header.target().size() > state_->options.max_target_length) {
      return WriteProtocolError(414, "INVALID_ARGUMENT", "the request target is too long");
    }
    Lowest(stream_).expires_at(RequestDeadline());
    auto expect = header[bhttp::field::expect];
    if (!reject_ && !parser_->is_done() && EqualsIgnoreCase(SV(expect), "100-continue")) {
      continue_ = std::string(kContinue);
      net::async_write(stream_, net::buffer(continue_),
                       [self = Self()](beast::error_code wec, size_t) {
                         self->Guard([&] {
                           if (wec) return self->Close();
                           self->ReadBody();
                         });
                       });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = Self()](beast::error_code ec, size_t) {
      self->Guard([&] { self->OnRead(ec); });
    });
  }

  void OnReadError(beast::error_code ec) {
    if (ec == bhttp::error::end_of_stream || ec == bhttp::error::partial_message) return Close();
    if (ec == beast::error::timeout) {
      CountTimeout();
      return Close();  // the stream already closed the socket
    }
    if (ec == bhttp::error::header_limit || ec == bhttp::error::buffer_overflow) {
      return WriteProtocolError(431, "INVALID_ARGUMENT", "the request headers are too large");
    }
    if (ec == bhttp::error::body_limit) {
      return WriteProtocolError(413, "INVALID_ARGUMENT",
                                "the request body is larger than " +
                                    std::to_string(state_->options.body_limit) + " bytes");
    }
    if (ec == bhttp::error::bad_transfer_encoding || ec == bhttp::error::bad_content_length ||
        ec == bhttp::error::multiple_content_length) {
      // Beast refuses these itself (Transfer-Encoding twice or after a Content-Length, a
      // Content-Length after chunked, or conflicting lengths): the same ambiguity as above.
      return WriteProtocolError(400, "INVALID_ARGUMENT",
                                "malformed HTTP request: " + ec.message() +
                                    " (conflicting or malformed Content-Length and "
                                    "Transfer-Encoding); the connection is closed");
    }
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_target).category()) {
      return WriteProtocolError(400, "INVALID_ARGUMENT", "malformed HTTP request: " + ec.message());
    }
    Close();  // reset, aborted: nobody to answer
  }

  void OnRead(beast::error_code ec) {
    if (ec) return OnReadError(ec);
    phase_ = Phase::kHandling;
    first_request_ = false;
    started_ = std::chrono::steady_clock::now();
    bhttp::request<bhttp::string_body> msg = parser_->release();
    keep_alive_ = msg.keep_alive();

    base::Status target = FillRequest(std::move(msg), &request_);
    log_.method = request_.method;
    log_.path = request_.path;
    auto id = request_.headers.Get("X-Request-Id");
    request_.request_id = id && SaneRequestId(*id) ? std::string(*id) : state_->NextRequestId();
    request_.remote_address = remote_;
    request_.secure = kTls;
    ClientInfo client =
        ResolveClient(peer_ip_, kTls, request_.headers, state_->options.trusted_proxies);
    request_.client_address = std::move(client.address);
    request_.scheme = std::move(client.scheme);
    head_ = request_.method == "HEAD";
    log_.request_id = request_.request_id;

    if (!target.ok()) {
      keep_alive_ = false;
      return Respond(JsonError(target), "");
    }
    if (reject_) {
      // Linger as after any error answer: closing at once with the client's bytes unread would
      // reset the connection, and the reset can destroy the 503 before the client reads it.
      keep_alive_ = false;
      Response busy = JsonError(base::Unavailable(
          "the server is at its connection limit (in all, or for this address); try again in " +
          std::string(kCapRetryAfterSeconds) + " s"));
      busy.headers.Set("Retry-After", std::string(kCapRetryAfterSeconds));
      return Respond(std::move(busy), "", /*linger=*/true);
    }
    if (Stopping()) keep_alive_ = false;

    net::post(*state_->workers, [self = Self(), request = std::move(request_)]() mutable {
      std::string route;
      Response response = self->state_->dispatcher->Handle(request, &route);
      net::post(self->executor_,
                [self, response = std::move(response), route = std::move(route)]() mutable {
                  self->Guard([&] { self->Respond(std::move(response), std::move(route)); });
                });
    });
  }

  // ---- writing ----

  template <class Message>
  void CopyHeaders(const Response& response, Message* out) {
    if (!response.content_type.empty()) {
      out->set(bhttp::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) {
      // Framing is the session's business, not the handler's.
      if (EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
          EqualsIgnoreCase(name, "Connection")) {
        continue;
      }
      if (SafeHeader(name, value)) {
        out->insert(name, value);
      } else {
        LogError("dropped an unsafe response header '" + name + "' (request " + log_.request_id +
                 ")");
      }
    }
    out->set(bhttp::field::date, FormatHttpDate(std::chrono::system_clock::now()));
  }

  // Finishes and writes a handler's (or our own) response.
  void Respond(Response response, std::string route, bool linger = false) {
    if (closed_) return;
    if (log_.request_id.empty()) log_.request_id = state_->NextRequestId();
    if (response.status < 200 || response.status > 599) {
      LogError("handler answered the invalid status " + std::to_string(response.status) +
               " (request " + log_.request_id + ")");
      response = JsonError(base::Internal("internal error (request " + log_.request_id + ")"));
    }
    state_->dispatcher->Finish(log_.path, &response);
    response.headers.Set("X-Request-Id", log_.request_id);
    log_.route = std::move(route);
    log_.status = response.status;
    log_.user = response.user;
    if (response.stream && !head_) return StartStream(std::move(response));
    WriteResponse(std::move(response), linger);
  }

  void WriteProtocolError(int status, std::string_view status_name, std::string message) {
    keep_alive_ = false;
    started_ = std::chrono::steady_clock::now();
    if (log_.request_id.empty()) log_.request_id = state_->NextRequestId();
    Response response = JsonError(status, status_name, message);
    state_->dispatcher->Finish(log_.path, &response);
    response.headers.Set("X-Request-Id", log_.request_id);
    log_.status = status;
    WriteResponse(std::move(response), /*linger=*/true);
  }

  void WriteResponse(Response response, bool linger) {
    phase_ = Phase::kWriting;
    bool keep = keep_alive_ && !linger && !Stopping();
    auto out = std::make_unique<bhttp::response<bhttp::string_body>>();
    out->version(version_);
    out->result(static_cast<unsigned>(response.status));
    CopyHeaders(response, out.get());
    out->keep_alive(keep);
    bool bodyless = response.status < 200 || response.status == 204 || response.status == 304;
    if (!bodyless) {
      if (head_) {
        out->content_length(response.body.size());
      } else {
        out->body() = std::move(response.body);
        out->prepare_payload();
      }
    }
    response_ = std::move(out);
    Lowest(stream_).expires_after(state_->options.write_timeout);
    bhttp::async_write(stream_, *response_,
                       [self = Self(), keep, linger](beast::error_code ec, size_t n) {
                         self->Guard([&] { self->OnWrite(ec, n, keep, linger); });
                       });
  }

  void OnWrite(beast::error_code ec, size_t n, bool keep, bool linger) {
    log_.bytes += n;
    RecordRequest();
    response_.reset();
    if (ec) return Close();
    if (linger) return LingerClose();
    if (!keep) return CloseGracefully();
    DoRead();
  }

  void RecordRequest() {
    if (recorded_) return;
    recorded_ = true;
    double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    log_.time = std::chrono::time_point_cast<base::Millis>(received_);
    log_.remote = remote_;
    log_.duration_ms = seconds * 1000;
    std::string route = log_.route.empty() ? "none" : log_.route;
    if (state_->requests_total) {
      state_->requests_total->Inc({route, MethodLabel(log_.method), std::to_string(log_.status)});
    }
    if (state_->request_seconds) state_->request_seconds->Observe({route}, seconds);
    if (state_->access_log) state_->access_log(FormatAccessLog(log_));
  }

  // ---- streaming ----

  void StartStream(Response response) {
    phase_ = Phase::kStreaming;
    stream_body_ = response.stream;
    auto header = std::make_unique<bhttp::response<bhttp::empty_body>>();
    header->version(version_);
    header->result(static_cast<unsigned>(response.status));
    CopyHeaders(response, header.get());
    header->keep_alive(false);  // the connection ends with the stream
    header->chunked(true);
    stream_header_ = std::move(header);
    serializer_ = std::make_unique<bhttp::response_serializer<bhttp::empty_body>>(*stream_header_);
    writing_ = true;
    Lowest(stream_).expires_after(state_->options.write_timeout);
    bhttp::async_write_header(stream_, *serializer_,
                              [self = Self()](beast::error_code ec, size_t n) {
                                self->Guard([&] { self->OnStreamHeader(ec, n); });
                              });
  }

  void OnStreamHeader(beast::error_code ec, size_t n) {
    writing_ = false;
    log_.bytes += n;
    if (ec) return AbortStream();
    writer_ = std::make_shared<ChunkWriter>(weak_from_this());
    if (!end_requested_ && !Stopping()) {
      // On the strand, so on_open strictly precedes on_close.
      opened_ = true;
      if (stream_body_->on_open) {
        try {
          stream_body_->on_open(writer_);
        } catch (const std::exception& e) {
          LogError(std::string("stream producer threw: ") + e.what());
          end_requested_ = true;
        } catch (...) {
          LogError("stream producer threw a non-standard exception");
          end_requested_ = true;
        }
      }
      if (!end_requested_) ArmHeartbeat();
    } else {
      end_requested_ = true;
    }
    PumpChunks();
  }

  // `from_producer`: the data came through the writer (not a heartbeat), so the writer is
  // told when it is sent.
  void QueueChunk(std::string data, bool from_producer = false) {
    const size_t payload = from_producer ? data.size() : 0;
    if (phase_ != Phase::kStreaming || end_requested_ || closed_ || data.empty()) {
      if (writer_) writer_->Sent(payload);
      return;
    }
    std::string frame = ChunkFrame(data);
    queued_bytes_ += frame.size();
    if (queued_bytes_ > state_->options.stream_buffer_limit) {
      LogError("stream client " + remote_ + " is too slow; closing (request " + log_.request_id +
               ")");
      if (writer_) writer_->Sent(payload);
      return AbortStream();
    }
    chunks_.push_back({std::move(frame), payload});
    PumpChunks();
  }

  void EndStream() {
    if (phase_ != Phase::kStreaming || closed_) return;
    end_requested_ = true;
    if (writer_) writer_->MarkClosed();
    PumpChunks();
  }

  void PumpChunks() {
    if (writing_ || closed_ || !stream_header_) return;
    if (chunks_.empty()) {
      if (!end_requested_ || last_sent_) return;
      last_sent_ = true;
      chunks_.push_back({"0\r\n\r\n", 0});
      queued_bytes_ += chunks_.back().frame.size();
    }
    writing_ = true;
    Lowest(stream_).expires_after(state_->options.write_timeout);
    net::async_write(stream_, net::buffer(chunks_.front().frame),
                     [self = Self()](beast::error_code ec, size_t n) {
                       self->Guard([&] { self->OnChunk(ec, n); });
                     });
  }

  void OnChunk(beast::error_code ec, size_t n) {
    writing_ = false;
    log_.bytes += n;
    queued_bytes_ -= chunks_.front().frame.size();
    if (writer_) writer_->Sent(chunks_.front().payload);
    chunks_.pop_front();
    if (ec) return AbortStream();
    if (last_sent_ && chunks_.empty()) {
      RecordRequest();
      StreamClosed();
      return CloseGracefully();
    }
    PumpChunks();
  }

  void ArmHeartbeat() {
    auto interval = stream_body_->heartbeat_interval;
    if (interval.count() <= 0 || stream_body_->heartbeat.empty()) return;
    heartbeat_.expires_after(interval);
    heartbeat_.async_wait([self = Self()](beast::error_code ec) {
      self->Guard([&] {
        if (ec || self->closed_ || self->end_requested_) return;
        if (!self->writing_ && self->chunks_.empty()) {
          self->QueueChunk(self->stream_body_->heartbeat);
        }
        self->ArmHeartbeat();
      });
    });
  }

  void AbortStream() {
    RecordRequest();
    StreamClosed();
    Close();
  }

  // Tells the producer once that the stream is over.
  void StreamClosed() {
    if (stream_closed_) return;
    stream_closed_ = true;
    if (writer_) writer_->MarkClosed();
    heartbeat_.cancel();
    if (opened_ && stream_body_ && stream_body_->on_close) {
      try {
        stream_body_->on_close();
      } catch (...) {
        LogError("stream on_close threw (request " + log_.request_id + ")");
      }
    }
  }

  // ---- stopping and closing ----

  void OnShutdown() {
    shutting_down_ = true;
    switch (phase_) {
      case Phase::kHandshake:
      case Phase::kIdle: {
        beast::error_code ec;
        Lowest(stream_).socket().cancel(ec);  // the pending read completes and closes
        break;
      }
      case Phase::kStreaming:
        EndStream();
        break;
      default:
        break;  // the request in flight is answered with Connection: close
    }
  }

  // After an error response the client may still be sending (a 2 MiB body): stop sending, read
  // and discard for a while, then close, so the kernel does not reset the connection before the
  // client has read our answer.
  void LingerClose() {
    phase_ = Phase::kClosing;
    beast::error_code ec;
    Lowest(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    Lowest(stream_).expires_after(kLingerTime);
    Discard();
  }

  void Discard() {
    Lowest(stream_).async_read_some(net::buffer(discard_),
                                    [self = Self()](beast::error_code ec, size_t n) {
                                      self->Guard([&] {
                                        self->lingered_ += n;
                                        if (ec || self->lingered_ > kLingerBytes)
                                          return self->Close();
                                        self->Discard();
                                      });
                                    });
  }

  void CloseGracefully() {
    if (closed_) return;
    phase_ = Phase::kClosing;
    if constexpr (kTls) {
      Lowest(stream_).expires_after(kTlsShutdownTime);
      stream_.async_shutdown([self = Self()](beast::error_code) { self->Close(); });
    } else {
      beast::error_code ec;
      Lowest(stream_).socket().shutdown(tcp::socket::shutdown_send, ec);
      Close();
    }
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    phase_ = Phase::kClosing;
    if (stream_body_) {
      RecordRequest();
      StreamClosed();
    }
    heartbeat_.cancel();
    beast::error_code ec;
    Lowest(stream_).socket().close(ec);
  }

  std::shared_ptr<ServerState> state_;
  Stream stream_;
  net::any_io_executor executor_;  // the connection's strand
  net::steady_timer heartbeat_;
  beast::flat_buffer buffer_;
  std::string remote_;
  std::string peer_ip_;
  std::string address_key_;
  bool reject_;

  Phase phase_ = Phase::kIdle;
  bool first_request_ = true;
  bool shutting_down_ = false;
  bool closed_ = false;
  bool keep_alive_ = false;
  bool head_ = false;
  bool recorded_ = false;
  unsigned version_ = 11;
  size_t lingered_ = 0;
  std::array<char, 8192> discard_{};

  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string continue_;
  Request request_;
  AccessLogEntry log_;
  std::chrono::system_clock::time_point received_ = std::chrono::system_clock::now();
  std::chrono::steady_clock::time_point request_start_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::unique_ptr<bhttp::response<bhttp::string_body>> response_;

  // Streaming.
  std::shared_ptr<StreamBody> stream_body_;
  std::unique_ptr<bhttp::response<bhttp::empty_body>> stream_header_;
  std::unique_ptr<bhttp::response_serializer<bhttp::empty_body>> serializer_;
  std::shared_ptr<ChunkWriter> writer_;
  struct Chunk {
    std::string frame;   // as sent: size, CRLF, data, CRLF
    size_t payload = 0;  // the producer's bytes in it (0: heartbeat, last chunk)
  };
  std::deque<Chunk> chunks_;
  size_t queued_bytes_ = 0;
  bool writing_ = false;
  bool opened_ = false;
  bool end_requested_ = false;
  bool last_sent_ = false;
  bool stream_closed_ = false;
};

}  // namespace

std::string ServerState::NextRequestId() {
  char counter[24];
  std::snprintf(counter, sizeof(counter), "%llx",
                static_cast<unsigned long long>(next_id.fetch_add(1)));
  return id_prefix + "-" + counter;
}

void ServerState::Register(SessionBase* session, std::weak_ptr<SessionBase> weak, bool counts,
                           const std::string& address_key) {
  std::lock_guard lock(mu);
  sessions.emplace(session, std::move(weak));
  if (counts) {
    ++counted;
    if (!address_key.empty()) ++per_address[address_key];
  } else {
    ++rejecting;
  }
}

void ServerState::Unregister(SessionBase* session, bool counts, const std::string& address_key) {
  {
    std::lock_guard lock(mu);
    sessions.erase(session);
    if (counts) {
      --counted;
      if (!address_key.empty()) {
        auto it = per_address.find(address_key);
        if (it != per_address.end() && --it->second == 0) per_address.erase(it);
      }
    } else {
      --rejecting;
    }
  }
  cv.notify_all();
}

std::vector<std::shared_ptr<SessionBase>> ServerState::Snapshot() const {
  std::vector<std::shared_ptr<SessionBase>> out;
  std::lock_guard lock(mu);
  for (const auto& [raw, weak] : sessions) {
    if (auto s = weak.lock()) out.push_back(std::move(s));
  }
  return out;
}

size_t ServerState::open() const {
  std::lock_guard lock(mu);
  return counted + rejecting;
}

void StartSession(std::shared_ptr<ServerState> state, tcp::socket socket, net::ssl::context* tls,
                  bool reject, Peer peer) {
  std::string key = reject ? std::string() : peer.address_key;
  if (tls) {
    auto session = std::make_shared<Session<TlsStream>>(state, TlsStream(std::move(socket), *tls),
                                                        std::move(peer), reject);
    state->Register(session.get(), session, !reject, key);
    session->Start();
  } else {
    auto session = std::make_shared<Session<PlainStream>>(state, PlainStream(std::move(socket)),
                                                          std::move(peer), reject);
    state->Register(session.get(), session, !reject, key);
    session->Start();
  }
}

}  // namespace tillvaxt::http::internal
