#include "engine/store/sqlite/db.h"

#include <string>
#include <utility>

namespace tillvaxt::store::sqlite {

base::Status SqliteError(sqlite3* db, int rc, std::string_view op) {
  std::string message(op);
  message += ": ";
  // The connection's message is about the most recent call; fall back to the code's text when
  // it does not describe `rc` (e.g. a bind error reported later).
  const char* text = (db != nullptr && sqlite3_extended_errcode(db) == rc) ? sqlite3_errmsg(db)
                                                                           : sqlite3_errstr(rc);
  message += text;
  message += " (sqlite code " + std::to_string(rc) + ")";
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    // A full disk is the server's trouble, not the client's quota, and passes once space is
    // freed: 503 with Retry-After, like a busy database.
    case SQLITE_FULL:
      return base::Unavailable(std::move(message));
    case SQLITE_CONSTRAINT:
      return base::Aborted(std::move(message));
    default:
      return base::Internal(std::move(message));
  }
}

Stmt::Stmt(Stmt&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)),
      db_(other.db_),
      owned_(other.owned_),
      bind_rc_(other.bind_rc_) {}

Stmt::~Stmt() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Stmt::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Stmt& Stmt::Bind(int index, int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Stmt& Stmt::Bind(int index, std::string_view text) {
  NoteBind(
      sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Stmt& Stmt::BindBlob(int index, std::string_view bytes) {
  // A zero-length blob must still be a blob, not NULL: sqlite3_bind_blob64 with a null pointer
  // binds NULL, so use zeroblob for the empty case.
  if (bytes.empty()) {
    NoteBind(sqlite3_bind_zeroblob(stmt_, index, 0));
  } else {
    NoteBind(sqlite3_bind_blob64(stmt_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT));
  }
  return *this;
}

Stmt& Stmt::BindNull(int index) {
  NoteBind(sqlite3_bind_null(stmt_, index));
  return *this;
}

base::Result<bool> Stmt::Step(std::string_view op) {
  if (bind_rc_ != SQLITE_OK) return SqliteError(db_, bind_rc_, op);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return SqliteError(db_, rc, op);
}

base::Status Stmt::Run(std::string_view op) {
  base::Result<bool> row = Step(op);
  if (!row.ok()) return row.status();
  return base::Status::Ok();
}

int64_t Stmt::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

bool Stmt::IsNull(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

std::string Stmt::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(stmt_, column);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::string_view Stmt::Blob(int column) const {
  const void* data = sqlite3_column_blob(stmt_, column);
  if (data == nullptr) return {};
  return std::string_view(static_cast<const char*>(data),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
}

base::Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path, int flags,
                                                           const std::string& vfs) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_NOMUTEX,
                                 vfs.empty() ? nullptr : vfs.c_str());
  if (rc != SQLITE_OK) {
    base::Status status = SqliteError(db, rc, "opening database " + path);
    sqlite3_close_v2(db);  // a handle is returned even on most failures
    return status;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 10'000);
  return std::unique_ptr<Connection>(new Connection(db));
}

Connection::~Connection() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

base::Status Connection::Exec(const std::string& sql, std::string_view op) {
  char* error = nullptr;
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error);
  sqlite3_free(error);  // the same text is available from sqlite3_errmsg
  if (rc != SQLITE_OK) return SqliteError(db_, rc, op);
  return base::Status::Ok();
}

base::Result<Stmt> Connection::Prepare(const std::string& sql, std::string_view op) {
  if (auto it = cache_.find(sql); it != cache_.end()) return Stmt(it->second, db_, false);
  sqlite3_stmt* stmt = nullptr;
  const bool cache = cache_.size() < kMaxCachedStatements;
  const int rc = sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()),
                                    cache ? SQLITE_PREPARE_PERSISTENT : 0, &stmt, nullptr);
  if (rc != SQLITE_OK) {
    sqlite3_finalize(stmt);
    return SqliteError(db_, rc, op);
  }
  if (!cache) return Stmt(stmt, db_, true);
  cache_.emplace(sql, stmt);
  return Stmt(stmt, db_, false);
}

base::Result<std::string> Connection::QueryText(const std::string& sql, std::string_view op) {
  base::Result<Stmt> stmt = Prepare(sql, op);
  if (!stmt.ok()) return stmt.status();
  base::Result<bool> row = stmt->Step(op);
  if (!row.ok()) return row.status();
  if (!*row) return base::Internal(std::string(op) + ": no result");
  return stmt->Text(0);
}

base::Result<int64_t> Connection::QueryInt(const std::string& sql, std::string_view op) {
  base::Result<Stmt> stmt = Prepare(sql, op);
  if (!stmt.ok()) return stmt.status();
  base::Result<bool> row = stmt->Step(op);
  if (!row.ok()) return row.status();
  if (!*row) return base::Internal(std::string(op) + ": no result");
  return stmt->Int(0);
}

bool Connection::InTransaction() const { return sqlite3_get_autocommit(db_) == 0; }

}  // namespace tillvaxt::store::sqlite
