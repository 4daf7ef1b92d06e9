#include "engine/projection/stats_index.h"

#include <algorithm>
#include <array>
#include <map>
#include <mutex>
#include <tuple>

namespace tillvaxt::projection {
namespace {

constexpr double kMsPerHour = 3600.0 * 1000.0;
constexpr int64_t kMsPerDay = 86400LL * 1000;

int64_t Ms(const std::optional<Time>& t, int64_t none) {
  return t ? base::ToUnixMillis(*t) : none;
}

double Ratio(int64_t part, int64_t whole) {
  return whole == 0 ? 0.0 : static_cast<double>(part) / static_cast<double>(whole);
}

}  // namespace

uint16_t StatsIndex::Dict::Intern(const std::string& s) {
  auto it = ids_.find(s);
  if (it != ids_.end()) return it->second;
  const auto id = static_cast<uint16_t>(names_.size());
  names_.push_back(s);
  ids_.emplace(s, id);
  return id;
}

int StatsIndex::Dict::Find(const std::string& s) const {
  auto it = ids_.find(s);
  return it == ids_.end() ? -1 : it->second;
}

void StatsIndex::Upsert(int64_t slot, const CaseFacts& f) {
  if (slot < 0) return;
  std::unique_lock lock(mu_);
  const auto index = static_cast<size_t>(slot);
  if (index >= rows_.size()) {
    const size_t size = std::max(index + 1, rows_.size() + rows_.size() / 2);
    rows_.resize(size);
    extras_.resize(size);
  }
  Row& r = rows_[index];
  if (r.version > f.version) return;
  if (r.version == 0) ++count_;
  r.version = std::max<int64_t>(f.version, 1);
  r.created = base::ToUnixMillis(f.created);
  r.first_matched = Ms(f.first_matched, kNone);
  r.claimed = Ms(f.claimed, kNone);
  r.resolved = Ms(f.resolved, kNone);
  r.deadline = Ms(f.deadline, kNone);
  r.idle_ms = f.idle_ms;
  r.needs = 0;
  for (const std::string& n : f.needs) {
    const uint16_t id = needs_.Intern(n);
    if (id >= 1 && id <= 64) r.needs |= uint64_t{1} << (id - 1);
  }
  r.areas = 0;
  for (const std::string& a : f.areas) {
    const uint16_t id = areas_.Intern(a);
    if (id >= 1 && id <= 64) r.areas |= uint64_t{1} << (id - 1);
  }
  r.claim_bd = f.time_to_claim_business_days;
  r.resolve_bd = f.time_to_resolve_business_days;
  r.idle_bd = f.idle_business_days;
  r.declines = f.declines;
  r.sla_breaches = f.sla_breaches;
  r.node = nodes_.Intern(f.node);
  r.highest = levels_.Intern(f.highest_level);
  r.state = states_.Intern(f.state);
  r.assignee = actors_.Intern(f.assignee);
  r.outcome = outcomes_.Intern(f.outcome);
  r.flags = static_cast<uint8_t>((f.all_declined ? kAllDeclined : 0) |
                                 (f.ended_unmatched ? kEndedUnmatched : 0) |
                                 (f.first_matched && !f.matched_since ? kIdleDone : 0));
  if (f.escalations.empty() && f.effects.empty()) {
    extras_[index].reset();
  } else {
    auto x = std::make_unique<Extra>();
    for (const EscalationFact& e : f.escalations) {
      x->escalations.push_back({levels_.Intern(e.from_level), base::ToUnixMillis(e.time)});
    }
    for (const EffectFact& e : f.effects) x->effects.push_back({effects_.Intern(e.kind)});
    extras_[index] = std::move(x);
    r.flags |= kHasExtra;
  }
}

void StatsIndex::Reserve(int64_t max_slot) {
  std::unique_lock lock(mu_);
  const auto size = static_cast<size_t>(std::max<int64_t>(0, max_slot) + 1);
  if (size > rows_.size()) {
    rows_.resize(size);
    extras_.resize(size);
  }
}

void StatsIndex::Clear() {
  std::unique_lock lock(mu_);
  rows_.clear();
  rows_.shrink_to_fit();
  extras_.clear();
  extras_.shrink_to_fit();
  count_ = 0;
}

int64_t StatsIndex::size() const {
  std::shared_lock lock(mu_);
  return count_;
}

base::Status StatsIndex::CheckWidth() const {
  if (needs_.size() > 65 || areas_.size() > 65) {
    return base::FailedPrecondition(
        "statistics support at most 64 distinct needs and 64 distinct areas");
  }
  return base::Status::Ok();
}

StatsIndex::Compiled StatsIndex::Compile(const StatsFilter& filter) const {
  Compiled c;
  if (filter.from) {
    c.has_from = true;
    c.from = base::ToUnixMillis(*filter.from);
  }
  if (filter.to) {
    c.has_to = true;
    c.to = base::ToUnixMillis(*filter.to);
  }
  auto resolve = [&](const Dict& dict, const std::string& value, int* out) {
    if (value.empty()) return;
    *out = dict.Find(value);
    if (*out < 0) c.impossible = true;
  };
  resolve(nodes_, filter.node, &c.node);
  resolve(levels_, filter.level, &c.level);
  int need = -1, area = -1;
  resolve(needs_, filter.need, &need);
  resolve(areas_, filter.area, &area);
  if (need > 0) c.need_bit = uint64_t{1} << (need - 1);
  if (area > 0) c.area_bit = uint64_t{1} << (area - 1);
  c.open.assign(states_.size(), false);
  for (const std::string& s : filter.open_states) {
    const int id = states_.Find(s);
    if (id >= 0) c.open[static_cast<size_t>(id)] = true;
  }
  return c;
}

bool StatsIndex::MatchesCase(const Row& r, const Compiled& c) const {
  if (r.version == 0) return false;
  if (c.node >= 0 && r.node != c.node) return false;
  if (c.level >= 0 && r.highest != c.level) return false;
  if (c.need_bit != 0 && (r.needs & c.need_bit) == 0) return false;
  if (c.area_bit != 0 && (r.areas & c.area_bit) == 0) return false;
  return true;
}

bool StatsIndex::MatchesPeriod(const Row& r, const Compiled& c) const {
  if (c.has_from && r.created < c.from) return false;
  if (c.has_to && r.created >= c.to) return false;
  return true;
}

base::Result<Summary> StatsIndex::ComputeSummary(const StatsFilter& filter) const {
  std::shared_lock lock(mu_);
  TV_RETURN_IF_ERROR(CheckWidth());
  Summary s;
  for (const char* b : kAgeBuckets) s.open_age[b] = 0;
  const Compiled c = Compile(filter);
  if (c.impossible) return s;
  std::vector<int64_t> by_state(states_.size()), by_node(nodes_.size()),
      by_level(levels_.size()), by_outcome(outcomes_.size()), by_effect(effects_.size()),
      esc_by_level(levels_.size()), by_need(64), by_area(64);
  std::array<int64_t, std::size(kAgeBuckets)> age{};
  std::vector<double> claim_h, resolve_h, idle_h;
  claim_h.reserve(static_cast<size_t>(count_));
  resolve_h.reserve(static_cast<size_t>(count_));
  idle_h.reserve(static_cast<size_t>(count_));
  std::vector<int64_t> claim_d, resolve_d, idle_d;  // counts per whole number of business days
  auto count_days = [](std::vector<int64_t>& counts, int32_t days) {
    const auto v = static_cast<size_t>(std::max(0, days));
    if (v >= counts.size()) counts.resize(v + 1);
    ++counts[v];
  };
  const int64_t now = base::ToUnixMillis(filter.now);
  for (size_t slot = 0; slot < rows_.size(); ++slot) {
    const Row& r = rows_[slot];
    if (!MatchesCase(r, c) || !MatchesPeriod(r, c)) continue;
    ++s.total;
    ++by_state[r.state];
    ++by_node[r.node];
    ++by_level[r.highest];
    for (uint64_t m = r.needs; m != 0; m &= m - 1) ++by_need[static_cast<size_t>(__builtin_ctzll(m))];
    for (uint64_t m = r.areas; m != 0; m &= m - 1) ++by_area[static_cast<size_t>(__builtin_ctzll(m))];
    if (r.outcome != 0) ++by_outcome[r.outcome];
    if ((r.flags & kHasExtra) != 0) {
      const Extra& x = *extras_[slot];
      for (const Effect& e : x.effects) ++by_effect[e.kind];
      for (const Escalation& e : x.escalations) ++esc_by_level[e.from_level];
      if (!x.escalations.empty()) ++s.escalated;
    }
    if ((r.flags & (kAllDeclined | kEndedUnmatched)) != 0) ++s.leaked;
    s.declines += r.declines;
    const bool open = c.open[r.state];
    int64_t breaches = r.sla_breaches;
    if (open && r.deadline != kNone && now > r.deadline) ++breaches;
    s.sla_breaches += breaches;
    if (breaches > 0) ++s.sla_breached_cases;
    if (open) {
      const int64_t age_ms = now - r.created;
      const int64_t days = age_ms < 0 ? 0 : age_ms / kMsPerDay;
      ++age[days <= 1 ? 0 : days <= 5 ? 1 : days <= 30 ? 2 : days <= 90 ? 3 : 4];
    }
    if (r.claimed != kNone && r.first_matched != kNone) {
      claim_h.push_back(static_cast<double>(std::max<int64_t>(0, r.claimed - r.first_matched)) /
                        kMsPerHour);
      count_days(claim_d, r.claim_bd);
    }
    if (r.resolved != kNone) {
      resolve_h.push_back(static_cast<double>(std::max<int64_t>(0, r.resolved - r.created)) /
                          kMsPerHour);
      count_days(resolve_d, r.resolve_bd);
    }
    if ((r.flags & kIdleDone) != 0) {
      idle_h.push_back(static_cast<double>(r.idle_ms) / kMsPerHour);
      count_days(idle_d, r.idle_bd);
    }
  }
  auto fill = [](Counts& out, const Dict& dict, const std::vector<int64_t>& counts) {
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] > 0) out[dict.Name(static_cast<uint16_t>(i))] = counts[i];
    }
  };
  fill(s.by_state, states_, by_state);
  fill(s.by_node, nodes_, by_node);
  fill(s.by_level_reached, levels_, by_level);
  fill(s.by_outcome, outcomes_, by_outcome);
  fill(s.by_effect, effects_, by_effect);
  fill(s.escalations_by_level, levels_, esc_by_level);
  for (size_t i = 0; i < 64; ++i) {
    if (by_need[i] > 0) s.by_need[needs_.Name(static_cast<uint16_t>(i + 1))] = by_need[i];
    if (by_area[i] > 0) s.by_area[areas_.Name(static_cast<uint16_t>(i + 1))] = by_area[i];
  }
  for (size_t i = 0; i < age.size(); ++i) s.open_age[kAgeBuckets[i]] = age[i];
  s.escalation_rate = Ratio(s.escalated, s.total);
  s.leakage = Ratio(s.leaked, s.total);
  s.time_to_claim_hours = PercentilesOf(claim_h);
  s.time_to_resolve_hours = PercentilesOf(resolve_h);
  s.idle_hours = PercentilesOf(idle_h);
  s.time_to_claim_business_days = PercentilesOfCounts(claim_d);
  s.time_to_resolve_business_days = PercentilesOfCounts(resolve_d);
  s.idle_business_days = PercentilesOfCounts(idle_d);
  return s;
}

