// /v1/config and /v1/workflow: what the web app needs to show names and draw the process.
#include "engine/api/handler.h"
#include "engine/api/routes.h"
#include "engine/api/views.h"
#include "engine/api/wire.h"

namespace tillvaxt::api {

void AddConfigRoutes(http::Router& router, ApiContext& ctx) {
  router.Add("GET", "/v1/config",
             Authed(ctx, [&ctx](const http::Request& request, const domain::Principal&) {
               return Reply(request, 200, ConfigView(ctx.cases.config()));
             }),
             "config.get");
  router.Add("GET", "/v1/workflow",
             Authed(ctx, [&ctx](const http::Request& request, const domain::Principal&) {
               return Reply(request, 200, WorkflowView(ctx.cases.config().workflow));
             }),
             "workflow.get");
}

}  // namespace tillvaxt::api
