#include "engine/store/sqlite/sqlite_user_store.h"

#include <sqlite3.h>

#include <string_view>
#include <utility>

namespace tillvaxt::store::sqlite {
namespace {

constexpr int kBusyTimeoutMs = 5000;

// Times are Unix milliseconds; roles their API names ("COORDINATOR"). No foreign key from
// sessions to users: replacing a user must not cascade into its sessions.
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY,
  role TEXT NOT NULL,
  node TEXT NOT NULL DEFAULT '',
  actor TEXT NOT NULL DEFAULT '',
  display_name TEXT NOT NULL DEFAULT '',
  email TEXT NOT NULL DEFAULT '',
  password_hash TEXT NOT NULL,
  disabled INTEGER NOT NULL DEFAULT 0,
  digest INTEGER NOT NULL DEFAULT 0,
  create_time INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS sessions (
  token_hash TEXT PRIMARY KEY,
  username TEXT NOT NULL,
  create_time INTEGER NOT NULL,
  expire_time INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS sessions_by_username ON sessions (username);
CREATE INDEX IF NOT EXISTS sessions_by_expire_time ON sessions (expire_time);
CREATE INDEX IF NOT EXISTS sessions_by_last_seen ON sessions (last_seen);
)sql";

constexpr const char* kUserColumns =
    "username, role, node, actor, display_name, email, password_hash, disabled, digest, "
    "create_time";
constexpr const char* kSessionColumns =
    "token_hash, username, create_time, expire_time, last_seen";

base::Status Error(sqlite3* db, int rc, std::string_view op) {
  std::string message = std::string(op) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
      return base::Unavailable(std::move(message));
    case SQLITE_FULL:
      return base::ResourceExhausted(std::move(message));
    case SQLITE_CONSTRAINT:
      return base::Aborted(std::move(message));
    default:
      return base::Internal(std::move(message));
  }
}

// One prepared statement, finalized at the end of its scope. Bind errors surface at Step.
class Statement {
 public:
  Statement(sqlite3* db, const char* sql, std::string_view op) : db_(db), op_(op) {
    rc_ = sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr);
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, std::string_view text) {
    if (stmt_ == nullptr) return *this;  // the prepare error is reported by Step
    Note(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                           SQLITE_TRANSIENT));
    return *this;
  }
  Statement& Bind(int index, int64_t value) {
    if (stmt_ == nullptr) return *this;
    Note(sqlite3_bind_int64(stmt_, index, value));
    return *this;
  }
  Statement& Bind(int index, base::Time t) { return Bind(index, base::ToUnixMillis(t)); }

  // True with a row, false when done.
  base::Result<bool> Step() {
    if (rc_ != SQLITE_OK) return Error(db_, rc_, op_);
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    rc_ = rc;
    return Error(db_, rc, op_);
  }
  base::Status Run() {
    base::Result<bool> r = Step();
    return r.ok() ? base::Status::Ok() : r.status();
  }

  std::string Text(int column) const {
    const unsigned char* p = sqlite3_column_text(stmt_, column);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
             : std::string();
  }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  base::Time TimeAt(int column) const { return base::FromUnixMillis(Int(column)); }
  int64_t Changes() const { return sqlite3_changes(db_); }

 private:
  void Note(int rc) {
    if (rc_ == SQLITE_OK && rc != SQLITE_OK) rc_ = rc;
  }
  sqlite3* db_;
  std::string_view op_;
  sqlite3_stmt* stmt_ = nullptr;
  int rc_ = SQLITE_OK;
};

base::Status Exec(sqlite3* db, const char* sql, std::string_view op) {
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, nullptr);
  return rc == SQLITE_OK ? base::Status::Ok() : Error(db, rc, op);
}

base::Result<int64_t> QueryInt(sqlite3* db, const char* sql, std::string_view op) {
  Statement s(db, sql, op);
  base::Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::Internal(std::string(op) + ": no result");
  return s.Int(0);
}

