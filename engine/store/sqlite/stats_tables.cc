#include "engine/store/sqlite/stats_tables.h"

#include <exception>
#include <system_error>
#include <utility>

#include "engine/codec/event_codec.h"

namespace tillvaxt::store::sqlite {
namespace {

using base::Status;

constexpr int64_t kChunk = 2000;  // rows per read when loading, rebuilding and exporting

constexpr const char* kStatsTables = R"sql(
CREATE TABLE case_facts (
  slot INTEGER PRIMARY KEY,          -- the case's row in the in-memory statistics index
  case_id TEXT NOT NULL UNIQUE,
  create_time INTEGER NOT NULL,      -- Unix ms; the export's order and period filter
  version INTEGER NOT NULL,          -- the case version the facts are folded up to
  facts BLOB NOT NULL                -- projection::EncodeFacts
);
CREATE INDEX case_facts_by_time ON case_facts (create_time, case_id);
)sql";

Status InsertFacts(Connection& db, const projection::CaseFacts& f, int64_t* slot) {
  constexpr std::string_view kOp = "writing case facts";
  base::Result<Stmt> stmt = db.Prepare(
      "INSERT INTO case_facts (case_id, create_time, version, facts) VALUES (?1, ?2, ?3, ?4)",
      kOp);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, f.id).Bind(2, base::ToUnixMillis(f.created)).Bind(3, f.version);
  stmt->BindBlob(4, projection::EncodeFacts(f));
  TV_RETURN_IF_ERROR(stmt->Run(kOp));
  *slot = sqlite3_last_insert_rowid(db.raw());
  return Status::Ok();
}

// Folds every case's events (by case and seq) into a fresh case_facts.
Status FillFromEvents(Connection& db) {
  constexpr std::string_view kOp = "filling case facts from the events";
  std::string after_case;
  int64_t after_seq = 0;
  std::string current;
  projection::CaseFacts facts;
  auto flush = [&]() -> Status {
    if (current.empty()) return Status::Ok();
    int64_t slot = 0;
    Status st = InsertFacts(db, facts, &slot);
    facts = projection::CaseFacts{};
    return st;
  };
  while (true) {
    std::vector<domain::Event> chunk;
    {
      base::Result<Stmt> stmt = db.Prepare(
          "SELECT payload FROM events WHERE (case_id, seq) > (?1, ?2) "
          "ORDER BY case_id, seq LIMIT ?3",
          kOp);
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, after_case).Bind(2, after_seq).Bind(3, kChunk);
      while (true) {
        base::Result<bool> row = stmt->Step(kOp);
        if (!row.ok()) return row.status();
        if (!*row) break;
        base::Result<domain::Event> e = codec::ParseEvent(stmt->Blob(0));
        if (!e.ok()) return base::Internal(std::string(kOp) + ": " + e.status().message());
        chunk.push_back(std::move(e).value());
      }
    }
    if (chunk.empty()) break;
    after_case = chunk.back().case_id;
    after_seq = chunk.back().seq;
    for (const domain::Event& e : chunk) {
      if (e.case_id != current) {
        TV_RETURN_IF_ERROR(flush());
        current = e.case_id;
      }
      projection::ApplyFact(facts, e);
    }
  }
  return flush();
}

}  // namespace

Status MigrateToStats(Connection& db) {
  TV_RETURN_IF_ERROR(db.Exec(kStatsTables, "migrating the schema: statistics tables"));
  return FillFromEvents(db);
}

Status RebuildCaseFacts(Connection& db) {
  TV_RETURN_IF_ERROR(db.Exec("DELETE FROM case_facts", "rebuild: deleting case facts"));
  return FillFromEvents(db);
}

