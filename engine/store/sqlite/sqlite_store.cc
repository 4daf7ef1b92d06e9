#include "engine/store/sqlite/sqlite_store.h"

#include <algorithm>
#include <atomic>
#include <charconv>
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
#include "engine/domain/decider.h"
#include "engine/store/sqlite/db.h"
#include "engine/store/sqlite/offer_tables.h"
#include "engine/store/sqlite/schema.h"
#include "engine/store/sqlite/text_search.h"
#include "engine/store/sqlite/stats_tables.h"

namespace tillvaxt::store::sqlite {
namespace {

using base::Status;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;
constexpr int64_t kCheckpointFrames = 1000;  // WAL frames before a passive checkpoint
constexpr int64_t kEventChunk = 1000;        // events per read in ForEachEvent and Rebuild

struct WriteRequest {
  std::function<Status(Connection&)> work;
  bool alone = false;  // runs in a batch of its own (rebuild)
  std::promise<Status> done;
};

// --- Page tokens: hex of "<create_time ms>,<id>", opaque to clients. ---

std::string EncodePageToken(int64_t create_ms, const std::string& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string raw = std::to_string(create_ms) + "," + id;
  std::string out;
  out.reserve(raw.size() * 2);
  for (unsigned char ch : raw) {
    out.push_back(kHex[ch >> 4]);
    out.push_back(kHex[ch & 0xf]);
  }
  return out;
}

bool DecodePageToken(const std::string& token, int64_t* create_ms, std::string* id) {
  if (token.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string raw;
  raw.reserve(token.size() / 2);
  for (size_t i = 0; i < token.size(); i += 2) {
    const int hi = nibble(token[i]);
    const int lo = nibble(token[i + 1]);
    if (hi < 0 || lo < 0) return false;
    raw.push_back(static_cast<char>(hi * 16 + lo));
  }
  const size_t comma = raw.find(',');
  if (comma == std::string::npos || comma == 0) return false;
  const char* begin = raw.data();
  const char* end = raw.data() + comma;
  auto [ptr, ec] = std::from_chars(begin, end, *create_ms);
  if (ec != std::errc() || ptr != end) return false;
  *id = raw.substr(comma + 1);
  return true;
}

std::string Placeholders(int first, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i > 0) out += ", ";
    out += "?" + std::to_string(first + static_cast<int>(i));
  }
  return out.empty() ? "NULL" : out;  // `x IN (NULL)` matches nothing
}

Status ValidateAppend(const CaseAppend& a) {
  const std::string& id = a.after.id;
  if (id.empty()) return base::InvalidArgument("append: the case after the events has no id");
  if (a.expected_version < 0) {
    return base::InvalidArgument("append to case " + id + ": negative expected version");
  }
  if (a.events.empty()) return base::InvalidArgument("append to case " + id + ": no events");
  for (size_t i = 0; i < a.events.size(); ++i) {
    const domain::Event& e = a.events[i];
    const int64_t want = a.expected_version + static_cast<int64_t>(i) + 1;
    if (e.case_id != id) {
      return base::InvalidArgument("append to case " + id + ": event " + std::to_string(i) +
                                   " belongs to case " + e.case_id);
    }
    if (e.seq != want) {
      return base::InvalidArgument("append to case " + id + ": event " + std::to_string(i) +
                                   " has seq " + std::to_string(e.seq) + ", expected " +
                                   std::to_string(want));
    }
  }
  const int64_t after_version = a.expected_version + static_cast<int64_t>(a.events.size());
  if (a.after.version != after_version) {
    return base::InvalidArgument("append to case " + id + ": the case after has version " +
                                 std::to_string(a.after.version) + ", expected " +
                                 std::to_string(after_version));
  }
  return Status::Ok();
}

Status InsertActors(Connection& db, const char* sql, const std::string& case_id,
                    const std::vector<std::string>& values, std::string_view op) {
  for (const std::string& v : values) {
    base::Result<Stmt> stmt = db.Prepare(sql, op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, case_id).Bind(2, v);
    TV_RETURN_IF_ERROR(stmt->Run(op));
  }
  return Status::Ok();
}

// Writes the projection rows of `c`: the cases row and its candidate, involved-actor, need and
// area rows. `existing`: the case may already have rows to replace.
Status WriteProjection(Connection& db, const domain::Case& c, bool existing) {
  const std::string op = "writing the projection of case " + c.id;
  {
    base::Result<Stmt> stmt = db.Prepare(
        "INSERT INTO cases (id, state, level, node, assignee, org_number, parent_id, title, "
        "description, create_time, update_time, version, workflow_version, highest_level, "
        "deadline, body, next_timer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
        "?13, ?14, ?15, ?16, ?11) ON CONFLICT (id) DO UPDATE SET state = excluded.state, level = "
        "excluded.level, node = excluded.node, assignee = excluded.assignee, org_number = "
        "excluded.org_number, parent_id = excluded.parent_id, title = excluded.title, "
        "description = excluded.description, create_time = excluded.create_time, update_time = "
        "excluded.update_time, version = excluded.version, workflow_version = "
        "excluded.workflow_version, highest_level = excluded.highest_level, deadline = "
        "excluded.deadline, body = excluded.body, next_timer = excluded.next_timer",
        op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, c.id)
        .Bind(2, c.state)
        .Bind(3, c.level)
        .Bind(4, c.node)
        .Bind(5, c.assignee)
        .Bind(6, c.company.org_number)
        .Bind(7, c.parent_id)
        .Bind(8, c.title)
        .Bind(9, c.description)
        .Bind(10, base::ToUnixMillis(c.create_time))
        .Bind(11, base::ToUnixMillis(c.update_time))
        .Bind(12, c.version)
        .Bind(13, int64_t{c.workflow_version})
        .Bind(14, c.highest_level);
    if (c.deadline) {
      stmt->Bind(15, base::ToUnixMillis(*c.deadline));
    } else {
      stmt->BindNull(15);
    }
    stmt->BindBlob(16, codec::SerializeCase(c));
    TV_RETURN_IF_ERROR(stmt->Run(op));
  }
  if (existing) {
    for (const char* sql : {"DELETE FROM case_candidates WHERE case_id = ?1",
                            "DELETE FROM case_involved WHERE case_id = ?1",
                            "DELETE FROM case_needs WHERE case_id = ?1",
                            "DELETE FROM case_areas WHERE case_id = ?1"}) {
      base::Result<Stmt> stmt = db.Prepare(sql, op);
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, c.id);
      TV_RETURN_IF_ERROR(stmt->Run(op));
    }
  }
  TV_RETURN_IF_ERROR(InsertActors(
      db, "INSERT OR IGNORE INTO case_candidates (case_id, actor) VALUES (?1, ?2)", c.id,
      c.candidates, op));
  TV_RETURN_IF_ERROR(InsertActors(
      db, "INSERT OR IGNORE INTO case_involved (case_id, actor) VALUES (?1, ?2)", c.id,
      c.involved_actors, op));
  TV_RETURN_IF_ERROR(InsertActors(
      db, "INSERT OR IGNORE INTO case_needs (case_id, need) VALUES (?1, ?2)", c.id, c.needs, op));
  TV_RETURN_IF_ERROR(InsertActors(
      db, "INSERT OR IGNORE INTO case_areas (case_id, area) VALUES (?1, ?2)", c.id, c.areas, op));
  // The Swedish full-text row of the case, in the same transaction (text_search.h).
  return IndexCaseText(db, c.id, c.title, c.description);
}

