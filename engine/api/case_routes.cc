// /v1/cases and /v1/companies: logging, reading, listing and acting on cases.
#include <charconv>
#include <set>

#include "engine/api/handler.h"
#include "engine/api/routes.h"
#include "engine/api/views.h"
#include "engine/api/wire.h"
#include "engine/domain/org_number.h"

namespace tillvaxt::api {
namespace {

using domain::Principal;
using http::Request;
using http::Response;

std::vector<std::string> Strings(const google::protobuf::RepeatedPtrField<std::string>& items) {
  return {items.begin(), items.end()};
}

Response ReplyCase(const Request& request, int status, const service::VisibleCase& c) {
  Response r = Reply(request, status, CaseView(c));
  r.headers.Set("ETag", CaseEtag(c));
  return r;
}

// The version the client expects: the body's expectedVersion, else If-Match ("v5" or "5").
base::Result<std::optional<int64_t>> ExpectedVersion(const Request& request, int64_t from_body) {
  if (from_body > 0) return std::optional<int64_t>(from_body);
  auto if_match = request.headers.Get("If-Match");
  if (!if_match || *if_match == "*") return std::optional<int64_t>();
  std::string_view v = *if_match;
  if (v.substr(0, 2) == "W/") v.remove_prefix(2);
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
  if (!v.empty() && v.front() == 'v') v.remove_prefix(1);
  int64_t version = 0;
  auto r = std::from_chars(v.data(), v.data() + v.size(), version);
  if (r.ec != std::errc() || r.ptr != v.data() + v.size() || version <= 0) {
    return base::InvalidField("If-Match", "not an ETag of a case (\"v<version>\")");
  }
  return std::optional<int64_t>(version);
}

Response CreateCase(ApiContext& ctx, const Request& request, const Principal& who) {
  api::v1::CreateCaseRequest body;
  if (auto st = ParseBody(request, &body); !st.ok()) return ReplyError(st);
  // An unknown node is bad input (400 naming "node"), not another node's business (403).
  if (!body.node().empty() && !ctx.cases.config().HasNode(body.node())) {
    return ReplyError(base::InvalidField("node", "unknown node '" + body.node() + "'"));
  }
  domain::CaseDraft draft;
  draft.title = body.title();
  draft.description = body.description();
  draft.company = CompanyFromApi(body.company());
  draft.contact = ContactFromApi(body.contact());
  draft.needs = Strings(body.needs());
  draft.areas = Strings(body.areas());
  draft.node = body.node();
  auto created = ctx.cases.CreateCase(who, std::move(draft));
  if (!created.ok()) return ReplyError(created.status());
  api::v1::Case view = CaseView(created->created);
  for (const service::RelatedCase& related : created->related_cases) {
    *view.add_related_cases() = RelatedCaseView(related);
  }
  Response r = Reply(request, 201, view);
  r.headers.Set("ETag", CaseEtag(created->created));
  r.headers.Set("Location", "/v1/cases/" + created->created.id);
  return r;
}

Response GetCase(ApiContext& ctx, const Request& request, const Principal& who) {
  auto c = ctx.cases.Get(who, std::string(request.PathParam("id")));
  if (!c.ok()) return ReplyError(c.status());
  return ReplyCase(request, 200, *c);
}

Response Act(ApiContext& ctx, const Request& request, const Principal& who) {
  api::v1::ActionRequest body;
  if (auto st = ParseBody(request, &body); !st.ok()) return ReplyError(st);
  auto expected = ExpectedVersion(request, body.expected_version());
  if (!expected.ok()) return ReplyError(expected.status());
  domain::Command cmd;
  cmd.action = std::string(request.PathParam("action"));
  cmd.reason = body.reason();
  cmd.needs = Strings(body.needs());
  cmd.areas = Strings(body.areas());
  cmd.outcome = {body.outcome().kind(), body.outcome().note()};
  cmd.actor = body.actor();
  cmd.offer_id = body.offer_id();
  cmd.feedback = body.feedback();
  cmd.title = body.title();
  cmd.description = body.description();
  cmd.effect = {body.effect().kind(), body.effect().note()};
  cmd.months_after_close = body.months_after_close();
  std::string id(request.PathParam("id"));
  auto after = ctx.cases.Act(who, id, cmd, *expected);
  if (!after.ok()) return ReplyError(after.status());
  return ReplyCase(request, 200, *after);
}

Response History(ApiContext& ctx, const Request& request, const Principal& who) {
  auto events = ctx.cases.History(who, std::string(request.PathParam("id")));
  if (!events.ok()) return ReplyError(events.status());
  api::v1::CaseEventList list;
  for (const domain::Event& e : *events) *list.add_events() = EventView(e);
  return Reply(request, 200, list);
}

base::Status CheckKnown(const std::string& param, const std::string& value, bool known) {
  if (value.empty() || known) return base::Status::Ok();
  return base::InvalidField(param, "unknown value '" + value + "'");
}

base::Result<store::CaseFilter> FilterFrom(ApiContext& ctx, const Request& request) {
  static const std::set<std::string, std::less<>> kParams = {
      "state",    "level",     "node", "need",     "area",
      "assignee", "candidate", "q",    "pageSize", "pageToken"};
  for (const auto& [name, value] : request.query) {
    if (!kParams.count(name)) {
      return base::InvalidField(name,
                                "unknown query parameter (allowed: state, level, node, "
                                "need, area, assignee, candidate, q, pageSize, pageToken)");
    }
  }
  auto get = [&](std::string_view name) {
    return std::string(request.query.Get(name).value_or(""));
  };
  const domain::Config& config = ctx.cases.config();
  store::CaseFilter f;
  f.state = get("state");
  f.level = get("level");
  f.node = get("node");
  f.need = get("need");
  f.area = get("area");
  f.assignee = get("assignee");
  f.candidate = get("candidate");
  f.q = get("q");
  f.page_token = get("pageToken");
  TV_RETURN_IF_ERROR(CheckKnown("state", f.state, config.workflow.FindState(f.state) != nullptr));
  TV_RETURN_IF_ERROR(CheckKnown("level", f.level, config.LevelIndex(f.level) >= 0));
  TV_RETURN_IF_ERROR(CheckKnown("node", f.node, config.HasNode(f.node)));
  TV_RETURN_IF_ERROR(CheckKnown("need", f.need, config.HasNeed(f.need)));
  TV_RETURN_IF_ERROR(CheckKnown("area", f.area, config.HasArea(f.area)));
  for (auto [name, value] : {std::pair{"assignee", f.assignee}, {"candidate", f.candidate}}) {
    TV_RETURN_IF_ERROR(CheckKnown(name, value, value == "me" || config.FindActor(value)));
  }
  auto page_size = PageSize(request, f.page_size);
  if (!page_size.ok()) return page_size.status();
  f.page_size = *page_size;
  return f;
}

Response ListCases(ApiContext& ctx, const Request& request, const Principal& who) {
  auto filter = FilterFrom(ctx, request);
  if (!filter.ok()) return ReplyError(filter.status());
  // "me" is the caller's actor; a caller that is no actor has no queue and no cases of its own
  // (without this the filter would resolve to "" and list everything).
  if (who.actor.empty() && (filter->candidate == "me" || filter->assignee == "me")) {
    return Reply(request, 200, api::v1::CaseList());
  }
  auto page = ctx.cases.List(who, std::move(*filter));
  if (!page.ok()) return ReplyError(page.status());
  api::v1::CaseList list;
  for (const service::VisibleCase& c : page->cases) *list.add_cases() = CaseView(c);
  list.set_next_page_token(page->next_page_token);
  return Reply(request, 200, list);
}

Response CompanyCases(ApiContext& ctx, const Request& request, const Principal& who) {
  std::string why;
  auto org = domain::NormalizeOrgNumber(request.PathParam("orgNumber"), &why);
  if (!org) return ReplyError(base::InvalidField("orgNumber", why));
  auto cases = ctx.cases.CompanyCases(who, *org);
  if (!cases.ok()) return ReplyError(cases.status());
  api::v1::CaseList list;
  for (const service::VisibleCase& c : *cases) *list.add_cases() = CaseView(c);
  return Reply(request, 200, list);
}

}  // namespace

void AddCaseRoutes(http::Router& router, ApiContext& ctx) {
  auto bind = [&ctx](Response (*fn)(ApiContext&, const Request&, const Principal&)) {
    return Authed(ctx,
                  [&ctx, fn](const Request& r, const Principal& who) { return fn(ctx, r, who); });
  };
  router.Add("POST", "/v1/cases", bind(CreateCase), "cases.create");
  router.Add("GET", "/v1/cases", bind(ListCases), "cases.list");
  router.Add("GET", "/v1/cases/{id}", bind(GetCase), "cases.get");
  router.Add("POST", "/v1/cases/{id}:{action}", bind(Act), "cases.action");
  router.Add("GET", "/v1/cases/{id}/events", bind(History), "cases.events");
  router.Add("GET", "/v1/companies/{orgNumber}/cases", bind(CompanyCases), "companies.cases");
}

}  // namespace tillvaxt::api
