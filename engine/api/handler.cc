#include "engine/api/handler.h"

#include <exception>

#include "engine/api/session.h"
#include "engine/api/wire.h"

namespace tillvaxt::api {

http::Handler Authed(ApiContext& ctx, AuthedBody body) {
  return [&ctx, body = std::move(body)](const http::Request& request) {
    try {
      auto who = Authenticate(ctx, request);
      if (!who.ok()) return ReplyError(who.status());
      http::Response response = body(request, *who);
      response.user = who->username;
      return response;
    } catch (const std::exception&) {
      return ReplyError(base::Internal("internal error; see the server log"));
    }
  };
}

http::Handler Public(std::function<http::Response(const http::Request&)> body) {
  return [body = std::move(body)](const http::Request& request) {
    try {
      return body(request);
    } catch (const std::exception&) {
      return ReplyError(base::Internal("internal error; see the server log"));
    }
  };
}

}  // namespace tillvaxt::api
