#include "engine/store/sqlite/case_tables.h"

#include <utility>

#include "engine/codec/event_codec.h"
#include "engine/domain/decider.h"
#include "engine/store/sqlite/event_log.h"
#include "engine/store/sqlite/page_query.h"
#include "engine/store/sqlite/text_search.h"

namespace tillvaxt::store::sqlite {

std::string_view CaseKind::TypeName(const Event& e) { return domain::EventTypeName(e.type); }
std::string CaseKind::Serialize(const Event& e) { return codec::SerializeEvent(e); }
base::Result<CaseKind::Event> CaseKind::Parse(std::string_view bytes) {
  return codec::ParseEvent(bytes);
}
CaseKind::Subject CaseKind::Fold(const std::vector<Event>& events) { return domain::Fold(events); }

namespace {

using base::Status;

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
  TV_RETURN_IF_ERROR(
      InsertActors(db, "INSERT OR IGNORE INTO case_candidates (case_id, actor) VALUES (?1, ?2)",
                   c.id, c.candidates, op));
  TV_RETURN_IF_ERROR(
      InsertActors(db, "INSERT OR IGNORE INTO case_involved (case_id, actor) VALUES (?1, ?2)", c.id,
                   c.involved_actors, op));
  TV_RETURN_IF_ERROR(InsertActors(
      db, "INSERT OR IGNORE INTO case_needs (case_id, need) VALUES (?1, ?2)", c.id, c.needs, op));
  TV_RETURN_IF_ERROR(InsertActors(
      db, "INSERT OR IGNORE INTO case_areas (case_id, area) VALUES (?1, ?2)", c.id, c.areas, op));
  // The Swedish full-text row of the case, in the same transaction (text_search.h).
  return IndexCaseText(db, c.id, c.title, c.description);
}

}  // namespace

Status WriteCaseAppend(Connection& db, const CaseAppend& a) {
  base::Result<bool> existed = AppendEvents<CaseKind>(db, a);
  if (!existed.ok()) return existed.status();
  return WriteProjection(db, a.after, *existed);
}

base::Result<domain::Case> ReadCase(Connection& db, const std::string& id) {
  const std::string op = "reading case " + id;
  base::Result<Stmt> stmt = db.Prepare("SELECT body FROM cases WHERE id = ?1", op);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id);
  base::Result<bool> row = stmt->Step(op);
  if (!row.ok()) return row.status();
  if (!*row) return base::NotFound("case '" + id + "' not found");
  base::Result<domain::Case> c = codec::ParseCase(stmt->Blob(0));
  if (!c.ok()) return base::Internal(op + ": " + c.status().message());
  return c;
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
  q->Member("case_needs", "case_id", "need", f.need);
  q->Member("case_areas", "case_id", "area", f.area);
  q->Member("case_candidates", "case_id", "actor", f.candidate);
  q->Member("case_involved", "case_id", "actor", f.involved_actor);
  if (!f.q.empty()) {
    // Swedish full-text search (text_search.h); a query without words matches nothing.
    const std::string match = SearchQuery(f.q);
    if (match.empty()) return CasePage{};
    // Few matches: fetch them and sort. Many: walk the cases in page order and look each up in
    // the full-text index, which stops after a page (text_search.h CountCaseMatches).
    constexpr int64_t kFewMatches = 20000;
    base::Result<int64_t> matches = CountCaseMatches(db, match, kFewMatches);
    if (!matches.ok()) return matches.status();
    if (*matches < kFewMatches) {
      q->And("c.rowid IN (SELECT rowid FROM case_search WHERE case_search MATCH " +
             q->Param(match) + ")");
    } else {
      q->And("EXISTS (SELECT 1 FROM case_search WHERE case_search MATCH " + q->Param(match) +
             " AND rowid = c.rowid)");
    }
  }
  if (f.open_only) q->And("c.state IN " + q->List(f.open_states));
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

Status RebuildCaseProjections(Connection& db,
                              const std::function<void(int64_t, int64_t)>& progress) {
  base::Result<int64_t> total = db.QueryInt("SELECT COUNT(*) FROM events", "rebuild: counting");
  if (!total.ok()) return total.status();
  TV_RETURN_IF_ERROR(
      db.Exec("DELETE FROM case_candidates; DELETE FROM case_involved; DELETE FROM case_needs; "
              "DELETE FROM case_areas; DELETE FROM case_search; DELETE FROM cases;",
              "rebuild: deleting the case projections"));
  int64_t done = 0;
  TV_RETURN_IF_ERROR(RefoldAll<CaseKind>(
      db, [&db](const domain::Case& c) { return WriteProjection(db, c, false); },
      [&](int64_t events) {
        done += events;
        if (progress) progress(done, *total);
      }));
  if (progress && done == 0) progress(0, 0);
  return Status::Ok();
}

}  // namespace tillvaxt::store::sqlite
