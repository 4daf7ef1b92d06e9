// Request: an HTTP request as handlers see it, independent of the socket library.
//
// The session (server/session .cc files, the only ones that see Beast) fills a Request from the
// wire and hands it to a handler by const reference. Headers look up names case-insensitively;
// the query is split and percent-decoded. Plain value types: thread-compatible.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/status.h"

namespace tillvaxt::http {

// Header fields in arrival order; names compare ASCII-case-insensitively.
class Headers {
 public:
  using Field = std::pair<std::string, std::string>;

  // The first value of `name`, or nullopt when absent.
  std::optional<std::string_view> Get(std::string_view name) const;
  // The first value of `name`, or `fallback`.
  std::string_view GetOr(std::string_view name, std::string_view fallback) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  // Appends a field (repeated names are kept).
  void Add(std::string name, std::string value);
  // Replaces every field called `name` by one.
  void Set(std::string name, std::string value);
  void Remove(std::string_view name);

  const std::vector<Field>& fields() const { return fields_; }
  std::vector<Field>::const_iterator begin() const { return fields_.begin(); }
  std::vector<Field>::const_iterator end() const { return fields_.end(); }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }

 private:
  std::vector<Field> fields_;
};

// Decoded query parameters in order; names are case-sensitive and may repeat (`need=a&need=b`).
class QueryParams {
 public:
  using Param = std::pair<std::string, std::string>;

  std::optional<std::string_view> Get(std::string_view name) const;
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  void Add(std::string name, std::string value);

  const std::vector<Param>& params() const { return params_; }
  std::vector<Param>::const_iterator begin() const { return params_.begin(); }
  std::vector<Param>::const_iterator end() const { return params_.end(); }
  size_t size() const { return params_.size(); }
  bool empty() const { return params_.empty(); }

 private:
  std::vector<Param> params_;
};

struct Request {
  std::string method;  // "GET", "POST", ... as sent (case-sensitive, RFC 9110)
  std::string target;  // raw request target: "/v1/cases?state=NEW"
  std::string path;    // percent-decoded path without the query: "/v1/cases"
  std::map<std::string, std::string, std::less<>> path_params;  // {id} -> decoded value
  QueryParams query;
  Headers headers;
  std::string body;
  std::string remote_address;  // the peer: "127.0.0.1:53412"
  // The client's IP address without a port ("192.0.2.1", "2001:db8::1"): the peer's, or, when
  // the peer is a trusted proxy, the one its X-Forwarded-For names (client_address.h). Limits
  // per address count under it. Empty when unknown.
  std::string client_address;
  std::string request_id;  // from a sane X-Request-Id, otherwise generated
  bool secure = false;     // arrived over TLS
  // "https" over TLS or when a trusted proxy says so (X-Forwarded-Proto); otherwise "http".
  std::string scheme = "http";

  // The decoded path parameter `name`, or "" when the route has none.
  std::string_view PathParam(std::string_view name) const;
};

// Percent-decodes `text`; with `plus_as_space` (query strings) '+' becomes ' '.
// Returns nullopt for a malformed escape ("%4", "%zz").
std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space = false);

// Splits "a=1&b=x%20y&flag" into decoded parameters ("flag" has the value "").
// InvalidArgument when an escape is malformed.
base::Result<QueryParams> ParseQuery(std::string_view query);

// Splits an origin-form target ("/path?query") into the raw path and the raw query.
struct TargetParts {
  std::string_view raw_path;
  std::string_view raw_query;
};
std::optional<TargetParts> SplitTarget(std::string_view target);

// Fills request->target, path and query from `target`. InvalidArgument when the target is not
// origin-form, an escape is malformed or the decoded path holds a NUL byte.
base::Status ParseTarget(std::string_view target, Request* request);

// ASCII case-insensitive equality, used for header names and tokens.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

}  // namespace tillvaxt::http
