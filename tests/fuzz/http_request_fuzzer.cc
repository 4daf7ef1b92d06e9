// Fuzz target: bytes in, responses out, through the real request path. The bytes after the
// first are what a client sends on one connection: up to kMaxRequests requests, parsed by
// Beast's request parser with the server's header and body limits, checked for ambiguous
// framing (http::FramingProblem) and turned into http::Requests (http::FillRequest) exactly as
// engine/http/session.cc does, then answered by the real route table and handlers
// (ApiWorld: `tillvaxt serve`'s wiring over the in-memory store). As on a connection, a
// request the server refuses (framing, target, a closing request) ends the input.
//
// The first byte says who the client is: c - '0' modulo 10, so a corpus file stays readable:
//   '0' anonymous, '1'..'4' a bearer token of coord.eskilstuna, actor.malardalens-universitet,
//   manager, admin ('5' anonymous, '6'..'9' the same users' session cookie instead).
// The credential is added to a request that carries no Authorization and no Cookie of its own.
//
// With TV_FUZZ_PRINT set in the environment each answer is printed (status and the start of
// the body), for writing corpus files: `TV_FUZZ_PRINT=1 http_request FILE`.
//
// A finding: any sanitizer report, a 500 (an input the API does not answer with a 4xx or a
// success is a bug: API.md's INTERNAL is for the server's own faults), a status outside
// 100..599, or a JSON response whose body is not JSON.
#include <boost/beast/http/parser.hpp>
#include <boost/json.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/http/beast_request.h"
#include "engine/http/client_address.h"
#include "tests/fuzz/api_world.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

namespace beast = boost::beast;
namespace bhttp = beast::http;
using tillvaxt::fuzz::ApiWorld;
using tillvaxt::fuzz::kFuzzUsers;

constexpr int kMaxRequests = 8;
// The server's defaults (http::ServerOptions).
constexpr uint64_t kBodyLimit = 1 << 20;
constexpr uint32_t kHeaderLimit = 16 << 10;
constexpr size_t kMaxTargetLength = 8 << 10;
constexpr char kPeer[] = "192.0.2.7";

ApiWorld& World() {
  static ApiWorld* world = new ApiWorld();  // lives to the end of the process
  return *world;
}

void AddCredential(unsigned who, tillvaxt::http::Request* request) {
  const unsigned user = who % 5;
  if (user == 0 || request->headers.Has("Authorization") || request->headers.Has("Cookie")) {
    return;
  }
  const std::string token(kFuzzUsers[user - 1].token);
  if (who < 5) {
    request->headers.Add("Authorization", "Bearer " + token);
  } else {
    request->headers.Add("Cookie", "tillvaxt_session=" + token);
  }
}

void CheckResponse(const tillvaxt::http::Request& request,
                   const tillvaxt::http::Response& response) {
  const std::string what = request.method + " " + request.target + " -> " +
                           std::to_string(response.status) + " " + response.body.substr(0, 400);
  FUZZ_CHECK(response.status >= 100 && response.status <= 599, what);
  FUZZ_CHECK(response.status != 500, what);
  if (response.content_type.rfind("application/json", 0) == 0 && !response.body.empty()) {
    boost::system::error_code ec;
    boost::json::parse(response.body, ec);
    FUZZ_CHECK(!ec, "a JSON response that is not JSON: " + what);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const bool kPrint = std::getenv("TV_FUZZ_PRINT") != nullptr;
  ApiWorld& world = World();
  world.BeginInput();
  const unsigned who = static_cast<unsigned char>(data[0] - '0') % 10;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);

  for (int n = 0; n < kMaxRequests && !rest.empty(); ++n) {
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(kHeaderLimit);
    parser.body_limit(kBodyLimit);
    parser.eager(true);
    beast::error_code ec;
    bool checked_header = false;
    while (!parser.is_done()) {
      size_t used = parser.put(boost::asio::const_buffer(rest.data(), rest.size()), ec);
      rest.remove_prefix(used);
      if (ec) return 0;  // malformed or incomplete: the session answers 4xx or waits, and closes
      if (parser.is_header_done() && !checked_header) {
        checked_header = true;
        if (!tillvaxt::http::FramingProblem(parser.get()).empty()) return 0;  // 400, closed
        if (parser.get().target().size() > kMaxTargetLength) return 0;        // 414, closed
      }
      if (used == 0) return 0;
    }
    const bool keep_alive = parser.get().keep_alive();
    tillvaxt::http::Request request;
    if (!tillvaxt::http::FillRequest(parser.release(), &request).ok()) return 0;  // 400, closed
    request.request_id = "fuzz-" + std::to_string(n);
    request.remote_address = std::string(kPeer) + ":40000";
    tillvaxt::http::ClientInfo client =
        tillvaxt::http::ResolveClient(kPeer, false, request.headers, {});
    request.client_address = std::move(client.address);
    request.scheme = std::move(client.scheme);
    AddCredential(who, &request);

    tillvaxt::http::Response response = world.Handle(request);
    if (kPrint) {
      std::fprintf(stderr, "%s %s -> %d %s\n", request.method.c_str(), request.target.c_str(),
                   response.status, response.body.substr(0, 2000).c_str());
    }
    CheckResponse(request, response);
    if (!keep_alive) return 0;
  }
  return 0;
}
