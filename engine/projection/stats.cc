#include "engine/projection/stats.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace tillvaxt::projection {
namespace {

constexpr double kMsPerHour = 3600.0 * 1000.0;
constexpr int64_t kMsPerDay = 86400LL * 1000;

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

double Ratio(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

const char* AgeBucket(int64_t days) {
  if (days <= 1) return kAgeBuckets[0];
  if (days <= 5) return kAgeBuckets[1];
  if (days <= 30) return kAgeBuckets[2];
  if (days <= 90) return kAgeBuckets[3];
  return kAgeBuckets[4];
}

bool IsOpenState(const std::string& state, const std::vector<std::string>& open_states) {
  return Contains(open_states, state);
}

bool MatchesCase(const CaseFacts& f, const StatsFilter& filter) {
  if (!filter.node.empty() && f.node != filter.node) return false;
  if (!filter.level.empty() && f.highest_level != filter.level) return false;
  if (!filter.need.empty() && !Contains(f.needs, filter.need)) return false;
  if (!filter.area.empty() && !Contains(f.areas, filter.area)) return false;
  return true;
}

bool Matches(const CaseFacts& f, const StatsFilter& filter) {
  if (filter.from && f.created < *filter.from) return false;
  if (filter.to && f.created >= *filter.to) return false;
  return MatchesCase(f, filter);
}

double NearestRank(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto n = static_cast<double>(values.size());
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * n));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

Percentiles PercentilesOf(std::vector<double>& values) {
  Percentiles out;
  out.count = static_cast<int64_t>(values.size());
  if (values.empty()) return out;
  const auto n = static_cast<double>(values.size());
  auto rank_of = [&](double p) {
    auto rank = static_cast<size_t>(std::ceil(p / 100.0 * n));
    return std::clamp<size_t>(rank, 1, values.size()) - 1;
  };
  const size_t r50 = rank_of(50);
  const size_t r90 = rank_of(90);
  auto it50 = values.begin() + static_cast<std::ptrdiff_t>(r50);
  std::nth_element(values.begin(), it50, values.end());
  out.p50 = *it50;
  auto it90 = values.begin() + static_cast<std::ptrdiff_t>(r90);
  if (r90 > r50) std::nth_element(it50 + 1, it90, values.end());
  out.p90 = *it90;
  return out;
}

Percentiles PercentilesOfCounts(const std::vector<int64_t>& counts) {
  Percentiles out;
  for (int64_t c : counts) out.count += c;
  if (out.count == 0) return out;
  const auto n = static_cast<double>(out.count);
  auto at = [&](double p) {
    const auto rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(p / 100.0 * n)));
    int64_t seen = 0;
    for (size_t v = 0; v < counts.size(); ++v) {
      seen += counts[v];
      if (seen >= rank) return static_cast<double>(v);
    }
    return static_cast<double>(counts.size() - 1);
  };
  out.p50 = at(50);
  out.p90 = at(90);
  return out;
}

std::vector<FlowLink> FlowLinksOf(const CaseFacts& f,
                                  const std::vector<std::string>& open_states) {
  const bool open = IsOpenState(f.state, open_states);
  const std::string end = open ? "open" : "state:" + f.state;
  const std::string node = "node:" + f.node;
  const std::string level = "level:" + f.highest_level;
  std::vector<FlowLink> links = {{node, level, 1}};
  if (f.assignee.empty()) {
    links.push_back({level, end, 1});
  } else {
    const std::string actor = "actor:" + f.assignee;
    links.push_back({level, actor, 1});
    links.push_back({actor, f.outcome.empty() ? end : "outcome:" + f.outcome, 1});
  }
  return links;
}

std::string DayString(Time t) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

Time BucketStart(Time t, Bucket bucket) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  if (bucket == Bucket::kWeek) {
    const std::chrono::weekday wd(day);
    const auto monday = day - std::chrono::days((wd.c_encoding() + 6) % 7);
    return std::chrono::time_point_cast<base::Millis>(monday);
  }
  const std::chrono::year_month_day ymd(day);
  const std::chrono::sys_days first(ymd.year() / ymd.month() / 1);
  return std::chrono::time_point_cast<base::Millis>(first);
}

Time NextBucket(Time start, Bucket bucket) {
  const auto day = std::chrono::floor<std::chrono::days>(start);
  if (bucket == Bucket::kWeek) return std::chrono::time_point_cast<base::Millis>(day + std::chrono::days(7));
  const std::chrono::year_month_day ymd(day);
  const auto next = ymd.year() / ymd.month() / 1 + std::chrono::months(1);
  return std::chrono::time_point_cast<base::Millis>(std::chrono::sys_days(next));
}

BucketRange RangeOf(const StatsFilter& filter, Bucket bucket) {
  BucketRange r;
  r.end = filter.to ? *filter.to : filter.now + base::Millis(1);
  if (filter.from) {
    r.from = *filter.from;
    r.first = BucketStart(*filter.from, bucket);
  } else {
    Time first = BucketStart(r.end - base::Millis(1), bucket);
    if (bucket == Bucket::kWeek) {
      first -= std::chrono::days(7 * 51);
    } else {
      const std::chrono::year_month_day ymd(std::chrono::floor<std::chrono::days>(first));
      const auto back = ymd.year() / ymd.month() / 1 - std::chrono::months(35);
      first = std::chrono::time_point_cast<base::Millis>(std::chrono::sys_days(back));
    }
    r.first = first;
    r.from = first;
  }
  return r;
}