base::Result<std::vector<FlowLink>> StatsIndex::ComputeFlow(const StatsFilter& filter) const {
  std::shared_lock lock(mu_);
  TV_RETURN_IF_ERROR(CheckWidth());
  const Compiled c = Compile(filter);
  std::vector<FlowLink> out;
  if (c.impossible) return out;
  // Counted in dense arrays of ids first (no per-case map lookups), named once at the end.
  const size_t nn = nodes_.size(), nl = levels_.size(), ns = states_.size(),
               na = actors_.size(), no = outcomes_.size();
  std::vector<int64_t> node_level(nn * nl), level_end(nl * ns * 2), level_actor(nl * na),
      actor_end(na * ns * 2 * no);
  for (const Row& r : rows_) {
    if (!MatchesCase(r, c) || !MatchesPeriod(r, c)) continue;
    ++node_level[r.node * nl + r.highest];
    const size_t open = c.open[r.state] ? 1 : 0;
    if (r.assignee == 0) {
      ++level_end[(r.highest * ns + r.state) * 2 + open];
    } else {
      ++level_actor[r.highest * na + r.assignee];
      ++actor_end[((r.assignee * ns + r.state) * 2 + open) * no + r.outcome];
    }
  }
  std::map<std::pair<std::string, std::string>, int64_t> sums;
  auto end_name = [&](uint16_t state, bool open, uint16_t outcome) {
    if (outcome != 0) return "outcome:" + outcomes_.Name(outcome);
    return open ? std::string("open") : "state:" + states_.Name(state);
  };
  auto id = [](size_t v) { return static_cast<uint16_t>(v); };
  for (size_t n = 0; n < nn; ++n) {
    for (size_t l = 0; l < nl; ++l) {
      if (int64_t v = node_level[n * nl + l]) {
        sums[{"node:" + nodes_.Name(id(n)), "level:" + levels_.Name(id(l))}] += v;
      }
    }
  }
  for (size_t l = 0; l < nl; ++l) {
    for (size_t st = 0; st < ns; ++st) {
      for (size_t open = 0; open < 2; ++open) {
        if (int64_t v = level_end[(l * ns + st) * 2 + open]) {
          sums[{"level:" + levels_.Name(id(l)), end_name(id(st), open != 0, 0)}] += v;
        }
      }
    }
    for (size_t a = 0; a < na; ++a) {
      if (int64_t v = level_actor[l * na + a]) {
        sums[{"level:" + levels_.Name(id(l)), "actor:" + actors_.Name(id(a))}] += v;
      }
    }
  }
  for (size_t a = 0; a < na; ++a) {
    for (size_t st = 0; st < ns; ++st) {
      for (size_t open = 0; open < 2; ++open) {
        for (size_t o = 0; o < no; ++o) {
          if (int64_t v = actor_end[((a * ns + st) * 2 + open) * no + o]) {
            sums[{"actor:" + actors_.Name(id(a)), end_name(id(st), open != 0, id(o))}] += v;
          }
        }
      }
    }
  }
  for (const auto& [key, value] : sums) out.push_back({key.first, key.second, value});
  return out;
}

