// Domain values <-> their stored forms: events as the event log keeps them
// (tillvaxt.events.v1.CaseEvent) and cases as the projection row's body
// (tillvaxt.storage.v1.CaseRow). Nothing here knows the public API: the API's own mapping is
// engine/api/views.h, so changing the API never changes the database.
//
// Every conversion is lossless for the fields the domain has: FromRow(ToRow(x)) == x.
// Time has millisecond resolution; sub-millisecond nanos in a Timestamp are truncated.
//
// Thread-safety: free functions without shared state; safe from any thread.
#pragma once

#include <string>
#include <string_view>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/case.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "tillvaxt/events/v1/events.pb.h"
#include "tillvaxt/storage/v1/rows.pb.h"

namespace tillvaxt::codec {

// Time <-> Timestamp (UTC; negative times keep nanos in [0, 1e9) as protobuf requires).
google::protobuf::Timestamp TimeToProto(base::Time t);
base::Time TimeFromProto(const google::protobuf::Timestamp& ts);
// Millisecond durations (the SLA time left while paused) <-> Duration.
google::protobuf::Duration MillisToProto(base::Millis d);
base::Millis MillisFromProto(const google::protobuf::Duration& p);

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

// A case as its projection row stores it: every domain field.
storage::v1::CaseRow CaseToRow(const domain::Case& c);
domain::Case CaseFromRow(const storage::v1::CaseRow& p);

// Bytes as stored (the `payload` of an event row, the `body` of a case row).
// Parse* fail with INTERNAL naming what could not be parsed; they never throw.
std::string SerializeEvent(const domain::Event& e);
base::Result<domain::Event> ParseEvent(std::string_view bytes);
std::string SerializeCase(const domain::Case& c);
base::Result<domain::Case> ParseCase(std::string_view bytes);

}  // namespace tillvaxt::codec
