// The Store conformance suite: what every Store (SQLite now, PostgreSQL later) must do, written
// against store.h only. Append and read back, events in commit order, optimistic concurrency
// (a refused append leaves no trace), all-or-nothing appends of several cases, filters and
// keyset pagination checked against an in-memory model, open cases per actor, rebuild == live,
// and the workflow registry.
//
// Usage, inside one Catch2 TEST_CASE:  RunStoreConformance([&] { return MakeEmptyStore(); });
// Each check is a SECTION; Catch2 re-enters the test case once per section, and the factory must
// return a new, empty store every time it is called.
#pragma once

#include <functional>
#include <memory>

#include "engine/store/store.h"

namespace tillvaxt::store::testing {

using StoreFactory = std::function<std::unique_ptr<Store>()>;

void RunStoreConformance(const StoreFactory& factory);

}  // namespace tillvaxt::store::testing
