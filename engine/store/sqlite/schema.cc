#include "engine/store/sqlite/schema.h"

#include <optional>
#include <string>
#include <vector>

#include "engine/base/time.h"
#include "engine/codec/event_codec.h"
#include "engine/store/sqlite/offer_tables.h"
#include "engine/store/sqlite/stats_tables.h"
#include "engine/store/sqlite/text_search.h"

namespace tillvaxt::store::sqlite {
namespace {

// Times are Unix milliseconds (INTEGER); ids, states and levels TEXT; payload and body the
// serialized protobuf (events.v1.CaseEvent, api.v1.Case).
constexpr const char* kVersion1 = R"sql(
CREATE TABLE events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,  -- commit order, never reused
  case_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  time INTEGER NOT NULL,
  user TEXT NOT NULL,
  payload BLOB NOT NULL,
  UNIQUE (case_id, seq)
);
CREATE TABLE cases (
  id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  level TEXT NOT NULL,
  node TEXT NOT NULL,
  assignee TEXT NOT NULL,
  org_number TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  update_time INTEGER NOT NULL,
  version INTEGER NOT NULL,
  workflow_version INTEGER NOT NULL,
  body BLOB NOT NULL
);
CREATE INDEX cases_by_time ON cases (create_time DESC, id DESC);
CREATE INDEX cases_by_state ON cases (state, create_time DESC, id DESC);
CREATE INDEX cases_by_level ON cases (level, create_time DESC, id DESC);
CREATE INDEX cases_by_node ON cases (node, create_time DESC, id DESC);
CREATE INDEX cases_by_assignee ON cases (assignee, create_time DESC, id DESC);
CREATE INDEX cases_by_org_number ON cases (org_number);
CREATE INDEX cases_by_parent ON cases (parent_id);
CREATE TABLE case_candidates (
  case_id TEXT NOT NULL, actor TEXT NOT NULL, PRIMARY KEY (case_id, actor)) WITHOUT ROWID;
CREATE INDEX case_candidates_by_actor ON case_candidates (actor, case_id);
CREATE TABLE case_involved (
  case_id TEXT NOT NULL, actor TEXT NOT NULL, PRIMARY KEY (case_id, actor)) WITHOUT ROWID;
CREATE INDEX case_involved_by_actor ON case_involved (actor, case_id);
CREATE TABLE case_needs (
  case_id TEXT NOT NULL, need TEXT NOT NULL, PRIMARY KEY (case_id, need)) WITHOUT ROWID;
CREATE INDEX case_needs_by_need ON case_needs (need, case_id);
CREATE TABLE case_areas (
  case_id TEXT NOT NULL, area TEXT NOT NULL, PRIMARY KEY (case_id, area)) WITHOUT ROWID;
CREATE INDEX case_areas_by_area ON case_areas (area, case_id);
CREATE TABLE workflows (
  version INTEGER PRIMARY KEY,
  definition BLOB NOT NULL UNIQUE
);
)sql";

constexpr const char* kVersion2Columns = R"sql(
ALTER TABLE cases ADD COLUMN highest_level TEXT NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN deadline INTEGER;  -- the current SLA deadline; NULL = none
)sql";
constexpr const char* kVersion2Indexes = R"sql(
CREATE INDEX cases_by_highest_level ON cases (highest_level);
CREATE INDEX cases_by_deadline ON cases (deadline) WHERE deadline IS NOT NULL;
)sql";

// The SLA scheduler's work list (store.h "Timers"): a case is due when next_timer <= now.
constexpr const char* kVersionTimers = R"sql(
ALTER TABLE cases ADD COLUMN next_timer INTEGER;
UPDATE cases SET next_timer = update_time;
CREATE INDEX cases_by_next_timer ON cases (next_timer) WHERE next_timer IS NOT NULL;
)sql";

base::Status MigrateTo1(Connection& db) { return db.Exec(kVersion1, "creating schema version 1"); }

