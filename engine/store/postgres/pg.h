// A thin layer over libpq for the PostgreSQL store: one connection, parameterised statements
// (prepared once per connection and cached), results, transactions, and the one mapping of
// PostgreSQL errors to a base::Status that names the operation. Internal to the PostgreSQL
// store (the only code that includes libpq-fe.h).
//
// Parameters go as text, except bytes (protobuf payloads), which go binary; results come as
// text, and bytea columns are decoded from PostgreSQL's hex output (Result::Bytes).
//
// Ownership: a Connection owns its PGconn; a Result owns its PGresult. Thread-safety: a
// Connection is used by one thread at a time (the pool hands it out); distinct connections are
// independent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/base/status.h"

struct pg_conn;
struct pg_result;

namespace tillvaxt::store::postgres {

// The connection string with any password replaced by "***", for messages and logs.
std::string RedactConnectionString(std::string_view conninfo);

// Statement parameters, $1, $2, ... in the order added.
class Params {
 public:
  Params& Text(std::string_view text);
  Params& Int(int64_t value);
  Params& Bytes(std::string_view bytes);  // bytea, sent binary
  Params& Null();
  Params& OptionalInt(const int64_t* value) { return value ? Int(*value) : Null(); }
  // A text[] literal: {"a","b"} (quotes and backslashes escaped).
  Params& TextArray(const std::vector<std::string>& values);
  // "$N" for the next parameter (before adding it).
  std::string Next() const { return "$" + std::to_string(values_.size() + 1); }

  int size() const { return static_cast<int>(values_.size()); }

 private:
  friend class Connection;
  void Add(std::string value, bool null, int format);
  std::vector<std::string> values_;
  std::vector<char> nulls_;
  std::vector<int> formats_;  // 0 text, 1 binary
};

class Result {
 public:
  explicit Result(pg_result* result) : result_(result) {}
  Result(Result&& other) noexcept;
  Result& operator=(Result&&) = delete;
  Result(const Result&) = delete;
  ~Result();

  int rows() const;
  bool IsNull(int row, int column) const;
  std::string Text(int row, int column) const;
  int64_t Int(int row, int column) const;        // 0 for NULL
  std::string Bytes(int row, int column) const;  // a bytea column
  // The number of rows an INSERT, UPDATE or DELETE touched.
  int64_t Affected() const;

 private:
  pg_result* result_;
};

class Connection {
 public:
  // Connects with `conninfo` (a postgresql:// URL or key=value pairs). UNAVAILABLE when the
  // server cannot be reached or refuses the credentials, naming the redacted target and
  // PostgreSQL's reason; the session runs in UTC with client_encoding UTF8.
  static base::Result<std::unique_ptr<Connection>> Open(const std::string& conninfo);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs `sql` with `params`. Statements are prepared once per connection and cached (up to
  // a bound; others run unprepared).
  base::Result<Result> Query(const std::string& sql, const Params& params, std::string_view op);
  base::Result<Result> Query(const std::string& sql, std::string_view op) {
    return Query(sql, Params(), op);
  }
  // Runs one or more statements without parameters or results.
  base::Status Exec(const std::string& sql, std::string_view op);

  // False once the connection to the server is lost; the pool then reconnects.
  bool Healthy() const;
  bool InTransaction() const;

 private:
  explicit Connection(pg_conn* conn) : conn_(conn) {}
  base::Result<Result> Check(pg_result* result, std::string_view op);

  static constexpr size_t kMaxPrepared = 256;
  pg_conn* conn_;
  std::unordered_map<std::string, std::string> prepared_;  // sql -> statement name
};

// Runs `work` inside BEGIN ... COMMIT on `db`, rolling back when it fails (or throws). A failed
// COMMIT is returned as such: nothing is acknowledged that did not commit.
template <class Work>
base::Status InTransaction(Connection& db, Work&& work) {
  TV_RETURN_IF_ERROR(db.Exec("BEGIN", "beginning a transaction"));
  base::Status st;
  try {
    st = work();
  } catch (...) {
    (void)db.Exec("ROLLBACK", "rolling back");
    throw;
  }
  if (!st.ok()) {
    (void)db.Exec("ROLLBACK", "rolling back");
    return st;
  }
  return db.Exec("COMMIT", "committing");
}

}  // namespace tillvaxt::store::postgres
