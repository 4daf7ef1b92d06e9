// Wrapping a handler body so that authentication, errors and exceptions are handled once.
#pragma once

#include <functional>

#include "engine/api/context.h"
#include "engine/domain/principal.h"
#include "engine/http/router.h"

namespace tillvaxt::api {

using AuthedBody = std::function<http::Response(const http::Request&, const domain::Principal&)>;

// The caller is authenticated first (401/403 as API.md says); the body's exceptions become 500
// without leaking details; the username goes to the access log.
http::Handler Authed(ApiContext& ctx, AuthedBody body);

// The same without authentication (login, health).
http::Handler Public(std::function<http::Response(const http::Request&)> body);

}  // namespace tillvaxt::api
