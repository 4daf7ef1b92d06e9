// GET /v1/stream: Server-Sent Events of the committed events the caller may see
// (engine/service/event_hub.h does the fan-out and the visibility).
//
// Each event is one SSE message: `id:` its global commit position, `event:` its type name
// (CREATED, ESCALATED, SLA_WARNING, ...), `data:` the event as GET /v1/cases/{id}/events shows
// it (the api CaseEvent view as JSON: caseId, seq, type, time, user, level, fromState, toState,
// reason, actor, ...). A client resumes with the `Last-Event-ID` header (EventSource sends it on
// reconnect) or the `lastEventId` query parameter: the missed events it may see are replayed
// first. Comment lines keep idle connections alive.
#include <google/protobuf/util/json_util.h>

#include <charconv>
#include <memory>
#include <optional>
#include <string>

#include "engine/api/handler.h"
#include "engine/api/routes.h"
#include "engine/api/views.h"
#include "engine/api/wire.h"
#include "engine/service/event_hub.h"

namespace tillvaxt::api {

// One SSE message for a committed event.
std::string SseMessage(const store::PositionedEvent& p) {
  base::Result<std::string> printed = ToJson(EventView(p.event));
  const std::string json = printed.ok() ? std::move(printed).value() : "{}";
  // JSON from the printer has no raw newlines, so `data:` is one line.
  return "id: " + std::to_string(p.position) + "\nevent: " + domain::EventTypeName(p.event.type) +
         "\ndata: " + json + "\n\n";
}

namespace {

// The position to resume after: the Last-Event-ID header, else ?lastEventId=; nullopt for none.
base::Result<std::optional<int64_t>> ResumePosition(const http::Request& request) {
  std::optional<std::string_view> text = request.headers.Get("Last-Event-ID");
  if (!text || text->empty()) text = request.query.Get("lastEventId");
  if (!text || text->empty()) return std::optional<int64_t>();
  int64_t position = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), position);
  if (ec != std::errc() || end != text->data() + text->size() || position < 0) {
    return base::InvalidField("lastEventId", "not an event id this server sent");
  }
  return std::optional<int64_t>(position);
}

}  // namespace

void AddStreamRoutes(http::Router& router, ApiContext& ctx) {
  router.Add(
      "GET", "/v1/stream",
      Authed(ctx,
             [&ctx](const http::Request& request, const domain::Principal& who) {
               if (ctx.events == nullptr)
                 return ReplyError(base::Unavailable("live events are off"));
               auto after = ResumePosition(request);
               if (!after.ok()) return ReplyError(after.status());
               // The replay is read here, on a worker, before the stream opens.
               auto sub = ctx.events->Subscribe(who, *after);
               if (!sub.ok()) return ReplyError(sub.status());
               service::EventHub* hub = ctx.events;
               auto body = std::make_shared<http::StreamBody>();
               body->on_open = [hub, sub = *sub](std::shared_ptr<http::StreamWriter> writer) {
                 std::weak_ptr<http::StreamWriter> weak = writer;
                 hub->Attach(
                     sub,
                     [writer](std::string message) { return writer->Write(std::move(message)); },
                     [weak] {
                       if (auto w = weak.lock()) w->End();
                     });
               };
               body->on_close = [hub, sub = *sub] { hub->Detach(sub); };
               http::Response response = http::Response::Stream(200, "text/event-stream", body);
               response.headers.Set("Cache-Control", "no-cache");
               // Proxies such as nginx must not buffer the stream.
               response.headers.Set("X-Accel-Buffering", "no");
               return response;
             }),
      "stream");
}

}  // namespace tillvaxt::api
