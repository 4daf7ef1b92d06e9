// IP addresses as text, sets of CIDR ranges, and the key a per-address limit counts under.
//
// The HTTP server (the connection cap per address, the client behind a trusted proxy) and the
// login limits (auth) both need these; they live here because neither may include the other.
// POSIX inet_pton/inet_ntop only, no socket library. Value types; thread-compatible.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"

namespace tillvaxt::base {

struct IpAddress {
  bool v6 = false;
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4

  // "192.0.2.1", "2001:db8::1" (no brackets).
  std::string ToString() const;
  bool operator==(const IpAddress&) const = default;
};

// "192.0.2.1", "2001:db8::1" or "[2001:db8::1]"; an IPv4-mapped IPv6 address
// ("::ffff:192.0.2.1") is its IPv4 address. nullopt for anything else (names, ports, zones).
std::optional<IpAddress> ParseIp(std::string_view text);

// The same, also accepting a port as proxies sometimes write it into X-Forwarded-For:
// "192.0.2.1:5050", "[2001:db8::1]:5050".
std::optional<IpAddress> ParseIpMaybeWithPort(std::string_view text);

// The key a per-address limit counts under: the IPv4 address, or the /64 of an IPv6 address
// ("2001:db8:1:2::/64": one host usually owns a whole /64).
std::string AddressKey(const IpAddress& ip);

// A set of CIDR ranges ("10.0.0.0/8", "2001:db8::/32"; a bare address is one host).
class CidrSet {
 public:
  // INVALID_ARGUMENT saying what is wrong with `cidr`: not an address, a prefix length out of
  // range (IPv4 0-32, IPv6 0-128), or bits set beyond the prefix ("10.0.0.1/8": did you mean
  // 10.0.0.0/8?). An IPv4-mapped IPv6 range is the IPv4 range.
  Status Add(std::string_view cidr);
  bool Contains(const IpAddress& ip) const;
  bool empty() const { return ranges_.empty(); }
  // The ranges as given, for messages and logs.
  const std::vector<std::string>& texts() const { return texts_; }

 private:
  struct Range {
    IpAddress base;
    int prefix = 0;
  };
  std::vector<Range> ranges_;
  std::vector<std::string> texts_;
};

}  // namespace tillvaxt::base
