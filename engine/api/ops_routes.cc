// /healthz, /readyz and /metrics for operations. Unauthenticated: they reveal no case data.
#include "engine/api/handler.h"
#include "engine/api/routes.h"

namespace tillvaxt::api {

void AddOpsRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("GET", "/healthz", Public([](const http::Request&) {
               return http::Response::Json(200, R"({"status":"ok"})");
             }),
             "healthz");
  router.Add("GET", "/readyz", Public([&ctx](const http::Request&) {
               bool ready = !ctx.ready || ctx.ready();
               return ready ? http::Response::Json(200, R"({"status":"ready"})")
                            : http::Response::Json(503, R"({"status":"starting"})");
             }),
             "readyz");
  router.Add("GET", "/metrics", Public([&ctx](const http::Request&) {
               return http::Response::Text(200, ctx.metrics_text ? ctx.metrics_text() : "",
                                           "text/plain; version=0.0.4; charset=utf-8");
             }),
             "metrics");
}

void AddApiRoutes(http::Router& router, ApiContext& ctx) {
  AddSessionRoutes(router, ctx);
  AddCaseRoutes(router, ctx);
  AddConfigRoutes(router, ctx);
  AddOpsRoutes(router, ctx);
  AddOfferRoutes(router, ctx);
  AddStreamRoutes(router, ctx);
  AddStatsRoutes(router, ctx);
  AddTodoRoutes(router, ctx);
}

}  // namespace tillvaxt::api
