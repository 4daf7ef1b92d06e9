// Flow statistics over case facts: the summary, the flow links and the time series of
// docs/STATISTICS.md, as plain functions over a list of facts.
//
// These functions are the reference: simple, obviously right, linear in the number of cases.
// The store answers the same questions from its incremental index (stats_index.h) and the
// property test holds the two equal. Pure; thread-compatible.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/time.h"
#include "engine/projection/case_facts.h"

namespace tillvaxt::projection {

// Which cases a statistic covers. Empty fields do not filter.
struct StatsFilter {
  std::optional<Time> from;  // created at or after (time series: events at or after)
  std::optional<Time> to;    // created before (exclusive)
  std::string node;
  std::string area;   // the case has this area
  std::string need;   // the case has this need
  std::string level;  // the highest level the case reached
  // Context, not filters: the time the figures are taken at (open age, deadlines passed now)
  // and the workflow's open states.
  Time now{};
  std::vector<std::string> open_states;
};

// Nearest-rank percentiles of a set of durations.
struct Percentiles {
  int64_t count = 0;
  double p50 = 0;
  double p90 = 0;
  bool operator==(const Percentiles&) const = default;
};

using Counts = std::map<std::string, int64_t>;

// Open-age buckets, in whole days since creation.
inline constexpr const char* kAgeBuckets[] = {"0-1", "2-5", "6-30", "31-90", ">90"};
const char* AgeBucket(int64_t days);

struct Summary {
  int64_t total = 0;
  Counts by_state;
  Counts by_node;
  Counts by_level_reached;
  Counts by_need;     // a case with two needs counts under both
  Counts by_area;
  Counts by_outcome;  // cases with an outcome now
  Counts by_effect;   // effects recorded
  Counts escalations_by_level;  // escalations away from each level
  Counts open_age;    // open cases per age bucket (every bucket present)
  int64_t escalated = 0;  // cases escalated at least once
  int64_t leaked = 0;     // ended unmatched or declined by every candidate
  int64_t declines = 0;
  int64_t sla_breaches = 0;        // deadlines passed (left late, or still open and past now)
  int64_t sla_breached_cases = 0;  // cases with at least one
  double escalation_rate = 0;      // escalated / total
  double leakage = 0;              // leaked / total
  Percentiles time_to_claim_hours;
  Percentiles time_to_resolve_hours;
  Percentiles idle_hours;
  Percentiles time_to_claim_business_days;
  Percentiles time_to_resolve_business_days;
  Percentiles idle_business_days;
  bool operator==(const Summary&) const = default;
};

struct FlowLink {
  std::string source;
  std::string target;
  int64_t value = 0;
  bool operator==(const FlowLink&) const = default;
};

enum class Bucket { kWeek, kMonth };
enum class Metric { kCreated, kResolved, kEscalated };

struct TimePoint {
  std::string start;  // the bucket's first day, "YYYY-MM-DD" (weeks start on Monday, UTC)
  int64_t value = 0;
  bool operator==(const TimePoint&) const = default;
};

// Case filters other than the period.
bool MatchesCase(const CaseFacts& f, const StatsFilter& filter);
// MatchesCase and created in [from, to).
bool Matches(const CaseFacts& f, const StatsFilter& filter);
bool IsOpenState(const std::string& state, const std::vector<std::string>& open_states);

// The nearest-rank percentile (p in (0, 100]) of `values`; 0 when empty. Sorts a copy.
double NearestRank(std::vector<double> values, double p);
// The same from already collected values, without a full sort (two nth_element passes, the
// second only over the values above the median). Reorders `values`.
Percentiles PercentilesOf(std::vector<double>& values);
// The same for non-negative whole numbers given as counts: counts[v] = how many values v.
Percentiles PercentilesOfCounts(const std::vector<int64_t>& counts);

// Flow node names: "node:<id>", "level:<LEVEL>", "actor:<id>", "outcome:<KIND>",
// "state:<STATE>" (ended without an assignee or outcome) and "open".
std::vector<FlowLink> FlowLinksOf(const CaseFacts& f, const std::vector<std::string>& open_states);

// The time series' buckets: from `filter.from` (default: 36 months or 52 weeks before the end)
// to `filter.to` (default: now), every bucket present.
struct BucketRange {
  Time first;  // start of the first bucket
  Time end;    // exclusive end of the counted period
  Time from;   // counted events at or after
};
BucketRange RangeOf(const StatsFilter& filter, Bucket bucket);
Time BucketStart(Time t, Bucket bucket);
Time NextBucket(Time start, Bucket bucket);
std::string DayString(Time t);

// The reference computations.
Summary BruteSummary(const std::vector<CaseFacts>& facts, const StatsFilter& filter);
std::vector<FlowLink> BruteFlow(const std::vector<CaseFacts>& facts, const StatsFilter& filter);
std::vector<TimePoint> BruteTimeSeries(const std::vector<CaseFacts>& facts,
                                       const StatsFilter& filter, Bucket bucket, Metric metric);

}  // namespace tillvaxt::projection