bool ParseRole(const std::string& name, domain::Role* role) {
  for (domain::Role r : {domain::Role::kCoordinator, domain::Role::kActor, domain::Role::kManager,
                         domain::Role::kAdmin, domain::Role::kSystem}) {
    if (name == domain::RoleName(r)) {
      *role = r;
      return true;
    }
  }
  return false;
}

base::Result<UserRecord> ReadUser(const Statement& s) {
  UserRecord u;
  u.username = s.Text(0);
  std::string role = s.Text(1);
  if (!ParseRole(role, &u.role)) {
    return base::Internal("user '" + u.username + "' has an unknown role '" + role + "'");
  }
  u.node = s.Text(2);
  u.actor = s.Text(3);
  u.display_name = s.Text(4);
  u.email = s.Text(5);
  u.password_hash = s.Text(6);
  u.disabled = s.Int(7) != 0;
  u.digest = s.Int(8) != 0;
  u.create_time = s.TimeAt(9);
  return u;
}

SessionRecord ReadSession(const Statement& s) {
  return SessionRecord{s.Text(0), s.Text(1), s.TimeAt(2), s.TimeAt(3), s.TimeAt(4)};
}

}  // namespace

base::Result<std::unique_ptr<SqliteUserStore>> SqliteUserStore::Open(
    const std::string& path, SqliteUserStoreOptions options) {
  sqlite3* raw = nullptr;
  int rc = sqlite3_open_v2(path.c_str(), &raw,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                           nullptr);
  // From here on the store owns the handle (sqlite3_open_v2 returns one even on failure).
  std::unique_ptr<SqliteUserStore> store(new SqliteUserStore(raw));
  const std::string where = "opening the user store at " + path;
  if (rc != SQLITE_OK) return Error(raw, rc, where);
  sqlite3_busy_timeout(raw, kBusyTimeoutMs);
  sqlite3_extended_result_codes(raw, 1);
  TV_RETURN_IF_ERROR(Exec(raw, "PRAGMA journal_mode=WAL", where));
  TV_RETURN_IF_ERROR(Exec(raw, "PRAGMA synchronous=FULL", where));
  if (!options.allow_unversioned) {
    base::Result<int64_t> version = QueryInt(raw, "PRAGMA user_version", where);
    if (!version.ok()) return version.status();
    if (*version == 0) {
      return base::FailedPrecondition(
          "no tillvaxt database at " + path +
          " yet: the event store creates it (run `tillvaxt init` first)");
    }
  }
  TV_RETURN_IF_ERROR(Exec(raw, kSchema, "creating the users and sessions tables in " + path));
  return store;
}

SqliteUserStore::~SqliteUserStore() { sqlite3_close_v2(db_); }

base::Status SqliteUserStore::WriteUser(const UserRecord& user, bool insert_only) {
  if (user.username.empty()) return base::InvalidField("username", "must not be empty");
  std::string sql = std::string("INSERT INTO users (") + kUserColumns +
                    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
  if (!insert_only) {
    sql +=
        " ON CONFLICT (username) DO UPDATE SET role = excluded.role, node = excluded.node, "
        "actor = excluded.actor, display_name = excluded.display_name, email = excluded.email, "
        "password_hash = excluded.password_hash, disabled = excluded.disabled, "
        "digest = excluded.digest, create_time = excluded.create_time";
  }
  std::lock_guard lock(mu_);
  Statement s(db_, sql.c_str(), "saving a user");
  s.Bind(1, user.username)
      .Bind(2, std::string_view(domain::RoleName(user.role)))
      .Bind(3, user.node)
      .Bind(4, user.actor)
      .Bind(5, user.display_name)
      .Bind(6, user.email)
      .Bind(7, user.password_hash)
      .Bind(8, int64_t{user.disabled ? 1 : 0})
      .Bind(9, int64_t{user.digest ? 1 : 0})
      .Bind(10, user.create_time);
  base::Status st = s.Run();
  if (insert_only && st.code() == base::Code::kAborted) {
    return base::Aborted("user '" + user.username + "' already exists");
  }
  return st;
}

