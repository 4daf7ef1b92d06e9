#include "engine/store/sqlite/text_search.h"

#include <cstdint>

#include "engine/store/swedish_terms.h"

namespace tillvaxt::store::sqlite {

std::string SearchQuery(std::string_view q) {
  std::string out;
  for (const std::string& t : SwedishTerms(q)) {
    if (!out.empty()) out.push_back(' ');
    out += '"' + t + '"';  // terms hold letters and digits only: no quote to escape
  }
  return out;
}

base::Status CreateSearchTables(Connection& db) {
  constexpr std::string_view kOp = "creating the full-text search tables";
  TV_RETURN_IF_ERROR(
      db.Exec("CREATE VIRTUAL TABLE case_search USING fts5(body, tokenize = 'unicode61 "
              "remove_diacritics 0');"
              "CREATE VIRTUAL TABLE offer_search USING fts5(body, tokenize = 'unicode61 "
              "remove_diacritics 0');",
              kOp));
  // Index the cases that exist, a chunk at a time (no write under an open scan of cases).
  int64_t after = 0;
  while (true) {
    struct Row {
      int64_t rowid;
      std::string doc;
    };
    std::vector<Row> rows;
    {
      base::Result<Stmt> read = db.Prepare(
          "SELECT rowid, title, description FROM cases WHERE rowid > ?1 ORDER BY rowid LIMIT 1000",
          kOp);
      if (!read.ok()) return read.status();
      read->Bind(1, after);
      while (true) {
        base::Result<bool> row = read->Step(kOp);
        if (!row.ok()) return row.status();
        if (!*row) break;
        rows.push_back({read->Int(0), SearchDocument(read->Text(1), read->Text(2))});
      }
    }
    if (rows.empty()) return base::Status::Ok();
    for (const Row& r : rows) {
      base::Result<Stmt> insert =
          db.Prepare("INSERT INTO case_search (rowid, body) VALUES (?1, ?2)", kOp);
      if (!insert.ok()) return insert.status();
      insert->Bind(1, r.rowid).Bind(2, r.doc);
      TV_RETURN_IF_ERROR(insert->Run(kOp));
    }
    after = rows.back().rowid;
  }
}

base::Status IndexCaseText(Connection& db, const std::string& id, std::string_view title,
                           std::string_view description) {
  const std::string op = "indexing the text of case " + id;
  int64_t rowid = 0;
  {
    base::Result<Stmt> find = db.Prepare("SELECT rowid FROM cases WHERE id = ?1", op);
    if (!find.ok()) return find.status();
    find->Bind(1, id);
    base::Result<bool> row = find->Step(op);
    if (!row.ok()) return row.status();
    if (!*row) return base::Internal(op + ": no projection row");
    rowid = find->Int(0);
  }
  base::Result<Stmt> del = db.Prepare("DELETE FROM case_search WHERE rowid = ?1", op);
  if (!del.ok()) return del.status();
  del->Bind(1, rowid);
  TV_RETURN_IF_ERROR(del->Run(op));
  base::Result<Stmt> insert =
      db.Prepare("INSERT INTO case_search (rowid, body) VALUES (?1, ?2)", op);
  if (!insert.ok()) return insert.status();
  insert->Bind(1, rowid).Bind(2, SearchDocument(title, description));
  return insert->Run(op);
}

base::Result<int64_t> CountCaseMatches(Connection& db, const std::string& match, int64_t limit) {
  constexpr std::string_view kOp = "counting full-text matches";
  base::Result<Stmt> stmt = db.Prepare(
      "SELECT COUNT(*) FROM (SELECT rowid FROM case_search WHERE case_search MATCH ?1 LIMIT ?2)",
      kOp);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, match).Bind(2, limit);
  base::Result<bool> row = stmt->Step(kOp);
  if (!row.ok()) return row.status();
  return *row ? stmt->Int(0) : 0;
}

}  // namespace tillvaxt::store::sqlite
