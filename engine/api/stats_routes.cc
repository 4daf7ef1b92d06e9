// /v1/stats/*: the flow statistics for managers and admins (docs/API.md "Statistics",
// docs/STATISTICS.md). Thin: the query parameters become a service::StatsQuery, the service
// authorises, validates and answers from the store's statistics index.
#include <chrono>
#include <memory>
#include <thread>

#include "engine/api/handler.h"
#include "engine/api/routes.h"
#include "engine/api/wire.h"
#include "engine/service/stats_service.h"

namespace tillvaxt::api {
namespace {

std::string Param(const http::Request& request, std::string_view name) {
  auto v = request.query.Get(name);
  return v ? std::string(*v) : std::string();
}

service::StatsQuery QueryOf(const http::Request& request) {
  return {Param(request, "from"), Param(request, "to"),   Param(request, "node"),
          Param(request, "area"), Param(request, "need"), Param(request, "level")};
}

// The export writes from a thread of its own. The stream has no backpressure signal, so it
// paces itself: a chunk, then a short pause, keeping well inside the server's per-stream buffer
// for any client that reads a few MB/s.
constexpr auto kExportPause = std::chrono::milliseconds(8);

}  // namespace

void AddStatsRoutes(http::Router& router, ApiContext& ctx) {
  auto stats =
      std::make_shared<service::StatsService>(ctx.cases.config(), ctx.cases.store(), ctx.clock);

  router.Add("GET", "/v1/stats/summary",
             Authed(ctx, [stats](const http::Request& request, const domain::Principal& who) {
               auto s = stats->Summary(who, QueryOf(request));
               if (!s.ok()) return ReplyError(s.status());
               return Reply(request, 200, service::SummaryToProto(*s));
             }),
             "stats.summary");

  router.Add("GET", "/v1/stats/flow",
             Authed(ctx, [stats](const http::Request& request, const domain::Principal& who) {
               auto links = stats->Flow(who, QueryOf(request));
               if (!links.ok()) return ReplyError(links.status());
               return Reply(request, 200, service::FlowToProto(*links));
             }),
             "stats.flow");

  router.Add("GET", "/v1/stats/timeseries",
             Authed(ctx, [stats](const http::Request& request, const domain::Principal& who) {
               const std::string bucket = Param(request, "bucket");
               const std::string metric = Param(request, "metric");
               auto points = stats->TimeSeries(who, QueryOf(request), bucket, metric);
               if (!points.ok()) return ReplyError(points.status());
               return Reply(request, 200, service::TimeSeriesToProto(*points, bucket, metric));
             }),
             "stats.timeseries");

  router.Add(
      "GET", "/v1/stats/export.csv",
      Authed(ctx, [stats](const http::Request& request, const domain::Principal& who) {
        const service::StatsQuery query = QueryOf(request);
        // Refusals (403, 400) are JSON errors, before any CSV goes out.
        auto filter = stats->Filter(who, query);
        if (!filter.ok()) return ReplyError(filter.status());
        auto body = std::make_shared<http::StreamBody>();
        // No heartbeat is wanted inside a CSV, but a zero interval leaves nothing holding the
        // connection once on_open returns (the session's heartbeat timer keeps it alive), and
        // the stream is cut after its first chunk. A day-long interval never fires in practice.
        body->heartbeat_interval = std::chrono::hours(24);
        body->heartbeat = "\r\n";
        body->on_open = [stats, who, query](std::shared_ptr<http::StreamWriter> writer) {
          std::thread([stats, who, query, writer] {
            base::Status st = stats->ExportCsv(who, query, [&writer](std::string piece) {
              const bool open = writer->Write(std::move(piece));
              if (open) std::this_thread::sleep_for(kExportPause);
              return open;
            });
            (void)st;  // a failure mid-stream can only end the stream early
            writer->End();
          }).detach();
        };
        http::Response response =
            http::Response::Stream(200, "text/csv; charset=utf-8", std::move(body));
        response.headers.Set("Content-Disposition",
                             "attachment; filename=\"tillvaxt-cases.csv\"");
        response.headers.Set("Cache-Control", "no-store");
        return response;
      }),
      "stats.export");
}

}  // namespace tillvaxt::api
