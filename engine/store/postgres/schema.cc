#include "engine/store/postgres/schema.h"

#include <string>
#include <vector>

namespace tillvaxt::store::postgres {
namespace {

// Times are Unix milliseconds (BIGINT), as in the SQLite store; payload and body the
// serialized protobuf (events.v1 / storage.v1), as there.
constexpr const char* kVersion1 = R"sql(
CREATE TABLE log_position (
  id INT PRIMARY KEY CHECK (id = 1),
  last BIGINT NOT NULL,        -- the position of the last committed case event (case_log.h)
  facts_stamp BIGINT NOT NULL  -- the last stamp of case_facts rows (stats_tables.h)
);
INSERT INTO log_position (id, last, facts_stamp) VALUES (1, 0, 0);
CREATE TABLE events (
  position BIGINT PRIMARY KEY,  -- commit order: from log_position (case_tables.h)
  case_id TEXT COLLATE "C" NOT NULL,
  seq BIGINT NOT NULL,
  type TEXT NOT NULL,
  time BIGINT NOT NULL,
  user_name TEXT NOT NULL,
  payload BYTEA NOT NULL,
  UNIQUE (case_id, seq)
);
CREATE TABLE cases (
  id TEXT COLLATE "C" PRIMARY KEY,  -- ids order by bytes, as in the other stores
  state TEXT NOT NULL,
  level TEXT NOT NULL,
  node TEXT NOT NULL,
  assignee TEXT NOT NULL,
  org_number TEXT NOT NULL,
  parent_id TEXT NOT NULL,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  version BIGINT NOT NULL,
  workflow_version INT NOT NULL,
  highest_level TEXT NOT NULL,
  deadline BIGINT,
  next_timer BIGINT,
  candidates TEXT[] NOT NULL,
  involved TEXT[] NOT NULL,
  needs TEXT[] NOT NULL,
  areas TEXT[] NOT NULL,
  terms TEXT[] NOT NULL,  -- SwedishTerms(title + description)
  body BYTEA NOT NULL
);
CREATE INDEX cases_by_time ON cases (create_time DESC, id DESC);
CREATE INDEX cases_by_state ON cases (state, create_time DESC, id DESC);
CREATE INDEX cases_by_level ON cases (level, create_time DESC, id DESC);
CREATE INDEX cases_by_node ON cases (node, create_time DESC, id DESC);
CREATE INDEX cases_by_assignee ON cases (assignee, create_time DESC, id DESC);
CREATE INDEX cases_by_org_number ON cases (org_number);
CREATE INDEX cases_by_parent ON cases (parent_id);
CREATE INDEX cases_by_next_timer ON cases (next_timer) WHERE next_timer IS NOT NULL;
CREATE INDEX cases_by_candidates ON cases USING GIN (candidates);
CREATE INDEX cases_by_involved ON cases USING GIN (involved);
CREATE INDEX cases_by_needs ON cases USING GIN (needs);
CREATE INDEX cases_by_areas ON cases USING GIN (areas);
CREATE INDEX cases_by_terms ON cases USING GIN (terms);
CREATE TABLE workflows (
  version INT PRIMARY KEY,
  definition BYTEA NOT NULL
);
CREATE TABLE offer_events (
  position BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  offer_id TEXT COLLATE "C" NOT NULL,
  seq BIGINT NOT NULL,
  type TEXT NOT NULL,
  time BIGINT NOT NULL,
  user_name TEXT NOT NULL,
  payload BYTEA NOT NULL,
  UNIQUE (offer_id, seq)
);
CREATE TABLE offers (
  id TEXT COLLATE "C" PRIMARY KEY,
  actor TEXT NOT NULL,
  level TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  valid_from BIGINT,
  valid_until BIGINT,
  create_time BIGINT NOT NULL,
  update_time BIGINT NOT NULL,
  version BIGINT NOT NULL,
  recipient_nodes TEXT[] NOT NULL,
  recipient_actors TEXT[] NOT NULL,
  needs TEXT[] NOT NULL,
  areas TEXT[] NOT NULL,
  terms TEXT[] NOT NULL,
  body BYTEA NOT NULL
);
CREATE INDEX offers_by_time ON offers (create_time DESC, id DESC);
CREATE INDEX offers_by_state ON offers (state, create_time DESC, id DESC);
CREATE INDEX offers_by_actor ON offers (actor, create_time DESC, id DESC);
CREATE INDEX offers_by_recipient_nodes ON offers USING GIN (recipient_nodes);
CREATE INDEX offers_by_recipient_actors ON offers USING GIN (recipient_actors);
CREATE INDEX offers_by_needs ON offers USING GIN (needs);
CREATE INDEX offers_by_areas ON offers USING GIN (areas);
CREATE INDEX offers_by_terms ON offers USING GIN (terms);
CREATE TABLE case_facts (
  slot BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,  -- the row in the statistics index
  case_id TEXT COLLATE "C" NOT NULL UNIQUE,
  create_time BIGINT NOT NULL,
  version BIGINT NOT NULL,
  stamp BIGINT NOT NULL,     -- log_position.facts_stamp of the transaction that wrote the row
  facts BYTEA NOT NULL       -- projection::EncodeFacts
);
CREATE INDEX case_facts_by_stamp ON case_facts (stamp);
CREATE INDEX case_facts_by_time ON case_facts (create_time, case_id);
CREATE TABLE users (
  username TEXT COLLATE "C" PRIMARY KEY,
  role TEXT NOT NULL,
  node TEXT NOT NULL,
  actor TEXT NOT NULL,
  display_name TEXT NOT NULL,
  email TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  disabled BOOLEAN NOT NULL,
  digest BOOLEAN NOT NULL,
  create_time BIGINT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  create_time BIGINT NOT NULL,
  expire_time BIGINT NOT NULL,
  last_seen BIGINT NOT NULL
);
CREATE INDEX sessions_by_username ON sessions (username);
CREATE INDEX sessions_by_expire_time ON sessions (expire_time);
CREATE INDEX sessions_by_last_seen ON sessions (last_seen);
)sql";

using Step = const char*;
// steps[i] brings the schema from version i to i + 1.
const std::vector<Step>& Steps() {
  static const std::vector<Step> steps = {kVersion1};
  return steps;
}

// Any advisory lock key of our own: "tvschema" read as bytes.
constexpr const char* kMigrationLock = "SELECT pg_advisory_xact_lock(8391119291001)";

}  // namespace

