#include "engine/store/postgres/postgres_store.h"

#include <algorithm>
#include <utility>

#include "engine/codec/event_codec.h"
#include "engine/store/append_checks.h"
#include "engine/store/postgres/case_tables.h"
#include "engine/store/postgres/offer_tables.h"
#include "engine/store/postgres/pool.h"
#include "engine/store/postgres/schema.h"
#include "engine/store/postgres/stats_tables.h"

namespace tillvaxt::store::postgres {
namespace {

using base::Status;

constexpr int64_t kEventChunk = 1000;  // events per read in ForEachEvent

}  // namespace

struct PostgresStore::State {
  explicit State(const PostgresOptions& options)
      : pool(options.conninfo, std::max(1, options.connections)), stats(pool) {}
  Pool pool;
  StatsTables stats;

  // Runs `read` on a leased connection.
  template <class T, class Fn>
  base::Result<T> Read(Fn&& read) {
    base::Result<Pool::Lease> db = pool.Get();
    if (!db.ok()) return db.status();
    return read(**db);
  }
  // Runs `work` in a transaction on a leased connection.
  template <class Work>
  Status Write(Work&& work) {
    base::Result<Pool::Lease> db = pool.Get();
    if (!db.ok()) return db.status();
    Connection& conn = **db;
    return InTransaction(conn, [&] { return work(conn); });
  }
};

PostgresStore::PostgresStore(std::unique_ptr<State> state) : state_(std::move(state)) {}
PostgresStore::~PostgresStore() = default;

base::Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const PostgresOptions& options) {
  if (options.conninfo.empty()) return base::InvalidArgument("the PostgreSQL address is empty");
  auto state = std::make_unique<State>(options);
  {
    base::Result<Pool::Lease> db = state->pool.Get();
    if (!db.ok()) return db.status();
    Status st = Migrate(**db);
    if (!st.ok()) {
      return Status(st.code(),
                    st.message() + " (" + RedactConnectionString(options.conninfo) + ")");
    }
  }
  return std::unique_ptr<PostgresStore>(new PostgresStore(std::move(state)));
}

Status PostgresStore::Ping() {
  return state_
      ->Read<bool>([](Connection& db) -> base::Result<bool> {
        base::Result<Result> r = db.Query("SELECT 1", "checking the database");
        if (!r.ok()) return r.status();
        return true;
      })
      .status();
}

Status PostgresStore::Append(std::vector<CaseAppend> appends) {
  if (appends.empty()) return Status::Ok();
  for (const CaseAppend& a : appends) TV_RETURN_IF_ERROR(ValidateCaseAppend(a));
  return state_->Write([&](Connection& db) { return WriteCaseAppends(db, appends); });
}

base::Result<domain::Case> PostgresStore::GetCase(const std::string& id) {
  return state_->Read<domain::Case>([&](Connection& db) { return ReadCase(db, id); });
}

base::Result<std::vector<domain::Event>> PostgresStore::GetEvents(const std::string& case_id) {
  return state_->Read<std::vector<domain::Event>>(
      [&](Connection& db) { return ReadCaseEvents(db, case_id); });
}

base::Result<CasePage> PostgresStore::ListCases(const CaseFilter& filter) {
  return state_->Read<CasePage>([&](Connection& db) { return ReadCases(db, filter); });
}

base::Result<std::unordered_map<std::string, int>> PostgresStore::OpenCasesByActor(
    const std::vector<std::string>& open_states) {
  using Load = std::unordered_map<std::string, int>;
  return state_->Read<Load>([&](Connection& db) -> base::Result<Load> {
    Params p;
    p.TextArray(open_states);
    // Each case counts once per actor, as assignee and as candidate.
    base::Result<Result> r = db.Query(
        "SELECT actor, count(*) FROM ("
        "SELECT assignee AS actor FROM cases WHERE assignee <> '' AND state = ANY($1::text[]) "
        "UNION ALL SELECT x FROM (SELECT DISTINCT c.id, x FROM cases c, unnest(c.candidates) x "
        "WHERE c.state = ANY($1::text[])) AS d) AS t GROUP BY actor",
        p, "counting open cases per actor");
    if (!r.ok()) return r.status();
    Load load;
    for (int i = 0; i < r->rows(); ++i) load[r->Text(i, 0)] = static_cast<int>(r->Int(i, 1));
    return load;
  });
}

