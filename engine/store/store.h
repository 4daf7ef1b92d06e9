// The Store: the event log and its projections behind an interface that SQLite (embedded
// default) and PostgreSQL (multi-instance) both implement. No SQL dialect leaks through it.
//
// Thread-safety: every method may be called from any thread concurrently. Append blocks until
// the events are durable (per the store's durability setting) or refused; concurrent appends
// may share one commit (group commit).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/case.h"
#include "engine/domain/config.h"
#include "engine/projection/case_facts.h"
#include "engine/projection/stats.h"
#include "engine/domain/offer.h"

namespace tillvaxt::store {

// New events for one case and the case as it is after them (the projection to write).
struct CaseAppend {
  int64_t expected_version = 0;      // the case's version the events were decided on; 0 = new case
  std::vector<domain::Event> events; // seq = expected_version + 1, + 2, ...
  domain::Case after;                // the fold of the whole history including `events`
};

// Filters of GET /v1/cases. Empty fields do not filter.
struct CaseFilter {
  std::string state;
  std::string level;
  std::string node;
  std::string need;
  std::string area;
  std::string assignee;
  std::string candidate;       // among the current candidates
  std::string involved_actor;  // ever candidate or assignee (an actor's visibility)
  std::string org_number;
  std::string parent_id;
  std::string q;               // full-text: Swedish-stemmed words, all required
  bool open_only = false;      // only states with open = true (needs the open state names)
  std::vector<std::string> open_states;
  int page_size = 50;
  std::string page_token;      // opaque; from CasePage::next_page_token
};

struct CasePage {
  std::vector<domain::Case> cases;  // newest first (create_time desc, id desc)
  std::string next_page_token;
};

// An event with its place in the global commit order (events.position): strictly increasing
// in commit order, never reused. The live event stream uses it as the SSE event id.
struct PositionedEvent {
  int64_t position = 0;
  domain::Event event;
};

// New events for one offer and the offer as it is after them (offers have their own log).
struct OfferAppend {
  int64_t expected_version = 0;            // 0 = new offer
  std::vector<domain::OfferEvent> events;  // seq = expected_version + 1, + 2, ...
  domain::Offer after;                     // the fold of the whole history including `events`
};

// Filters of GET /v1/offers and the service's queries. Empty fields do not filter.
struct OfferFilter {
  std::string node;             // channelled to this node
  std::string recipient_actor;  // channelled to this actor
  std::string actor;            // published by this actor
  std::string level;            // the publisher's level
  std::string need;
  std::string area;
  std::string state;
  std::optional<base::Time> active_at;   // PUBLISHED and inside its window at this time
  std::optional<base::Time> expired_at;  // PUBLISHED with validUntil <= this time
  std::string q;                         // full-text over title and description
  int page_size = 50;
  std::string page_token;
};

struct OfferPage {
  std::vector<domain::Offer> offers;  // newest first (create_time desc, id desc)
  std::string next_page_token;
};

class Store {
 public:
  virtual ~Store() = default;

  // Appends the events of one or more cases atomically: all or nothing. Refuses with ABORTED
  // when a case's version is not `expected_version` (optimistic concurrency; for a new case,
  // when the id exists). Returns once durable.
  // INVALID_ARGUMENT (nothing written) when an append is malformed: no events, an event of
  // another case, seqs not expected_version + 1, + 2, ..., or after.version not the last seq.
  // Several appends of one case in one call are applied in order. An empty vector is OK.
  virtual base::Status Append(std::vector<CaseAppend> appends) = 0;

  // NOT_FOUND "case 'x' not found".
  virtual base::Result<domain::Case> GetCase(const std::string& id) = 0;
  // The case's events by seq; NOT_FOUND when it has none.
  virtual base::Result<std::vector<domain::Event>> GetEvents(const std::string& case_id) = 0;
  // page_size 0 means 50; others are clamped to 1..1000. A page token this store did not
  // return is INVALID_ARGUMENT (field "pageToken"). `q` is full-text search over title and
  // description: every word of `q`, lower-cased and Swedish-stemmed ("finansieringen" ->
  // "finansiering"), must be a word of the case; a `q` without words matches nothing.
  virtual base::Result<CasePage> ListCases(const CaseFilter& filter) = 0;

  // Open cases per assignee and candidate, for routing load. `open_states` are the workflow's
  // open state names.
  virtual base::Result<std::unordered_map<std::string, int>> OpenCasesByActor(
      const std::vector<std::string>& open_states) = 0;