base::Result<int> ReadSchemaVersion(Connection& db) {
  constexpr std::string_view kOp = "reading the schema version";
  base::Result<Result> exists = db.Query("SELECT to_regclass('tillvaxt_schema') IS NOT NULL", kOp);
  if (!exists.ok()) return exists.status();
  if (exists->Text(0, 0) != "t") return 0;
  base::Result<Result> v = db.Query("SELECT version FROM tillvaxt_schema", kOp);
  if (!v.ok()) return v.status();
  return v->rows() == 0 ? 0 : static_cast<int>(v->Int(0, 0));
}

base::Status Migrate(Connection& db) {
  static_assert(kSchemaVersion == 1, "add the step to Steps()");
  return InTransaction(db, [&]() -> base::Status {
    TV_RETURN_IF_ERROR(db.Exec(kMigrationLock, "locking the schema for migration"));
    base::Result<int> version = ReadSchemaVersion(db);
    if (!version.ok()) return version.status();
    if (*version > kSchemaVersion) {
      return base::FailedPrecondition("database schema version " + std::to_string(*version) +
                                      " is newer than this tillvaxt supports (" +
                                      std::to_string(kSchemaVersion) + "); upgrade tillvaxt");
    }
    if (*version == kSchemaVersion) return base::Status::Ok();
    if (*version == 0) {
      base::Result<Result> ours = db.Query(
          "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename IN "
          "('events', 'cases', 'offers', 'users', 'sessions', 'tillvaxt_schema')",
          "inspecting the database");
      if (!ours.ok()) return ours.status();
      if (ours->Int(0, 0) > 0) {
        return base::FailedPrecondition(
            "the database has tillvaxt's tables but no schema version: not a tillvaxt database");
      }
      TV_RETURN_IF_ERROR(
          db.Exec("CREATE TABLE tillvaxt_schema (version INT NOT NULL); "
                  "INSERT INTO tillvaxt_schema (version) VALUES (0)",
                  "creating the schema version table"));
    }
    for (int v = *version; v < kSchemaVersion; ++v) {
      TV_RETURN_IF_ERROR(db.Exec(Steps()[static_cast<size_t>(v)],
                                 "migrating the schema to version " + std::to_string(v + 1)));
    }
    Params p;
    p.Int(kSchemaVersion);
    base::Result<Result> set =
        db.Query("UPDATE tillvaxt_schema SET version = $1", p, "recording the schema version");
    return set.ok() ? base::Status::Ok() : set.status();
  });
}

}  // namespace tillvaxt::store::postgres
