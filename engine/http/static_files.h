// StaticFiles: serves the web app's folder (web/dist) for requests no route matched.
//
// GET and HEAD only. Paths are checked segment by segment before touching the file system: no
// "..", no dot-files, no encoded '/' or '\', and the resolved file must lie inside the root even
// through symlinks; refused paths answer 404. A path that names no file and has no extension
// (a client-side route such as /cases/123) gets index.html, except under /v1, which stays the
// API's JSON 404. Responses carry a Content-Type from the extension, an ETag (answering
// If-None-Match with 304), Last-Modified, and Cache-Control: immutable for hashed assets
// (under /assets/ or named like app-3f9a1c2b.js), no-cache otherwise.
// Thread-safe: Serve only reads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "engine/http/request.h"
#include "engine/http/response.h"

namespace tillvaxt::http {

struct StaticFilesOptions {
  std::filesystem::path root;
  std::string index_file = "index.html";
  bool spa_fallback = true;
  uint64_t max_file_size = 64ull << 20;
};

class StaticFiles {
 public:
  explicit StaticFiles(StaticFilesOptions options);

  // The file, a 304, or a 404 for a refused path; nullopt when the request is not for a static
  // file at all (wrong method, an API path, no file and no fallback): the caller answers then.
  std::optional<Response> Serve(const Request& request) const;

  // "text/html; charset=utf-8" for ".html" and so on; "application/octet-stream" when unknown.
  static std::string_view ContentTypeFor(std::string_view extension);
  // True for file names that carry a content hash, served as immutable.
  static bool LooksHashed(std::string_view path);

 private:
  std::optional<Response> ServeFile(const Request& request, const std::filesystem::path& file,
                                    bool immutable) const;

  StaticFilesOptions options_;
  std::filesystem::path canonical_root_;
};

// "Sun, 06 Nov 1994 08:49:37 GMT"
std::string FormatHttpDate(std::chrono::system_clock::time_point t);

}  // namespace tillvaxt::http
