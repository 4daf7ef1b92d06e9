#include "engine/http/static_files.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <fstream>
#include <system_error>

namespace tillvaxt::http {

namespace fs = std::filesystem;

namespace {

bool IsApiPath(std::string_view path) { return path == "/v1" || path.starts_with("/v1/"); }

// Splits the raw path into decoded segments; nullopt when any segment is unsafe.
std::optional<std::vector<std::string>> SafeSegments(std::string_view raw_path) {
  std::vector<std::string> out;
  raw_path.remove_prefix(1);
  while (true) {
    size_t slash = raw_path.find('/');
    std::string_view raw = raw_path.substr(0, slash);
    auto segment = PercentDecode(raw);
    if (!segment) return std::nullopt;
    if (segment->find_first_of(std::string_view("/\\\0", 3)) != std::string::npos) {
      return std::nullopt;
    }
    if (!segment->empty() && segment->front() == '.') return std::nullopt;  // "..", dot-files
    out.push_back(std::move(*segment));
    if (slash == std::string_view::npos) break;
    raw_path.remove_prefix(slash + 1);
  }
  return out;
}

bool Within(const fs::path& root, const fs::path& file) {
  auto [r, f] = std::mismatch(root.begin(), root.end(), file.begin(), file.end());
  return r == root.end();
}

bool EtagMatches(std::string_view header, std::string_view etag) {
  while (!header.empty()) {
    size_t comma = header.find(',');
    std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
  }
  return false;
}

std::string Hex(uint64_t v) {
  char buf[17];
  int n = std::snprintf(buf, sizeof(buf), "%llx", static_cast<unsigned long long>(v));
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace

std::string FormatHttpDate(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return std::string(buf, n);
}

std::string_view StaticFiles::ContentTypeFor(std::string_view ext) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 24> kTypes = {{
      {".html", "text/html; charset=utf-8"},
      {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},
      {".gif", "image/gif"},
      {".webp", "image/webp"},
      {".avif", "image/avif"},
      {".ico", "image/x-icon"},
      {".woff", "font/woff"},
      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},
      {".txt", "text/plain; charset=utf-8"},
      {".csv", "text/csv; charset=utf-8"},
      {".xml", "application/xml"},
      {".pdf", "application/pdf"},
      {".wasm", "application/wasm"},
  }};
  std::string lower(ext);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (const auto& [e, type] : kTypes) {
    if (e == lower) return type;
  }
  return "application/octet-stream";
}

bool StaticFiles::LooksHashed(std::string_view path) {
  if (path.starts_with("/assets/")) return true;
  std::string_view name = path.substr(path.rfind('/') + 1);
  size_t ext = name.rfind('.');
  if (ext == std::string_view::npos) return false;
  std::string_view stem = name.substr(0, ext);
  size_t sep = stem.find_last_of(".-");
  if (sep == std::string_view::npos) return false;
  std::string_view hash = stem.substr(sep + 1);
  if (hash.size() < 8) return false;
  bool digit = false, letter = false;
  for (char c : hash) {
    if (c >= '0' && c <= '9') {
      digit = true;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      letter = true;
    } else if (c != '_') {
      return false;
    }
  }
  return digit && letter;
}

StaticFiles::StaticFiles(StaticFilesOptions options) : options_(std::move(options)) {
  std::error_code ec;
  canonical_root_ = fs::weakly_canonical(options_.root, ec);
  if (ec) canonical_root_ = options_.root.lexically_normal();
}

std::optional<Response> StaticFiles::Serve(const Request& request) const {
  if (request.method != "GET" && request.method != "HEAD") return std::nullopt;
  std::string_view raw_path = request.path;
  if (auto parts = SplitTarget(request.target)) raw_path = parts->raw_path;
  if (raw_path.empty() || raw_path.front() != '/') return std::nullopt;
  if (IsApiPath(request.path) || IsApiPath(raw_path)) return std::nullopt;

  auto segments = SafeSegments(raw_path);
  if (!segments) return JsonError(base::NotFound("no such file"));

  fs::path file = canonical_root_;
  for (const auto& s : *segments) {
    if (!s.empty()) file /= s;
  }
  std::error_code ec;
  if (fs::is_directory(file, ec)) file /= options_.index_file;
  if (fs::is_regular_file(file, ec)) {
    return ServeFile(request, file, LooksHashed(raw_path));
  }
  // A client-side route: no extension in the last segment.
  const std::string& last = segments->back();
  if (options_.spa_fallback && last.find('.') == std::string::npos) {
    fs::path index = canonical_root_ / options_.index_file;
    if (fs::is_regular_file(index, ec)) return ServeFile(request, index, false);
  }
  return std::nullopt;
}

std::optional<Response> StaticFiles::ServeFile(const Request& request, const fs::path& file,
                                               bool immutable) const {
  std::error_code ec;
  fs::path real = fs::canonical(file, ec);
  if (ec || !Within(canonical_root_, real)) return JsonError(base::NotFound("no such file"));
  uint64_t size = fs::file_size(real, ec);
  if (ec || size > options_.max_file_size) return JsonError(base::NotFound("no such file"));
  auto mtime = fs::last_write_time(real, ec);
  if (ec) return JsonError(base::NotFound("no such file"));
  auto sys_mtime = std::chrono::file_clock::to_sys(mtime);
  auto mtime_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                      sys_mtime.time_since_epoch()).count();
  std::string etag = "\"" + Hex(size) + "-" + Hex(static_cast<uint64_t>(mtime_ns)) + "\"";

  Response response;
  response.headers.Set("ETag", etag);
  response.headers.Set("Last-Modified", FormatHttpDate(sys_mtime));
  response.headers.Set("Cache-Control",
                       immutable ? "public, max-age=31536000, immutable" : "no-cache");
  if (auto inm = request.headers.Get("If-None-Match"); inm && EtagMatches(*inm, etag)) {
    response.status = 304;
    return response;
  }
  std::ifstream in(real, std::ios::binary);
  if (!in) return JsonError(base::NotFound("no such file"));
  std::string body(size, '\0');
  in.read(body.data(), static_cast<std::streamsize>(size));
  if (static_cast<uint64_t>(in.gcount()) != size) {
    return JsonError(base::Unavailable("file changed while being read"));
  }
  response.status = 200;
  response.content_type = std::string(ContentTypeFor(real.extension().string()));
  response.body = std::move(body);
  return response;
}

}  // namespace tillvaxt::http