// One case's events and projection, inside the caller's savepoint.
Status WriteAppend(Connection& db, const CaseAppend& a) {
  const std::string& id = a.after.id;
  int64_t current = 0;
  bool exists = false;
  {
    const std::string op = "reading the version of case " + id;
    base::Result<Stmt> stmt = db.Prepare("SELECT version FROM cases WHERE id = ?1", op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, id);
    base::Result<bool> row = stmt->Step(op);
    if (!row.ok()) return row.status();
    if (*row) {
      exists = true;
      current = stmt->Int(0);
    }
  }
  if (a.expected_version == 0 && exists) {
    return base::Aborted("case " + id + " already exists (version " + std::to_string(current) +
                         ")");
  }
  if (current != a.expected_version) {
    return base::Aborted("case " + id + " was changed concurrently (version " +
                         std::to_string(current) + ", expected " +
                         std::to_string(a.expected_version) + ")");
  }
  const std::string op = "appending events of case " + id;
  for (const domain::Event& e : a.events) {
    base::Result<Stmt> stmt = db.Prepare(
        "INSERT INTO events (case_id, seq, type, time, user, payload) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, e.case_id)
        .Bind(2, e.seq)
        .Bind(3, std::string_view(domain::EventTypeName(e.type)))
        .Bind(4, base::ToUnixMillis(e.time))
        .Bind(5, e.user)
        .BindBlob(6, codec::SerializeEvent(e));
    TV_RETURN_IF_ERROR(stmt->Run(op));
  }
  return WriteProjection(db, a.after, exists);
}

Status DeleteProjections(Connection& db) {
  return db.Exec(
      "DELETE FROM case_candidates; DELETE FROM case_involved; DELETE FROM case_needs; "
      "DELETE FROM case_areas; DELETE FROM case_search; DELETE FROM cases;",
      "rebuild: deleting the projections");
}

// Refills every projection from the events, one case at a time (events ordered by case and
// seq through the (case_id, seq) index).
Status RebuildProjections(Connection& db, const std::function<void(int64_t, int64_t)>& progress) {
  base::Result<int64_t> total = db.QueryInt("SELECT COUNT(*) FROM events", "rebuild: counting");
  if (!total.ok()) return total.status();
  TV_RETURN_IF_ERROR(DeleteProjections(db));
  constexpr std::string_view kOp = "rebuild: reading events";
  int64_t done = 0;
  std::string case_id;
  std::vector<domain::Event> events;
  auto flush = [&]() -> Status {
    if (events.empty()) return Status::Ok();
    const domain::Case c = domain::Fold(events);
    events.clear();
    return WriteProjection(db, c, false);
  };
  // Keyset over (case_id, seq) in chunks, so no read cursor stays open across the writes.
  std::string after_case;
  int64_t after_seq = 0;
  while (true) {
    std::vector<domain::Event> chunk;
    {
      base::Result<Stmt> stmt = db.Prepare(
          "SELECT payload FROM events WHERE (case_id, seq) > (?1, ?2) "
          "ORDER BY case_id, seq LIMIT ?3",
          kOp);
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, after_case).Bind(2, after_seq).Bind(3, kEventChunk);
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
    for (domain::Event& e : chunk) {
      if (e.case_id != case_id) {
        TV_RETURN_IF_ERROR(flush());
        case_id = e.case_id;
      }
      events.push_back(std::move(e));
    }
    done += static_cast<int64_t>(chunk.size());
    if (progress) progress(done, *total);
  }
  TV_RETURN_IF_ERROR(flush());
  TV_RETURN_IF_ERROR(RebuildOfferProjections(db));
  if (progress && done == 0) progress(0, 0);
  return Status::Ok();
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
          results[i] = Status(batch_error.code(),
                              "the write was not committed: " + batch_error.message());
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
  for (const CaseAppend& a : appends) TV_RETURN_IF_ERROR(ValidateAppend(a));
  std::vector<StatsUpdate> stats_updates;  // the facts rows, for the index once committed
  Status st = state_->Submit([&appends, &stats_updates](Connection& db) -> Status {
    stats_updates.clear();
    for (const CaseAppend& a : appends) {
      TV_RETURN_IF_ERROR(WriteAppend(db, a));
      TV_RETURN_IF_ERROR(WriteCaseFacts(db, a, &stats_updates));
    }
    return Status::Ok();
  });
  if (st.ok()) state_->stats->Apply(stats_updates);
  return st;
}

base::Result<domain::Case> SqliteStore::GetCase(const std::string& id) {
  State::Lease db(*state_);
  const std::string op = "reading case " + id;
  base::Result<Stmt> stmt = db->Prepare("SELECT body FROM cases WHERE id = ?1", op);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id);
  base::Result<bool> row = stmt->Step(op);
  if (!row.ok()) return row.status();
  if (!*row) return base::NotFound("case '" + id + "' not found");
  base::Result<domain::Case> c = codec::ParseCase(stmt->Blob(0));
  if (!c.ok()) return base::Internal(op + ": " + c.status().message());
  return c;
}