// The new columns are derived data: fill them from each case's body, a chunk of rows at a time
// (never updating the table under an open scan of it).
base::Status MigrateTo2(Connection& db) {
  constexpr std::string_view kOp = "migrating schema to version 2";
  TV_RETURN_IF_ERROR(db.Exec(kVersion2Columns, kOp));
  struct Row {
    int64_t rowid;
    std::string highest_level;
    std::optional<base::Time> deadline;
  };
  int64_t after = 0;
  while (true) {
    std::vector<Row> rows;
    {
      base::Result<Stmt> read = db.Prepare(
          "SELECT rowid, body FROM cases WHERE rowid > ?1 ORDER BY rowid LIMIT 500", kOp);
      if (!read.ok()) return read.status();
      read->Bind(1, after);
      while (true) {
        base::Result<bool> row = read->Step(kOp);
        if (!row.ok()) return row.status();
        if (!*row) break;
        base::Result<domain::Case> c = codec::ParseCase(read->Blob(1));
        if (!c.ok()) return base::Internal(std::string(kOp) + ": " + c.status().message());
        rows.push_back({read->Int(0), c->highest_level, c->deadline});
      }
    }
    if (rows.empty()) break;
    for (const Row& r : rows) {
      base::Result<Stmt> update = db.Prepare(
          "UPDATE cases SET highest_level = ?1, deadline = ?2 WHERE rowid = ?3", kOp);
      if (!update.ok()) return update.status();
      update->Bind(1, r.highest_level);
      if (r.deadline) {
        update->Bind(2, base::ToUnixMillis(*r.deadline));
      } else {
        update->BindNull(2);
      }
      update->Bind(3, r.rowid);
      TV_RETURN_IF_ERROR(update->Run(kOp));
    }
    after = rows.back().rowid;
  }
  return db.Exec(kVersion2Indexes, kOp);
}

// Offers (offer_tables.h) and the Swedish full-text tables (text_search.h), which index the
// existing cases.
base::Status MigrateToOffers(Connection& db) {
  TV_RETURN_IF_ERROR(CreateOfferTables(db));
  return CreateSearchTables(db);
}

base::Status MigrateToTimers(Connection& db) {
  return db.Exec(kVersionTimers, "adding the SLA timer column");
}

using Step = base::Status (*)(Connection&);
// steps[i] brings the schema from version i to i + 1.
const std::vector<Step>& Steps() {
  static const std::vector<Step> steps = {MigrateTo1, MigrateTo2, MigrateToOffers,
                                                MigrateToTimers, MigrateToStats};
  return steps;
}

}  // namespace

base::Result<int> ReadSchemaVersion(Connection& db) {
  base::Result<int64_t> v = db.QueryInt("PRAGMA user_version", "reading the schema version");
  if (!v.ok()) return v.status();
  return static_cast<int>(*v);
}

base::Status Migrate(Connection& db, int target) {
  static_assert(kSchemaVersion == 5, "add the step to Steps()");
  base::Result<int> version = ReadSchemaVersion(db);
  if (!version.ok()) return version.status();
  if (*version > kSchemaVersion) {
    return base::FailedPrecondition("database schema version " + std::to_string(*version) +
                                    " is newer than this tillvaxt supports (" +
                                    std::to_string(kSchemaVersion) + "); upgrade tillvaxt");
  }
  if (*version >= target) return base::Status::Ok();
  if (*version == 0) {
    base::Result<int64_t> objects =
        db.QueryInt("SELECT COUNT(*) FROM sqlite_master", "inspecting the database");
    if (!objects.ok()) return objects.status();
    if (*objects > 0) {
      return base::FailedPrecondition(
          "the database has tables but no schema version: not a tillvaxt database");
    }
  }
  TV_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE", "starting the schema migration"));
  base::Status status;
  for (int v = *version; v < target && status.ok(); ++v) status = Steps()[v](db);
  if (status.ok()) {
    status = db.Exec("PRAGMA user_version = " + std::to_string(target),
                     "recording the schema version");
  }
  if (status.ok()) status = db.Exec("COMMIT", "committing the schema migration");
  if (!status.ok()) {
    if (db.InTransaction()) (void)db.Exec("ROLLBACK", "rolling back the schema migration");
    return status;
  }
  return base::Status::Ok();
}

}  // namespace tillvaxt::store::sqlite
