// Who is calling: the bearer token or the session cookie, checked against the sessions, with
// CSRF protection for cookie-authenticated requests that change something.
//
// CSRF: a browser sends the cookie on any request to our origin, even one a foreign page
// triggers. A mutating request authenticated by the cookie must therefore carry the custom header
// `X-Requested-With` (which a foreign page cannot set without a CORS preflight we never grant)
// or an Origin header equal to our own host. Bearer-token requests are not exposed to CSRF.
#pragma once

#include <string>

#include "engine/api/context.h"
#include "engine/base/status.h"
#include "engine/domain/principal.h"
#include "engine/http/request.h"

namespace tillvaxt::api {

inline constexpr char kSessionCookie[] = "tillvaxt_session";

// The token from `Authorization: Bearer …` or the session cookie; "" when neither.
std::string RequestToken(const http::Request& request, bool* from_cookie = nullptr);

base::Result<domain::Principal> Authenticate(ApiContext& ctx, const http::Request& request);

}  // namespace tillvaxt::api
