#include "engine/http/access_log.h"

#include <cmath>
#include <cstdio>
#include <mutex>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace tillvaxt::http {

namespace {

std::mutex& OutputMutex() {
  static std::mutex mu;
  return mu;
}

LogSink FileSink(std::FILE* file) {
  return [file](std::string_view line) {
    std::lock_guard lock(OutputMutex());
    std::fwrite(line.data(), 1, line.size(), file);
    std::fputc('\n', file);
    std::fflush(file);
  };
}

}  // namespace

LogSink StdoutSink() { return FileSink(stdout); }
LogSink StderrSink() { return FileSink(stderr); }

std::string FormatAccessLog(const AccessLogEntry& e) {
  boost::json::object line;
  line["time"] = base::FormatRfc3339(e.time);
  line["requestId"] = e.request_id;
  line["remote"] = e.remote;
  line["method"] = e.method;
  line["path"] = e.path;
  line["route"] = e.route;
  line["status"] = e.status;
  line["bytes"] = e.bytes;
  line["durationMs"] = std::round(e.duration_ms * 1000) / 1000;
  if (!e.user.empty()) line["user"] = e.user;
  return boost::json::serialize(line);
}

}  // namespace tillvaxt::http