base::Result<std::vector<domain::Event>> SqliteStore::GetEvents(const std::string& case_id) {
  State::Lease db(*state_);
  const std::string op = "reading the events of case " + case_id;
  base::Result<Stmt> stmt =
      db->Prepare("SELECT payload FROM events WHERE case_id = ?1 ORDER BY seq", op);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, case_id);
  std::vector<domain::Event> events;
  while (true) {
    base::Result<bool> row = stmt->Step(op);
    if (!row.ok()) return row.status();
    if (!*row) break;
    base::Result<domain::Event> e = codec::ParseEvent(stmt->Blob(0));
    if (!e.ok()) return base::Internal(op + ": " + e.status().message());
    events.push_back(std::move(e).value());
  }
  if (events.empty()) return base::NotFound("case '" + case_id + "' not found");
  return events;
}

base::Result<CasePage> SqliteStore::ListCases(const CaseFilter& f) {
  int page_size = f.page_size == 0 ? kDefaultPageSize : std::clamp(f.page_size, 1, kMaxPageSize);
  int64_t after_ms = 0;
  std::string after_id;
  const bool paged = !f.page_token.empty();
  if (paged && !DecodePageToken(f.page_token, &after_ms, &after_id)) {
    return base::InvalidField("pageToken", "not a token this server returned");
  }

  // Build the statement: each used filter adds a condition and its parameters, in order.
  std::string sql = "SELECT c.body, c.create_time, c.id FROM cases c WHERE 1";
  std::vector<std::string> params;
  auto param = [&](std::string value) {
    params.push_back(std::move(value));
    return "?" + std::to_string(params.size());
  };
  auto equal = [&](const char* column, const std::string& value) {
    if (!value.empty()) sql += std::string(" AND c.") + column + " = " + param(value);
  };
  auto member = [&](const char* table, const char* column, const std::string& value) {
    if (value.empty()) return;
    // Through the table's (value, case_id) index.
    sql += std::string(" AND c.id IN (SELECT case_id FROM ") + table + " WHERE " + column +
           " = " + param(value) + ")";
  };
  equal("state", f.state);
  equal("level", f.level);
  equal("node", f.node);
  equal("assignee", f.assignee);
  equal("org_number", f.org_number);
  equal("parent_id", f.parent_id);
  member("case_needs", "need", f.need);
  member("case_areas", "area", f.area);
  member("case_candidates", "actor", f.candidate);
  member("case_involved", "actor", f.involved_actor);
  if (!f.q.empty()) {
    // Swedish full-text search (text_search.h); a query without words matches nothing.
    const std::string match = SearchQuery(f.q);
    if (match.empty()) return CasePage{};
    // Few matches: fetch them and sort. Many: walk the cases in page order and look each up in
    // the full-text index, which stops after a page (text_search.h CountCaseMatches).
    constexpr int64_t kFewMatches = 20000;
    base::Result<int64_t> matches = [&]() {
      State::Lease search(*state_);
      return CountCaseMatches(*search, match, kFewMatches);
    }();
    if (!matches.ok()) return matches.status();
    if (*matches < kFewMatches) {
      sql += " AND c.rowid IN (SELECT rowid FROM case_search WHERE case_search MATCH " +
             param(match) + ")";
    } else {
      sql += " AND EXISTS (SELECT 1 FROM case_search WHERE case_search MATCH " + param(match) +
             " AND rowid = c.rowid)";
    }
  }
  if (f.open_only) {
    const int first = static_cast<int>(params.size()) + 1;
    for (const std::string& s : f.open_states) params.push_back(s);
    sql += " AND c.state IN (" + Placeholders(first, f.open_states.size()) + ")";
  }
  int ms_param = 0;
  if (paged) {
    params.push_back(after_id);
    const std::string id_p = "?" + std::to_string(params.size());
    ms_param = static_cast<int>(params.size()) + 1;
    const std::string ms_p = "?" + std::to_string(ms_param);
    sql += " AND (c.create_time < " + ms_p + " OR (c.create_time = " + ms_p + " AND c.id < " +
           id_p + "))";
  }
  const int limit_param = (paged ? ms_param : static_cast<int>(params.size())) + 1;
  sql += " ORDER BY c.create_time DESC, c.id DESC LIMIT ?" + std::to_string(limit_param);

  State::Lease db(*state_);
  constexpr std::string_view kOp = "listing cases";
  base::Result<Stmt> stmt = db->Prepare(sql, kOp);
  if (!stmt.ok()) return stmt.status();
  for (size_t i = 0; i < params.size(); ++i) stmt->Bind(static_cast<int>(i) + 1, params[i]);
  if (paged) stmt->Bind(ms_param, after_ms);
  stmt->Bind(limit_param, int64_t{page_size} + 1);

  CasePage page;
  int64_t last_ms = 0;
  std::string last_id;
  while (true) {
    base::Result<bool> row = stmt->Step(kOp);
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.cases.size()) == page_size) {  // one more exists: another page
      page.next_page_token = EncodePageToken(last_ms, last_id);
      break;
    }
    base::Result<domain::Case> c = codec::ParseCase(stmt->Blob(0));
    if (!c.ok()) return base::Internal(std::string(kOp) + ": " + c.status().message());
    last_ms = stmt->Int(1);
    last_id = stmt->Text(2);
    page.cases.push_back(std::move(c).value());
  }
  return page;
}

