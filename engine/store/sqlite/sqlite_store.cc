#include "engine/store/sqlite/sqlite_store.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <future>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "engine/codec/event_codec.h"
#include "engine/store/append_checks.h"
#include "engine/store/sqlite/case_cache.h"
#include "engine/store/sqlite/case_tables.h"
#include "engine/store/sqlite/db.h"
#include "engine/store/sqlite/event_log.h"
#include "engine/store/sqlite/offer_tables.h"
#include "engine/store/sqlite/schema.h"
#include "engine/store/sqlite/stats_tables.h"

namespace tillvaxt::store::sqlite {
namespace {

using base::Status;

constexpr int64_t kCheckpointFrames = 1000;  // WAL frames before a passive checkpoint
constexpr int64_t kEventChunk = 1000;        // events per read in ForEachEvent
constexpr size_t kCachedCases = 4096;        // cases kept parsed (case_cache.h)

struct WriteRequest {
  std::function<Status(Connection&)> work;
  bool alone = false;  // runs in a batch of its own (rebuild)
  std::promise<Status> done;
};

std::string Placeholders(int first, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += "?" + std::to_string(first + static_cast<int>(i));
  }
  return out.empty() ? "NULL" : out;  // `x IN (NULL)` matches nothing
}

}  // namespace

struct SqliteStore::State {
  SqliteOptions options;
  std::unique_ptr<Connection> writer;

  std::mutex readers_mu;
  std::condition_variable readers_cv;
  std::vector<std::unique_ptr<Connection>> free_readers;

  std::mutex queue_mu;
  std::condition_variable queue_cv;
  std::deque<std::unique_ptr<WriteRequest>> queue;
  bool stopping = false;
  std::thread writer_thread;

  std::atomic<int64_t> requests{0};
  std::atomic<int64_t> commits{0};
  std::atomic<int64_t> failed_commits{0};
  std::atomic<int64_t> largest_batch{0};
  std::atomic<int64_t> wal_frames{0};
  std::unique_ptr<StatsTables> stats;  // the statistics index (after the migration)
  CaseCache cases{kCachedCases};

  // A reader connection for the life of the lease; returned to the pool after.
  class Lease {
   public:
    explicit Lease(State& s) : s_(s) {
      std::unique_lock lock(s_.readers_mu);
      s_.readers_cv.wait(lock, [&] { return !s_.free_readers.empty(); });
      conn_ = std::move(s_.free_readers.back());
      s_.free_readers.pop_back();
    }
    ~Lease() {
      {
        std::lock_guard lock(s_.readers_mu);
        s_.free_readers.push_back(std::move(conn_));
      }
      s_.readers_cv.notify_one();
    }
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    State& s_;
    std::unique_ptr<Connection> conn_;
  };

  Status Submit(std::function<Status(Connection&)> work, bool alone = false) {
    if (std::this_thread::get_id() == writer_thread.get_id()) {
      return base::FailedPrecondition("a store write was called from the store's writer thread");
    }
    auto request = std::make_unique<WriteRequest>();
    request->work = std::move(work);
    request->alone = alone;
    std::future<Status> done = request->done.get_future();
    {
      std::lock_guard lock(queue_mu);
      if (stopping) return base::Unavailable("the store is closing");
      queue.push_back(std::move(request));
    }
    queue_cv.notify_one();
    return done.get();
  }

  void WriterLoop() {
    while (true) {
      std::vector<std::unique_ptr<WriteRequest>> batch;
      {
        std::unique_lock lock(queue_mu);
        queue_cv.wait(lock, [&] { return stopping || !queue.empty(); });
        if (queue.empty()) return;  // stopping, and every request answered
        if (queue.front()->alone) {
          batch.push_back(std::move(queue.front()));
          queue.pop_front();
        } else {
          const size_t max = static_cast<size_t>(std::max(1, options.max_batch));
          while (!queue.empty() && !queue.front()->alone && batch.size() < max) {
            batch.push_back(std::move(queue.front()));
            queue.pop_front();
          }
        }
      }
      RunBatch(batch);
      MaybeCheckpoint();
    }
  }

