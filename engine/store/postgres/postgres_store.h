// The PostgreSQL Store: every job of store.h over one PostgreSQL database, for deployments
// where several `tillvaxt serve` instances share one database (docs/DEPLOY.md).
//
// The model is the SQLite store's: an append-only event log with projections (cases, offers,
// statistics facts, search terms, the timer index) written in the same transaction as the
// events; optimistic concurrency by a version check under a row lock plus UNIQUE (case_id,
// seq) (event_log.h); positions in commit order from a one-row counter (case_tables.h). Each
// call runs on a connection leased from a pool (pool.h), in a transaction of its own when it
// writes; PostgreSQL's commit is the durability point, so Append returns once the commit is
// durable per the server's `synchronous_commit`.
//
// Open migrates the schema (schema.h) and refuses a newer one, and refuses to start when the
// server cannot be reached or refuses the credentials: each with a message naming the problem
// and the server (the password redacted).
//
// Thread-safety: every method may be called from any thread concurrently. Callbacks
// (ForEachEvent's fn, Rebuild's progress) must not call back into the store's writes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "engine/base/status.h"
#include "engine/store/store.h"

namespace tillvaxt::store::postgres {

struct PostgresOptions {
  std::string conninfo;  // a postgresql:// URL or libpq key=value pairs
  int connections = 8;   // the pool's bound (at least 1)
};

class PostgresStore final : public Store {
 public:
  static base::Result<std::unique_ptr<PostgresStore>> Open(const PostgresOptions& options);
  ~PostgresStore() override;

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

  // Statistics from an in-memory index that follows every instance's commits (stats_tables.h).
  base::Result<projection::Summary> StatsSummary(const projection::StatsFilter& filter) override;
  base::Result<std::vector<projection::FlowLink>> StatsFlow(
      const projection::StatsFilter& filter) override;
  base::Result<std::vector<projection::TimePoint>> StatsTimeSeries(
      const projection::StatsFilter& filter, projection::Bucket bucket,
      projection::Metric metric) override;
  base::Status ForEachCaseRow(const projection::StatsFilter& filter,
                              const std::function<bool(const projection::CaseFacts&)>& fn) override;

  // OK when a connection can be leased and the server answers (for /readyz).
  base::Status Ping();

 private:
  struct State;  // the pool and the statistics index (postgres_store.cc)
  explicit PostgresStore(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace tillvaxt::store::postgres
