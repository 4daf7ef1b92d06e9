#include "engine/store/page_token.h"

#include <algorithm>
#include <charconv>
#include <system_error>

namespace tillvaxt::store {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// A check of the token's key for one listing (FNV-1a over the table name and the key): a token
// that was altered, made up or returned by another listing fails it. Not a secret: a token only
// says where a page starts, and visibility is applied to every row whatever the token.
std::string Check(std::string_view listing, std::string_view raw) {
  uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view bytes) {
    for (unsigned char ch : bytes) {
      h ^= ch;
      h *= 1099511628211ULL;
    }
  };
  mix(listing);
  mix(std::string_view("\0", 1));
  mix(raw);
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i, h >>= 4) out[static_cast<size_t>(i)] = kHex[h & 0xf];
  return out;
}

}  // namespace

int PageSize(int page_size) { return page_size == 0 ? 50 : std::clamp(page_size, 1, 1000); }

std::string EncodePageToken(std::string_view listing, int64_t create_ms, const std::string& id) {
  const std::string raw = std::to_string(create_ms) + "," + id;
  std::string out;
  out.reserve(raw.size() * 2 + 17);
  for (unsigned char ch : raw) {
    out.push_back(kHex[ch >> 4]);
    out.push_back(kHex[ch & 0xf]);
  }
  return out + "." + Check(listing, raw);
}

bool DecodePageToken(std::string_view listing, const std::string& token, int64_t* create_ms,
                     std::string* id) {
  const size_t dot = token.find('.');
  if (dot == std::string::npos || dot % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string raw;
  raw.reserve(dot / 2);
  for (size_t i = 0; i < dot; i += 2) {
    const int hi = nibble(token[i]);
    const int lo = nibble(token[i + 1]);
    if (hi < 0 || lo < 0) return false;
    raw.push_back(static_cast<char>(hi * 16 + lo));
  }
  if (token.compare(dot + 1, std::string::npos, Check(listing, raw)) != 0) return false;
  const size_t comma = raw.find(',');
  if (comma == std::string::npos || comma == 0) return false;
  const char* end = raw.data() + comma;
  auto [ptr, ec] = std::from_chars(raw.data(), end, *create_ms);
  if (ec != std::errc() || ptr != end) return false;
  *id = raw.substr(comma + 1);
  return true;
}

}  // namespace tillvaxt::store
