// CaseLog: the cases' append-only event log, the audit trail and the source of truth, with the
// projections written in the same transaction as every append.
//
// Thread-safety: every method may be called from any thread concurrently. Append blocks until
// the events are durable (per the store's durability setting) or refused; concurrent appends
// may share one commit (group commit).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/case.h"

namespace tillvaxt::store {

// New events for one case and the case as it is after them (the projection to write).
struct CaseAppend {
  int64_t expected_version = 0;       // the case's version the events were decided on; 0 = new
  std::vector<domain::Event> events;  // seq = expected_version + 1, + 2, ...
  domain::Case after;                 // the fold of the whole history including `events`
};

// An event with its place in the global commit order (events.position): strictly increasing
// in commit order, never reused (a refused append takes none); within one Append, in the order
// of its appends and their events. The live event stream uses it as the SSE event id.
struct PositionedEvent {
  int64_t position = 0;
  domain::Event event;
};

class CaseLog {
 public:
  virtual ~CaseLog() = default;

  // Appends the events of one or more cases atomically: all or nothing. Refuses with ABORTED
  // when a case's version is not `expected_version` (optimistic concurrency; for a new case,
  // when the id exists). Returns once durable.
  // INVALID_ARGUMENT (nothing written) when an append is malformed: no events, an event of
  // another case, seqs not expected_version + 1, + 2, ..., or after.version not the last seq.
  // Several appends of one case in one call are applied in order. An empty vector is OK.
  virtual base::Status Append(std::vector<CaseAppend> appends) = 0;

  // The case's events by seq; NOT_FOUND when it has none.
  virtual base::Result<std::vector<domain::Event>> GetEvents(const std::string& case_id) = 0;

  // The event log in commit order: up to `limit` events with position > `after` (limit clamped
  // to 1..10000). A reader sees a prefix of the commit order: no event is skipped by reading
  // past it before it commits.
  virtual base::Result<std::vector<PositionedEvent>> EventsAfter(int64_t after, int limit) = 0;
  // The position of the last committed event; 0 when the log is empty.
  virtual base::Result<int64_t> LastPosition() = 0;

  // Calls `fn` for every event in commit order (case by case is not guaranteed).
  virtual base::Status ForEachEvent(const std::function<void(const domain::Event&)>& fn) = 0;
  virtual base::Result<int64_t> CountEvents() = 0;

  // The workflow definitions the log's cases run under. The log keeps each distinct definition
  // (its serialized bytes) and returns its version number, 1, 2, ...; the same bytes give the
  // same number. A case runs under the version it was created with.
  virtual base::Result<int> RegisterWorkflow(const std::string& definition) = 0;
  virtual base::Result<std::vector<std::pair<int, std::string>>> Workflows() = 0;
};

}  // namespace tillvaxt::store
