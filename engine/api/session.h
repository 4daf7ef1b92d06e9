// Who is calling: the bearer token or the session cookie, checked against the sessions, with
// CSRF protection for cookie-authenticated requests that change something.
//
// CSRF: a browser sends the cookie on any request to our origin, even one a foreign page
// triggers. A mutating request authenticated by the cookie must therefore carry the custom header
// `X-Requested-With` (which a foreign page cannot set without a CORS preflight we never grant)
// or an Origin header equal to our own origin: the request's scheme (https over TLS or from a
// trusted proxy that says so, else http) and its Host. Bearer-token requests are not exposed to
// CSRF.
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

// The value of the cookie `name` ("" when the request has none).
std::string RequestCookie(const http::Request& request, std::string_view name);

// True when the Origin header is exactly `<scheme>://<Host>` of this request (default ports
// aside, host case-blind).
bool SameOrigin(const http::Request& request);

base::Result<domain::Principal> Authenticate(ApiContext& ctx, const http::Request& request);

}  // namespace tillvaxt::api
