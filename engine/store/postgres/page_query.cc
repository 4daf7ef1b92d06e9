#include "engine/store/postgres/page_query.h"

#include <utility>

#include "engine/store/page_token.h"

namespace tillvaxt::store::postgres {

base::Result<PageQuery> PageQuery::Start(std::string_view table, std::string_view alias,
                                         int page_size, const std::string& page_token) {
  PageQuery q;
  q.table_ = table;
  q.alias_ = alias;
  q.page_size_ = PageSize(page_size);
  q.paged_ = !page_token.empty();
  if (q.paged_ && !DecodePageToken(q.table_, page_token, &q.after_ms_, &q.after_id_)) {
    return base::InvalidField("pageToken", "not a token this server returned");
  }
  return q;
}

std::string PageQuery::Param(const std::string& text) {
  const std::string name = params_.Next();
  params_.Text(text);
  return name;
}

std::string PageQuery::Param(int64_t number) {
  const std::string name = params_.Next() + "::bigint";
  params_.Int(number);
  return name;
}

std::string PageQuery::Array(const std::vector<std::string>& values) {
  const std::string name = params_.Next() + "::text[]";
  params_.TextArray(values);
  return name;
}

void PageQuery::And(std::string_view condition) {
  where_ += " AND ";
  where_ += condition;
}

void PageQuery::Equal(std::string_view column, const std::string& value) {
  if (value.empty()) return;
  And(alias_ + "." + std::string(column) + " = " + Param(value));
}

void PageQuery::Contains(std::string_view column, const std::string& value) {
  if (value.empty()) return;
  And(alias_ + "." + std::string(column) + " @> " + Array({value}));
}

base::Result<std::string> PageQuery::Run(
    Connection& db, std::string_view op,
    const std::function<base::Status(std::string_view body)>& row) {
  const std::string& a = alias_;
  if (paged_) {
    const std::string ms = Param(after_ms_);
    const std::string id = Param(after_id_);
    And("(" + a + ".create_time, " + a + ".id) < (" + ms + ", " + id + ")");
  }
  // The id columns are COLLATE "C" (schema.cc): ids compare by bytes, as in the other stores.
  const std::string sql = "SELECT " + a + ".body, " + a + ".create_time, " + a + ".id FROM " +
                          table_ + " " + a + " WHERE TRUE" + where_ + " ORDER BY " + a +
                          ".create_time DESC, " + a + ".id DESC LIMIT " +
                          Param(int64_t{page_size_} + 1);
  base::Result<Result> r = db.Query(sql, params_, op);
  if (!r.ok()) return r.status();
  const int n = r->rows();
  for (int i = 0; i < n && i < page_size_; ++i) TV_RETURN_IF_ERROR(row(r->Bytes(i, 0)));
  if (n <= page_size_) return std::string();
  return EncodePageToken(table_, r->Int(page_size_ - 1, 1), r->Text(page_size_ - 1, 2));
}

}  // namespace tillvaxt::store::postgres