base::Status SqliteUserStore::PutUser(const UserRecord& user) { return WriteUser(user, false); }

base::Status SqliteUserStore::InsertUser(const UserRecord& user) { return WriteUser(user, true); }

base::Result<UserRecord> SqliteUserStore::GetUser(const std::string& username) {
  std::string sql = std::string("SELECT ") + kUserColumns + " FROM users WHERE username = ?1";
  std::lock_guard lock(mu_);
  Statement s(db_, sql.c_str(), "reading a user");
  s.Bind(1, username);
  base::Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::NotFound("no user '" + username + "'");
  return ReadUser(s);
}

base::Result<std::vector<UserRecord>> SqliteUserStore::ListUsers() {
  std::string sql = std::string("SELECT ") + kUserColumns + " FROM users ORDER BY username";
  std::lock_guard lock(mu_);
  Statement s(db_, sql.c_str(), "listing users");
  std::vector<UserRecord> users;
  while (true) {
    base::Result<bool> row = s.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    base::Result<UserRecord> u = ReadUser(s);
    if (!u.ok()) return u.status();
    users.push_back(std::move(*u));
  }
  return users;
}

base::Status SqliteUserStore::CreateSession(const SessionRecord& session) {
  if (session.token_hash.empty() || session.username.empty()) {
    return base::InvalidArgument("a session needs a token hash and a username");
  }
  std::string sql =
      std::string("INSERT INTO sessions (") + kSessionColumns + ") VALUES (?1, ?2, ?3, ?4, ?5)";
  std::lock_guard lock(mu_);
  Statement s(db_, sql.c_str(), "creating a session");
  s.Bind(1, session.token_hash)
      .Bind(2, session.username)
      .Bind(3, session.create_time)
      .Bind(4, session.expire_time)
      .Bind(5, session.last_seen);
  return s.Run();
}

base::Result<SessionRecord> SqliteUserStore::GetSession(const std::string& token_hash) {
  std::string sql =
      std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE token_hash = ?1";
  std::lock_guard lock(mu_);
  Statement s(db_, sql.c_str(), "reading a session");
  s.Bind(1, token_hash);
  base::Result<bool> row = s.Step();
  if (!row.ok()) return row.status();
  if (!*row) return base::NotFound("no such session");
  return ReadSession(s);
}

base::Status SqliteUserStore::TouchSession(const std::string& token_hash, base::Time last_seen) {
  std::lock_guard lock(mu_);
  Statement s(db_, "UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1",
              "updating a session");
  s.Bind(1, token_hash).Bind(2, last_seen);
  return s.Run();
}

base::Status SqliteUserStore::DeleteSession(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  Statement s(db_, "DELETE FROM sessions WHERE token_hash = ?1", "deleting a session");
  s.Bind(1, token_hash);
  return s.Run();
}

base::Result<int64_t> SqliteUserStore::DeleteUserSessions(const std::string& username) {
  std::lock_guard lock(mu_);
  Statement s(db_, "DELETE FROM sessions WHERE username = ?1", "revoking a user's sessions");
  s.Bind(1, username);
  TV_RETURN_IF_ERROR(s.Run());
  return s.Changes();
}

base::Result<int64_t> SqliteUserStore::DeleteExpiredSessions(base::Time now,
                                                             base::Time idle_since) {
  std::lock_guard lock(mu_);
  Statement s(db_, "DELETE FROM sessions WHERE expire_time <= ?1 OR last_seen < ?2",
              "deleting expired sessions");
  s.Bind(1, now).Bind(2, idle_since);
  TV_RETURN_IF_ERROR(s.Run());
  return s.Changes();
}

}  // namespace tillvaxt::store::sqlite
