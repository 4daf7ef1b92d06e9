// Newest-first keyset pages over a projection table of the PostgreSQL store (cases, offers), as
// CaseQueries::ListCases and OfferLog::ListOffers promise them: rows ordered by (create_time
// DESC, id DESC), one row more than a page asked for to know whether another follows, and the
// page tokens of store/page_token.h (the SQLite store's, so a token means the same in both and
// on every instance over one database).
//
// Usage: Start the query, add a condition per filter (each value becomes a $N parameter), then
// Run it on a connection.
//
// Thread-safety: a PageQuery is a value used by one thread; Run uses only the connection given.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/store/postgres/pg.h"

namespace tillvaxt::store::postgres {

class PageQuery {
 public:
  // SELECT over `table` (with id, create_time and body columns), aliased `alias`.
  // INVALID_ARGUMENT with field "pageToken" for a token this store did not return.
  static base::Result<PageQuery> Start(std::string_view table, std::string_view alias,
                                       int page_size, const std::string& page_token);

  std::string Param(const std::string& text);
  std::string Param(int64_t number);
  // A text[] parameter.
  std::string Array(const std::vector<std::string>& values);

  void And(std::string_view condition);
  // AND alias.column = value, unless `value` is empty.
  void Equal(std::string_view column, const std::string& value);
  // AND alias.column @> ARRAY[value] (a GIN-indexed text[] column), unless `value` is empty.
  void Contains(std::string_view column, const std::string& value);

  // Calls `row` with each body of the page, in order; returns the next page token, empty on the
  // last page.
  base::Result<std::string> Run(Connection& db, std::string_view op,
                                const std::function<base::Status(std::string_view body)>& row);

 private:
  PageQuery() = default;

  std::string table_;
  std::string alias_;
  std::string where_;
  Params params_;
  int page_size_ = 0;
  bool paged_ = false;
  int64_t after_ms_ = 0;
  std::string after_id_;
};

}  // namespace tillvaxt::store::postgres
