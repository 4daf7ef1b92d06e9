// The Store's default statistics: every case folded from the event log, then the reference
// computations of projection/stats.h. Correct for any store; stores override them with
// incremental aggregates.
#include <algorithm>
#include <map>

#include "engine/store/store.h"

namespace tillvaxt::store {
namespace {

base::Result<std::vector<projection::CaseFacts>> AllFacts(Store& store) {
  std::map<std::string, projection::CaseFacts> by_case;
  base::Status st = store.ForEachEvent(
      [&](const domain::Event& e) { projection::ApplyFact(by_case[e.case_id], e); });
  if (!st.ok()) return st;
  std::vector<projection::CaseFacts> out;
  out.reserve(by_case.size());
  for (auto& [id, f] : by_case) out.push_back(std::move(f));
  return out;
}

}  // namespace

base::Result<projection::Summary> Store::StatsSummary(const projection::StatsFilter& filter) {
  auto facts = AllFacts(*this);
  if (!facts.ok()) return facts.status();
  return projection::BruteSummary(*facts, filter);
}

base::Result<std::vector<projection::FlowLink>> Store::StatsFlow(
    const projection::StatsFilter& filter) {
  auto facts = AllFacts(*this);
  if (!facts.ok()) return facts.status();
  return projection::BruteFlow(*facts, filter);
}

base::Result<std::vector<projection::TimePoint>> Store::StatsTimeSeries(
    const projection::StatsFilter& filter, projection::Bucket bucket, projection::Metric metric) {
  auto facts = AllFacts(*this);
  if (!facts.ok()) return facts.status();
  return projection::BruteTimeSeries(*facts, filter, bucket, metric);
}

base::Status Store::ForEachCaseRow(const projection::StatsFilter& filter,
                                   const std::function<bool(const projection::CaseFacts&)>& fn) {
  auto facts = AllFacts(*this);
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