base::Result<std::vector<TimePoint>> StatsIndex::ComputeTimeSeries(const StatsFilter& filter,
                                                                   Bucket bucket,
                                                                   Metric metric) const {
  const BucketRange range = RangeOf(filter, bucket);
  std::vector<int64_t> starts;
  std::vector<TimePoint> out;
  for (Time t = range.first; t < range.end; t = NextBucket(t, bucket)) {
    starts.push_back(base::ToUnixMillis(t));
    out.push_back({DayString(t), 0});
  }
  const int64_t from = base::ToUnixMillis(range.from);
  const int64_t end = base::ToUnixMillis(range.end);
  auto count = [&](int64_t t) {
    if (t < from || t >= end) return;
    auto it = std::upper_bound(starts.begin(), starts.end(), t);
    if (it == starts.begin()) return;
    ++out[static_cast<size_t>(it - starts.begin() - 1)].value;
  };
  std::shared_lock lock(mu_);
  TV_RETURN_IF_ERROR(CheckWidth());
  const Compiled c = Compile(filter);
  if (c.impossible) return out;
  for (size_t slot = 0; slot < rows_.size(); ++slot) {
    const Row& r = rows_[slot];
    if (!MatchesCase(r, c)) continue;
    switch (metric) {
      case Metric::kCreated:
        count(r.created);
        break;
      case Metric::kResolved:
        if (r.resolved != kNone) count(r.resolved);
        break;
      case Metric::kEscalated:
        if ((r.flags & kHasExtra) == 0) break;
        for (const Escalation& e : extras_[slot]->escalations) count(e.time);
        break;
    }
  }
  return out;
}

}  // namespace tillvaxt::projection
