// GET /v1/todo: the caller's to-do list (service/todo_service.h, docs/API-NOTES.md "To do").
#include "engine/api/handler.h"
#include "engine/api/routes.h"
#include "engine/api/views.h"
#include "engine/api/wire.h"

namespace tillvaxt::api {

void AddTodoRoutes(http::Router& router, ApiContext& ctx) {
  if (ctx.todo == nullptr) return;  // a server without it answers 404
  service::TodoService* todo = ctx.todo;
  router.Add("GET", "/v1/todo",
             Authed(ctx,
                    [todo](const http::Request& request, const domain::Principal& who) {
                      if (!request.query.empty()) {
                        return ReplyError(base::InvalidField(
                            request.query.params().front().first,
                            "unknown query parameter (GET /v1/todo takes none)"));
                      }
                      auto list = todo->ForUser(who);
                      if (!list.ok()) return ReplyError(list.status());
                      return Reply(request, 200, TodoView(*list));
                    }),
             "todo.get");
}

}  // namespace tillvaxt::api
