// Swedish full-text search for the SQLite store: titles and descriptions of cases and offers,
// stemmed with Snowball's Swedish stemmer (libstemmer) before they go into an FTS5 table and
// before a query is matched, so "finansieringen" finds "finansiering" and "företagen" finds
// "företag".
//
// Tokens are runs of letters and digits in UTF-8 (any character from U+00C0 up counts as a
// letter, so å, ä, ö, é and the rest stay inside words), lower-cased (ASCII and Latin-1: Å Ä Ö
// become å ä ö) and stemmed. The FTS5 tables (case_search, offer_search) use the unicode61
// tokenizer with diacritics kept, on the already stemmed text; their rowid is the rowid of the
// projection row (cases, offers).
//
// Thread-safety: the token functions keep one stemmer per thread (libstemmer objects are not
// thread-safe) and may be called from any thread. The table functions run on the caller's
// connection, inside the caller's transaction.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/store/sqlite/db.h"

namespace tillvaxt::store::sqlite {

// The lower-cased, stemmed words of `text`, in order.
std::vector<std::string> SwedishTerms(std::string_view text);

// The document stored for a title and a description: their terms joined by spaces.
std::string SearchDocument(std::string_view title, std::string_view description);

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
