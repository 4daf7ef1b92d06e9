#include "engine/http/dispatcher.h"

#include <exception>

namespace tillvaxt::http {

Dispatcher::Dispatcher(const Router& router, const StaticFiles* static_files,
                       DispatcherOptions options, LogSink error_log)
    : router_(router),
      static_files_(static_files),
      options_(std::move(options)),
      error_log_(std::move(error_log)) {}

Response Dispatcher::Handle(Request& request, std::string* route) const {
  route->clear();
  std::string_view raw_path = request.path;
  if (auto parts = SplitTarget(request.target)) raw_path = parts->raw_path;
  try {
    RouteMatch match = router_.Match(request.method, raw_path);
    switch (match.kind) {
      case RouteMatch::Kind::kFound: {
        request.path_params = std::move(match.params);
        *route = std::move(match.route_name);
        return (*match.handler)(request);
      }
      case RouteMatch::Kind::kMethodNotAllowed: {
        Response r = JsonError(405, "UNIMPLEMENTED",
                               "method " + request.method + " is not allowed here; allowed: " +
                                   match.allow);
        r.headers.Set("Allow", match.allow);
        return r;
      }
      case RouteMatch::Kind::kNotFound:
        break;
    }
    if (static_files_) {
      if (auto r = static_files_->Serve(request)) {
        *route = "static";
        return std::move(*r);
      }
    }
    return JsonError(base::NotFound("no resource at '" + request.path + "'"));
  } catch (const std::exception& e) {
    if (error_log_) {
      error_log_("handler for " + request.method + " " + request.path + " (request " +
                 request.request_id + ") threw: " + e.what());
    }
  } catch (...) {
    if (error_log_) {
      error_log_("handler for " + request.method + " " + request.path + " (request " +
                 request.request_id + ") threw a non-standard exception");
    }
  }
  return JsonError(base::Internal("internal error (request " + request.request_id + ")"));
}

void Dispatcher::Finish(std::string_view path, Response* response) const {
  Headers& h = response->headers;
  if (!h.Has("Content-Security-Policy") && !options_.content_security_policy.empty()) {
    h.Set("Content-Security-Policy", options_.content_security_policy);
  }
  h.Set("X-Content-Type-Options", "nosniff");
  h.Set("Referrer-Policy", "no-referrer");
  h.Set("X-Frame-Options", "DENY");
  if (options_.strict_transport_security) {
    h.Set("Strict-Transport-Security", "max-age=31536000");
  }
  bool api = path == "/v1" || path.starts_with("/v1/");
  if (api || !h.Has("Cache-Control")) h.Set("Cache-Control", "no-store");
}

}  // namespace tillvaxt::http
