// /v1/offers, a node's inbox and a case's suggested offers (docs/API.md "Offers").
#include <charconv>
#include <set>

#include "engine/api/handler.h"
#include "engine/api/routes.h"
#include "engine/api/views.h"
#include "engine/api/wire.h"
#include "engine/codec/event_codec.h"
#include "engine/service/offer_service.h"
#include "tillvaxt/api/v1/offers.pb.h"

namespace tillvaxt::api {
namespace {

using domain::Principal;
using http::Request;
using http::Response;

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& items) {
  return {items.begin(), items.end()};
}

base::Status CheckKnown(const std::string& param, const std::string& value, bool known) {
  if (value.empty() || known) return base::Status::Ok();
  return base::InvalidField(param, "unknown value '" + value + "'");
}

Response Publish(ApiContext& ctx, const Request& request, const Principal& who) {
  api::v1::PublishOfferRequest body;
  if (auto st = ParseBody(request, &body); !st.ok()) return ReplyError(st);
  domain::OfferDraft draft;
  draft.kind = body.kind();
  draft.title = body.title();
  draft.description = body.description();
  draft.needs = Strings(body.needs());
  draft.areas = Strings(body.areas());
  draft.nodes = Strings(body.nodes());
  draft.url = body.url();
  if (body.has_valid_from()) draft.valid_from = codec::TimeFromProto(body.valid_from());
  if (body.has_valid_until()) draft.valid_until = codec::TimeFromProto(body.valid_until());
  auto offer = ctx.offers->Publish(who, std::move(draft));
  if (!offer.ok()) return ReplyError(offer.status());
  Response r = Reply(request, 201, OfferView(*offer));
  r.headers.Set("Location", "/v1/offers/" + offer->id);
  return r;
}

Response GetOffer(ApiContext& ctx, const Request& request, const Principal& who) {
  auto offer = ctx.offers->Get(who, std::string(request.PathParam("id")));
  if (!offer.ok()) return ReplyError(offer.status());
  return Reply(request, 200, OfferView(*offer));
}

Response Act(ApiContext& ctx, const Request& request, const Principal& who) {
  const std::string id(request.PathParam("id"));
  if (request.PathParam("action") != "withdraw") {
    return ReplyError(
        base::NotFound("offers have no action '" + std::string(request.PathParam("action")) + "'"));
  }
  api::v1::WithdrawOfferRequest body;
  if (auto st = ParseBody(request, &body); !st.ok()) return ReplyError(st);
  std::optional<int64_t> expected;
  if (body.expected_version() > 0) expected = body.expected_version();
  auto offer = ctx.offers->Withdraw(who, id, body.reason(), expected);
  if (!offer.ok()) return ReplyError(offer.status());
  return Reply(request, 200, OfferView(*offer));
}

base::Result<store::OfferFilter> FilterFrom(ApiContext& ctx, const Request& request) {
  static const std::set<std::string, std::less<>> kParams = {
      "node", "level", "need", "area", "actor", "state", "active", "q", "pageSize", "pageToken"};
  for (const auto& [name, value] : request.query) {
    if (!kParams.count(name)) {
      return base::InvalidField(name,
                                "unknown query parameter (allowed: node, level, need, "
                                "area, actor, state, active, q, pageSize, pageToken)");
    }
  }
  auto get = [&](std::string_view name) {
    return std::string(request.query.Get(name).value_or(""));
  };
  const domain::Config& config = ctx.cases.config();
  store::OfferFilter f;
  f.node = get("node");
  f.level = get("level");
  f.need = get("need");
  f.area = get("area");
  f.actor = get("actor");
  f.state = get("state");
  f.q = get("q");
  f.page_token = get("pageToken");
  TV_RETURN_IF_ERROR(CheckKnown("node", f.node, config.HasNode(f.node)));
  TV_RETURN_IF_ERROR(CheckKnown("level", f.level, config.LevelIndex(f.level) >= 0));
  TV_RETURN_IF_ERROR(CheckKnown("need", f.need, config.HasNeed(f.need)));
  TV_RETURN_IF_ERROR(CheckKnown("area", f.area, config.HasArea(f.area)));
  TV_RETURN_IF_ERROR(CheckKnown("actor", f.actor, config.FindActor(f.actor) != nullptr));
  TV_RETURN_IF_ERROR(CheckKnown(
      "state", f.state, f.state == "PUBLISHED" || f.state == "WITHDRAWN" || f.state == "EXPIRED"));
  const std::string active = get("active");
  if (active == "true") {
    f.active_at = ctx.clock.Now();
  } else if (!active.empty() && active != "false") {
    return base::InvalidField("active", "must be true or false");
  }
  auto page_size = PageSize(request, f.page_size);
  if (!page_size.ok()) return page_size.status();
  f.page_size = *page_size;
  return f;
}

Response ListOffers(ApiContext& ctx, const Request& request, const Principal& who) {
  auto filter = FilterFrom(ctx, request);
  if (!filter.ok()) return ReplyError(filter.status());
  auto page = ctx.offers->List(who, std::move(*filter));
  if (!page.ok()) return ReplyError(page.status());
  api::v1::OfferList list;
  for (const domain::Offer& o : page->offers) *list.add_offers() = OfferView(o);
  list.set_next_page_token(page->next_page_token);
  return Reply(request, 200, list);
}

Response Inbox(ApiContext& ctx, const Request& request, const Principal& who) {
  auto inbox = ctx.offers->Inbox(who, std::string(request.PathParam("node")));
  if (!inbox.ok()) return ReplyError(inbox.status());
  api::v1::Inbox out;
  for (const service::InboxEntry& e : *inbox) {
    api::v1::InboxEntry* entry = out.add_entries();
    *entry->mutable_offer() = OfferView(e.offer);
    for (const service::VisibleCase& c : e.matching_cases) {
      *entry->add_matching_cases() = CaseView(c);
    }
  }
  return Reply(request, 200, out);
}

Response Suggested(ApiContext& ctx, const Request& request, const Principal& who) {
  auto suggested = ctx.offers->SuggestedOffers(who, std::string(request.PathParam("id")));
  if (!suggested.ok()) return ReplyError(suggested.status());
  api::v1::SuggestedOffers out;
  for (const service::SuggestedOffer& s : *suggested) {
    api::v1::SuggestedOffer* item = out.add_offers();
    *item->mutable_offer() = OfferView(s.offer);
    item->set_score(s.score);
    for (const std::string& r : s.reasons) item->add_reasons(r);
  }
  return Reply(request, 200, out);
}

}  // namespace

void AddOfferRoutes(http::Router& router, ApiContext& ctx) {
  if (ctx.offers == nullptr) return;  // a server without offers answers 404 for them
  auto bind = [&ctx](Response (*fn)(ApiContext&, const Request&, const Principal&)) {
    return Authed(ctx,
                  [&ctx, fn](const Request& r, const Principal& who) { return fn(ctx, r, who); });
  };
  router.Add("POST", "/v1/offers", bind(Publish), "offers.publish");
  router.Add("GET", "/v1/offers", bind(ListOffers), "offers.list");
  router.Add("GET", "/v1/offers/{id}", bind(GetOffer), "offers.get");
  router.Add("POST", "/v1/offers/{id}:{action}", bind(Act), "offers.action");
  router.Add("GET", "/v1/nodes/{node}/inbox", bind(Inbox), "nodes.inbox");
  router.Add("GET", "/v1/cases/{id}/suggestedOffers", bind(Suggested), "cases.suggested_offers");
}

}  // namespace tillvaxt::api
