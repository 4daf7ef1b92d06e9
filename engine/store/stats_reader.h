// StatsReader: flow statistics (docs/STATISTICS.md) over the cases a filter selects; the
// filter's `now` and `open_states` come from the caller (the service's clock and workflow).
//
// FoldedStats answers from the event log alone (every case folded, then the reference
// computations of projection/stats.h): right for any store, linear in the history. A store
// with incremental aggregates answers the same figures from them (the SQLite store from its
// statistics index); the conformance suite holds the two equal.
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <functional>
#include <vector>

#include "engine/base/status.h"
#include "engine/projection/case_facts.h"
#include "engine/projection/stats.h"
#include "engine/store/case_log.h"

namespace tillvaxt::store {

class StatsReader {
 public:
  virtual ~StatsReader() = default;

  virtual base::Result<projection::Summary> StatsSummary(const projection::StatsFilter& filter) = 0;
  virtual base::Result<std::vector<projection::FlowLink>> StatsFlow(
      const projection::StatsFilter& filter) = 0;
  virtual base::Result<std::vector<projection::TimePoint>> StatsTimeSeries(
      const projection::StatsFilter& filter, projection::Bucket bucket,
      projection::Metric metric) = 0;
  // Every case the filter selects, oldest first (create time, then id), until `fn` returns
  // false; for the CSV export, which streams them.
  virtual base::Status ForEachCaseRow(
      const projection::StatsFilter& filter,
      const std::function<bool(const projection::CaseFacts&)>& fn) = 0;
};

class FoldedStats final : public StatsReader {
 public:
  // REQUIRES: log outlives this.
  explicit FoldedStats(CaseLog& log) : log_(log) {}

  base::Result<projection::Summary> StatsSummary(const projection::StatsFilter& filter) override;
  base::Result<std::vector<projection::FlowLink>> StatsFlow(
      const projection::StatsFilter& filter) override;
  base::Result<std::vector<projection::TimePoint>> StatsTimeSeries(
      const projection::StatsFilter& filter, projection::Bucket bucket,
      projection::Metric metric) override;
  base::Status ForEachCaseRow(const projection::StatsFilter& filter,
                              const std::function<bool(const projection::CaseFacts&)>& fn) override;

 private:
  base::Result<std::vector<projection::CaseFacts>> AllFacts();
  CaseLog& log_;
};

}  // namespace tillvaxt::store
