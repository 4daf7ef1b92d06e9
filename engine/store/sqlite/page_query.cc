#include "engine/store/sqlite/page_query.h"

#include <cstdint>
#include <utility>

#include "engine/store/page_token.h"

namespace tillvaxt::store::sqlite {
base::Result<PageQuery> PageQuery::Start(std::string_view table, std::string_view alias,
                                         int page_size, const std::string& page_token) {
  PageQuery q;
  q.table_ = table;
  q.alias_ = alias;
  q.sql_ = "SELECT " + q.alias_ + ".body, " + q.alias_ + ".create_time, " + q.alias_ + ".id FROM " +
           std::string(table) + " " + q.alias_ + " WHERE 1";
  q.page_size_ = PageSize(page_size);
  q.paged_ = !page_token.empty();
  if (q.paged_ && !DecodePageToken(q.table_, page_token, &q.after_ms_, &q.after_id_)) {
    return base::InvalidField("pageToken", "not a token this server returned");
  }
  return q;
}

std::string PageQuery::Param(std::string text) {
  params_.emplace_back(std::move(text));
  return "?" + std::to_string(params_.size());
}

std::string PageQuery::Param(int64_t number) {
  params_.emplace_back(number);
  return "?" + std::to_string(params_.size());
}

std::string PageQuery::List(const std::vector<std::string>& values) {
  if (values.empty()) return "(NULL)";
  std::string out = "(";
  for (const std::string& v : values) {
    if (out.size() > 1) out += ", ";
    out += Param(v);
  }
  return out + ")";
}

void PageQuery::And(std::string_view condition) {
  sql_ += " AND ";
  sql_ += condition;
}

void PageQuery::Equal(std::string_view column, const std::string& value) {
  if (value.empty()) return;
  And(alias_ + "." + std::string(column) + " = " + Param(value));
}

void PageQuery::Member(std::string_view table, std::string_view key, std::string_view column,
                       const std::string& value) {
  if (value.empty()) return;
  // Through the table's (value, key) index.
  And(alias_ + ".id IN (SELECT " + std::string(key) + " FROM " + std::string(table) + " WHERE " +
      std::string(column) + " = " + Param(value) + ")");
}

base::Result<std::string> PageQuery::Run(
    Connection& db, std::string_view op,
    const std::function<base::Status(std::string_view body)>& row) {
  std::string sql = sql_;
  std::vector<std::variant<std::string, int64_t>> params = params_;
  auto param = [&](std::variant<std::string, int64_t> v) {
    params.push_back(std::move(v));
    return "?" + std::to_string(params.size());
  };
  const std::string& a = alias_;
  if (paged_) {
    const std::string ms = param(after_ms_);
    const std::string id = param(after_id_);
    sql += " AND (" + a + ".create_time < " + ms + " OR (" + a + ".create_time = " + ms + " AND " +
           a + ".id < " + id + "))";
  }
  sql += " ORDER BY " + a + ".create_time DESC, " + a + ".id DESC LIMIT " +
         param(int64_t{page_size_} + 1);

  base::Result<Stmt> stmt = db.Prepare(sql, op);
  if (!stmt.ok()) return stmt.status();
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (const int64_t* n = std::get_if<int64_t>(&params[i])) {
      stmt->Bind(index, *n);
    } else {
      stmt->Bind(index, std::get<std::string>(params[i]));
    }
  }
  int rows = 0;
  int64_t last_ms = 0;
  std::string last_id;
  while (true) {
    base::Result<bool> more = stmt->Step(op);
    if (!more.ok()) return more.status();
    if (!*more) return std::string();
    if (rows == page_size_)
      return EncodePageToken(table_, last_ms, last_id);  // one more: next page
    TV_RETURN_IF_ERROR(row(stmt->Blob(0)));
    last_ms = stmt->Int(1);
    last_id = stmt->Text(2);
    ++rows;
  }
}

}  // namespace tillvaxt::store::sqlite
