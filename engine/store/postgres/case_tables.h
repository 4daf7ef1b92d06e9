// The cases of the PostgreSQL store: the `events` log (event_log.h) and the case projection (the
// `cases` row with its candidate, involved-actor, need, area and search-term arrays), written in
// the same transaction as every append, and the reads of CaseQueries over them.
//
// Commit order: every append transaction first takes the next positions from the one-row
// `log_position` counter (UPDATE ... RETURNING), which row-locks it until COMMIT. A sequence
// would not do: two transactions take values 5 and 6, 6 commits first, and a reader of
// EventsAfter(4) sees 6 and then skips 5 forever. With the counter, the second transaction
// waits for the first to commit (or roll back) before it gets its positions, so positions are
// handed out in commit order, a refused append takes none (its UPDATE rolls back), and a reader
// always sees a prefix of the log. The price is that case appends commit one at a time across
// every instance — as the SQLite store's single writer does; PostgreSQL's own group commit
// still shares the WAL flushes of transactions that commit together. The lock is taken first,
// so no append holds a case row while waiting for it (no deadlock between appends).
//
// Thread-safety: each function uses only the connection it is given.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/case.h"
#include "engine/store/case_log.h"
#include "engine/store/case_queries.h"
#include "engine/store/postgres/pg.h"

namespace tillvaxt::store::postgres {

// Appends the cases' events with their projections and statistics facts, in the caller's
// transaction; ABORTED on a version mismatch. Validate each append first
// (store/append_checks.h).
base::Status WriteCaseAppends(Connection& db, const std::vector<CaseAppend>& appends);

// NOT_FOUND "case 'x' not found".
base::Result<domain::Case> ReadCase(Connection& db, const std::string& id);
base::Result<std::vector<domain::Event>> ReadCaseEvents(Connection& db, const std::string& id);
// As CaseQueries::ListCases.
base::Result<CasePage> ReadCases(Connection& db, const CaseFilter& filter);
// Events with position > after, up to limit, in position order.
base::Result<std::vector<PositionedEvent>> ReadEventsAfter(Connection& db, int64_t after,
                                                           int64_t limit);

// Rebuild: empties the case projection and refills it (and the statistics facts) from the
// events, in the caller's transaction; `progress(done, total)` now and then.
base::Status RebuildCaseProjections(Connection& db,
                                    const std::function<void(int64_t, int64_t)>& progress);

}  // namespace tillvaxt::store::postgres
