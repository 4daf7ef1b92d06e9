#include "engine/store/postgres/pg.h"

#include <libpq-fe.h>

#include <charconv>
#include <cstdlib>
#include <utility>

namespace tillvaxt::store::postgres {
namespace {

// The Status for a failed result: the SQLSTATE decides the code.
//   08xxx connection exceptions, 57P01..57P03 shutdown / cannot connect now -> UNAVAILABLE
//   23505 unique violation (a racing append of the same seq or id),
//   40001 serialization failure, 40P01 deadlock                           -> ABORTED
//   53xxx insufficient resources (disk full, out of memory, too many connections)
//                                                                           -> RESOURCE_EXHAUSTED
//   28xxx invalid authorisation                                            -> UNAVAILABLE
//   anything else (a bug in our SQL, a broken schema)                      -> INTERNAL
base::Status ResultError(const pg_result* result, const pg_conn* conn, std::string_view op) {
  const char* state = result ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  std::string text = result ? PQresultErrorMessage(result) : "";
  if (text.empty()) text = PQerrorMessage(conn);
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  const std::string code = state ? state : "";
  std::string message = std::string(op) + ": " + text;
  if (!code.empty()) message += " (SQLSTATE " + code + ")";
  if (code.empty() || code.rfind("08", 0) == 0 || code.rfind("57P", 0) == 0 ||
      code.rfind("28", 0) == 0) {
    return base::Unavailable(std::move(message));  // no SQLSTATE: the connection itself broke
  }
  if (code == "23505" || code == "40001" || code == "40P01") {
    return base::Aborted(std::move(message));
  }
  if (code.rfind("53", 0) == 0) return base::ResourceExhausted(std::move(message));
  return base::Internal(std::move(message));
}

int Nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string RedactConnectionString(std::string_view conninfo) {
  std::string s(conninfo);
  // URL form: scheme://user:password@host
  const size_t scheme = s.find("://");
  if (scheme != std::string::npos) {
    const size_t start = scheme + 3;
    const size_t at = s.find('@', start);
    const size_t colon = s.find(':', start);
    if (at != std::string::npos && colon != std::string::npos && colon < at) {
      s.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // key=value form, and password= in a URL's query string.
  for (size_t pos = s.find("password="); pos != std::string::npos;
       pos = s.find("password=", pos + 1)) {
    const size_t value = pos + 9;
    size_t end = s.find_first_of(" &", value);
    if (end == std::string::npos) end = s.size();
    s.replace(value, end - value, "***");
  }
  return s;
}

void Params::Add(std::string value, bool null, int format) {
  values_.push_back(std::move(value));
  nulls_.push_back(null ? 1 : 0);
  formats_.push_back(format);
}

Params& Params::Text(std::string_view text) {
  Add(std::string(text), false, 0);
  return *this;
}

Params& Params::Int(int64_t value) {
  Add(std::to_string(value), false, 0);
  return *this;
}

Params& Params::Bytes(std::string_view bytes) {
  Add(std::string(bytes), false, 1);
  return *this;
}

Params& Params::Null() {
  Add(std::string(), true, 0);
  return *this;
}

Params& Params::TextArray(const std::vector<std::string>& values) {
  std::string out = "{";
  for (const std::string& v : values) {
    if (out.size() > 1) out += ',';
    out += '"';
    for (char c : v) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  out += '}';
  Add(std::move(out), false, 0);
  return *this;
}

Result::Result(Result&& other) noexcept : result_(std::exchange(other.result_, nullptr)) {}

Result::~Result() {
  if (result_ != nullptr) PQclear(result_);
}

int Result::rows() const { return PQntuples(result_); }

bool Result::IsNull(int row, int column) const { return PQgetisnull(result_, row, column) != 0; }

std::string Result::Text(int row, int column) const {
  return std::string(PQgetvalue(result_, row, column),
                     static_cast<size_t>(PQgetlength(result_, row, column)));
}

int64_t Result::Int(int row, int column) const {
  const char* v = PQgetvalue(result_, row, column);
  const char* end = v + PQgetlength(result_, row, column);
  int64_t out = 0;
  std::from_chars(v, end, out);
  return out;
}

std::string Result::Bytes(int row, int column) const {
  // bytea_output = hex (the default since PostgreSQL 9.0, set by Connection::Open): "\x0a1b..".
  const char* v = PQgetvalue(result_, row, column);
  const size_t n = static_cast<size_t>(PQgetlength(result_, row, column));
  std::string out;
  if (n < 2 || v[0] != '\\' || v[1] != 'x') return out;
  out.reserve((n - 2) / 2);
  for (size_t i = 2; i + 1 < n; i += 2) {
    out.push_back(static_cast<char>(Nibble(v[i]) * 16 + Nibble(v[i + 1])));
  }
  return out;
}

int64_t Result::Affected() const {
  const char* n = PQcmdTuples(result_);
  return n[0] == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

base::Result<std::unique_ptr<Connection>> Connection::Open(const std::string& conninfo) {
  pg_conn* conn = PQconnectdb(conninfo.c_str());
  if (conn == nullptr) return base::ResourceExhausted("cannot allocate a PostgreSQL connection");
  if (PQstatus(conn) != CONNECTION_OK) {
    std::string reason = PQerrorMessage(conn);
    PQfinish(conn);
    while (!reason.empty() && (reason.back() == '\n' || reason.back() == ' ')) reason.pop_back();
    return base::Unavailable("cannot connect to PostgreSQL at " + RedactConnectionString(conninfo) +
                             ": " + reason);
  }
  std::unique_ptr<Connection> db(new Connection(conn));
  // Times are stored as Unix milliseconds (BIGINT), so the session's time zone only matters for
  // messages; bytea in hex is what Result::Bytes decodes.
  TV_RETURN_IF_ERROR(
      db->Exec("SET TIME ZONE 'UTC'; SET client_encoding = 'UTF8'; SET bytea_output = 'hex'; "
               "SET client_min_messages = 'warning'",
               "setting up the PostgreSQL session"));
  return db;
}

Connection::~Connection() { PQfinish(conn_); }

bool Connection::Healthy() const { return PQstatus(conn_) == CONNECTION_OK; }

bool Connection::InTransaction() const {
  const PGTransactionStatusType t = PQtransactionStatus(conn_);
  return t == PQTRANS_INTRANS || t == PQTRANS_INERROR;
}

base::Result<Result> Connection::Check(pg_result* result, std::string_view op) {
  const ExecStatusType status = result ? PQresultStatus(result) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Result(result);
  base::Status st = ResultError(result, conn_, op);
  if (result != nullptr) PQclear(result);
  return st;
}

base::Result<Result> Connection::Query(const std::string& sql, const Params& params,
                                       std::string_view op) {
  std::vector<const char*> values(params.values_.size());
  std::vector<int> lengths(params.values_.size());
  for (size_t i = 0; i < values.size(); ++i) {
    values[i] = params.nulls_[i] ? nullptr : params.values_[i].data();
    lengths[i] = static_cast<int>(params.values_[i].size());
  }
  const int n = params.size();
  auto it = prepared_.find(sql);
  if (it == prepared_.end() && prepared_.size() < kMaxPrepared) {
    const std::string name = "tv" + std::to_string(prepared_.size());
    base::Result<Result> prepared =
        Check(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr), op);
    if (!prepared.ok()) return prepared.status();
    it = prepared_.emplace(sql, name).first;
  }
  if (it != prepared_.end()) {
    return Check(PQexecPrepared(conn_, it->second.c_str(), n, values.data(), lengths.data(),
                                params.formats_.data(), 0),
                 op);
  }
  return Check(PQexecParams(conn_, sql.c_str(), n, nullptr, values.data(), lengths.data(),
                            params.formats_.data(), 0),
               op);
}

base::Status Connection::Exec(const std::string& sql, std::string_view op) {
  base::Result<Result> r = Check(PQexec(conn_, sql.c_str()), op);
  return r.ok() ? base::Status::Ok() : r.status();
}

}  // namespace tillvaxt::store::postgres
