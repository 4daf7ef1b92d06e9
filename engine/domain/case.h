// A case (ärende) and the events that make its history, as plain domain values.
//
// The event log is the source of truth; a Case is the fold of its events
// (engine/projection/case_fold). Value types, thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/time.h"

namespace tillvaxt::domain {

using base::Time;

struct Company {
  std::string name;
  std::string org_number;
  std::string municipality;
  std::string size;  // MICRO | SMALL | MEDIUM | LARGE
  std::string industry;
  bool operator==(const Company&) const = default;
};

struct Contact {
  std::string name;
  std::string email;
  std::string phone;
  bool operator==(const Contact&) const = default;
};

// Why an actor was chosen as candidate.
struct Match {
  std::string actor;
  double score = 0;
  std::vector<std::string> reasons;  // "need:financing", "area:smart-industri", "node:eskilstuna", "load:3"
  bool operator==(const Match&) const = default;
};

struct Outcome {
  std::string kind;  // one of kOutcomeKinds
  std::string note;
  bool operator==(const Outcome&) const = default;
};

struct RecordedEffect {
  Outcome effect;  // kind is one of kEffectKinds
  int months_after_close = 0;
  Time time{};
  bool operator==(const RecordedEffect&) const = default;
};

inline constexpr const char* kOutcomeKinds[] = {
    "SOLUTION", "NETWORK", "COLLABORATION", "NEW_PROJECT", "FINANCING", "REFERRAL", "NO_ACTION"};
inline constexpr const char* kEffectKinds[] = {"FUNDING_GRANTED", "COLLABORATION_STARTED",
                                               "PEOPLE_HIRED",    "NEW_PROJECT",
                                               "GROWTH",          "NOTHING"};
inline constexpr const char* kCompanySizes[] = {"MICRO", "SMALL", "MEDIUM", "LARGE"};

// What a coordinator gives when logging a case (and what CREATED records).
struct CaseDraft {
  std::string title;
  std::string description;
  Company company;
  Contact contact;
  std::string node;
  std::string parent_id;
  std::vector<std::string> needs;  // optional at intake; set by triage
  std::vector<std::string> areas;
  int workflow_version = 0;
  bool operator==(const CaseDraft&) const = default;
};

struct Case {
  std::string id;
  std::string title;
  std::string description;
  Company company;
  Contact contact;
  std::vector<std::string> needs;
  std::vector<std::string> areas;
  std::string node;
  std::string level;
  std::string highest_level;
  std::string state;
  std::vector<std::string> candidates;
  std::vector<std::string> declined;         // declined on the current level
  std::vector<std::string> involved_actors;  // ever candidate or assignee (visibility)
  std::string assignee;
  std::vector<Match> matches;
  Outcome outcome;
  std::string feedback;
  std::string parent_id;
  std::vector<std::string> child_ids;
  std::vector<std::string> offer_ids;
  std::vector<RecordedEffect> effects;
  int64_t version = 0;  // number of events; 0 = does not exist
  int workflow_version = 0;
  Time create_time{};
  Time update_time{};
  Time state_time{};  // entry into the current state
  std::optional<Time> deadline;
  // While a state that pauses the SLA (WAITING) holds the case: the SLA time that was left when
  // the clock stopped; leaving the pause restores deadline = then + this. Unset otherwise.
  std::optional<base::Millis> sla_remaining;
  bool operator==(const Case&) const = default;
};

enum class EventType {
  kUnspecified,
  kCreated,
  kTriaged,
  kRouted,
  kEscalated,
  kUnmatched,
  kClaimed,
  kDeclined,
  kReleased,
  kReassigned,
  kResolved,
  kReopened,
  kFollowUpCreated,
  kEffectRecorded,
  kOfferLinked,
  kTransitioned,
  // Timers of the SLA scheduler (engine/service/sla_scheduler.h); they change no state.
  kSlaWarning,      // `percent` of the state's SLA time has passed
  kSlaOverdue,      // the deadline passed in a state whose SLA only notifies (e.g. NEW)
  kEffectReminder,  // `months_after_close` after CLOSED and no effect recorded yet
};

const char* EventTypeName(EventType type);  // "CREATED", ...

// One entry of a case's history. Flat: each type uses the fields it needs.
struct Event {
  std::string case_id;
  int64_t seq = 0;  // 1-based position in the case's history; equals the case version after it
  EventType type = EventType::kUnspecified;
  std::string action;  // the transition that caused it
  Time time{};
  std::string user;  // username, or "system"
  std::string from_state;
  std::string to_state;
  std::string level;  // level after the event
  std::string from_level;
  std::string reason;
  std::string actor;                // CLAIMED, DECLINED, REASSIGNED (new assignee), RELEASED
  std::vector<Match> matches;       // ROUTED
  std::vector<std::string> needs;   // TRIAGED
  std::vector<std::string> areas;   // TRIAGED
  Outcome outcome;                  // RESOLVED; EFFECT_RECORDED uses it for the effect
  int months_after_close = 0;       // EFFECT_RECORDED, EFFECT_REMINDER
  int percent = 0;                  // SLA_WARNING
  std::string offer_id;             // OFFER_LINKED
  std::string related_case_id;      // FOLLOW_UP_CREATED: the child
  std::string feedback;             // close
  std::optional<Time> deadline;     // the deadline of to_state (derived, stored for display)
  std::optional<base::Millis> sla_remaining;  // the case's SLA time left while paused (WAITING)
  std::optional<CaseDraft> created; // CREATED
  bool operator==(const Event&) const = default;
};

}  // namespace tillvaxt::domain