base::Result<std::unordered_map<std::string, int>> SqliteStore::OpenCasesByActor(
    const std::vector<std::string>& open_states) {
  const std::string in = Placeholders(1, open_states.size());
  const std::string sql =
      "SELECT actor, COUNT(*) FROM ("
      "SELECT assignee AS actor FROM cases WHERE assignee <> '' AND state IN (" + in + ") "
      "UNION ALL SELECT x.actor FROM case_candidates x JOIN cases c ON c.id = x.case_id "
      "WHERE c.state IN (" + in + ")) GROUP BY actor";
  State::Lease db(*state_);
  constexpr std::string_view kOp = "counting open cases per actor";
  base::Result<Stmt> stmt = db->Prepare(sql, kOp);
  if (!stmt.ok()) return stmt.status();
  for (size_t i = 0; i < open_states.size(); ++i) stmt->Bind(static_cast<int>(i) + 1, open_states[i]);
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
  Status st = state_->Submit(
      [&progress](Connection& db) -> Status {
        TV_RETURN_IF_ERROR(RebuildProjections(db, progress));
        return RebuildCaseFacts(db);
      },
      true);
  if (!st.ok()) return st;
  return state_->stats->Reload();
}

base::Result<projection::Summary> SqliteStore::StatsSummary(
    const projection::StatsFilter& filter) {
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
  if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || c == '_';
      })) {
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
  return ReadOfferEvents(*db, id);
}

}  // namespace tillvaxt::store::sqlite
