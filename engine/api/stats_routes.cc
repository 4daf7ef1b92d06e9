// /v1/stats/*: the flow statistics for managers and admins (docs/API.md "Statistics",
// docs/STATISTICS.md). Thin: the query parameters become a service::StatsQuery, the service
// authorises, validates and answers from the store's statistics index.
#include <atomic>
#include <chrono>
#include <cstddef>

#include "engine/api/handler.h"
#include "engine/api/routes.h"
#include "engine/api/views.h"
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

// The export writes from a task of the server's TaskGroup with backpressure: after each piece
// it waits until at most kExportUnsent bytes are still unsent, well inside the server's
// per-stream buffer, so a slow client slows the export instead of being cut off. A client that
// reads nothing for kExportStall ends the export.
constexpr size_t kExportUnsent = 256 * 1024;
constexpr auto kExportStall = std::chrono::seconds(30);

}  // namespace

void AddStatsRoutes(http::Router& router, ApiContext& ctx) {
  if (ctx.stats == nullptr) return;  // a server without statistics answers 404 for them
  service::StatsService* stats = ctx.stats;
  base::TaskGroup* tasks = ctx.tasks;

  router.Add("GET", "/v1/stats/summary",
             Authed(ctx,
                    [stats](const http::Request& request, const domain::Principal& who) {
                      auto s = stats->Summary(who, QueryOf(request));
                      if (!s.ok()) return ReplyError(s.status());
                      return Reply(request, 200, SummaryView(*s));
                    }),
             "stats.summary");

  router.Add("GET", "/v1/stats/flow",
             Authed(ctx,
                    [stats](const http::Request& request, const domain::Principal& who) {
                      auto links = stats->Flow(who, QueryOf(request));
                      if (!links.ok()) return ReplyError(links.status());
                      return Reply(request, 200, FlowView(*links));
                    }),
             "stats.flow");

  router.Add("GET", "/v1/stats/timeseries",
             Authed(ctx,
                    [stats](const http::Request& request, const domain::Principal& who) {
                      const std::string bucket = Param(request, "bucket");
                      const std::string metric = Param(request, "metric");
                      auto points = stats->TimeSeries(who, QueryOf(request), bucket, metric);
                      if (!points.ok()) return ReplyError(points.status());
                      return Reply(request, 200, TimeSeriesView(*points, bucket, metric));
                    }),
             "stats.timeseries");

  router.Add("GET", "/v1/stats/export.csv",
             Authed(ctx,
                    [stats, tasks](const http::Request& request, const domain::Principal& who) {
                      const service::StatsQuery query = QueryOf(request);
                      // Refusals (403, 400) are JSON errors, before any CSV goes out.
                      auto filter = stats->Filter(who, query);
                      if (!filter.ok()) return ReplyError(filter.status());
                      auto body = std::make_shared<http::StreamBody>();
                      // No heartbeat is wanted inside a CSV, but a zero interval leaves nothing
                      // holding the connection once on_open returns (the session's heartbeat timer
                      // keeps it alive), and the stream is cut after its first chunk. A day-long
                      // interval never fires in practice.
                      body->heartbeat_interval = std::chrono::hours(24);
                      body->heartbeat = "\r\n";
                      body->on_open = [stats, tasks, who,
                                       query](std::shared_ptr<http::StreamWriter> writer) {
                        bool started = tasks->Run([stats, who, query,
                                                   writer](const std::atomic<bool>& stopping) {
                          base::Status st = stats->ExportCsv(who, query, [&](std::string piece) {
                            return !stopping && writer->Write(std::move(piece)) &&
                                   writer->WaitWritable(kExportUnsent, kExportStall);
                          });
                          (void)st;  // a failure mid-stream can only end the stream early
                          writer->End();
                        });
                        if (!started) writer->End();  // stopping, or too many exports at once
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
