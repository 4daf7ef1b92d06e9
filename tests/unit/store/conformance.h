// The Store conformance suite: what every Store (SQLite, memory, PostgreSQL later) must do,
// written against store.h and user_store.h only, one function per job:
//
//   RunStoreConformance      CaseLog and CaseQueries: append and read back, events in commit
//                            order with their positions (EventsAfter, LastPosition), optimistic
//                            concurrency (a refused append leaves no trace), all-or-nothing
//                            appends of several cases, filters, Swedish full-text search and
//                            keyset pagination checked against a model, open cases per actor,
//                            rebuild == live, and the workflow registry.
//   RunTimersConformance     next timers set by every projection write, DueCases earliest first
//                            and bounded, SetNextTimer's version check, rebuild resets them.
//   RunOfferLogConformance   the offers' log and projection: read back, concurrency, malformed
//                            appends, every filter, full text, paging, rebuild.
//   RunStatsConformance      StatsReader equals FoldedStats (the reference) over the same log:
//                            summary, flow, time series and the CSV rows, live and rebuilt.
//   RunUserStoreConformance  users and sessions.
//
// Usage, inside one Catch2 TEST_CASE each:  RunStoreConformance([&] { return MakeEmptyStore(); });
// Each check is a SECTION; Catch2 re-enters the test case once per section, and the factory must
// return a new, empty store every time it is called.
#pragma once

#include <functional>
#include <memory>

#include "engine/store/store.h"
#include "engine/store/user_store.h"

namespace tillvaxt::store::testing {

using StoreFactory = std::function<std::unique_ptr<Store>()>;
using UserStoreFactory = std::function<std::unique_ptr<UserStore>()>;

void RunStoreConformance(const StoreFactory& factory);
void RunTimersConformance(const StoreFactory& factory);
void RunOfferLogConformance(const StoreFactory& factory);
void RunStatsConformance(const StoreFactory& factory);
void RunUserStoreConformance(const UserStoreFactory& factory);

}  // namespace tillvaxt::store::testing
