// The store by job: each use case is handed only the interfaces it uses (engine/app wires
// them), and a store implementation serves every job from one database, so an append writes
// the events and every projection (cases, timers, statistics, search) in one transaction.
//
//   CaseLog      append and read the cases' events; workflow versions     case_log.h
//   CaseQueries  the cases as they are now: get, list, search, load       case_queries.h
//   Timers       which cases' SLA timers are due                         timers.h
//   OfferLog     the offers' events and projection                        offer_log.h
//   StatsReader  flow statistics                                          stats_reader.h
//   UserStore    users and sessions (its own connection)                  user_store.h
//
// Implementations: sqlite/ (the embedded default; only engine/app and the tests name it) and
// memory/ (in-process, for tests that need no database file). Both pass the one conformance
// suite in tests/unit/store/conformance.*.
//
// Thread-safety: every method of every job may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <functional>

#include "engine/base/status.h"
#include "engine/store/case_log.h"
#include "engine/store/case_queries.h"
#include "engine/store/offer_log.h"
#include "engine/store/stats_reader.h"
#include "engine/store/timers.h"

namespace tillvaxt::store {

class Store : public CaseLog,
              public CaseQueries,
              public Timers,
              public OfferLog,
              public StatsReader {
 public:
  ~Store() override = default;

  // Rebuilds every projection from the events; `progress(done, total)` now and then, and at
  // least once: (events folded, events in the log), or (0, 0) for an empty log.
  virtual base::Status Rebuild(const std::function<void(int64_t, int64_t)>& progress) = 0;
};

}  // namespace tillvaxt::store
