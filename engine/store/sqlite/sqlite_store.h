// The embedded default Store: one SQLite database file in WAL mode.
//
// Writes go through a single writer thread with group commit: Append (and every other write)
// enqueues a request and blocks on its future; the writer takes every queued request (up to
// max_batch), runs each inside its own SAVEPOINT of one transaction (so a refused request
// leaves no trace and does not disturb the others), then COMMITs once — one fsync for the
// whole batch — and answers the requests. If that COMMIT fails, every request of the batch
// fails: nothing is acknowledged that is not durable.
//
// Durability: kFull (the default) sets synchronous=FULL: an acknowledged Append survives a
// killed process and a power loss. kNormal sets synchronous=NORMAL: it survives a killed
// process, but the last commits before a power loss or OS crash may be lost (the database stays
// consistent). Choose kNormal only knowingly.
//
// Reads run concurrently on a pool of read-only connections (WAL readers do not block the
// writer or each other), each with its own cache of prepared statements.
//
// Thread-safety: every method may be called from any thread. Callbacks (ForEachEvent's fn,
// Rebuild's progress) must not call back into the store's writes: Rebuild's progress runs on
// the writer thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/base/status.h"
#include "engine/store/store.h"

namespace tillvaxt::store::sqlite {

struct SqliteOptions {
  std::string path;  // the database file; created (with its schema) when missing
  enum class Durability { kFull, kNormal } durability = Durability::kFull;
  int readers = 4;      // read-only connections in the pool (at least 1)
  int max_batch = 512;  // requests per group commit (at least 1)
  std::string vfs;      // a registered SQLite VFS name; empty = the default (tests inject faults)
};

// Counters of the writer since Open.
struct SqliteStats {
  int64_t requests = 0;        // write requests answered (appends, registrations, rebuilds)
  int64_t commits = 0;         // successful COMMITs (each is one fsync of the WAL)
  int64_t failed_commits = 0;  // batches whose transaction failed as a whole
  int64_t largest_batch = 0;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database, migrates an older schema (in one transaction), refuses a
  // newer one with FAILED_PRECONDITION, and starts the writer. Errors name the path.
  static base::Result<std::unique_ptr<SqliteStore>> Open(const SqliteOptions& options);
  // Answers every queued request, stops the writer and closes the connections.
  ~SqliteStore() override;

  base::Status Append(std::vector<CaseAppend> appends) override;
  base::Result<domain::Case> GetCase(const std::string& id) override;
  base::Result<std::vector<domain::Event>> GetEvents(const std::string& case_id) override;
  base::Result<CasePage> ListCases(const CaseFilter& filter) override;
  base::Result<std::unordered_map<std::string, int>> OpenCasesByActor(
      const std::vector<std::string>& open_states) override;
  base::Status ForEachEvent(const std::function<void(const domain::Event&)>& fn) override;
  base::Status Rebuild(const std::function<void(int64_t, int64_t)>& progress) override;
  base::Result<int64_t> CountCases() override;
  base::Result<int64_t> CountEvents() override;
  base::Result<int> RegisterWorkflow(const std::string& definition) override;
  base::Result<std::vector<std::pair<int, std::string>>> Workflows() override;
  base::Status AppendOffer(OfferAppend append) override;
  base::Result<domain::Offer> GetOffer(const std::string& id) override;
  base::Result<OfferPage> ListOffers(const OfferFilter& filter) override;
  base::Result<std::vector<domain::OfferEvent>> OfferEvents(const std::string& id) override;
  base::Result<std::vector<PositionedEvent>> EventsAfter(int64_t after, int limit) override;
  base::Result<int64_t> LastPosition() override;
  base::Result<std::vector<domain::Case>> DueCases(base::Time before, int limit) override;
  base::Status SetNextTimer(const std::string& id, int64_t version,
                            std::optional<base::Time> next) override;

  // Statistics from the in-memory index over case_facts (sqlite/stats_tables.h).
  base::Result<projection::Summary> StatsSummary(const projection::StatsFilter& filter) override;
  base::Result<std::vector<projection::FlowLink>> StatsFlow(
      const projection::StatsFilter& filter) override;
  base::Result<std::vector<projection::TimePoint>> StatsTimeSeries(
      const projection::StatsFilter& filter, projection::Bucket bucket,
      projection::Metric metric) override;
  base::Status ForEachCaseRow(
      const projection::StatsFilter& filter,
      const std::function<bool(const projection::CaseFacts&)>& fn) override;

  SqliteStats stats() const;
  // The value of PRAGMA `name` (letters and '_' only) on the writer connection, e.g.
  // "journal_mode" -> "wal", "synchronous" -> "2" (FULL). For diagnostics and tests.
  base::Result<std::string> WriterPragma(std::string_view name);
  // PRAGMA integrity_check on a reader: "ok", or the problems found.
  base::Result<std::string> IntegrityCheck();

 private:
  struct State;  // the connections, the queue and the writer thread (sqlite_store.cc)
  explicit SqliteStore(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tillvaxt::store::sqlite
