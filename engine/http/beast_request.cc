#include "engine/http/beast_request.h"

#include <utility>
#include <vector>

namespace tillvaxt::http {
namespace {

namespace bhttp = boost::beast::http;

std::string_view SV(boost::beast::string_view s) { return {s.data(), s.size()}; }

std::string_view TrimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string FramingProblem(const BeastRequestHeader& header) {
  std::string codings;
  std::vector<std::string_view> elements;
  size_t fields = 0;
  for (const auto& field : header) {
    if (field.name() != bhttp::field::transfer_encoding) continue;
    ++fields;
    std::string_view value = SV(field.value());
    if (!codings.empty()) codings += ", ";
    codings.append(value);
    while (true) {
      size_t comma = value.find(',');
      elements.push_back(TrimOws(value.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      value.remove_prefix(comma + 1);
    }
  }
  if (fields == 0) return "";
  if (codings.size() > 80) codings = codings.substr(0, 80) + "...";
  std::string closing = "; the connection is closed";
  if (header.version() < 11) {
    return "Transfer-Encoding is not allowed in an HTTP/1.0 request" + closing;
  }
  if (header.count(bhttp::field::content_length) > 0) {
    return "a request must not have both Transfer-Encoding and Content-Length" + closing;
  }
  if (elements.size() != 1 || !EqualsIgnoreCase(elements[0], "chunked")) {
    return "unsupported Transfer-Encoding '" + codings +
           "': the only transfer coding accepted is a single 'chunked'" + closing;
  }
  return "";
}

base::Status FillRequest(BeastRequest&& message, Request* request) {
  request->method = std::string(SV(message.method_string()));
  base::Status target = ParseTarget(SV(message.target()), request);
  for (const auto& field : message) {
    request->headers.Add(std::string(SV(field.name_string())), std::string(SV(field.value())));
  }
  request->body = std::move(message.body());
  return target;
}

}  // namespace tillvaxt::http
