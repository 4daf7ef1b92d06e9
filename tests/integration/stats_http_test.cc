// /v1/stats over real sockets against `tillvaxt serve --demo`: managers and admins get the
// figures, everyone else 403; bad filters 400 naming the parameter; the CSV export streams a
// BOM, a header and one RFC 4180 row per case, as many as the summary counts.
#include "tests/integration/api_harness.h"

#include <catch2/catch.hpp>

namespace tillvaxt::apitest {
namespace {

struct StatsServer {
  TempDir dir;
  std::unique_ptr<ServerProcess> server;
  std::unique_ptr<TokenCache> tokens;
  StatsServer() {
    server = ServerProcess::Start(dir.path() / "data");
    tokens = std::make_unique<TokenCache>(server->port());
  }
};

StatsServer& Server() {
  static StatsServer s;
  return s;
}

Api As(const std::string& user) {
  return Api(Server().server->port(), Server().tokens->Token(user));
}

// Records of an RFC 4180 text (CRLF record ends, quoted fields with doubled quotes).
size_t CountCsvRecords(const std::string& text) {
  size_t records = 0;
  bool quoted = false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '"') quoted = !quoted;
    if (!quoted && text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++records;
  }
  return records;
}

TEST_CASE("statistics: managers and admins only", "[api][stats]") {
  for (const char* user : {"manager", "admin"}) {
    Api api = As(user);
    for (const char* path : {"/v1/stats/summary", "/v1/stats/flow",
                             "/v1/stats/timeseries?bucket=week&metric=resolved"}) {
      Reply r = api.Get(path);
      INFO(user << " " << path << " " << r.Describe());
      CHECK(r.status == 200);
    }
  }
  for (const char* user : {"coord.eskilstuna", "actor.almi-malardalen"}) {
    Api api = As(user);
    for (const char* path : {"/v1/stats/summary", "/v1/stats/flow", "/v1/stats/timeseries",
                             "/v1/stats/export.csv"}) {
      Reply r = api.Get(path);
      INFO(user << " " << path << " " << r.Describe());
      CHECK(r.status == 403);
      CHECK(Str(r.Json(), "error.status") == "PERMISSION_DENIED");
    }
  }
  Api anonymous(Server().server->port(), "");
  CHECK(anonymous.Get("/v1/stats/summary").status == 401);
}

TEST_CASE("statistics: the summary's JSON and bad filters", "[api][stats]") {
  Api api = As("manager");
  Reply r = api.Get("/v1/stats/summary");
  REQUIRE(r.status == 200);
  json::value body = r.Json();
  REQUIRE(body.is_object());
  for (const char* key : {"total", "byState", "byNode", "byLevelReached", "byNeed", "byArea",
                          "byOutcome", "byEffect", "escalationRate", "leakage", "timeToClaim",
                          "timeToResolve", "idleTime", "openAge", "slaBreaches"}) {
    INFO(key);
    CHECK(body.as_object().contains(key));
  }
  CHECK(body.at("total").as_int64() > 0);
  Reply bad = api.Get("/v1/stats/summary?node=stockholm");
  CHECK(bad.status == 400);
  CHECK(bad.body.find("node") != std::string::npos);
  CHECK(api.Get("/v1/stats/flow?from=2026-02-01&to=2026-01-01").status == 400);
  CHECK(api.Get("/v1/stats/timeseries?bucket=day").status == 400);
}

TEST_CASE("statistics: the CSV export streams one row per case", "[api][stats]") {
  Api api = As("manager");
  const int64_t total = api.Get("/v1/stats/summary").Json().at("total").as_int64();
  Reply csv = api.Get("/v1/stats/export.csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.Header("Content-Type")->find("text/csv") == 0);
  CHECK(csv.Header("Content-Disposition")->find("attachment") == 0);
  REQUIRE(csv.body.rfind("\xEF\xBB\xBF" "id,", 0) == 0);
  CHECK(static_cast<int64_t>(CountCsvRecords(csv.body)) == total + 1);
}

}  // namespace
}  // namespace tillvaxt::apitest