Status PostgresStore::ForEachEvent(const std::function<void(const domain::Event&)>& fn) {
  int64_t after = 0;
  while (true) {
    // A chunk per lease: no connection is held while `fn` runs.
    base::Result<std::vector<PositionedEvent>> chunk = state_->Read<std::vector<PositionedEvent>>(
        [&](Connection& db) { return ReadEventsAfter(db, after, kEventChunk); });
    if (!chunk.ok()) return chunk.status();
    if (chunk->empty()) return Status::Ok();
    after = chunk->back().position;
    for (const PositionedEvent& e : *chunk) fn(e.event);
  }
}

Status PostgresStore::Rebuild(const std::function<void(int64_t, int64_t)>& progress) {
  return state_->Write([&](Connection& db) -> Status {
    TV_RETURN_IF_ERROR(RebuildCaseProjections(db, progress));
    return RebuildOfferProjections(db);
  });
}

namespace {

base::Result<int64_t> Count(Connection& db, const char* sql, std::string_view op) {
  base::Result<Result> r = db.Query(sql, op);
  if (!r.ok()) return r.status();
  return r->Int(0, 0);
}

}  // namespace

base::Result<int64_t> PostgresStore::CountCases() {
  return state_->Read<int64_t>(
      [](Connection& db) { return Count(db, "SELECT count(*) FROM cases", "counting cases"); });
}

base::Result<int64_t> PostgresStore::CountEvents() {
  return state_->Read<int64_t>(
      [](Connection& db) { return Count(db, "SELECT count(*) FROM events", "counting events"); });
}

base::Result<int> PostgresStore::RegisterWorkflow(const std::string& definition) {
  int version = 0;
  Status st = state_->Write([&](Connection& db) -> Status {
    constexpr std::string_view kOp = "registering a workflow definition";
    // One registration at a time across instances: the same bytes get one number.
    TV_RETURN_IF_ERROR(db.Exec("LOCK TABLE workflows IN SHARE ROW EXCLUSIVE MODE", kOp));
    Params p;
    p.Bytes(definition);
    base::Result<Result> found =
        db.Query("SELECT version FROM workflows WHERE definition = $1", p, kOp);
    if (!found.ok()) return found.status();
    if (found->rows() > 0) {
      version = static_cast<int>(found->Int(0, 0));
      return Status::Ok();
    }
    base::Result<Result> inserted = db.Query(
        "INSERT INTO workflows (version, definition) "
        "SELECT COALESCE(MAX(version), 0) + 1, $1 FROM workflows RETURNING version",
        p, kOp);
    if (!inserted.ok()) return inserted.status();
    version = static_cast<int>(inserted->Int(0, 0));
    return Status::Ok();
  });
  if (!st.ok()) return st;
  return version;
}

base::Result<std::vector<std::pair<int, std::string>>> PostgresStore::Workflows() {
  using List = std::vector<std::pair<int, std::string>>;
  return state_->Read<List>([](Connection& db) -> base::Result<List> {
    base::Result<Result> r = db.Query("SELECT version, definition FROM workflows ORDER BY version",
                                      "reading workflow definitions");
    if (!r.ok()) return r.status();
    List out;
    for (int i = 0; i < r->rows(); ++i) {
      out.emplace_back(static_cast<int>(r->Int(i, 0)), r->Bytes(i, 1));
    }
    return out;
  });
}

