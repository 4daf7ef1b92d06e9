// Domain values as the API shows them to one caller: cases with their allowed actions and
// anonymisation flag, history entries, the configuration and the workflow.
#pragma once

#include "engine/domain/case.h"
#include "engine/domain/config.h"
#include "engine/domain/principal.h"
#include "engine/service/case_service.h"
#include "tillvaxt/api/v1/cases.pb.h"
#include "tillvaxt/api/v1/platform.pb.h"

namespace tillvaxt::api {

// REQUIRES: `c` already redacted for `who` (the service's Get/List do that).
api::v1::Case CaseView(const service::CaseService& cases, const domain::Principal& who,
                       const domain::Case& c);
api::v1::CaseEvent EventView(const domain::Event& e);
api::v1::ConfigView ConfigView(const domain::Config& config);
api::v1::WorkflowView WorkflowView(const domain::Workflow& workflow);
api::v1::User UserView(const domain::Principal& who, const std::string& display_name,
                       const std::string& email);

// The case's ETag: "v<version>"; and the version in an If-Match header (nullopt if absent;
// INVALID_ARGUMENT if malformed).
std::string CaseEtag(const domain::Case& c);

}  // namespace tillvaxt::api
