// From a request Beast has parsed to the Request handlers see, and the framing check the server
// applies to its headers. The session (session.cc) reads requests from sockets with these; the
// HTTP fuzzer (tests/fuzz/http_request_fuzzer.cc) drives the same path from bytes, without a
// socket. Only Beast's message headers are included (no Asio), so this compiles quickly.
//
// Pure functions; thread-safe.
#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <string>
#include <string_view>

#include "engine/base/status.h"
#include "engine/http/request.h"

namespace tillvaxt::http {

using BeastRequest = boost::beast::http::request<boost::beast::http::string_body>;
using BeastRequestHeader = boost::beast::http::request_header<>;

// Why the framing of a request with these headers is ambiguous, or "" when it is not. The only
// transfer coding the server implements is chunked (RFC 9112 §6.1); a request whose
// Transfer-Encoding is anything but one "chunked", that has one in HTTP/1.0, or that has one
// together with a Content-Length (§6.3) cannot be framed reliably: a proxy in front of us may
// have framed it differently, and whatever we took for its end may be the start of a request
// someone hid in it. Beast frames such a request by its Content-Length (or as having no body)
// and would read on; the server refuses it instead (400) and closes the connection.
std::string FramingProblem(const BeastRequestHeader& header);

// Moves the method, target (parsed by ParseTarget: path and query), header fields and body of
// `message` into `request`. Returns ParseTarget's INVALID_ARGUMENT for a target it refuses; the
// other fields are filled anyway (the access log names the method). The caller fills the
// connection's part (remote and client address, scheme, request id).
base::Status FillRequest(BeastRequest&& message, Request* request);

}  // namespace tillvaxt::http
