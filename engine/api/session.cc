#include "engine/api/session.h"

namespace tillvaxt::api {
namespace {

bool IsMutating(const std::string& method) {
  return method != "GET" && method != "HEAD" && method != "OPTIONS";
}

std::string CookieValue(std::string_view header, std::string_view name) {
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string_view::npos) end = header.size();
    std::string_view pair = header.substr(pos, end - pos);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return "";
}

// "example.org:443" -> "example.org" for https (":80" for http): browsers leave default ports
// out of Origin, some clients put them into Host.
std::string_view WithoutDefaultPort(std::string_view host, std::string_view scheme) {
  std::string_view port = scheme == "https" ? ":443" : ":80";
  if (host.size() > port.size() && host.substr(host.size() - port.size()) == port) {
    host.remove_suffix(port.size());
  }
  return host;
}

}  // namespace

bool SameOrigin(const http::Request& request) {
  auto origin = request.headers.Get("Origin");
  auto host = request.headers.Get("Host");
  if (!origin || !host || host->empty()) return false;
  const std::string& scheme = request.scheme;
  std::string prefix = scheme + "://";
  std::string_view o = *origin;
  if (o.size() <= prefix.size() || !http::EqualsIgnoreCase(o.substr(0, prefix.size()), prefix)) {
    return false;  // another scheme (https://host on plain http), "null", junk
  }
  return http::EqualsIgnoreCase(WithoutDefaultPort(o.substr(prefix.size()), scheme),
                                WithoutDefaultPort(*host, scheme));
}

std::string RequestCookie(const http::Request& request, std::string_view name) {
  for (std::string_view cookies : request.headers.GetAll("Cookie")) {
    std::string value = CookieValue(cookies, name);
    if (!value.empty()) return value;
  }
  return "";
}

std::string RequestToken(const http::Request& request, bool* from_cookie) {
  if (from_cookie) *from_cookie = false;
  if (auto authz = request.headers.Get("Authorization")) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authz->size() > kBearer.size() && http::EqualsIgnoreCase(authz->substr(0, 7), kBearer)) {
      return std::string(authz->substr(kBearer.size()));
    }
    return "";
  }
  for (std::string_view cookies : request.headers.GetAll("Cookie")) {
    std::string token = CookieValue(cookies, kSessionCookie);
    if (!token.empty()) {
      if (from_cookie) *from_cookie = true;
      return token;
    }
  }
  return "";
}

base::Result<domain::Principal> Authenticate(ApiContext& ctx, const http::Request& request) {
  bool from_cookie = false;
  std::string token = RequestToken(request, &from_cookie);
  if (token.empty()) {
    return base::Unauthenticated(
        "sign in first: send Authorization: Bearer <token> or the "
        "session cookie from POST /v1/sessions");
  }
  if (from_cookie && IsMutating(request.method) && !request.headers.Has("X-Requested-With") &&
      !SameOrigin(request)) {
    return base::PermissionDenied(
        "cookie-authenticated changes need the header X-Requested-With (CSRF protection)");
  }
  return ctx.auth.Authenticate(token);
}

}  // namespace tillvaxt::api
