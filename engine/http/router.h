// Router: the route table from (method, path pattern) to handler.
//
// Patterns are Google API path templates: literal segments, `{name}` segments that capture one
// path segment, and an optional custom verb after ':' in the last segment, literal or captured:
//   router.Add("POST", "/v1/cases/{id}:claim", ClaimHandler, "cases.claim");
//   router.Add("POST", "/v1/cases/{id}:{action}", ActionHandler, "cases.action");
// Lookup prefers the most specific pattern (a literal beats a variable, from the left), tells a
// path that exists for other methods (405 and its Allow list) from an unknown path (404), and
// answers HEAD with the GET route when no HEAD route is given. Captured values are
// percent-decoded; a variable never matches an empty segment, and in the last segment of a
// pattern without a verb it does not match text containing ':' (so `GET /v1/cases/x:claim`
// is 405, not the case "x:claim").
//
// Thread-safety: build the table before the server starts; Match is then safe from any thread.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "engine/http/request.h"
#include "engine/http/response.h"

namespace tillvaxt::http {

// Handlers run on the server's worker threads and may block (database). They must be
// thread-safe: several requests run at once.
using Handler = std::function<Response(const Request&)>;

struct RouteMatch {
  enum class Kind { kFound, kNotFound, kMethodNotAllowed };
  Kind kind = Kind::kNotFound;
  const Handler* handler = nullptr;  // kFound: points into the router
  std::string route_name;            // kFound: the name given to Add (metrics, logs)
  std::map<std::string, std::string, std::less<>> params;  // kFound: decoded captures
  std::string allow;  // kMethodNotAllowed: "GET, HEAD, POST" for the Allow header
};

class Router {
 public:
  struct RouteInfo {
    std::string method;
    std::string pattern;
    std::string name;
  };

  Router();
  ~Router();
  Router(Router&&) noexcept;
  Router& operator=(Router&&) noexcept;

  // Adds a route. `name` defaults to "METHOD pattern". A malformed pattern (not starting with
  // '/', empty or unbalanced braces, a repeated variable name) or a duplicate (method, pattern)
  // is a programming error and throws std::invalid_argument naming the pattern.
  Router& Add(std::string method, std::string_view pattern, Handler handler,
              std::string name = "");

  // Matches a raw (still percent-encoded) path such as "/v1/cases/c%2D1:claim".
  RouteMatch Match(std::string_view method, std::string_view raw_path) const;

  std::vector<RouteInfo> routes() const;

 private:
  struct Route;
  std::vector<Route> routes_;
};

}  // namespace tillvaxt::http