Status WriteCaseFacts(Connection& db, const CaseAppend& a, std::vector<StatsUpdate>* updates) {
  const std::string& id = a.after.id;
  const std::string op = "updating the facts of case " + id;
  projection::CaseFacts facts;
  int64_t slot = 0;
  {
    base::Result<Stmt> stmt =
        db.Prepare("SELECT slot, facts FROM case_facts WHERE case_id = ?1", op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, id);
    base::Result<bool> row = stmt->Step(op);
    if (!row.ok()) return row.status();
    if (*row) {
      slot = stmt->Int(0);
      base::Result<projection::CaseFacts> f = projection::DecodeFacts(stmt->Blob(1));
      if (!f.ok()) return base::Internal(op + ": " + f.status().message());
      facts = std::move(f).value();
    }
  }
  if (slot == 0 && a.expected_version > 0) {
    // No row for an existing case (should not happen after the migration): fold its whole
    // history, which already holds the new events.
    base::Result<Stmt> stmt =
        db.Prepare("SELECT payload FROM events WHERE case_id = ?1 ORDER BY seq", op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, id);
    while (true) {
      base::Result<bool> row = stmt->Step(op);
      if (!row.ok()) return row.status();
      if (!*row) break;
      base::Result<domain::Event> e = codec::ParseEvent(stmt->Blob(0));
      if (!e.ok()) return base::Internal(op + ": " + e.status().message());
      projection::ApplyFact(facts, *e);
    }
  } else {
    for (const domain::Event& e : a.events) projection::ApplyFact(facts, e);
  }
  if (slot == 0) {
    TV_RETURN_IF_ERROR(InsertFacts(db, facts, &slot));
  } else {
    base::Result<Stmt> stmt = db.Prepare(
        "UPDATE case_facts SET create_time = ?1, version = ?2, facts = ?3 WHERE slot = ?4", op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, base::ToUnixMillis(facts.created)).Bind(2, facts.version);
    stmt->BindBlob(3, projection::EncodeFacts(facts)).Bind(4, slot);
    TV_RETURN_IF_ERROR(stmt->Run(op));
  }
  updates->push_back({slot, std::move(facts)});
  return Status::Ok();
}

base::Result<std::unique_ptr<StatsTables>> StatsTables::Open(const std::string& path,
                                                             const std::string& vfs) {
  base::Result<std::unique_ptr<Connection>> reader =
      Connection::Open(path, SQLITE_OPEN_READWRITE, vfs);
  if (!reader.ok()) return reader.status();
  TV_RETURN_IF_ERROR((*reader)->Exec("PRAGMA query_only = 1", "opening the statistics reader"));
  std::unique_ptr<StatsTables> tables(new StatsTables(std::move(reader).value()));
  try {
    StatsTables* t = tables.get();
    tables->loader_ = std::thread([t] {
      Status st = t->Load();
      {
        std::lock_guard lock(t->load_mu_);
        t->loaded_ = true;
        t->load_status_ = st;
      }
      t->load_cv_.notify_all();
    });
  } catch (const std::system_error& e) {
    return base::Internal(std::string("starting the statistics loader: ") + e.what());
  }
  return tables;
}

StatsTables::~StatsTables() {
  stopping_ = true;
  if (loader_.joinable()) loader_.join();
}

Status StatsTables::Load() {
  constexpr std::string_view kOp = "loading the statistics index";
  {
    std::lock_guard lock(reader_mu_);
    base::Result<int64_t> max_slot =
        reader_->QueryInt("SELECT COALESCE(MAX(slot), 0) FROM case_facts", kOp);
    if (!max_slot.ok()) return max_slot.status();
    index_.Reserve(*max_slot);
  }
  int64_t after = 0;
  while (true) {
    std::vector<std::pair<int64_t, projection::CaseFacts>> chunk;
    {
      std::lock_guard lock(reader_mu_);
      base::Result<Stmt> stmt = reader_->Prepare(
          "SELECT slot, facts FROM case_facts WHERE slot > ?1 ORDER BY slot LIMIT ?2", kOp);
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, after).Bind(2, kChunk * 5);
      while (true) {
        base::Result<bool> row = stmt->Step(kOp);
        if (!row.ok()) return row.status();
        if (!*row) break;
        base::Result<projection::CaseFacts> f = projection::DecodeFacts(stmt->Blob(1));
        if (!f.ok()) return base::Internal(std::string(kOp) + ": " + f.status().message());
        after = stmt->Int(0);
        chunk.emplace_back(after, std::move(f).value());
      }
    }
    if (chunk.empty()) return Status::Ok();
    if (stopping_) return base::Unavailable("the store is closing");
    for (const auto& [slot, facts] : chunk) index_.Upsert(slot, facts);
  }
}

