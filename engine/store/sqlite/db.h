// A thin RAII layer over one SQLite connection and its prepared statements, turning every
// SQLite result code into a base::Status that names the operation. Internal to the SQLite
// store (the only code that includes sqlite3.h besides tests).
//
// Ownership: a Connection owns its sqlite3 handle and its cache of prepared statements; a
// Stmt borrows a statement from the cache (or owns an uncached one) and resets it when it goes
// out of scope. Thread-safety: a Connection and its Stmts are used by one thread at a time
// (connections are opened with SQLITE_OPEN_NOMUTEX); distinct connections are independent.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "engine/base/status.h"

namespace tillvaxt::store::sqlite {

// The Status for SQLite result `rc` during `op`, with the connection's error message.
// BUSY/LOCKED/IOERR/CANTOPEN/READONLY/FULL -> UNAVAILABLE,
// CONSTRAINT -> ABORTED, anything else -> INTERNAL.
base::Status SqliteError(sqlite3* db, int rc, std::string_view op);

class Stmt {
 public:
  Stmt(sqlite3_stmt* stmt, sqlite3* db, bool owned) : stmt_(stmt), db_(db), owned_(owned) {}
  Stmt(Stmt&& other) noexcept;
  Stmt& operator=(Stmt&&) = delete;
  Stmt(const Stmt&) = delete;
  ~Stmt();

  // Parameters are 1-based as in SQLite. Text and blobs are copied (SQLITE_TRANSIENT).
  Stmt& Bind(int index, int64_t value);
  Stmt& Bind(int index, std::string_view text);
  Stmt& BindBlob(int index, std::string_view bytes);
  Stmt& BindNull(int index);

  // One step: true with a row to read, false when done. A bind error is reported here.
  base::Result<bool> Step(std::string_view op);
  // Steps a statement that returns no rows (INSERT, UPDATE, ...).
  base::Status Run(std::string_view op);

  int64_t Int(int column) const;
  bool IsNull(int column) const;
  std::string Text(int column) const;
  std::string_view Blob(int column) const;  // valid until the next Step or the end of the Stmt

 private:
  void NoteBind(int rc);

  sqlite3_stmt* stmt_;
  sqlite3* db_;
  bool owned_;
  int bind_rc_ = SQLITE_OK;
};

class Connection {
 public:
  // Opens `path` with `flags` (SQLITE_OPEN_*; NOMUTEX is added) through VFS `vfs` (empty =
  // the default VFS) and sets the busy timeout.
  static base::Result<std::unique_ptr<Connection>> Open(const std::string& path, int flags,
                                                        const std::string& vfs);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  sqlite3* raw() const { return db_; }

  // Runs one or more statements without results.
  base::Status Exec(const std::string& sql, std::string_view op);
  // A statement for `sql`, prepared once per connection and cached (up to a bound; SQL beyond
  // it is prepared per use).
  base::Result<Stmt> Prepare(const std::string& sql, std::string_view op);
  // Runs a statement that yields a single value (e.g. a PRAGMA or a COUNT) as text.
  base::Result<std::string> QueryText(const std::string& sql, std::string_view op);
  base::Result<int64_t> QueryInt(const std::string& sql, std::string_view op);

  // True inside a transaction. After some I/O errors SQLite rolls the transaction back on its
  // own; callers use this to notice.
  bool InTransaction() const;

 private:
  explicit Connection(sqlite3* db) : db_(db) {}

  static constexpr size_t kMaxCachedStatements = 256;

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

}  // namespace tillvaxt::store::sqlite
