// The SQLite schema of the store and its migrations. The schema version lives in
// PRAGMA user_version; each version step is a function, and an upgrade runs every missing step
// in one transaction (all or nothing). A database newer than this build is refused.
//
// Versions:
//   1  events, cases (+ candidates, involved actors, needs, areas), workflows, filter indexes.
//   2  cases.highest_level and cases.deadline (the SLA scheduler's and statistics' columns),
//      backfilled from the case bodies, with their indexes.
//   3  offers: offer_events, offers, offer_recipients, offer_needs, offer_areas; the Swedish
//      full-text tables case_search (filled from the existing cases) and offer_search.
//   4  cases.next_timer (when the SLA scheduler must next look at the case), indexed; every
//      case starts due so the scheduler plans it once.
//   5  case_facts: one row of statistics facts per case (stats_tables.h), folded from the events.
//
// Thread-safety: call on a connection no other thread uses, before the store starts.
#pragma once

#include "engine/base/status.h"
#include "engine/store/sqlite/db.h"

namespace tillvaxt::store::sqlite {

// The version whose step creates the offer and full-text search tables.
inline constexpr int kOffersSchemaVersion = 3;
inline constexpr int kSchemaVersion = 5;

base::Result<int> ReadSchemaVersion(Connection& db);

// Brings the database to `target` (default: the current version). FAILED_PRECONDITION
// "database schema version N is newer than this tillvaxt supports (M); upgrade tillvaxt" when
// it is newer than kSchemaVersion; FAILED_PRECONDITION when version 0 but not empty (not a
// Tillväxt database). A `target` below kSchemaVersion is for tests that need an old database.
base::Status Migrate(Connection& db, int target = kSchemaVersion);

}  // namespace tillvaxt::store::sqlite
