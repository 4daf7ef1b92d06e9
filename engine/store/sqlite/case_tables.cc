#include "engine/store/sqlite/case_tables.h"

#include <algorithm>
#include <optional>
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

Status RunWithValue(Connection& db, const char* sql, const std::string& case_id,
                    const std::string& value, std::string_view op) {
  base::Result<Stmt> stmt = db.Prepare(sql, op);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, case_id).Bind(2, value);
  return stmt->Run(op);
}

// The rows of one child table (case_candidates, ...) for the values `after`, changing only the
// rows that differ from `before`: every row written dirties a page that the commit must write.
Status WriteChildRows(Connection& db, const char* table, const char* column,
                      const std::string& case_id, const std::vector<std::string>* before,
                      const std::vector<std::string>& after, std::string_view op) {
  const std::string insert =
      std::string("INSERT OR IGNORE INTO ") + table + " (case_id, " + column + ") VALUES (?1, ?2)";
  const std::string remove =
      std::string("DELETE FROM ") + table + " WHERE case_id = ?1 AND " + column + " = ?2";
  auto has = [](const std::vector<std::string>& values, const std::string& v) {
    return std::find(values.begin(), values.end(), v) != values.end();
  };
  if (before != nullptr) {
    for (const std::string& v : *before) {
      if (!has(after, v)) TV_RETURN_IF_ERROR(RunWithValue(db, remove.c_str(), case_id, v, op));
    }
  }
  for (const std::string& v : after) {
    if (before == nullptr || !has(*before, v)) {
      TV_RETURN_IF_ERROR(RunWithValue(db, insert.c_str(), case_id, v, op));
    }
  }
  return Status::Ok();
}

void BindDeadline(Stmt& stmt, int index, const std::optional<base::Time>& deadline) {
  if (deadline) {
    stmt.Bind(index, base::ToUnixMillis(*deadline));
  } else {
    stmt.BindNull(index);
  }
}

Status InsertCaseRow(Connection& db, const domain::Case& c, std::string_view op) {
  base::Result<Stmt> stmt = db.Prepare(
      "INSERT INTO cases (id, state, level, node, assignee, org_number, parent_id, title, "
      "description, create_time, update_time, version, workflow_version, highest_level, "
      "deadline, body, next_timer) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
      "?13, ?14, ?15, ?16, ?11)",
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
  BindDeadline(*stmt, 15, c.deadline);
  stmt->BindBlob(16, codec::SerializeCase(c));
  return stmt->Run(op);
}

// Updates the cases row of `c`, setting only the columns whose values differ from `before`:
// SQLite rewrites the entries of every index over a column an UPDATE sets, even to the same
// value. The body, version, update time and next timer change with every append.
Status UpdateCaseRow(Connection& db, const domain::Case& c, const domain::Case& before,
                     std::string_view op) {
  std::string sql = "UPDATE cases SET body = ?1, version = ?2, update_time = ?3, next_timer = ?3";
  // Each changed column binds its value to the next parameter, in this order.
  std::vector<std::string> texts;
  auto text = [&](const char* column, const std::string& now, const std::string& was) {
    if (now == was) return;
    texts.push_back(now);
    sql += std::string(", ") + column + " = ?" + std::to_string(4 + texts.size());
  };
  text("state", c.state, before.state);
  text("level", c.level, before.level);
  text("node", c.node, before.node);
  text("assignee", c.assignee, before.assignee);
  text("org_number", c.company.org_number, before.company.org_number);
  text("parent_id", c.parent_id, before.parent_id);
  text("title", c.title, before.title);
  text("description", c.description, before.description);
  text("highest_level", c.highest_level, before.highest_level);
  const bool deadline_changed = c.deadline != before.deadline;
  const int deadline_param = 5 + static_cast<int>(texts.size());
  if (deadline_changed) sql += ", deadline = ?" + std::to_string(deadline_param);
  sql += " WHERE id = ?4";
  base::Result<Stmt> stmt = db.Prepare(sql, op);
  if (!stmt.ok()) return stmt.status();
  stmt->BindBlob(1, codec::SerializeCase(c))
      .Bind(2, c.version)
      .Bind(3, base::ToUnixMillis(c.update_time))
      .Bind(4, c.id);
  for (size_t i = 0; i < texts.size(); ++i) stmt->Bind(5 + static_cast<int>(i), texts[i]);
  if (deadline_changed) BindDeadline(*stmt, deadline_param, c.deadline);
  return stmt->Run(op);
}

// Writes the projection rows of `c`: the cases row, its candidate, involved-actor, need and area
// rows and its full-text row. `before`: the case as its rows are now (nullptr for a new case, or
// when the projections were emptied for a rebuild); only what differs from it is written.
Status WriteProjection(Connection& db, const domain::Case& c, const domain::Case* before) {
  const std::string op = "writing the projection of case " + c.id;
  TV_RETURN_IF_ERROR(before == nullptr ? InsertCaseRow(db, c, op)
                                       : UpdateCaseRow(db, c, *before, op));
  TV_RETURN_IF_ERROR(WriteChildRows(db, "case_candidates", "actor", c.id,
                                    before ? &before->candidates : nullptr, c.candidates, op));
  TV_RETURN_IF_ERROR(WriteChildRows(db, "case_involved", "actor", c.id,
                                    before ? &before->involved_actors : nullptr, c.involved_actors,
                                    op));
  TV_RETURN_IF_ERROR(WriteChildRows(db, "case_needs", "need", c.id,
                                    before ? &before->needs : nullptr, c.needs, op));
  TV_RETURN_IF_ERROR(WriteChildRows(db, "case_areas", "area", c.id,
                                    before ? &before->areas : nullptr, c.areas, op));
  // The Swedish full-text row, in the same transaction (text_search.h), only when the text is
  // new or changed: an FTS5 insert writes a segment of its own.
  if (before != nullptr && before->title == c.title && before->description == c.description) {
    return Status::Ok();
  }
  return IndexCaseText(db, c.id, c.title, c.description);
}

}  // namespace

Status WriteCaseAppend(Connection& db, const CaseAppend& a, const CaseCache& cache) {
  base::Result<bool> existed = AppendEvents<CaseKind>(db, a);
  if (!existed.ok()) return existed.status();
  if (!*existed) return WriteProjection(db, a.after, nullptr);
  // AppendEvents found the row at expected_version.
  if (std::optional<domain::Case> cached = cache.Get(a.after.id, a.expected_version)) {
    return WriteProjection(db, a.after, &*cached);
  }
  base::Result<domain::Case> before = ReadCase(db, a.after.id);
  if (!before.ok()) return before.status();
  return WriteProjection(db, a.after, &*before);
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

base::Result<int64_t> ReadCaseVersion(Connection& db, const std::string& id) {
  const std::string op = "reading the version of case " + id;
  base::Result<Stmt> stmt = db.Prepare("SELECT version FROM cases WHERE id = ?1", op);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id);
  base::Result<bool> row = stmt->Step(op);
  if (!row.ok()) return row.status();
  if (!*row) return base::NotFound("case '" + id + "' not found");
  return stmt->Int(0);
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
      db, [&db](const domain::Case& c) { return WriteProjection(db, c, nullptr); },
      [&](int64_t events) {
        done += events;
        if (progress) progress(done, *total);
      }));
  if (progress && done == 0) progress(0, 0);
  return Status::Ok();
}

}  // namespace tillvaxt::store::sqlite
