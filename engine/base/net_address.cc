#include "engine/base/net_address.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace tillvaxt::base {
namespace {

constexpr std::array<uint8_t, 12> kMappedPrefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

// True when `bits` leading bits of a and b agree.
bool SamePrefix(const IpAddress& a, const IpAddress& b, int bits) {
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a.bytes[i] & mask) != (b.bytes[i] & mask)) return false;
  }
  return true;
}

bool HostBitsClear(const IpAddress& ip, int prefix) {
  int total = ip.v6 ? 128 : 32;
  for (int bit = prefix; bit < total; ++bit) {
    if (ip.bytes[bit / 8] & (0x80 >> (bit % 8))) return false;
  }
  return true;
}

}  // namespace

std::string IpAddress::ToString() const {
  char text[INET6_ADDRSTRLEN];
  if (inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), text, sizeof text) == nullptr) return "";
  return text;
}

std::optional<IpAddress> ParseIp(std::string_view text) {
  if (text.size() > 2 && text.front() == '[' && text.back() == ']') {
    text = text.substr(1, text.size() - 2);
  }
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  std::string copy(text);
  IpAddress ip;
  if (copy.find(':') == std::string::npos) {
    if (inet_pton(AF_INET, copy.c_str(), ip.bytes.data()) != 1) return std::nullopt;
    return ip;
  }
  if (inet_pton(AF_INET6, copy.c_str(), ip.bytes.data()) != 1) return std::nullopt;
  if (std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), ip.bytes.begin())) {
    IpAddress v4;
    std::copy(ip.bytes.begin() + 12, ip.bytes.end(), v4.bytes.begin());
    return v4;
  }
  ip.v6 = true;
  return ip;
}

std::optional<IpAddress> ParseIpMaybeWithPort(std::string_view text) {
  if (auto ip = ParseIp(text)) return ip;
  auto port_ok = [](std::string_view port) {
    return !port.empty() && port.size() <= 5 &&
           std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!text.empty() && text.front() == '[') {  // "[2001:db8::1]:5050"
    size_t close = text.find("]:");
    if (close == std::string_view::npos || !port_ok(text.substr(close + 2))) return std::nullopt;
    auto ip = ParseIp(text.substr(1, close - 1));
    return ip && ip->v6 ? ip : std::nullopt;
  }
  size_t colon = text.find(':');  // "192.0.2.1:5050": exactly one colon
  if (colon == std::string_view::npos || text.find(':', colon + 1) != std::string_view::npos ||
      !port_ok(text.substr(colon + 1))) {
    return std::nullopt;
  }
  auto ip = ParseIp(text.substr(0, colon));
  return ip && !ip->v6 ? ip : std::nullopt;
}

std::string AddressKey(const IpAddress& ip) {
  if (!ip.v6) return ip.ToString();
  const auto& b = ip.bytes;
  char prefix[64];
  std::snprintf(prefix, sizeof prefix, "%x:%x:%x:%x::/64", (b[0] << 8) | b[1], (b[2] << 8) | b[3],
                (b[4] << 8) | b[5], (b[6] << 8) | b[7]);
  return prefix;
}

Status CidrSet::Add(std::string_view cidr) {
  std::string text(cidr);
  size_t slash = cidr.find('/');
  std::string_view address = cidr.substr(0, slash);
  auto ip = ParseIp(address);
  if (!ip) return InvalidArgument("'" + text + "' is not an IP address or CIDR range");
  bool mapped = !ip->v6 && address.find(':') != std::string_view::npos;
  int total = ip->v6 ? 128 : 32;
  int prefix = total;
  if (slash != std::string_view::npos) {
    std::string_view digits = cidr.substr(slash + 1);
    int value = -1;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    int max = mapped ? 128 : total;
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || value < 0 ||
        value > max) {
      return InvalidArgument("'" + text + "': the prefix length must be a number from 0 to " +
                             std::to_string(max));
    }
    prefix = value;
    if (mapped) {
      if (prefix < 96) {
        return InvalidArgument("'" + text + "': write IPv4 ranges in IPv4 notation (a.b.c.d/n)");
      }
      prefix -= 96;
    }
  }
  if (!HostBitsClear(*ip, prefix)) {
    IpAddress base = *ip;
    for (int bit = prefix; bit < total; ++bit) {
      base.bytes[bit / 8] &= static_cast<uint8_t>(~(0x80 >> (bit % 8)));
    }
    return InvalidArgument("'" + text + "' has bits set beyond its /" + std::to_string(prefix) +
                           " prefix; did you mean " + base.ToString() + "/" +
                           std::to_string(prefix) + "?");
  }
  ranges_.push_back({*ip, prefix});
  texts_.push_back(std::move(text));
  return Status::Ok();
}

bool CidrSet::Contains(const IpAddress& ip) const {
  for (const Range& r : ranges_) {
    if (r.base.v6 == ip.v6 && SamePrefix(r.base, ip, r.prefix)) return true;
  }
  return false;
}

}  // namespace tillvaxt::base
