// The statistics tables of the SQLite store (a step of schema.cc) and the in-memory index over
// them.
//
// `case_facts` holds one row per case: the case's statistics facts (projection/case_facts.h),
// rewritten from the previous row and the new events in the same transaction that appends the
// events, so it is never behind the event log and no request replays history. Its rowid
// (`slot`) is the case's row in a projection::StatsIndex that StatsTables keeps in memory:
// loaded from `case_facts` on a background thread when the store opens (so opening stays fast
// on a large database), and updated with each committed append. Summary, flow and time series
// are answered from that index; the CSV export streams the rows from the table.
//
// Thread-safety: the free functions run on the store's writer connection inside its
// transaction; StatsTables is thread-safe (queries wait until the first load is done).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/base/status.h"
#include "engine/projection/case_facts.h"
#include "engine/projection/stats.h"
#include "engine/projection/stats_index.h"
#include "engine/store/sqlite/db.h"
#include "engine/store/store.h"

namespace tillvaxt::store::sqlite {

// Schema step: creates case_facts and fills it from the events.
base::Status MigrateToStats(Connection& db);
// Refills case_facts from the events (Rebuild), in the caller's transaction.
base::Status RebuildCaseFacts(Connection& db);

// A facts row written by an append, for the index once the transaction committed.
struct StatsUpdate {
  int64_t slot = 0;
  projection::CaseFacts facts;
};

// Folds `a.events` into the case's facts row (after the events were inserted), in the caller's
// transaction, and records the new row in `updates`.
base::Status WriteCaseFacts(Connection& db, const CaseAppend& a,
                            std::vector<StatsUpdate>* updates);

class StatsTables {
 public:
  // Opens a read connection of its own on `path` and starts loading the index.
  static base::Result<std::unique_ptr<StatsTables>> Open(const std::string& path,
                                                         const std::string& vfs);
  ~StatsTables();
  StatsTables(const StatsTables&) = delete;
  StatsTables& operator=(const StatsTables&) = delete;

  // After a commit: the rows it wrote.
  void Apply(const std::vector<StatsUpdate>& updates);
  // After a rebuild renumbered the rows: loads the index again (synchronously).
  base::Status Reload();

  base::Result<projection::Summary> Summary(const projection::StatsFilter& filter);
  base::Result<std::vector<projection::FlowLink>> Flow(const projection::StatsFilter& filter);
  base::Result<std::vector<projection::TimePoint>> TimeSeries(
      const projection::StatsFilter& filter, projection::Bucket bucket,
      projection::Metric metric);
  // Every case matching `filter` (created time, then id order) until `fn` returns false.
  base::Status ForEachCaseRow(const projection::StatsFilter& filter,
                              const std::function<bool(const projection::CaseFacts&)>& fn);

 private:
  explicit StatsTables(std::unique_ptr<Connection> reader) : reader_(std::move(reader)) {}
  base::Status Load();
  base::Status WaitLoaded();

  std::mutex reader_mu_;  // guards reader_
  std::unique_ptr<Connection> reader_;
  projection::StatsIndex index_;

  std::mutex load_mu_;
  std::condition_variable load_cv_;
  bool loaded_ = false;
  base::Status load_status_;
  std::thread loader_;
  // Set by the destructor: a store opened and closed at once (the user store does that to check
  // the schema) must not wait for a million rows to load.
  std::atomic<bool> stopping_{false};
};

}  // namespace tillvaxt::store::sqlite
