#include "engine/store/postgres/stats_tables.h"

#include <climits>
#include <string>
#include <utility>

namespace tillvaxt::store::postgres {
namespace {

using base::Status;

constexpr int64_t kChunk = 2000;  // rows per read when catching up and exporting

// Writes `facts` as the case's row: updated in place when it exists (its slot stays the row of
// every instance's index), inserted otherwise.
Status PutFacts(Connection& db, const projection::CaseFacts& facts, int64_t stamp,
                std::string_view op) {
  Params p;
  p.Text(facts.id)
      .Int(base::ToUnixMillis(facts.created))
      .Int(facts.version)
      .Int(stamp)
      .Bytes(projection::EncodeFacts(facts));
  base::Result<Result> updated = db.Query(
      "UPDATE case_facts SET create_time = $2, version = $3, stamp = $4, facts = $5 "
      "WHERE case_id = $1",
      p, op);
  if (!updated.ok()) return updated.status();
  if (updated->Affected() > 0) return Status::Ok();
  base::Result<Result> inserted = db.Query(
      "INSERT INTO case_facts (case_id, create_time, version, stamp, facts) "
      "VALUES ($1, $2, $3, $4, $5)",
      p, op);
  return inserted.ok() ? Status::Ok() : inserted.status();
}

}  // namespace

Status WriteCaseFacts(Connection& db, const CaseAppend& a, int64_t stamp) {
  const std::string op = "updating the facts of case " + a.after.id;
  projection::CaseFacts facts;
  Params p;
  p.Text(a.after.id);
  base::Result<Result> row = db.Query("SELECT facts FROM case_facts WHERE case_id = $1", p, op);
  if (!row.ok()) return row.status();
  if (row->rows() > 0) {
    base::Result<projection::CaseFacts> f = projection::DecodeFacts(row->Bytes(0, 0));
    if (!f.ok()) return base::Internal(op + ": " + f.status().message());
    facts = std::move(f).value();
  }
  for (const domain::Event& e : a.events) projection::ApplyFact(facts, e);
  return PutFacts(db, facts, stamp, op);
}

Status WriteRefoldedFacts(Connection& db, const std::vector<domain::Event>& events, int64_t stamp) {
  projection::CaseFacts facts;
  for (const domain::Event& e : events) projection::ApplyFact(facts, e);
  return PutFacts(db, facts, stamp, "rebuild: writing case facts");
}

Status StatsTables::CatchUp() {
  constexpr std::string_view kOp = "reading the statistics facts";
  std::lock_guard lock(mu_);
  base::Result<Pool::Lease> db = pool_.Get();
  if (!db.ok()) return db.status();
  while (true) {
    Params p;
    p.Int(seen_).Int(kChunk);
    base::Result<Result> r = (*db)->Query(
        "SELECT slot, stamp, facts FROM case_facts WHERE stamp > $1 ORDER BY stamp LIMIT $2", p,
        kOp);
    if (!r.ok()) return r.status();
    int64_t last = seen_;
    for (int i = 0; i < r->rows(); ++i) {
      base::Result<projection::CaseFacts> f = projection::DecodeFacts(r->Bytes(i, 2));
      if (!f.ok()) return base::Internal(std::string(kOp) + ": " + f.status().message());
      index_.Upsert(r->Int(i, 0), *f);
      last = r->Int(i, 1);
    }
    // Rows of one stamp may straddle a chunk: the next read starts after the last full stamp.
    if (r->rows() < kChunk) {
      seen_ = last;
      return Status::Ok();
    }
    if (r->Int(0, 1) == last) {
      // One stamp with more rows than a chunk (a rebuild): read that stamp whole.
      Params all;
      all.Int(last);
      base::Result<Result> rest =
          (*db)->Query("SELECT slot, stamp, facts FROM case_facts WHERE stamp = $1", all, kOp);
      if (!rest.ok()) return rest.status();
      for (int i = 0; i < rest->rows(); ++i) {
        base::Result<projection::CaseFacts> f = projection::DecodeFacts(rest->Bytes(i, 2));
        if (!f.ok()) return base::Internal(std::string(kOp) + ": " + f.status().message());
        index_.Upsert(rest->Int(i, 0), *f);
      }
      seen_ = last;
      continue;
    }
    seen_ = last - 1;  // the stamps before `last` are complete; `last` may have more rows
  }
}

base::Result<projection::Summary> StatsTables::Summary(const projection::StatsFilter& filter) {
  TV_RETURN_IF_ERROR(CatchUp());
  return index_.ComputeSummary(filter);
}

base::Result<std::vector<projection::FlowLink>> StatsTables::Flow(
    const projection::StatsFilter& filter) {
  TV_RETURN_IF_ERROR(CatchUp());
  return index_.ComputeFlow(filter);
}

base::Result<std::vector<projection::TimePoint>> StatsTables::TimeSeries(
    const projection::StatsFilter& filter, projection::Bucket bucket, projection::Metric metric) {
  TV_RETURN_IF_ERROR(CatchUp());
  return index_.ComputeTimeSeries(filter, bucket, metric);
}

Status StatsTables::ForEachCaseRow(const projection::StatsFilter& filter,
                                   const std::function<bool(const projection::CaseFacts&)>& fn) {
  constexpr std::string_view kOp = "exporting case facts";
  int64_t after_ms = filter.from ? base::ToUnixMillis(*filter.from) : INT64_MIN;
  std::string after_id;  // "" sorts before every id
  const int64_t end_ms = filter.to ? base::ToUnixMillis(*filter.to) : INT64_MAX;
  bool first = true;
  while (true) {
    std::vector<projection::CaseFacts> chunk;
    {
      // A chunk per lease: no connection is held while `fn` runs (it may write to a socket).
      base::Result<Pool::Lease> db = pool_.Get();
      if (!db.ok()) return db.status();
      Params p;
      p.Int(after_ms).Text(after_id).Int(end_ms).Int(kChunk);
      base::Result<Result> r = (*db)->Query(
          first ? "SELECT facts, create_time, case_id FROM case_facts WHERE create_time >= $1 "
                  "AND $2::text IS NOT NULL AND create_time < $3 ORDER BY create_time, case_id "
                  "LIMIT $4"
                : "SELECT facts, create_time, case_id FROM case_facts WHERE (create_time, "
                  "case_id) > ($1, $2) AND create_time < $3 ORDER BY create_time, case_id "
                  "LIMIT $4",
          p, kOp);
      if (!r.ok()) return r.status();
      for (int i = 0; i < r->rows(); ++i) {
        base::Result<projection::CaseFacts> f = projection::DecodeFacts(r->Bytes(i, 0));
        if (!f.ok()) return base::Internal(std::string(kOp) + ": " + f.status().message());
        after_ms = r->Int(i, 1);
        after_id = r->Text(i, 2);
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

}  // namespace tillvaxt::store::postgres
