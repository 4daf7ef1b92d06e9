#include "engine/http/static_files.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

using namespace tillvaxt::http;
namespace fs = std::filesystem;

namespace {

struct TempWebRoot {
  fs::path top;   // holds root/ and a secret next to it
  fs::path root;
  TempWebRoot() {
    std::string pattern = (fs::temp_directory_path() / "tv-static-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    top = pattern;
    root = top / "dist";
    fs::create_directories(root / "assets");
    Write(root / "index.html", "<!doctype html><title>Tillväxt</title>");
    Write(root / "assets" / "index-3f9a1c2b.js", "console.log(1)");
    Write(root / "favicon.svg", "<svg/>");
    Write(root / ".env", "SECRET=1");
    Write(top / "secret.txt", "top secret");
    fs::create_symlink(top / "secret.txt", root / "link.txt");
  }
  ~TempWebRoot() {
    std::error_code ec;
    fs::remove_all(top, ec);
  }
  static void Write(const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
  }
};

Request Get(std::string target, std::string method = "GET") {
  Request r;
  r.method = std::move(method);
  REQUIRE(ParseTarget(target, &r).ok());
  return r;
}

}  // namespace

TEST_CASE("Static files are served with content types, validators and cache policy") {
  TempWebRoot web;
  StaticFiles files({web.root});

  auto index = files.Serve(Get("/"));
  REQUIRE(index);
  CHECK(index->status == 200);
  CHECK(index->content_type == "text/html; charset=utf-8");
  CHECK(index->body.find("Tillväxt") != std::string::npos);
  CHECK(index->headers.Get("Cache-Control") == "no-cache");
  REQUIRE(index->headers.Has("ETag"));
  CHECK(index->headers.Get("Last-Modified")->ends_with(" GMT"));

  auto js = files.Serve(Get("/assets/index-3f9a1c2b.js"));
  REQUIRE(js);
  CHECK(js->status == 200);
  CHECK(js->content_type == "text/javascript; charset=utf-8");
  CHECK(js->headers.Get("Cache-Control") == "public, max-age=31536000, immutable");

  auto svg = files.Serve(Get("/favicon.svg", "HEAD"));
  REQUIRE(svg);
  CHECK(svg->content_type == "image/svg+xml");

  Request again = Get("/assets/index-3f9a1c2b.js");
  again.headers.Add("If-None-Match", std::string(*js->headers.Get("ETag")));
  auto not_modified = files.Serve(again);
  REQUIRE(not_modified);
  CHECK(not_modified->status == 304);
  CHECK(not_modified->body.empty());
}

TEST_CASE("Static files fall back to index.html for client-side routes, not for the API") {
  TempWebRoot web;
  StaticFiles files({web.root});
  auto route = files.Serve(Get("/cases/c-17"));
  REQUIRE(route);
  CHECK(route->status == 200);
  CHECK(route->body.find("<!doctype html>") == 0);
  CHECK_FALSE(files.Serve(Get("/missing.png")));
  CHECK_FALSE(files.Serve(Get("/v1/cases")));
  CHECK_FALSE(files.Serve(Get("/v1")));
  CHECK_FALSE(files.Serve(Get("/", "POST")));
}

TEST_CASE("Static files refuse path traversal, dot-files and symlinks out of the root") {
  TempWebRoot web;
  StaticFiles files({web.root});
  for (std::string target :
       {"/../secret.txt", "/%2e%2e/secret.txt", "/assets/..%2f..%2fsecret.txt",
        "/assets/%2e%2e/%2e%2e/secret.txt", "/..%5csecret.txt", "/.env", "/link.txt",
        "/assets/../../secret.txt"}) {
    INFO(target);
    auto r = files.Serve(Get(target));
    REQUIRE(r);
    CHECK(r->status == 404);
    CHECK(r->body.find("top secret") == std::string::npos);
    CHECK(r->body.find("SECRET") == std::string::npos);
  }
}

TEST_CASE("Static files recognise hashed asset names") {
  CHECK(StaticFiles::LooksHashed("/assets/whatever.js"));
  CHECK(StaticFiles::LooksHashed("/app-3f9a1c2b.js"));
  CHECK(StaticFiles::LooksHashed("/app.3f9a1c2b.css"));
  CHECK_FALSE(StaticFiles::LooksHashed("/index.html"));
  CHECK_FALSE(StaticFiles::LooksHashed("/site.manifest.json"));
  CHECK(StaticFiles::ContentTypeFor(".WOFF2") == "font/woff2");
  CHECK(StaticFiles::ContentTypeFor(".unknown") == "application/octet-stream");
}
