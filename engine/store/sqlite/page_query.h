// Newest-first keyset pages over a projection table (cases, offers), as CaseQueries::ListCases
// and OfferLog::ListOffers promise them: rows ordered by (create_time DESC, id DESC), each page
// asking for one row more than it returns to know whether another follows, and page tokens that
// carry the last row's key — hex of "<create_time ms>,<id>" and a check of it for the listing,
// opaque to clients — so an altered or made-up token, or one of another listing, is refused
// rather than misread.
//
// Usage: Start the query, add a condition per filter (each value becomes a numbered parameter),
// then Run it on a connection.
//
// Thread-safety: a PageQuery is a value used by one thread; Run uses only the connection given.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/base/status.h"
#include "engine/store/sqlite/db.h"

namespace tillvaxt::store::sqlite {

class PageQuery {
 public:
  // SELECT over `table` (which has id, create_time and body columns), aliased `alias` in the
  // conditions. `page_size` 0 means 50; others are clamped to 1..1000. A `page_token` this store
  // did not return is INVALID_ARGUMENT with field "pageToken".
  static base::Result<PageQuery> Start(std::string_view table, std::string_view alias,
                                       int page_size, const std::string& page_token);

  // A numbered parameter ("?3") bound to the value when the query runs.
  std::string Param(std::string text);
  std::string Param(int64_t number);
  // "(?4, ?5, ...)" for the values; "(NULL)" (which matches nothing) when there are none.
  std::string List(const std::vector<std::string>& values);

  // AND `condition` (SQL over the alias and parameters made by Param/List).
  void And(std::string_view condition);
  // AND alias.column = value, unless `value` is empty.
  void Equal(std::string_view column, const std::string& value);
  // AND alias.id IN (SELECT key FROM table WHERE column = value), unless `value` is empty.
  void Member(std::string_view table, std::string_view key, std::string_view column,
              const std::string& value);

  // Runs the query and calls `row` with each body of the page, in order; returns the next page
  // token, empty on the last page. The first error of `row` stops the run and is returned.
  base::Result<std::string> Run(Connection& db, std::string_view op,
                                const std::function<base::Status(std::string_view body)>& row);

 private:
  PageQuery() = default;

  std::string table_;  // names the listing in its tokens
  std::string alias_;
  std::string sql_;
  std::vector<std::variant<std::string, int64_t>> params_;
  int page_size_ = 0;
  bool paged_ = false;
  int64_t after_ms_ = 0;
  std::string after_id_;
};

}  // namespace tillvaxt::store::sqlite