  static Status RunWork(WriteRequest& r, Connection& db) {
    try {
      return r.work(db);
    } catch (const std::exception& e) {
      return base::Internal(std::string("store write failed: ") + e.what());
    } catch (...) {
      return base::Internal("store write failed: unknown exception");
    }
  }

  Status Savepoint(const char* sql, std::string_view op) {
    base::Result<Stmt> stmt = writer->Prepare(sql, op);
    if (!stmt.ok()) return stmt.status();
    return stmt->Run(op);
  }

  // One transaction for the batch, a savepoint per request, one COMMIT.
  void RunBatch(std::vector<std::unique_ptr<WriteRequest>>& batch) {
    std::vector<Status> results(batch.size());
    Status batch_error = Savepoint("BEGIN IMMEDIATE", "beginning a write transaction");
    for (size_t i = 0; i < batch.size() && batch_error.ok(); ++i) {
      Status st = Savepoint("SAVEPOINT request", "opening a savepoint");
      if (!st.ok()) {
        batch_error = st;
        break;
      }
      st = RunWork(*batch[i], *writer);
      if (!writer->InTransaction()) {
        // SQLite rolled the whole transaction back (an I/O error, disk full, ...): the work of
        // the earlier requests is gone too.
        batch_error = st.ok() ? base::Internal("the write transaction was rolled back") : st;
        break;
      }
      if (st.ok()) {
        batch_error = Savepoint("RELEASE request", "releasing a savepoint");
      } else {
        batch_error = Savepoint("ROLLBACK TO request", "rolling back a refused request");
        if (batch_error.ok()) batch_error = Savepoint("RELEASE request", "releasing a savepoint");
      }
      results[i] = std::move(st);
    }
    if (batch_error.ok()) batch_error = Savepoint("COMMIT", "committing");
    if (!batch_error.ok()) {
      if (writer->InTransaction()) (void)writer->Exec("ROLLBACK", "rolling back a failed batch");
      ++failed_commits;
      for (size_t i = 0; i < results.size(); ++i) {
        // A request refused on its own merits keeps its answer; every other one shares the
        // batch's failure (nothing of it was committed).
        if (results[i].ok()) {
          results[i] =
              Status(batch_error.code(), "the write was not committed: " + batch_error.message());
        }
      }
    } else {
      ++commits;
    }
    requests += static_cast<int64_t>(batch.size());
    int64_t largest = largest_batch.load();
    const auto size = static_cast<int64_t>(batch.size());
    while (size > largest && !largest_batch.compare_exchange_weak(largest, size)) {
    }
    for (size_t i = 0; i < batch.size(); ++i) batch[i]->done.set_value(std::move(results[i]));
  }

  // Checkpoints run here, after the answers, rather than inside COMMIT (SQLite's
  // auto-checkpoint would report a failed checkpoint as a failed COMMIT of data that is in
  // fact durable). A failed checkpoint is retried after the next commit.
  void MaybeCheckpoint() {
    if (wal_frames.load() < kCheckpointFrames) return;
    int log = 0;
    int checkpointed = 0;
    if (sqlite3_wal_checkpoint_v2(writer->raw(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &log,
                                  &checkpointed) == SQLITE_OK &&
        log == checkpointed) {
      wal_frames = 0;
    }
  }

  static int WalHook(void* arg, sqlite3* /*db*/, const char* /*name*/, int frames) {
    static_cast<State*>(arg)->wal_frames = frames;
    return SQLITE_OK;
  }
};

SqliteStore::SqliteStore(std::unique_ptr<State> state) : state_(std::move(state)) {}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(state_->queue_mu);
    state_->stopping = true;
  }
  state_->queue_cv.notify_all();
  if (state_->writer_thread.joinable()) state_->writer_thread.join();
}

