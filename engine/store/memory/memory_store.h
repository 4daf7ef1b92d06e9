// The in-memory Store: every job of store.h held in process memory, for tests and for trying
// things without a database file. Nothing is durable: the cases, offers, timers and workflow
// versions live as long as the object. It passes the same conformance suite as the SQLite store
// (tests/unit/store/conformance.*), so a test that needs no file can use it in its place.
//
// It keeps the event log in commit order (a position is the event's place in it, 1, 2, ...), the
// projections the SQLite store keeps in tables (the cases with their next timers and search
// terms, the offers, the statistics facts of each case), and answers every read from them by
// walking them: fine for the thousands of cases a test makes, not meant for a million.
// Statistics are projection/stats.h's reference computations over the facts, which the store
// folds event by event as each append commits (so they equal FoldedStats over the same log).
// A page token carries a check made with a key of the store's own and the listing it came
// from: a token this store did not return for that listing (another store's, a made-up one) is
// INVALID_ARGUMENT with field "pageToken", as CaseQueries::ListCases says.
//
// Thread-safety: every method may be called from any thread concurrently. One shared_mutex
// guards everything: reads share it, writes hold it alone, so an append (of one case or many)
// is seen whole or not at all. Callbacks run without the lock (ForEachEvent's fn between chunks
// of the log, Rebuild's progress between chunks of the refold), so they may call the store.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/thread_annotations.h"
#include "engine/base/time.h"
#include "engine/projection/case_facts.h"
#include "engine/store/store.h"

namespace tillvaxt::store::memory {

class MemoryStore final : public Store {
 public:
  MemoryStore();
  ~MemoryStore() override;
  MemoryStore(const MemoryStore&) = delete;
  MemoryStore& operator=(const MemoryStore&) = delete;

  // CaseLog
  base::Status Append(std::vector<CaseAppend> appends) override;
  base::Result<std::vector<domain::Event>> GetEvents(const std::string& case_id) override;
  base::Result<std::vector<PositionedEvent>> EventsAfter(int64_t after, int limit) override;
  base::Result<int64_t> LastPosition() override;
  base::Status ForEachEvent(const std::function<void(const domain::Event&)>& fn) override;
  base::Result<int64_t> CountEvents() override;
  base::Result<int> RegisterWorkflow(const std::string& definition) override;
  base::Result<std::vector<std::pair<int, std::string>>> Workflows() override;

  // CaseQueries
  base::Result<domain::Case> GetCase(const std::string& id) override;
  base::Result<CasePage> ListCases(const CaseFilter& filter) override;
  base::Result<std::unordered_map<std::string, int>> OpenCasesByActor(
      const std::vector<std::string>& open_states) override;
  base::Result<int64_t> CountCases() override;

  // Timers
  base::Result<std::vector<domain::Case>> DueCases(base::Time before, int limit) override;
  base::Status SetNextTimer(const std::string& id, int64_t version,
                            std::optional<base::Time> next) override;

  // OfferLog
  base::Status AppendOffer(OfferAppend append) override;
  base::Result<domain::Offer> GetOffer(const std::string& id) override;
  base::Result<OfferPage> ListOffers(const OfferFilter& filter) override;
  base::Result<std::vector<domain::OfferEvent>> OfferEvents(const std::string& id) override;

  // StatsReader
  base::Result<projection::Summary> StatsSummary(const projection::StatsFilter& filter) override;
  base::Result<std::vector<projection::FlowLink>> StatsFlow(
      const projection::StatsFilter& filter) override;
  base::Result<std::vector<projection::TimePoint>> StatsTimeSeries(
      const projection::StatsFilter& filter, projection::Bucket bucket,
      projection::Metric metric) override;
  base::Status ForEachCaseRow(const projection::StatsFilter& filter,
                              const std::function<bool(const projection::CaseFacts&)>& fn) override;

  // Refolds every case, offer and facts row from the logs, in chunks of the case log with the
  // lock released between them (appends may go on meanwhile; the last chunk and the swap of the
  // projections happen under the lock, so nothing appended is missed). Every next timer is
  // set to its case's update_time.
  base::Status Rebuild(const std::function<void(int64_t, int64_t)>& progress) override;

 private:
  // (create_time, id): the order of the listings (walked backwards: newest first); also
  // (next_timer, id) for the timers.
  using Key = std::pair<base::Time, std::string>;

  struct CaseRow {
    domain::Case c;
    std::vector<std::string> terms;  // the Swedish terms of title and description, sorted
    std::optional<base::Time> next_timer;
  };
  struct OfferRow {
    domain::Offer o;
    std::vector<std::string> terms;
    std::vector<domain::OfferEvent> events;  // by seq
  };

  // Writes the projection of `c` (replacing the case's row): next timer = update_time.
  void PutCaseLocked(domain::Case c, std::vector<std::string> terms) REQUIRES(mu_);
  void PutOfferRowLocked(const std::string& id, domain::Offer o, std::vector<std::string> terms)
      REQUIRES(mu_);
  std::vector<projection::CaseFacts> AllFacts() const EXCLUDES(mu_);

  const uint64_t token_key_;  // random per store: its page tokens are refused by any other

  mutable std::shared_mutex mu_;
  // The case log in commit order: position = index + 1.
  std::vector<domain::Event> log_ GUARDED_BY(mu_);
  std::unordered_map<std::string, std::vector<size_t>> case_events_ GUARDED_BY(mu_);  // indexes
  std::unordered_map<std::string, CaseRow> cases_ GUARDED_BY(mu_);
  std::set<Key> case_order_ GUARDED_BY(mu_);                            // (create_time, id)
  std::set<Key> timers_ GUARDED_BY(mu_);                                // (next_timer, id)
  std::map<std::string, projection::CaseFacts> facts_ GUARDED_BY(mu_);  // by id
  std::vector<std::string> workflows_ GUARDED_BY(mu_);                  // version = index + 1
  std::unordered_map<std::string, int> workflow_versions_ GUARDED_BY(mu_);
  std::unordered_map<std::string, OfferRow> offers_ GUARDED_BY(mu_);
  std::set<Key> offer_order_ GUARDED_BY(mu_);  // (create_time, id)
};

}  // namespace tillvaxt::store::memory
