// Who the client of a request is, behind trusted reverse proxies.
//
// The peer of a connection is the client unless it is a trusted proxy (ServerOptions::
// trusted_proxies, `tillvaxt serve --trusted-proxy CIDR`). Then the client is the rightmost
// X-Forwarded-For entry that is not itself a trusted proxy: every proxy appends the address it
// was connected from, so entries to the right of the first untrusted one were written by proxies
// we trust, and entries to its left may be anything a client made up. An entry that is not an
// address ends the walk at the last trusted hop (that proxy is then the client), so a client
// cannot choose its own key by sending junk. Without trusted proxies X-Forwarded-For is never
// read.
//
// The scheme is "https" over TLS; from a trusted proxy it is what X-Forwarded-Proto says when
// that is exactly one "http" or "https" (the form nginx's `$scheme` writes); otherwise "http".
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "engine/base/net_address.h"
#include "engine/http/request.h"

namespace tillvaxt::http {

struct ClientInfo {
  std::string address;  // "192.0.2.1", "2001:db8::1"; the peer's text when it is no address
  std::string scheme;   // "http" or "https"
};

// `peer` is the connection's remote address without its port ("127.0.0.1", "::1").
ClientInfo ResolveClient(std::string_view peer, bool tls, const Headers& headers,
                         const base::CidrSet& trusted_proxies);

}  // namespace tillvaxt::http
