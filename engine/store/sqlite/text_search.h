// Swedish full-text search for the SQLite store: titles and descriptions of cases and offers,
// reduced to their Swedish terms (engine/store/swedish_terms.h) before they go into an FTS5 table
// and before a query is matched, so "finansieringen" finds "finansiering". The FTS5 tables
// (case_search, offer_search) use the unicode61 tokenizer with diacritics kept, on the already
// stemmed text; their rowid is the rowid of the projection row (cases, offers).
//
// Thread-safety: SearchQuery may be called from any thread. The table functions run on the
// caller's connection, inside the caller's transaction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/store/sqlite/db.h"

namespace tillvaxt::store::sqlite {

// An FTS5 MATCH expression requiring every term of the query `q` (each quoted, so no FTS5
// syntax in `q` is interpreted). Empty when `q` has no words.
std::string SearchQuery(std::string_view q);

// The schema step that creates case_search and offer_search and indexes the existing cases.
base::Status CreateSearchTables(Connection& db);

// Replaces the indexed text of the case whose projection row is `id` (call after writing it).
base::Status IndexCaseText(Connection& db, const std::string& id, std::string_view title,
                           std::string_view description);

// How many cases match the MATCH expression `match`, counting no further than `limit`. ListCases
// uses it to choose its plan: few matches are fetched and sorted; many are found by walking the
// cases newest first and looking each up in the index, stopping after one page.
base::Result<int64_t> CountCaseMatches(Connection& db, const std::string& match, int64_t limit);

}  // namespace tillvaxt::store::sqlite