  // Calls `fn` for every event in commit order (case by case is not guaranteed).
  virtual base::Status ForEachEvent(const std::function<void(const domain::Event&)>& fn) = 0;
  // Rebuilds every projection from the events; `progress(done, total)` now and then.
  virtual base::Status Rebuild(const std::function<void(int64_t, int64_t)>& progress) = 0;
  virtual base::Result<int64_t> CountCases() = 0;
  virtual base::Result<int64_t> CountEvents() = 0;

  // Workflow definitions are versioned: the store keeps each distinct definition (its
  // serialized bytes) and returns its version number, 1, 2, ...; the same bytes give the same
  // number. A case runs under the version it was created with.
  virtual base::Result<int> RegisterWorkflow(const std::string& definition) = 0;
  virtual base::Result<std::vector<std::pair<int, std::string>>> Workflows() = 0;

  // The event log in commit order: up to `limit` events with position > `after` (limit clamped
  // to 1..10000). A reader sees a prefix of the commit order: no event is skipped by reading
  // past it before it commits.
  virtual base::Result<std::vector<PositionedEvent>> EventsAfter(int64_t after, int limit) = 0;
  // The position of the last committed event; 0 when the log is empty.
  virtual base::Result<int64_t> LastPosition() = 0;

  // Timers (engine/service/sla_scheduler.h). Every case has a `next_timer`: the time its SLA
  // timers must next be looked at, or none. Every write of a case's projection (Append,
  // Rebuild) sets it to the case's update_time, so each change is looked at once; the scheduler
  // then plans the case and sets the exact time with SetNextTimer.
  // DueCases: up to `limit` cases (clamped to 1..1000) whose next_timer <= `before`, earliest
  // first, through an index.
  virtual base::Result<std::vector<domain::Case>> DueCases(base::Time before, int limit) = 0;
  // Sets the next timer of case `id` if it is still at `version`; ABORTED when the case changed
  // meanwhile (its new version is due anyway), NOT_FOUND when it does not exist.
  virtual base::Status SetNextTimer(const std::string& id, int64_t version,
                                    std::optional<base::Time> next) = 0;

  // Offers (issue 4): their own event log and projection, in the same database. AppendOffer
  // refuses with ABORTED when the offer is not at `expected_version` and INVALID_ARGUMENT when
  // the append is malformed (as Append). GetOffer: NOT_FOUND "offer 'x' not found". ListOffers
  // pages as ListCases. The defaults answer UNAVAILABLE: a store without offers.
  virtual base::Status AppendOffer(OfferAppend /*append*/) {
    return base::Unavailable("this store keeps no offers");
  }
  virtual base::Result<domain::Offer> GetOffer(const std::string& /*id*/) {
    return base::Unavailable("this store keeps no offers");
  }
  virtual base::Result<OfferPage> ListOffers(const OfferFilter& /*filter*/) {
    return base::Unavailable("this store keeps no offers");
  }
  virtual base::Result<std::vector<domain::OfferEvent>> OfferEvents(const std::string& /*id*/) {
    return base::Unavailable("this store keeps no offers");
  }

  // Flow statistics (issue 5, docs/STATISTICS.md) over the cases the filter selects; the
  // filter's `now` and `open_states` come from the caller (the service's clock and workflow).
  // The defaults fold every case from ForEachEvent and compute the reference answers
  // (projection/stats.h): right for any store, linear in the history; a store overrides them
  // with incremental aggregates (the SQLite store answers from its statistics index).
  virtual base::Result<projection::Summary> StatsSummary(const projection::StatsFilter& filter);
  virtual base::Result<std::vector<projection::FlowLink>> StatsFlow(
      const projection::StatsFilter& filter);
  virtual base::Result<std::vector<projection::TimePoint>> StatsTimeSeries(
      const projection::StatsFilter& filter, projection::Bucket bucket,
      projection::Metric metric);
  // Every case the filter selects, oldest first (create time, then id), until `fn` returns
  // false; for the CSV export, which streams them.
  virtual base::Status ForEachCaseRow(
      const projection::StatsFilter& filter,
      const std::function<bool(const projection::CaseFacts&)>& fn);

  // Users (issue 3 adds sessions): username -> record, stored as opaque bytes by the caller.
  // (Declared later by the auth layer's needs.)
};

}  // namespace tillvaxt::store
