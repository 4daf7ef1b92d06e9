// Per-case statistics facts: what the flow statistics need to know about one case, folded from
// its events alone (docs/STATISTICS.md gives every definition).
//
// The fold needs no configuration: every decision (levels, the matched and unmatched states,
// deadlines) is recorded in the events. It is incremental (ApplyFact takes one event at a time)
// so the store can keep one facts row per case up to date in the transaction that appends the
// events, and it carries the little fold state it needs (the start of the current MATCHED spell,
// the deadline in effect). Pure and deterministic; value types, thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/case.h"

namespace tillvaxt::projection {

using base::Time;

struct EscalationFact {
  std::string from_level;
  std::string reason;  // NO_MATCH, ALL_DECLINED, SLA, or the coordinator's words
  Time time{};
  bool operator==(const EscalationFact&) const = default;
};

struct EffectFact {
  std::string kind;  // one of domain::kEffectKinds
  int months_after_close = 0;
  Time time{};
  bool operator==(const EffectFact&) const = default;
};

struct CaseFacts {
  std::string id;
  int64_t version = 0;  // seq of the last event folded
  std::string node;
  std::string parent_id;
  std::vector<std::string> needs;  // from CREATED, replaced by TRIAGED
  std::vector<std::string> areas;
  Time created{};
  std::optional<Time> first_matched;  // first entry into the matched state
  std::optional<Time> claimed;        // first CLAIMED
  std::optional<Time> resolved;       // first RESOLVED
  std::string level;                  // current level
  std::string highest_level;          // the highest level reached (levels only climb)
  std::string state;
  Time state_time{};                  // entry into the current state
  std::string assignee;               // current assignee (kept after RESOLVED)
  std::string outcome;                // outcome kind of the current resolution; "" = none
  std::vector<EscalationFact> escalations;
  int declines = 0;
  bool all_declined = false;     // an escalation or UNMATCHED with reason ALL_DECLINED
  bool ended_unmatched = false;  // the current state was entered through UNMATCHED
  int64_t idle_ms = 0;           // time in the matched state (unclaimed), finished spells only
  int idle_business_days = 0;    // the same, business days summed over the spells
  int time_to_claim_business_days = -1;    // -1 = not claimed
  int time_to_resolve_business_days = -1;  // -1 = not resolved
  int sla_breaches = 0;          // deadlines the case went past before leaving them
  std::optional<Time> deadline;  // the deadline in effect now
  std::vector<EffectFact> effects;
  // Fold state.
  std::string matched_state;            // learned from the first ROUTED event
  std::optional<Time> matched_since;    // start of the current matched spell

  bool operator==(const CaseFacts&) const = default;

  std::optional<int64_t> TimeToClaimMs() const;
  std::optional<int64_t> TimeToResolveMs() const;
};

// Folds one event into `f` (events of one case, in seq order).
void ApplyFact(CaseFacts& f, const domain::Event& e);
// The facts of a whole history.
CaseFacts FoldFacts(const std::vector<domain::Event>& events);

// A compact binary form for the store's facts rows (independent of protobuf).
std::string EncodeFacts(const CaseFacts& f);
base::Result<CaseFacts> DecodeFacts(std::string_view bytes);

}  // namespace tillvaxt::projection
