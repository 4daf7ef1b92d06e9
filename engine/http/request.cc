#include "engine/http/request.h"

#include <algorithm>

namespace tillvaxt::http {

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> Headers::Get(std::string_view name) const {
  for (const auto& [key, value] : fields_) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

std::string_view Headers::GetOr(std::string_view name, std::string_view fallback) const {
  auto value = Get(name);
  return value ? *value : fallback;
}

std::vector<std::string_view> Headers::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [key, value] : fields_) {
    if (EqualsIgnoreCase(key, name)) out.emplace_back(value);
  }
  return out;
}

void Headers::Add(std::string name, std::string value) {
  fields_.emplace_back(std::move(name), std::move(value));
}

void Headers::Set(std::string name, std::string value) {
  Remove(name);
  Add(std::move(name), std::move(value));
}

void Headers::Remove(std::string_view name) {
  std::erase_if(fields_, [&](const Field& f) { return EqualsIgnoreCase(f.first, name); });
}

std::optional<std::string_view> QueryParams::Get(std::string_view name) const {
  for (const auto& [key, value] : params_) {
    if (key == name) return std::string_view(value);
  }
  return std::nullopt;
}

std::vector<std::string_view> QueryParams::GetAll(std::string_view name) const {
  std::vector<std::string_view> out;
  for (const auto& [key, value] : params_) {
    if (key == name) out.emplace_back(value);
  }
  return out;
}

void QueryParams::Add(std::string name, std::string value) {
  params_.emplace_back(std::move(name), std::move(value));
}

std::string_view Request::PathParam(std::string_view name) const {
  auto it = path_params.find(name);
  return it == path_params.end() ? std::string_view() : std::string_view(it->second);
}

std::optional<std::string> PercentDecode(std::string_view text, bool plus_as_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_as_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

base::Result<QueryParams> ParseQuery(std::string_view query) {
  QueryParams params;
  while (!query.empty()) {
    size_t amp = query.find('&');
    std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    size_t eq = part.find('=');
    std::string_view raw_name = part.substr(0, eq);
    std::string_view raw_value = eq == std::string_view::npos ? std::string_view() : part.substr(eq + 1);
    auto name = PercentDecode(raw_name, true);
    auto value = PercentDecode(raw_value, true);
    if (!name || !value) {
      return base::InvalidArgument("malformed percent-encoding in query parameter '" +
                                   std::string(raw_name) + "'");
    }
    params.Add(std::move(*name), std::move(*value));
  }
  return params;
}

std::optional<TargetParts> SplitTarget(std::string_view target) {
  if (target.empty() || target.front() != '/') return std::nullopt;
  size_t q = target.find('?');
  TargetParts parts;
  parts.raw_path = target.substr(0, q);
  if (q != std::string_view::npos) parts.raw_query = target.substr(q + 1);
  size_t hash = parts.raw_query.find('#');  // fragments are not sent, but be lenient
  if (hash != std::string_view::npos) parts.raw_query = parts.raw_query.substr(0, hash);
  return parts;
}

base::Status ParseTarget(std::string_view target, Request* request) {
  auto parts = SplitTarget(target);
  if (!parts) return base::InvalidArgument("request target must be a path starting with '/'");
  auto path = PercentDecode(parts->raw_path);
  if (!path) return base::InvalidArgument("malformed percent-encoding in the request path");
  if (path->find('\0') != std::string::npos) {
    return base::InvalidArgument("the request path contains a NUL byte");
  }
  auto query = ParseQuery(parts->raw_query);
  if (!query.ok()) return query.status();
  request->target = std::string(target);
  request->path = std::move(*path);
  request->query = std::move(query).value();
  return base::Status::Ok();
}

}  // namespace tillvaxt::http