base::Result<std::vector<PositionedEvent>> PostgresStore::EventsAfter(int64_t after, int limit) {
  return state_->Read<std::vector<PositionedEvent>>([&](Connection& db) {
    return ReadEventsAfter(db, after, int64_t{std::clamp(limit, 1, 10'000)});
  });
}

base::Result<int64_t> PostgresStore::LastPosition() {
  return state_->Read<int64_t>([](Connection& db) {
    return Count(db, "SELECT last FROM log_position", "reading the last position");
  });
}

base::Result<std::vector<domain::Case>> PostgresStore::DueCases(base::Time before, int limit) {
  using List = std::vector<domain::Case>;
  return state_->Read<List>([&](Connection& db) -> base::Result<List> {
    constexpr std::string_view kOp = "listing cases with due timers";
    Params p;
    p.Int(base::ToUnixMillis(before)).Int(std::clamp(limit, 1, 1000));
    base::Result<Result> r = db.Query(
        "SELECT body FROM cases WHERE next_timer IS NOT NULL AND next_timer <= $1 "
        "ORDER BY next_timer LIMIT $2",
        p, kOp);
    if (!r.ok()) return r.status();
    List out;
    for (int i = 0; i < r->rows(); ++i) {
      base::Result<domain::Case> c = codec::ParseCase(r->Bytes(i, 0));
      if (!c.ok()) return base::Internal(std::string(kOp) + ": " + c.status().message());
      out.push_back(std::move(c).value());
    }
    return out;
  });
}

Status PostgresStore::SetNextTimer(const std::string& id, int64_t version,
                                   std::optional<base::Time> next) {
  return state_
      ->Read<bool>([&](Connection& db) -> base::Result<bool> {
        const std::string op = "setting the next timer of case " + id;
        Params p;
        if (next) {
          p.Int(base::ToUnixMillis(*next));
        } else {
          p.Null();
        }
        p.Text(id).Int(version);
        // One statement: the version check and the write are atomic without a
        // transaction of our own.
        base::Result<Result> r =
            db.Query("UPDATE cases SET next_timer = $1 WHERE id = $2 AND version = $3", p, op);
        if (!r.ok()) return r.status();
        if (r->Affected() > 0) return true;
        Params find;
        find.Text(id);
        base::Result<Result> now = db.Query("SELECT version FROM cases WHERE id = $1", find, op);
        if (!now.ok()) return now.status();
        if (now->rows() == 0) return base::NotFound("case '" + id + "' not found");
        return base::Aborted("case " + id + " is at version " + std::to_string(now->Int(0, 0)) +
                             ", not " + std::to_string(version));
      })
      .status();
}

base::Result<projection::Summary> PostgresStore::StatsSummary(
    const projection::StatsFilter& filter) {
  return state_->stats.Summary(filter);
}

base::Result<std::vector<projection::FlowLink>> PostgresStore::StatsFlow(
    const projection::StatsFilter& filter) {
  return state_->stats.Flow(filter);
}

base::Result<std::vector<projection::TimePoint>> PostgresStore::StatsTimeSeries(
    const projection::StatsFilter& filter, projection::Bucket bucket, projection::Metric metric) {
  return state_->stats.TimeSeries(filter, bucket, metric);
}

Status PostgresStore::ForEachCaseRow(const projection::StatsFilter& filter,
                                     const std::function<bool(const projection::CaseFacts&)>& fn) {
  return state_->stats.ForEachCaseRow(filter, fn);
}

// --- Offers (offer_tables.h). ---

Status PostgresStore::AppendOffer(OfferAppend append) {
  TV_RETURN_IF_ERROR(ValidateOfferAppend(append));
  return state_->Write([&](Connection& db) { return WriteOfferAppend(db, append); });
}

base::Result<domain::Offer> PostgresStore::GetOffer(const std::string& id) {
  return state_->Read<domain::Offer>([&](Connection& db) { return ReadOffer(db, id); });
}

base::Result<OfferPage> PostgresStore::ListOffers(const OfferFilter& filter) {
  return state_->Read<OfferPage>([&](Connection& db) { return ReadOffers(db, filter); });
}

base::Result<std::vector<domain::OfferEvent>> PostgresStore::OfferEvents(const std::string& id) {
  return state_->Read<std::vector<domain::OfferEvent>>(
      [&](Connection& db) { return ReadOfferEvents(db, id); });
}

}  // namespace tillvaxt::store::postgres
