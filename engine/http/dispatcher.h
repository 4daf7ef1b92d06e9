// Dispatcher: request -> response without sockets. Routes through the Router, falls back to the
// static files, turns handler exceptions into 500s, and adds the security headers and cache
// policy that every response carries (the session passes its own error responses through
// Finish too).
//
// Thread-safe once constructed: Handle runs on many worker threads at once.
#pragma once

#include <string>
#include <string_view>

#include "engine/http/access_log.h"
#include "engine/http/request.h"
#include "engine/http/response.h"
#include "engine/http/router.h"
#include "engine/http/static_files.h"

namespace tillvaxt::http {

// Same-origin everything, no plugins, no framing, no inline scripts.
inline constexpr std::string_view kDefaultContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

struct DispatcherOptions {
  std::string content_security_policy = std::string(kDefaultContentSecurityPolicy);
  bool strict_transport_security = false;  // set when serving TLS
};

class Dispatcher {
 public:
  // `router` and `static_files` (may be null) must outlive the dispatcher. `error_log` gets a
  // line for each handler exception (the client only sees a generic 500).
  Dispatcher(const Router& router, const StaticFiles* static_files, DispatcherOptions options,
             LogSink error_log);

  // Routes `request` (filling its path_params), runs the handler or the static fallback, and
  // answers 404/405 as API.md JSON errors. Never throws. `route` receives the route name for
  // metrics: the route's name, "static", or "" when nothing matched.
  Response Handle(Request& request, std::string* route) const;

  // Adds Content-Security-Policy (unless the response has its own), X-Content-Type-Options,
  // Referrer-Policy, X-Frame-Options, HSTS over TLS, and Cache-Control: no-store for /v1 (and
  // for any response that set no Cache-Control of its own).
  void Finish(std::string_view path, Response* response) const;

 private:
  const Router& router_;
  const StaticFiles* static_files_;
  DispatcherOptions options_;
  LogSink error_log_;
};

}  // namespace tillvaxt::http
