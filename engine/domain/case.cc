#include "engine/domain/case.h"

namespace tillvaxt::domain {

const char* EventTypeName(EventType type) {
  switch (type) {
    case EventType::kUnspecified: return "EVENT_TYPE_UNSPECIFIED";
    case EventType::kCreated: return "CREATED";
    case EventType::kTriaged: return "TRIAGED";
    case EventType::kRouted: return "ROUTED";
    case EventType::kEscalated: return "ESCALATED";
    case EventType::kUnmatched: return "UNMATCHED";
    case EventType::kClaimed: return "CLAIMED";
    case EventType::kDeclined: return "DECLINED";
    case EventType::kReleased: return "RELEASED";
    case EventType::kReassigned: return "REASSIGNED";
    case EventType::kResolved: return "RESOLVED";
    case EventType::kReopened: return "REOPENED";
    case EventType::kFollowUpCreated: return "FOLLOW_UP_CREATED";
    case EventType::kEffectRecorded: return "EFFECT_RECORDED";
    case EventType::kOfferLinked: return "OFFER_LINKED";
    case EventType::kTransitioned: return "TRANSITIONED";
    case EventType::kSlaWarning: return "SLA_WARNING";
    case EventType::kSlaOverdue: return "SLA_OVERDUE";
    case EventType::kEffectReminder: return "EFFECT_REMINDER";
  }
  return "EVENT_TYPE_UNSPECIFIED";
}

}  // namespace tillvaxt::domain
