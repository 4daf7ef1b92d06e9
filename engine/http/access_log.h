// Access log: one JSON line per request, and the log sinks the server writes to.
//
// A LogSink receives one complete line without the trailing newline; it must be thread-safe
// (requests finish on several threads at once). StdoutSink/StderrSink serialise writes.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "engine/base/time.h"

namespace tillvaxt::http {

using LogSink = std::function<void(std::string_view line)>;

LogSink StdoutSink();
LogSink StderrSink();

struct AccessLogEntry {
  base::Time time;         // when the request was received
  std::string request_id;
  std::string remote;      // "127.0.0.1:53412"
  std::string method;
  std::string path;        // decoded path without the query (queries may hold personal data)
  std::string route;       // route name, "static", or "" when nothing matched
  int status = 0;
  uint64_t bytes = 0;      // bytes written, headers included
  double duration_ms = 0;  // from the complete request to the last byte written
  std::string user;        // set by the handler; "" when anonymous
};

// {"time":"2026-11-22T09:35:02.123Z","requestId":"…","remote":"…","method":"GET",
//  "path":"/v1/cases","route":"cases.list","status":200,"bytes":512,"durationMs":1.25,"user":"…"}
std::string FormatAccessLog(const AccessLogEntry& entry);

}  // namespace tillvaxt::http
