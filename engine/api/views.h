// The API's own mapping: domain values and service answers as the public messages of
// proto/tillvaxt/api/v1 show them. The only place where api.v1 meets the domain; the store's
// row format (codec/) never sees api.v1, so the API changes without changing the database.
//
// Cases reach this only as service::VisibleCase, already narrowed to the caller with the
// caller's allowed actions: an unredacted case cannot be rendered by mistake.
//
// Free functions without shared state; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "engine/domain/case.h"
#include "engine/domain/config.h"
#include "engine/domain/offer.h"
#include "engine/domain/principal.h"
#include "engine/projection/stats.h"
#include "engine/service/todo_service.h"
#include "engine/service/visible_case.h"
#include "tillvaxt/api/v1/cases.pb.h"
#include "tillvaxt/api/v1/offers.pb.h"
#include "tillvaxt/api/v1/platform.pb.h"
#include "tillvaxt/api/v1/stats.pb.h"
#include "tillvaxt/api/v1/todo.pb.h"

namespace tillvaxt::api {

api::v1::Case CaseView(const service::VisibleCase& c);
// Where a related case is and how far it got (the answer to POST /v1/cases).
api::v1::Case RelatedCaseView(const service::RelatedCase& c);
api::v1::CaseEvent EventView(const domain::Event& e);
api::v1::Offer OfferView(const domain::Offer& o);
api::v1::ConfigView ConfigView(const domain::Config& config);
api::v1::WorkflowView WorkflowView(const domain::Workflow& workflow);
api::v1::User UserView(const domain::Principal& who, const std::string& display_name,
                       const std::string& email);

// Statistics (proto/tillvaxt/api/v1/stats.proto).
// GET /v1/todo (api/todo_views.cc): its cases are VisibleCases, as everywhere.
api::v1::Todo TodoView(const service::Todo& todo);
api::v1::StatsSummary SummaryView(const projection::Summary& s);
api::v1::StatsFlow FlowView(const std::vector<projection::FlowLink>& links);
api::v1::StatsTimeSeries TimeSeriesView(const std::vector<projection::TimePoint>& points,
                                        const std::string& bucket, const std::string& metric);

// Request bodies' parts as domain values.
domain::Company CompanyFromApi(const api::v1::Company& p);
domain::Contact ContactFromApi(const api::v1::Contact& p);

// The case's ETag: "v<version>".
std::string CaseEtag(const domain::Case& c);

}  // namespace tillvaxt::api
