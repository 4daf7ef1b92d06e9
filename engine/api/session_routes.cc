// /v1/sessions and /v1/me: signing in and out.
#include "engine/api/handler.h"
#include "engine/api/routes.h"
#include "engine/api/session.h"
#include "engine/api/views.h"
#include "engine/api/wire.h"

namespace tillvaxt::api {
namespace {

// The remote address without the port: rate limits count per address, not per connection.
std::string RemoteHost(const http::Request& request) {
  const std::string& remote = request.remote_address;
  if (!remote.empty() && remote.front() == '[') return remote.substr(0, remote.find(']') + 1);
  auto colon = remote.rfind(':');
  return colon == std::string::npos ? remote : remote.substr(0, colon);
}

std::string SessionCookie(const std::string& token, bool secure, int max_age) {
  return std::string(kSessionCookie) + "=" + token + "; Path=/; HttpOnly; SameSite=Strict" +
         (secure ? "; Secure" : "") + "; Max-Age=" + std::to_string(max_age);
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
        auto login =
            ctx.auth.Login(body.username(), body.password(), RemoteHost(request), &retry_after);
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
        r.headers.Add("Set-Cookie", SessionCookie(login->token, ctx.secure_cookies, 7 * 24 * 3600));
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
                      r.headers.Add("Set-Cookie", SessionCookie("", ctx.secure_cookies, 0));
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
