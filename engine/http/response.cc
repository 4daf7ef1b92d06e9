#include "engine/http/response.h"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "engine/base/utf8.h"

namespace tillvaxt::http {

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.content_type = std::string(kJsonContentType);
  r.body = std::move(body);
  return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::NoContent() {
  Response r;
  r.status = 204;
  return r;
}

Response Response::Stream(int status, std::string content_type, std::shared_ptr<StreamBody> body) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.stream = std::move(body);
  return r;
}

// The two tables read best a line per entry.
// clang-format off
int HttpStatusFor(base::Code code) {
  switch (code) {
    case base::Code::kOk:
      return 200;
    case base::Code::kInvalidArgument:
      return 400;
    case base::Code::kUnauthenticated:
      return 401;
    case base::Code::kPermissionDenied:
      return 403;
    case base::Code::kNotFound:
      return 404;
    case base::Code::kFailedPrecondition:
      return 409;
    case base::Code::kAborted:
      return 409;
    case base::Code::kResourceExhausted:
      return 429;
    case base::Code::kUnavailable:
      return 503;
    case base::Code::kInternal:
      return 500;
  }
  return 500;
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 428:
      return "Precondition Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}
// clang-format on

std::string JsonErrorBody(int http_status, std::string_view status_name, std::string_view message,
                          const std::vector<base::FieldViolation>& details) {
  // Messages repeat what a client sent (a path, a query value), which may be any bytes; JSON
  // is UTF-8, and Boost.JSON writes strings byte for byte, so invalid bytes become U+FFFD here.
  boost::json::object error;
  error["code"] = http_status;
  error["status"] = status_name;
  error["message"] = base::ValidUtf8(message);
  if (!details.empty()) {
    boost::json::array list;
    for (const auto& d : details) {
      list.push_back(boost::json::object{{"field", base::ValidUtf8(d.field)},
                                         {"description", base::ValidUtf8(d.description)}});
    }
    error["details"] = std::move(list);
  }
  return boost::json::serialize(boost::json::object{{"error", std::move(error)}});
}

Response JsonError(const base::Status& status) {
  int http_status = HttpStatusFor(status.code());
  Response r = Response::Json(http_status, JsonErrorBody(http_status, base::CodeName(status.code()),
                                                         status.message(), status.details()));
  // UNAVAILABLE is the server's own trouble (database busy, disk full, store unreachable) and
  // passes: a client may try again after a short while.
  if (status.code() == base::Code::kUnavailable) {
    r.headers.Set("Retry-After", std::string(kUnavailableRetryAfterSeconds));
  }
  return r;
}

Response JsonError(int http_status, std::string_view status_name, std::string_view message) {
  return Response::Json(http_status, JsonErrorBody(http_status, status_name, message));
}

}  // namespace tillvaxt::http
