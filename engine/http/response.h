// Response: what a handler returns, independent of the socket library; and the one table that
// maps base::Code to HTTP statuses and API.md's error body.
//
// A Response is either complete (status, headers, body) or streaming: `stream` set, the session
// sends the headers with chunked transfer encoding and then whatever the producer writes through
// a StreamWriter (the mechanism under /v1/stream's Server-Sent Events). Value types are
// thread-compatible; StreamWriter is thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/http/request.h"

namespace tillvaxt::http {

inline constexpr std::string_view kJsonContentType = "application/json";

// The producer side of a streaming response. Thread-safe: Write and End may be called from any
// thread, and never block.
class StreamWriter {
 public:
  virtual ~StreamWriter() = default;
  // Queues `data` to be sent as one chunk (empty data is ignored). Returns false once the stream
  // has ended — client gone, too slow (its queue passed the server's limit), server stopping, or
  // End() called — and the producer should then drop the writer.
  virtual bool Write(std::string data) = 0;
  // Ends the response once the queued chunks are sent. Idempotent.
  virtual void End() = 0;
  // False once the stream has ended.
  virtual bool open() const = 0;
  // Backpressure for a producer that writes more than a client reads at once (an export):
  // blocks until at most `max_unsent` bytes written so far are still unsent, the stream ends,
  // or `timeout` passes. True when the producer may write on. Call it from the producer's own
  // thread, never from the connection's strand (on_open, on_close).
  virtual bool WaitWritable(size_t max_unsent, std::chrono::milliseconds timeout) = 0;
};

// A streaming body. The session calls on_open once right after the headers went out; the
// producer keeps the writer and writes whenever it has something, from any thread. When the
// stream ends for any reason (after on_open), on_close runs once. Both run on the connection's
// I/O strand, on_open strictly first, and must not block: subscribe and unsubscribe there, and do
// blocking work (a replay from the database) in the handler before returning the Response, or on
// a thread of the producer's own. While the stream is open and nothing else is written for
// `heartbeat_interval`, the session writes `heartbeat` (for SSE a comment line) so proxies keep
// the connection and a vanished client is noticed. A zero interval disables heartbeats.
struct StreamBody {
  std::function<void(std::shared_ptr<StreamWriter>)> on_open;
  std::function<void()> on_close;
  std::chrono::milliseconds heartbeat_interval{15'000};
  std::string heartbeat = ":\n\n";
};

struct Response {
  int status = 200;
  std::string content_type;  // empty: no Content-Type (e.g. 204)
  Headers headers;           // extra headers; the server adds security headers to every response
  std::string body;
  // Who the request ran as, for the access log only (never sent). Set by authenticating handlers.
  std::string user;
  // Set for a streaming response; `body` is then ignored.
  std::shared_ptr<StreamBody> stream;

  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body,
                       std::string content_type = "text/plain; charset=utf-8");
  static Response NoContent();
  static Response Stream(int status, std::string content_type, std::shared_ptr<StreamBody> body);
};

// The one table from base::Code to HTTP status: OK 200, INVALID_ARGUMENT 400,
// UNAUTHENTICATED 401, PERMISSION_DENIED 403, NOT_FOUND 404, FAILED_PRECONDITION 409,
// ABORTED 409, RESOURCE_EXHAUSTED 429, UNAVAILABLE 503, INTERNAL 500.
int HttpStatusFor(base::Code code);

// "Not Found" for 404 and so on; "Unknown" for codes outside RFC 9110's list.
std::string_view ReasonPhrase(int status);

// API.md's error body:
// {"error":{"code":409,"status":"ABORTED","message":"…","details":[{"field":…,"description":…}]}}
// ("details" only when there are some).
std::string JsonErrorBody(int http_status, std::string_view status_name, std::string_view message,
                          const std::vector<base::FieldViolation>& details = {});

// Retry-After of a 503 answered for UNAVAILABLE.
inline constexpr std::string_view kUnavailableRetryAfterSeconds = "5";

// A JSON error response for `status`, using the table above; UNAVAILABLE also gets
// Retry-After. REQUIRES: !status.ok().
Response JsonError(const base::Status& status);
// A JSON error for statuses without a base::Code (405, 413, 414, 431 ...).
Response JsonError(int http_status, std::string_view status_name, std::string_view message);

}  // namespace tillvaxt::http
