// The statistics of the PostgreSQL store: `case_facts`, one row of statistics facts per case
// (projection/case_facts.h) written in the same transaction as the case's events, and an
// in-memory projection::StatsIndex over them per store instance, which answers summary, flow
// and time series in milliseconds (as the SQLite store's sqlite/stats_tables.h).
//
// Following other instances: every transaction that writes facts rows stamps them with the next
// value of log_position.facts_stamp, a counter in the row every case append already locks
// (case_tables.h), so stamps are in commit order. Before each query the index reads the rows
// stamped after the last stamp it has seen (an indexed range read, empty when nothing changed),
// so an instance's statistics include every commit made by any instance before the query. A
// rebuild rewrites the rows in place (keeping their slots) under a new stamp, so every index
// reloads what changed.
//
// Thread-safety: the free functions run on the caller's connection inside its transaction;
// StatsTables is thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/thread_annotations.h"
#include "engine/domain/case.h"
#include "engine/projection/case_facts.h"
#include "engine/projection/stats.h"
#include "engine/projection/stats_index.h"
#include "engine/store/case_log.h"
#include "engine/store/postgres/pool.h"

namespace tillvaxt::store::postgres {

// Folds `a.events` into the case's facts row and stamps it with `stamp`.
base::Status WriteCaseFacts(Connection& db, const CaseAppend& a, int64_t stamp);
// Rebuild: sets the facts row of the case whose whole history is `events` (keeping its slot).
base::Status WriteRefoldedFacts(Connection& db, const std::vector<domain::Event>& events,
                                int64_t stamp);

class StatsTables {
 public:
  // REQUIRES: pool outlives this.
  explicit StatsTables(Pool& pool) : pool_(pool) {}

  base::Result<projection::Summary> Summary(const projection::StatsFilter& filter);
  base::Result<std::vector<projection::FlowLink>> Flow(const projection::StatsFilter& filter);
  base::Result<std::vector<projection::TimePoint>> TimeSeries(const projection::StatsFilter& filter,
                                                              projection::Bucket bucket,
                                                              projection::Metric metric);
  // Every case matching `filter` (created time, then id order), read from case_facts in chunks,
  // until `fn` returns false.
  base::Status ForEachCaseRow(const projection::StatsFilter& filter,
                              const std::function<bool(const projection::CaseFacts&)>& fn);

 private:
  // Reads the rows stamped after seen_ into the index.
  base::Status CatchUp();

  Pool& pool_;
  std::mutex mu_;  // one catch-up at a time
  int64_t seen_ GUARDED_BY(mu_) = 0;
  projection::StatsIndex index_;
};

}  // namespace tillvaxt::store::postgres
