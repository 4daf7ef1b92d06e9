// The v1 route table (docs/API.md): each handler translates the request, calls the service and
// translates the answer. Offers, statistics and the event stream add their routes here.
#pragma once

#include <string>

#include "engine/api/context.h"
#include "engine/http/router.h"

namespace tillvaxt::api {

void AddSessionRoutes(http::Router& router, ApiContext& ctx);
void AddCaseRoutes(http::Router& router, ApiContext& ctx);
void AddConfigRoutes(http::Router& router, ApiContext& ctx);
void AddOpsRoutes(http::Router& router, ApiContext& ctx);
// /v1/offers, GET /v1/nodes/{node}/inbox and GET /v1/cases/{id}/suggestedOffers (ctx.offers).
void AddOfferRoutes(http::Router& router, ApiContext& ctx);
// GET /v1/stream (Server-Sent Events through ctx.events).
void AddStreamRoutes(http::Router& router, ApiContext& ctx);
// GET /v1/stats/summary, /flow, /timeseries, /export.csv (managers and admins).
void AddStatsRoutes(http::Router& router, ApiContext& ctx);
// GET /v1/todo (ctx.todo).
void AddTodoRoutes(http::Router& router, ApiContext& ctx);
// The SSE message of one committed event: the formatter to give the EventHub.
std::string SseMessage(const store::PositionedEvent& event);

// All of the above.
void AddApiRoutes(http::Router& router, ApiContext& ctx);

}  // namespace tillvaxt::api
