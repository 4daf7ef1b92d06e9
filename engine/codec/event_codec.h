// Domain values <-> their protobuf forms: events as stored in the event log
// (tillvaxt.events.v1.CaseEvent), cases as the API and the store's projection body carry them
// (tillvaxt.api.v1.Case). The only place where these wire types meet the domain types.
//
// Every conversion is lossless for the fields the domain has: FromProto(ToProto(x)) == x.
// Time has millisecond resolution; sub-millisecond nanos in a Timestamp are truncated.
// Api-only fields of Case (allowed_actions, anonymised, related_cases) are left to the service.
//
// Thread-safety: free functions without shared state; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/case.h"
#include "google/protobuf/timestamp.pb.h"
#include "tillvaxt/api/v1/cases.pb.h"
#include "tillvaxt/events/v1/events.pb.h"

namespace tillvaxt::codec {

// Time <-> Timestamp (UTC; negative times keep nanos in [0, 1e9) as protobuf requires).
google::protobuf::Timestamp TimeToProto(base::Time t);
base::Time TimeFromProto(const google::protobuf::Timestamp& ts);

// EventType <-> its proto enum (same names). Unknown proto values map to kUnspecified.
events::v1::EventType EventTypeToProto(domain::EventType type);
domain::EventType EventTypeFromProto(events::v1::EventType type);

// The CREATED body.
events::v1::Created DraftToProto(const domain::CaseDraft& draft);
domain::CaseDraft DraftFromProto(const events::v1::Created& created);

// One event of a case's history. EFFECT_RECORDED carries its effect in the proto's `effect`
// field (domain keeps it in Event::outcome); every other type uses `outcome`.
events::v1::CaseEvent EventToProto(const domain::Event& e);
domain::Event EventFromProto(const events::v1::CaseEvent& p);

// A case: every domain field; allowed_actions, anonymised and related_cases stay empty.
api::v1::Case CaseToProto(const domain::Case& c);
domain::Case CaseFromProto(const api::v1::Case& p);

// Bytes as stored (the `payload` of an event row, the `body` of a case row).
// Parse* fail with INTERNAL naming what could not be parsed; they never throw.
std::string SerializeEvent(const domain::Event& e);
base::Result<domain::Event> ParseEvent(std::string_view bytes);
std::string SerializeCase(const domain::Case& c);
base::Result<domain::Case> ParseCase(std::string_view bytes);

}  // namespace tillvaxt::codec
