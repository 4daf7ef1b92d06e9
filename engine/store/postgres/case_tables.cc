#include "engine/store/postgres/case_tables.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "engine/codec/event_codec.h"
#include "engine/domain/decider.h"
#include "engine/store/postgres/event_log.h"
#include "engine/store/postgres/page_query.h"
#include "engine/store/postgres/stats_tables.h"
#include "engine/store/swedish_terms.h"

namespace tillvaxt::store::postgres {
namespace {

using base::Status;

// The cases' log for event_log.h.
struct CaseKind {
  using Event = domain::Event;
  using Append = CaseAppend;
  static constexpr const char* kNoun = "case";
  static constexpr const char* kEventTable = "events";
  static constexpr const char* kIdColumn = "case_id";
  static constexpr const char* kProjection = "cases";
  static const std::string& SubjectId(const Event& e) { return e.case_id; }
  static std::string_view TypeName(const Event& e) { return domain::EventTypeName(e.type); }
  static std::string Serialize(const Event& e) { return codec::SerializeEvent(e); }
  static base::Result<Event> Parse(std::string_view bytes) { return codec::ParseEvent(bytes); }
};

// The cases row of `c`, inserted or replaced whole. Its next timer is its update time, so each
// change is looked at once by the SLA scheduler (timers.h).
Status WriteProjection(Connection& db, const domain::Case& c) {
  Params p;
  p.Text(c.id)
      .Text(c.state)
      .Text(c.level)
      .Text(c.node)
      .Text(c.assignee)
      .Text(c.company.org_number)
      .Text(c.parent_id)
      .Int(base::ToUnixMillis(c.create_time))
      .Int(base::ToUnixMillis(c.update_time))
      .Int(c.version)
      .Int(c.workflow_version)
      .Text(c.highest_level);
  if (c.deadline) {
    p.Int(base::ToUnixMillis(*c.deadline));
  } else {
    p.Null();
  }
  p.TextArray(c.candidates)
      .TextArray(c.involved_actors)
      .TextArray(c.needs)
      .TextArray(c.areas)
      .TextArray(SearchTerms(c.title, c.description))
      .Bytes(codec::SerializeCase(c));
  base::Result<Result> r = db.Query(
      "INSERT INTO cases (id, state, level, node, assignee, org_number, parent_id, create_time, "
      "update_time, version, workflow_version, highest_level, deadline, next_timer, candidates, "
      "involved, needs, areas, terms, body) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
      "$11, $12, $13, $9, $14, $15, $16, $17, $18, $19) ON CONFLICT (id) DO UPDATE SET "
      "state = excluded.state, level = excluded.level, node = excluded.node, "
      "assignee = excluded.assignee, org_number = excluded.org_number, "
      "parent_id = excluded.parent_id, create_time = excluded.create_time, "
      "update_time = excluded.update_time, version = excluded.version, "
      "workflow_version = excluded.workflow_version, highest_level = excluded.highest_level, "
      "deadline = excluded.deadline, next_timer = excluded.next_timer, "
      "candidates = excluded.candidates, involved = excluded.involved, needs = excluded.needs, "
      "areas = excluded.areas, terms = excluded.terms, body = excluded.body",
      p, "writing the projection of case " + c.id);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace

Status WriteCaseAppends(Connection& db, const std::vector<CaseAppend>& appends) {
  int64_t count = 0;
  for (const CaseAppend& a : appends) count += static_cast<int64_t>(a.events.size());
  // The commit-order lock (case_tables.h): the positions and the facts stamp of this
  // transaction.
  Params take;
  take.Int(count);
  base::Result<Result> counter = db.Query(
      "UPDATE log_position SET last = last + $1, facts_stamp = facts_stamp + 1 "
      "RETURNING last, facts_stamp",
      take, "taking the next log positions");
  if (!counter.ok()) return counter.status();
  if (counter->rows() != 1) return base::Internal("the log_position row is missing");
  int64_t position = counter->Int(0, 0) - count + 1;
  const int64_t stamp = counter->Int(0, 1);
  for (const CaseAppend& a : appends) {
    base::Result<bool> existed = AppendEvents<CaseKind>(db, a, &position);
    if (!existed.ok()) return existed.status();
    position += static_cast<int64_t>(a.events.size());
    TV_RETURN_IF_ERROR(WriteProjection(db, a.after));
    TV_RETURN_IF_ERROR(WriteCaseFacts(db, a, stamp));
  }
  return Status::Ok();
}

base::Result<domain::Case> ReadCase(Connection& db, const std::string& id) {
  const std::string op = "reading case " + id;
  Params p;
  p.Text(id);
  base::Result<Result> r = db.Query("SELECT body FROM cases WHERE id = $1", p, op);
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return base::NotFound("case '" + id + "' not found");
  base::Result<domain::Case> c = codec::ParseCase(r->Bytes(0, 0));
  if (!c.ok()) return base::Internal(op + ": " + c.status().message());
  return c;
}

base::Result<std::vector<domain::Event>> ReadCaseEvents(Connection& db, const std::string& id) {
  return ReadEvents<CaseKind>(db, id);
}

base::Result<CasePage> ReadCases(Connection& db, const CaseFilter& f) {
  base::Result<PageQuery> q = PageQuery::Start("cases", "c", f.page_size, f.page_token);
  if (!q.ok()) return q.status();
  q->Equal("state", f.state);
  q->Equal("level", f.level);
  q->Equal("node", f.node);
  q->Equal("assignee", f.assignee);
  q->Equal("org_number", f.org_number);
  q->Equal("parent_id", f.parent_id);
  q->Contains("needs", f.need);
  q->Contains("areas", f.area);
  q->Contains("candidates", f.candidate);
  q->Contains("involved", f.involved_actor);
  if (!f.q.empty()) {
    // Every Swedish term of the query must be a term of the case (store/swedish_terms.h); a
    // query without words matches nothing.
    const std::vector<std::string> terms = SwedishTerms(f.q);
    if (terms.empty()) return CasePage{};
    q->And("c.terms @> " + q->Array(terms));
  }
  if (f.open_only) q->And("c.state = ANY(" + q->Array(f.open_states) + ")");
  constexpr std::string_view kOp = "listing cases";
  CasePage page;
  base::Result<std::string> next = q->Run(db, kOp, [&](std::string_view body) -> Status {
    base::Result<domain::Case> c = codec::ParseCase(body);
    if (!c.ok()) return base::Internal(std::string(kOp) + ": " + c.status().message());
    page.cases.push_back(std::move(c).value());
    return Status::Ok();
  });
  if (!next.ok()) return next.status();
  page.next_page_token = std::move(next).value();
  return page;
}

base::Result<std::vector<PositionedEvent>> ReadEventsAfter(Connection& db, int64_t after,
                                                           int64_t limit) {
  constexpr std::string_view kOp = "reading the event log";
  Params p;
  p.Int(after).Int(limit);
  base::Result<Result> r = db.Query(
      "SELECT position, payload FROM events WHERE position > $1 ORDER BY position LIMIT $2", p,
      kOp);
  if (!r.ok()) return r.status();
  std::vector<PositionedEvent> out;
  out.reserve(static_cast<size_t>(r->rows()));
  for (int i = 0; i < r->rows(); ++i) {
    base::Result<domain::Event> e = codec::ParseEvent(r->Bytes(i, 1));
    if (!e.ok()) return base::Internal(std::string(kOp) + ": " + e.status().message());
    out.push_back({r->Int(i, 0), std::move(e).value()});
  }
  return out;
}

Status RebuildCaseProjections(Connection& db,
                              const std::function<void(int64_t, int64_t)>& progress) {
  // The commit-order lock first, as every append: no append runs meanwhile, and the rewritten
  // facts rows get a stamp of their own (stats_tables.h).
  base::Result<Result> counter =
      db.Query("UPDATE log_position SET facts_stamp = facts_stamp + 1 RETURNING facts_stamp",
               "rebuild: locking the log");
  if (!counter.ok()) return counter.status();
  const int64_t stamp = counter->Int(0, 0);
  base::Result<Result> total = db.Query("SELECT count(*) FROM events", "rebuild: counting");
  if (!total.ok()) return total.status();
  TV_RETURN_IF_ERROR(db.Exec("DELETE FROM cases", "rebuild: deleting the case projection"));
  int64_t done = 0;
  const Status refolded = RefoldAll<CaseKind>(
      db,
      [&](const std::vector<domain::Event>& history) -> Status {
        TV_RETURN_IF_ERROR(WriteProjection(db, domain::Fold(history)));
        return WriteRefoldedFacts(db, history, stamp);
      },
      [&](int64_t events) {
        done += events;
        if (progress) progress(done, total->Int(0, 0));
      });
  if (!refolded.ok()) return refolded;
  if (progress && done == 0) progress(0, 0);
  return Status::Ok();
}

}  // namespace tillvaxt::store::postgres