base::Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const SqliteOptions& options) {
  if (options.path.empty()) return base::InvalidArgument("the database path is empty");
  auto state = std::make_unique<State>();
  state->options = options;
  const std::string where = " (" + options.path + ")";

  base::Result<std::unique_ptr<Connection>> writer =
      Connection::Open(options.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, options.vfs);
  if (!writer.ok()) return writer.status();
  state->writer = std::move(writer).value();
  Connection& db = *state->writer;

  base::Result<std::string> mode = db.QueryText("PRAGMA journal_mode = WAL", "enabling WAL");
  if (!mode.ok()) return Status(mode.status().code(), mode.status().message() + where);
  if (*mode != "wal") {
    return base::FailedPrecondition("cannot use write-ahead logging for " + options.path +
                                    " (journal mode stays " + *mode + ")");
  }
  const bool full = options.durability == SqliteOptions::Durability::kFull;
  Status st = db.Exec(full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
                      "setting the durability");
  if (st.ok()) st = db.Exec("PRAGMA cache_size = -16000", "setting the cache size");
  // Statement journals (a savepoint per request) in memory rather than in a temporary file
  // created and unlinked for every batch.
  if (st.ok()) st = db.Exec("PRAGMA temp_store = MEMORY", "keeping temporary data in memory");
  if (st.ok()) st = Migrate(db);
  if (!st.ok()) return Status(st.code(), st.message() + where);
  // Our own WAL hook replaces SQLite's auto-checkpoint (see MaybeCheckpoint).
  sqlite3_wal_hook(db.raw(), &State::WalHook, state.get());

  for (int i = 0; i < std::max(1, options.readers); ++i) {
    base::Result<std::unique_ptr<Connection>> reader =
        Connection::Open(options.path, SQLITE_OPEN_READWRITE, options.vfs);
    if (!reader.ok()) return reader.status();
    st = (*reader)->Exec("PRAGMA query_only = 1", "opening a reader");
    if (!st.ok()) return Status(st.code(), st.message() + where);
    state->free_readers.push_back(std::move(reader).value());
  }

  base::Result<std::unique_ptr<StatsTables>> stats = StatsTables::Open(options.path, options.vfs);
  if (!stats.ok()) return Status(stats.status().code(), stats.status().message() + where);
  state->stats = std::move(stats).value();

  try {
    State* s = state.get();
    state->writer_thread = std::thread([s] { s->WriterLoop(); });
  } catch (const std::system_error& e) {
    return base::Internal(std::string("starting the store's writer thread: ") + e.what());
  }
  return std::unique_ptr<SqliteStore>(new SqliteStore(std::move(state)));
}

base::Status SqliteStore::Append(std::vector<CaseAppend> appends) {
  if (appends.empty()) return base::Status::Ok();
  for (const CaseAppend& a : appends) TV_RETURN_IF_ERROR(ValidateCaseAppend(a));
  std::vector<StatsUpdate> stats_updates;  // the facts rows, for the index once committed
  const CaseCache& cache = state_->cases;
  Status st = state_->Submit([&appends, &stats_updates, &cache](Connection& db) -> Status {
    stats_updates.clear();
    for (const CaseAppend& a : appends) {
      TV_RETURN_IF_ERROR(WriteCaseAppend(db, a, cache));
      TV_RETURN_IF_ERROR(WriteCaseFacts(db, a, &stats_updates));
    }
    return Status::Ok();
  });
  if (!st.ok()) return st;
  state_->stats->Apply(stats_updates);
  for (const CaseAppend& a : appends) state_->cases.Put(a.after);  // committed
  return st;
}

base::Result<domain::Case> SqliteStore::GetCase(const std::string& id) {
  State::Lease db(*state_);
  base::Result<int64_t> version = ReadCaseVersion(*db, id);
  if (!version.ok()) return version.status();
  if (std::optional<domain::Case> cached = state_->cases.Get(id, *version)) return *cached;
  return ReadCase(*db, id);
}

