// FoldedStats: every case folded from the event log, then the reference computations of
// projection/stats.h.
#include <algorithm>
#include <map>

#include "engine/store/stats_reader.h"

namespace tillvaxt::store {

base::Result<std::vector<projection::CaseFacts>> FoldedStats::AllFacts() {
  std::map<std::string, projection::CaseFacts> by_case;
  base::Status st = log_.ForEachEvent(
      [&](const domain::Event& e) { projection::ApplyFact(by_case[e.case_id], e); });
  if (!st.ok()) return st;
  std::vector<projection::CaseFacts> out;
  out.reserve(by_case.size());
  for (auto& [id, f] : by_case) out.push_back(std::move(f));
  return out;
}

base::Result<projection::Summary> FoldedStats::StatsSummary(const projection::StatsFilter& filter) {
  auto facts = AllFacts();
  if (!facts.ok()) return facts.status();
  return projection::BruteSummary(*facts, filter);
}

base::Result<std::vector<projection::FlowLink>> FoldedStats::StatsFlow(
    const projection::StatsFilter& filter) {
  auto facts = AllFacts();
  if (!facts.ok()) return facts.status();
  return projection::BruteFlow(*facts, filter);
}

base::Result<std::vector<projection::TimePoint>> FoldedStats::StatsTimeSeries(
    const projection::StatsFilter& filter, projection::Bucket bucket, projection::Metric metric) {
  auto facts = AllFacts();
  if (!facts.ok()) return facts.status();
  return projection::BruteTimeSeries(*facts, filter, bucket, metric);
}

base::Status FoldedStats::ForEachCaseRow(
    const projection::StatsFilter& filter,
    const std::function<bool(const projection::CaseFacts&)>& fn) {
  auto facts = AllFacts();
  if (!facts.ok()) return facts.status();
  std::sort(facts->begin(), facts->end(), [](const auto& a, const auto& b) {
    return a.created != b.created ? a.created < b.created : a.id < b.id;
  });
  for (const projection::CaseFacts& f : *facts) {
    if (!projection::Matches(f, filter)) continue;
    if (!fn(f)) break;
  }
  return base::Status::Ok();
}

}  // namespace tillvaxt::store
