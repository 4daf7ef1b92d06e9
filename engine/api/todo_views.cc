// The to-do list in its API form (proto/tillvaxt/api/v1/todo.proto).
#include "engine/api/views.h"
#include "engine/codec/event_codec.h"

namespace tillvaxt::api {
namespace {

void Fill(api::v1::TodoList* out, const service::TodoList& list) {
  out->set_count(static_cast<int32_t>(list.count));
  for (const service::TodoItem& item : list.items) {
    api::v1::TodoCase* p = out->add_cases();
    p->set_id(item.c.id);
    p->set_title(item.c.title);
    p->set_state(item.c.state);
    if (item.c.deadline) *p->mutable_deadline() = codec::TimeToProto(*item.c.deadline);
    p->set_anonymised(item.c.anonymised());
    p->set_node(item.c.node);
    p->set_level(item.c.level);
    if (item.since) *p->mutable_since() = codec::TimeToProto(*item.since);
    p->set_percent(item.percent);
    p->set_months_after_close(item.months_after_close);
  }
}

}  // namespace

api::v1::Todo TodoView(const service::Todo& todo) {
  api::v1::Todo out;
  Fill(out.mutable_follow_ups_due(), todo.follow_ups_due);
  Fill(out.mutable_waiting_on_me(), todo.waiting_on_me);
  Fill(out.mutable_sla_at_risk(), todo.sla_at_risk);
  Fill(out.mutable_claims_lapsing(), todo.claims_lapsing);
  out.set_total(static_cast<int32_t>(todo.total));
  return out;
}

}  // namespace tillvaxt::api
