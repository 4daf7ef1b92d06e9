// /v1/sessions and /v1/me: signing in and out.
#include "engine/api/handler.h"
#include "engine/api/routes.h"
#include "engine/api/session.h"
#include "engine/api/views.h"
#include "engine/api/wire.h"

namespace tillvaxt::api {
namespace {

// The client's address without the port: rate limits count per client, not per connection.
// The server resolved it (the peer, or the client behind a trusted proxy); a request made up
// without it falls back to the peer.
std::string ClientAddress(const http::Request& request) {
  if (!request.client_address.empty()) return request.client_address;
  const std::string& remote = request.remote_address;
  if (!remote.empty() && remote.front() == '[') return remote.substr(0, remote.find(']') + 1);
  auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

bool Secure(const ApiContext& ctx, const http::Request& request) {
  return ctx.secure_cookies || request.scheme == "https";
}

std::string SessionCookie(const std::string& token, bool secure, int max_age) {
  return std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "") + "; Max-Age=" + std::to_string(max_age);
}

// Sent back only to the login route, which alone reads it.
std::string DeviceCookie(const std::string& value, bool secure, int64_t max_age_seconds) {
  return std::string(auth::kDeviceCookie) + "=" + value +
         "; Path=/v1/sessions; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "") +
         "; Max-Age=" + std::to_string(max_age_seconds);
}

// The known device a login attempt for `username` comes from (auth/rate_limiter.h): the
// browser holds a device cookie issued at an earlier successful login of this user, or a valid
// session of this user. "" for an unknown device.
std::string KnownDevice(ApiContext& ctx, const http::Request& request,
                        const std::string& username) {
  if (ctx.devices != nullptr) {
    std::string id =
        ctx.devices->Verify(RequestCookie(request, auth::kDeviceCookie), username, ctx.clock.Now());
    if (!id.empty()) return "device:" + id;
  }
  bool from_cookie = false;
  std::string token = RequestToken(request, &from_cookie);
  if (!from_cookie || token.empty()) return "";
  auto session = ctx.auth.AuthenticateSession(token);
  if (!session.ok() || session->principal.username != username) return "";
  return "session:" + session->session.token_hash;
}

}  // namespace

void AddSessionRoutes(http::Router& router, ApiContext& ctx) {
  router.Add(
      "POST", "/v1/sessions", Public([&ctx](const http::Request& request) {
        api::v1::LoginRequest body;
        if (auto st = ParseBody(request, &body); !st.ok()) return ReplyError(st);
        std::vector<base::FieldViolation> missing;
        if (body.username().empty()) missing.push_back({"username", "required"});
        if (body.password().empty()) missing.push_back({"password", "required"});
        if (!missing.empty()) {
          return ReplyError(base::InvalidArgument("username and password are required", missing));
        }
        int64_t retry_after = 0;
        std::string device = KnownDevice(ctx, request, auth::NormaliseUsername(body.username()));
        auto login = ctx.auth.Login(body.username(), body.password(), ClientAddress(request),
                                    &retry_after, device);
        if (!login.ok()) {
          http::Response r = ReplyError(login.status());
          if (login.status().code() == base::Code::kResourceExhausted) {
            // The limiter's own wait, so clients retry neither too early nor needlessly late.
            r.headers.Set("Retry-After", std::to_string(retry_after > 0 ? retry_after : 60));
          }
          return r;
        }
        api::v1::LoginResponse out;
        out.set_token(login->token);
        *out.mutable_user() =
            UserView(login->principal, login->user.display_name, login->user.email);
        http::Response r = Reply(request, 200, out);
        r.headers.Add("Set-Cookie",
                      SessionCookie(login->token, Secure(ctx, request), 7 * 24 * 3600));
        if (ctx.devices != nullptr) {
          // Renewed on every success, so a device stays known for max_age after its last login.
          r.headers.Add(
              "Set-Cookie",
              DeviceCookie(ctx.devices->Issue(login->principal.username, ctx.clock.Now()),
                           Secure(ctx, request),
                           std::chrono::duration_cast<std::chrono::seconds>(ctx.devices->max_age())
                               .count()));
        }
        r.user = login->principal.username;
        return r;
      }),
      "sessions.create");

  router.Add("DELETE", "/v1/sessions/current",
             Authed(ctx,
                    [&ctx](const http::Request& request, const domain::Principal&) {
                      auto st = ctx.auth.Logout(RequestToken(request));
                      if (!st.ok()) return ReplyError(st);
                      http::Response r = http::Response::NoContent();
                      r.headers.Add("Set-Cookie", SessionCookie("", Secure(ctx, request), 0));
                      return r;
                    }),
             "sessions.delete");

  router.Add("GET", "/v1/me",
             Authed(ctx,
                    [&ctx](const http::Request& request, const domain::Principal& who) {
                      auto user = ctx.auth.GetUser(who.username);
                      std::string name = user.ok() ? user->display_name : "";
                      std::string email = user.ok() ? user->email : "";
                      return Reply(request, 200, UserView(who, name, email));
                    }),
             "me.get");
}

}  // namespace tillvaxt::api
