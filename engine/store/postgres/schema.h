// The PostgreSQL schema of the store and its migrations. The version lives in the one-row
// table `tillvaxt_schema`; each version step is a function, and an upgrade runs every missing
// step in one transaction (all or nothing) under a transaction-level advisory lock, so two
// instances starting at once migrate once. A database newer than this build is refused.
//
// Versions:
//   1  the whole store: the commit counter (log_position), events and cases (with their
//      candidate, involved-actor, need, area and search-term arrays), workflows, offer_events
//      and offers, case_facts (statistics), users and sessions.
//
// The tables mirror the SQLite store's (sqlite/schema.h), with two differences of dialect:
// multi-valued columns (candidates, needs, ...) are text[] with GIN indexes instead of child
// tables, and the full-text index is a text[] of Swedish terms (store/swedish_terms.h) matched
// with @> instead of an FTS5 table, so both stores compare exactly the same words.
//
// Thread-safety: runs on the connection given, which no other thread uses meanwhile.
#pragma once

#include "engine/base/status.h"
#include "engine/store/postgres/pg.h"

namespace tillvaxt::store::postgres {

inline constexpr int kSchemaVersion = 1;

// The schema version; 0 for a database without the version table.
base::Result<int> ReadSchemaVersion(Connection& db);

// Brings the database to kSchemaVersion. FAILED_PRECONDITION "database schema version N is
// newer than this tillvaxt supports (M); upgrade tillvaxt" when it is newer; FAILED_PRECONDITION
// when it has no version table but holds tables of ours (not a Tillväxt database, or a broken
// one).
base::Status Migrate(Connection& db);

}  // namespace tillvaxt::store::postgres