Status StatsTables::WaitLoaded() {
  std::unique_lock lock(load_mu_);
  load_cv_.wait(lock, [&] { return loaded_; });
  return load_status_;
}

void StatsTables::Apply(const std::vector<StatsUpdate>& updates) {
  for (const StatsUpdate& u : updates) index_.Upsert(u.slot, u.facts);
}

Status StatsTables::Reload() {
  TV_RETURN_IF_ERROR(WaitLoaded());
  {
    std::lock_guard lock(load_mu_);
    loaded_ = false;
  }
  index_.Clear();
  Status st = Load();
  {
    std::lock_guard lock(load_mu_);
    loaded_ = true;
    load_status_ = st;
  }
  load_cv_.notify_all();
  return st;
}

base::Result<projection::Summary> StatsTables::Summary(const projection::StatsFilter& filter) {
  TV_RETURN_IF_ERROR(WaitLoaded());
  return index_.ComputeSummary(filter);
}

base::Result<std::vector<projection::FlowLink>> StatsTables::Flow(
    const projection::StatsFilter& filter) {
  TV_RETURN_IF_ERROR(WaitLoaded());
  return index_.ComputeFlow(filter);
}

base::Result<std::vector<projection::TimePoint>> StatsTables::TimeSeries(
    const projection::StatsFilter& filter, projection::Bucket bucket, projection::Metric metric) {
  TV_RETURN_IF_ERROR(WaitLoaded());
  return index_.ComputeTimeSeries(filter, bucket, metric);
}

Status StatsTables::ForEachCaseRow(const projection::StatsFilter& filter,
                                   const std::function<bool(const projection::CaseFacts&)>& fn) {
  constexpr std::string_view kOp = "exporting case facts";
  int64_t after_ms = filter.from ? base::ToUnixMillis(*filter.from) : INT64_MIN;
  std::string after_id;
  bool first = true;
  const int64_t end_ms = filter.to ? base::ToUnixMillis(*filter.to) : INT64_MAX;
  while (true) {
    std::vector<projection::CaseFacts> chunk;
    {
      // A chunk per lock: no connection is held while `fn` runs (it may write to a socket).
      std::lock_guard lock(reader_mu_);
      base::Result<Stmt> stmt = reader_->Prepare(
          first ? "SELECT facts, create_time, case_id FROM case_facts WHERE create_time >= ?1 "
                  "AND create_time < ?3 AND ?2 = ?2 ORDER BY create_time, case_id LIMIT ?4"
                : "SELECT facts, create_time, case_id FROM case_facts WHERE (create_time, "
                  "case_id) > (?1, ?2) AND create_time < ?3 ORDER BY create_time, case_id "
                  "LIMIT ?4",
          kOp);
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, after_ms).Bind(2, after_id).Bind(3, end_ms).Bind(4, kChunk);
      while (true) {
        base::Result<bool> row = stmt->Step(kOp);
        if (!row.ok()) return row.status();
        if (!*row) break;
        base::Result<projection::CaseFacts> f = projection::DecodeFacts(stmt->Blob(0));
        if (!f.ok()) return base::Internal(std::string(kOp) + ": " + f.status().message());
        after_ms = stmt->Int(1);
        after_id = stmt->Text(2);
        chunk.push_back(std::move(f).value());
      }
    }
    first = false;
    if (chunk.empty()) return Status::Ok();
    for (const projection::CaseFacts& f : chunk) {
      if (!projection::Matches(f, filter)) continue;
      if (!fn(f)) return Status::Ok();
    }
  }
}

}  // namespace tillvaxt::store::sqlite
