#include "engine/http/client_address.h"

#include <vector>

namespace tillvaxt::http {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Every element of every field called `name`, in order (repeated fields form one list).
std::vector<std::string_view> ListElements(const Headers& headers, std::string_view name) {
  std::vector<std::string_view> out;
  for (std::string_view value : headers.GetAll(name)) {
    while (true) {
      size_t comma = value.find(',');
      out.push_back(Trim(value.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  return out;
}

}  // namespace

ClientInfo ResolveClient(std::string_view peer, bool tls, const Headers& headers,
                         const base::CidrSet& trusted_proxies) {
  ClientInfo info{std::string(peer), tls ? "https" : "http"};
  std::optional<base::IpAddress> peer_ip = base::ParseIp(peer);
  if (peer_ip) info.address = peer_ip->ToString();
  if (!peer_ip || trusted_proxies.empty() || !trusted_proxies.Contains(*peer_ip)) return info;

  std::vector<std::string_view> hops = ListElements(headers, "X-Forwarded-For");
  for (auto hop = hops.rbegin(); hop != hops.rend(); ++hop) {
    std::optional<base::IpAddress> ip = base::ParseIpMaybeWithPort(*hop);
    if (!ip) break;  // junk: the last trusted hop stays the client
    info.address = ip->ToString();
    if (!trusted_proxies.Contains(*ip)) break;
  }

  if (!tls) {
    std::vector<std::string_view> proto = ListElements(headers, "X-Forwarded-Proto");
    if (proto.size() == 1 && EqualsIgnoreCase(proto[0], "https")) info.scheme = "https";
  }
  return info;
}

}  // namespace tillvaxt::http