base::Result<std::vector<domain::Event>> SqliteStore::GetEvents(const std::string& case_id) {
  State::Lease db(*state_);
  return ReadEvents<CaseKind>(*db, case_id);
}

base::Result<CasePage> SqliteStore::ListCases(const CaseFilter& filter) {
  State::Lease db(*state_);
  return ReadCases(*db, filter);
}

base::Result<std::unordered_map<std::string, int>> SqliteStore::OpenCasesByActor(
    const std::vector<std::string>& open_states) {
  const std::string in = Placeholders(1, open_states.size());
  const std::string sql =
      "SELECT actor, COUNT(*) FROM ("
      "SELECT assignee AS actor FROM cases WHERE assignee <> '' AND state IN (" +
      in +
      ") "
      "UNION ALL SELECT x.actor FROM case_candidates x JOIN cases c ON c.id = x.case_id "
      "WHERE c.state IN (" +
      in + ")) GROUP BY actor";
  State::Lease db(*state_);
  constexpr std::string_view kOp = "counting open cases per actor";
  base::Result<Stmt> stmt = db->Prepare(sql, kOp);
  if (!stmt.ok()) return stmt.status();
  for (size_t i = 0; i < open_states.size(); ++i)
    stmt->Bind(static_cast<int>(i) + 1, open_states[i]);
  std::unordered_map<std::string, int> load;
  while (true) {
    base::Result<bool> row = stmt->Step(kOp);
    if (!row.ok()) return row.status();
    if (!*row) break;
    load[stmt->Text(0)] = static_cast<int>(stmt->Int(1));
  }
  return load;
}

base::Status SqliteStore::ForEachEvent(const std::function<void(const domain::Event&)>& fn) {
  constexpr std::string_view kOp = "reading the event log";
  int64_t after = 0;
  while (true) {
    std::vector<domain::Event> chunk;
    {
      // A chunk per lease: no connection is held (and no snapshot kept) while `fn` runs.
      State::Lease db(*state_);
      base::Result<Stmt> stmt = db->Prepare(
          "SELECT position, payload FROM events WHERE position > ?1 ORDER BY position LIMIT ?2",
          kOp);
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, after).Bind(2, kEventChunk);
      while (true) {
        base::Result<bool> row = stmt->Step(kOp);
        if (!row.ok()) return row.status();
        if (!*row) break;
        base::Result<domain::Event> e = codec::ParseEvent(stmt->Blob(1));
        if (!e.ok()) return base::Internal(std::string(kOp) + ": " + e.status().message());
        after = stmt->Int(0);
        chunk.push_back(std::move(e).value());
      }
    }
    if (chunk.empty()) return base::Status::Ok();
    for (const domain::Event& e : chunk) fn(e);
  }
}

base::Status SqliteStore::Rebuild(const std::function<void(int64_t, int64_t)>& progress) {
  state_->cases.Clear();  // the rebuilt rows may differ at the same versions
  Status st = state_->Submit(
      [&progress](Connection& db) -> Status {
        TV_RETURN_IF_ERROR(RebuildCaseProjections(db, progress));
        TV_RETURN_IF_ERROR(RebuildOfferProjections(db));
        return RebuildCaseFacts(db);
      },
      true);
  state_->cases.Clear();
  if (!st.ok()) return st;
  return state_->stats->Reload();
}

base::Result<projection::Summary> SqliteStore::StatsSummary(const projection::StatsFilter& filter) {
  return state_->stats->Summary(filter);
}

base::Result<std::vector<projection::FlowLink>> SqliteStore::StatsFlow(
    const projection::StatsFilter& filter) {
  return state_->stats->Flow(filter);
}

base::Result<std::vector<projection::TimePoint>> SqliteStore::StatsTimeSeries(
    const projection::StatsFilter& filter, projection::Bucket bucket, projection::Metric metric) {
  return state_->stats->TimeSeries(filter, bucket, metric);
}

base::Status SqliteStore::ForEachCaseRow(
    const projection::StatsFilter& filter,
    const std::function<bool(const projection::CaseFacts&)>& fn) {
  return state_->stats->ForEachCaseRow(filter, fn);
}