Summary BruteSummary(const std::vector<CaseFacts>& facts, const StatsFilter& filter) {
  Summary s;
  for (const char* b : kAgeBuckets) s.open_age[b] = 0;
  std::vector<double> claim_h, resolve_h, idle_h, claim_d, resolve_d, idle_d;
  for (const CaseFacts& f : facts) {
    if (!Matches(f, filter)) continue;
    ++s.total;
    ++s.by_state[f.state];
    ++s.by_node[f.node];
    ++s.by_level_reached[f.highest_level];
    for (const std::string& n : f.needs) ++s.by_need[n];
    for (const std::string& a : f.areas) ++s.by_area[a];
    if (!f.outcome.empty()) ++s.by_outcome[f.outcome];
    for (const EffectFact& e : f.effects) ++s.by_effect[e.kind];
    for (const EscalationFact& e : f.escalations) ++s.escalations_by_level[e.from_level];
    if (!f.escalations.empty()) ++s.escalated;
    if (f.ended_unmatched || f.all_declined) ++s.leaked;
    s.declines += f.declines;
    const bool open = IsOpenState(f.state, filter.open_states);
    int breaches = f.sla_breaches;
    if (open && f.deadline && filter.now > *f.deadline) ++breaches;
    s.sla_breaches += breaches;
    if (breaches > 0) ++s.sla_breached_cases;
    if (open) {
      const int64_t age_ms = base::ToUnixMillis(filter.now) - base::ToUnixMillis(f.created);
      ++s.open_age[AgeBucket(age_ms < 0 ? 0 : age_ms / kMsPerDay)];
    }
    if (auto ms = f.TimeToClaimMs()) {
      claim_h.push_back(static_cast<double>(*ms) / kMsPerHour);
      claim_d.push_back(f.time_to_claim_business_days);
    }
    if (auto ms = f.TimeToResolveMs()) {
      resolve_h.push_back(static_cast<double>(*ms) / kMsPerHour);
      resolve_d.push_back(f.time_to_resolve_business_days);
    }
    if (f.first_matched && !f.matched_since) {  // every matched spell finished
      idle_h.push_back(static_cast<double>(f.idle_ms) / kMsPerHour);
      idle_d.push_back(f.idle_business_days);
    }
  }
  s.escalation_rate = Ratio(s.escalated, s.total);
  s.leakage = Ratio(s.leaked, s.total);
  auto pct = [](const std::vector<double>& v) {
    Percentiles p;
    p.count = static_cast<int64_t>(v.size());
    p.p50 = NearestRank(v, 50);
    p.p90 = NearestRank(v, 90);
    return p;
  };
  s.time_to_claim_hours = pct(claim_h);
  s.time_to_resolve_hours = pct(resolve_h);
  s.idle_hours = pct(idle_h);
  s.time_to_claim_business_days = pct(claim_d);
  s.time_to_resolve_business_days = pct(resolve_d);
  s.idle_business_days = pct(idle_d);
  return s;
}

std::vector<FlowLink> BruteFlow(const std::vector<CaseFacts>& facts, const StatsFilter& filter) {
  std::map<std::pair<std::string, std::string>, int64_t> sums;
  for (const CaseFacts& f : facts) {
    if (!Matches(f, filter)) continue;
    for (const FlowLink& l : FlowLinksOf(f, filter.open_states)) sums[{l.source, l.target}] += 1;
  }
  std::vector<FlowLink> out;
  for (const auto& [key, value] : sums) out.push_back({key.first, key.second, value});
  return out;
}

std::vector<TimePoint> BruteTimeSeries(const std::vector<CaseFacts>& facts,
                                       const StatsFilter& filter, Bucket bucket, Metric metric) {
  const BucketRange range = RangeOf(filter, bucket);
  std::vector<Time> starts;
  for (Time t = range.first; t < range.end; t = NextBucket(t, bucket)) starts.push_back(t);
  std::vector<TimePoint> out;
  for (Time t : starts) out.push_back({DayString(t), 0});
  auto count = [&](Time t) {
    if (t < range.from || t >= range.end) return;
    for (size_t i = starts.size(); i-- > 0;) {
      if (t >= starts[i]) {
        ++out[i].value;
        return;
      }
    }
  };
  for (const CaseFacts& f : facts) {
    if (!MatchesCase(f, filter)) continue;
    switch (metric) {
      case Metric::kCreated:
        count(f.created);
        break;
      case Metric::kResolved:
        if (f.resolved) count(*f.resolved);
        break;
      case Metric::kEscalated:
        for (const EscalationFact& e : f.escalations) count(e.time);
        break;
    }
  }
  return out;
}

}  // namespace tillvaxt::projection