base::Result<int64_t> SqliteStore::CountCases() {
  State::Lease db(*state_);
  return db->QueryInt("SELECT COUNT(*) FROM cases", "counting cases");
}

base::Result<int64_t> SqliteStore::CountEvents() {
  State::Lease db(*state_);
  return db->QueryInt("SELECT COUNT(*) FROM events", "counting events");
}

base::Result<int> SqliteStore::RegisterWorkflow(const std::string& definition) {
  int version = 0;
  Status st = state_->Submit([&](Connection& db) -> Status {
    constexpr std::string_view kOp = "registering a workflow definition";
    {
      base::Result<Stmt> find =
          db.Prepare("SELECT version FROM workflows WHERE definition = ?1", kOp);
      if (!find.ok()) return find.status();
      find->BindBlob(1, definition);
      base::Result<bool> row = find->Step(kOp);
      if (!row.ok()) return row.status();
      if (*row) {
        version = static_cast<int>(find->Int(0));
        return Status::Ok();
      }
    }
    base::Result<int64_t> next =
        db.QueryInt("SELECT COALESCE(MAX(version), 0) + 1 FROM workflows", kOp);
    if (!next.ok()) return next.status();
    base::Result<Stmt> insert =
        db.Prepare("INSERT INTO workflows (version, definition) VALUES (?1, ?2)", kOp);
    if (!insert.ok()) return insert.status();
    insert->Bind(1, *next).BindBlob(2, definition);
    TV_RETURN_IF_ERROR(insert->Run(kOp));
    version = static_cast<int>(*next);
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return version;
}

base::Result<std::vector<std::pair<int, std::string>>> SqliteStore::Workflows() {
  State::Lease db(*state_);
  constexpr std::string_view kOp = "reading workflow definitions";
  base::Result<Stmt> stmt =
      db->Prepare("SELECT version, definition FROM workflows ORDER BY version", kOp);
  if (!stmt.ok()) return stmt.status();
  std::vector<std::pair<int, std::string>> out;
  while (true) {
    base::Result<bool> row = stmt->Step(kOp);
    if (!row.ok()) return row.status();
    if (!*row) break;
    out.emplace_back(static_cast<int>(stmt->Int(0)), std::string(stmt->Blob(1)));
  }
  return out;
}

base::Result<std::vector<PositionedEvent>> SqliteStore::EventsAfter(int64_t after, int limit) {
  State::Lease db(*state_);
  constexpr std::string_view kOp = "reading the event log";
  base::Result<Stmt> stmt = db->Prepare(
      "SELECT position, payload FROM events WHERE position > ?1 ORDER BY position LIMIT ?2", kOp);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, after).Bind(2, int64_t{std::clamp(limit, 1, 10'000)});
  std::vector<PositionedEvent> out;
  while (true) {
    base::Result<bool> row = stmt->Step(kOp);
    if (!row.ok()) return row.status();
    if (!*row) break;
    base::Result<domain::Event> e = codec::ParseEvent(stmt->Blob(1));
    if (!e.ok()) return base::Internal(std::string(kOp) + ": " + e.status().message());
    out.push_back({stmt->Int(0), std::move(e).value()});
  }
  return out;
}

base::Result<int64_t> SqliteStore::LastPosition() {
  State::Lease db(*state_);
  return db->QueryInt("SELECT COALESCE(MAX(position), 0) FROM events", "reading the last position");
}

base::Result<std::vector<domain::Case>> SqliteStore::DueCases(base::Time before, int limit) {
  State::Lease db(*state_);
  constexpr std::string_view kOp = "listing cases with due timers";
  base::Result<Stmt> stmt = db->Prepare(
      "SELECT body FROM cases WHERE next_timer IS NOT NULL AND next_timer <= ?1 "
      "ORDER BY next_timer LIMIT ?2",
      kOp);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, base::ToUnixMillis(before)).Bind(2, int64_t{std::clamp(limit, 1, 1000)});
  std::vector<domain::Case> out;
  while (true) {
    base::Result<bool> row = stmt->Step(kOp);
    if (!row.ok()) return row.status();
    if (!*row) break;
    base::Result<domain::Case> c = codec::ParseCase(stmt->Blob(0));
    if (!c.ok()) return base::Internal(std::string(kOp) + ": " + c.status().message());
    out.push_back(std::move(c).value());
  }
  return out;
}

base::Status SqliteStore::SetNextTimer(const std::string& id, int64_t version,
                                       std::optional<base::Time> next) {
  return state_->Submit([&](Connection& db) -> Status {
    const std::string op = "setting the next timer of case " + id;
    base::Result<Stmt> stmt =
        db.Prepare("UPDATE cases SET next_timer = ?1 WHERE id = ?2 AND version = ?3", op);
    if (!stmt.ok()) return stmt.status();
    if (next) {
      stmt->Bind(1, base::ToUnixMillis(*next));
    } else {
      stmt->BindNull(1);
    }
    stmt->Bind(2, id).Bind(3, version);
    TV_RETURN_IF_ERROR(stmt->Run(op));
    if (sqlite3_changes(db.raw()) > 0) return Status::Ok();
    base::Result<Stmt> find = db.Prepare("SELECT version FROM cases WHERE id = ?1", op);
    if (!find.ok()) return find.status();
    find->Bind(1, id);
    base::Result<bool> row = find->Step(op);
    if (!row.ok()) return row.status();
    if (!*row) return base::NotFound("case '" + id + "' not found");
    return base::Aborted("case " + id + " is at version " + std::to_string(find->Int(0)) +
                         ", not " + std::to_string(version));
  });
}

SqliteStats SqliteStore::stats() const {
  SqliteStats s;
  s.requests = state_->requests.load();
  s.commits = state_->commits.load();
  s.failed_commits = state_->failed_commits.load();
  s.largest_batch = state_->largest_batch.load();
  return s;
}

base::Result<std::string> SqliteStore::WriterPragma(std::string_view name) {
  if (name.empty() || !std::all_of(name.begin(), name.end(),
                                   [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; })) {
    return base::InvalidArgument("not a pragma name: " + std::string(name));
  }
  std::string value;
  const std::string sql = "PRAGMA " + std::string(name);
  Status st = state_->Submit([&](Connection& db) -> Status {
    base::Result<std::string> v = db.QueryText(sql, "reading " + sql);
    if (!v.ok()) return v.status();
    value = *v;
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return value;
}

base::Result<std::string> SqliteStore::IntegrityCheck() {
  State::Lease db(*state_);
  constexpr std::string_view kOp = "checking the database's integrity";
  base::Result<Stmt> stmt = db->Prepare("PRAGMA integrity_check", kOp);
  if (!stmt.ok()) return stmt.status();
  std::string out;
  while (true) {
    base::Result<bool> row = stmt->Step(kOp);
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (!out.empty()) out += "\n";
    out += stmt->Text(0);
  }
  return out;
}

// --- Offers (offer_tables.h): writes through the single writer, reads on a leased reader. ---

base::Status SqliteStore::AppendOffer(OfferAppend append) {
  TV_RETURN_IF_ERROR(ValidateOfferAppend(append));
  return state_->Submit([&append](Connection& db) { return WriteOfferAppend(db, append); });
}

base::Result<domain::Offer> SqliteStore::GetOffer(const std::string& id) {
  State::Lease db(*state_);
  return ReadOffer(*db, id);
}

base::Result<OfferPage> SqliteStore::ListOffers(const OfferFilter& filter) {
  State::Lease db(*state_);
  return ReadOffers(*db, filter);
}

base::Result<std::vector<domain::OfferEvent>> SqliteStore::OfferEvents(const std::string& id) {
  State::Lease db(*state_);
  return ReadEvents<OfferKind>(*db, id);
}

}  // namespace tillvaxt::store::sqlite
