#include "engine/store/sqlite/sqlite_user_store.h"

#include <string_view>
#include <utility>

#include "engine/store/sqlite/db.h"

namespace tillvaxt::store::sqlite {
namespace {

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
constexpr const char* kSessionColumns = "token_hash, username, create_time, expire_time, last_seen";

base::Time TimeAt(const Stmt& s, int column) { return base::FromUnixMillis(s.Int(column)); }

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

base::Result<UserRecord> ReadUser(const Stmt& s) {
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
  u.create_time = TimeAt(s, 9);
  return u;
}

SessionRecord ReadSession(const Stmt& s) {
  return SessionRecord{s.Text(0), s.Text(1), TimeAt(s, 2), TimeAt(s, 3), TimeAt(s, 4)};
}

}  // namespace

base::Result<std::unique_ptr<SqliteUserStore>> SqliteUserStore::Open(
    const std::string& path, SqliteUserStoreOptions options) {
  base::Result<std::unique_ptr<Connection>> opened =
      Connection::Open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "");
  if (!opened.ok()) return opened.status();
  Connection& db = **opened;
  const std::string where = "opening the user store at " + path;
  TV_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode=WAL", where));
  TV_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous=FULL", where));
  if (!options.allow_unversioned) {
    base::Result<int64_t> version = db.QueryInt("PRAGMA user_version", where);
    if (!version.ok()) return version.status();
    if (*version == 0) {
      return base::FailedPrecondition(
          "no tillvaxt database at " + path +
          " yet: the event store creates it (run `tillvaxt init` first)");
    }
  }
  TV_RETURN_IF_ERROR(db.Exec(kSchema, "creating the users and sessions tables in " + path));
  return std::unique_ptr<SqliteUserStore>(new SqliteUserStore(std::move(opened).value()));
}

SqliteUserStore::SqliteUserStore(std::unique_ptr<Connection> db) : db_(std::move(db)) {}

SqliteUserStore::~SqliteUserStore() = default;

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
  constexpr std::string_view kOp = "saving a user";
  base::Result<Stmt> s = db_->Prepare(sql, kOp);
  if (!s.ok()) return s.status();
  s->Bind(1, user.username)
      .Bind(2, std::string_view(domain::RoleName(user.role)))
      .Bind(3, user.node)
      .Bind(4, user.actor)
      .Bind(5, user.display_name)
      .Bind(6, user.email)
      .Bind(7, user.password_hash)
      .Bind(8, int64_t{user.disabled ? 1 : 0})
      .Bind(9, int64_t{user.digest ? 1 : 0})
      .Bind(10, base::ToUnixMillis(user.create_time));
  base::Status st = s->Run(kOp);
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
  constexpr std::string_view kOp = "reading a user";
  base::Result<Stmt> s = db_->Prepare(sql, kOp);
  if (!s.ok()) return s.status();
  s->Bind(1, username);
  base::Result<bool> row = s->Step(kOp);
  if (!row.ok()) return row.status();
  if (!*row) return base::NotFound("no user '" + username + "'");
  return ReadUser(*s);
}

base::Result<std::vector<UserRecord>> SqliteUserStore::ListUsers() {
  std::string sql = std::string("SELECT ") + kUserColumns + " FROM users ORDER BY username";
  std::lock_guard lock(mu_);
  constexpr std::string_view kOp = "listing users";
  base::Result<Stmt> s = db_->Prepare(sql, kOp);
  if (!s.ok()) return s.status();
  std::vector<UserRecord> users;
  while (true) {
    base::Result<bool> row = s->Step(kOp);
    if (!row.ok()) return row.status();
    if (!*row) break;
    base::Result<UserRecord> u = ReadUser(*s);
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
  constexpr std::string_view kOp = "creating a session";
  base::Result<Stmt> s = db_->Prepare(sql, kOp);
  if (!s.ok()) return s.status();
  s->Bind(1, session.token_hash)
      .Bind(2, session.username)
      .Bind(3, base::ToUnixMillis(session.create_time))
      .Bind(4, base::ToUnixMillis(session.expire_time))
      .Bind(5, base::ToUnixMillis(session.last_seen));
  return s->Run(kOp);
}

base::Result<SessionRecord> SqliteUserStore::GetSession(const std::string& token_hash) {
  std::string sql =
      std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE token_hash = ?1";
  std::lock_guard lock(mu_);
  constexpr std::string_view kOp = "reading a session";
  base::Result<Stmt> s = db_->Prepare(sql, kOp);
  if (!s.ok()) return s.status();
  s->Bind(1, token_hash);
  base::Result<bool> row = s->Step(kOp);
  if (!row.ok()) return row.status();
  if (!*row) return base::NotFound("no such session");
  return ReadSession(*s);
}

base::Status SqliteUserStore::TouchSession(const std::string& token_hash, base::Time last_seen) {
  std::lock_guard lock(mu_);
  constexpr std::string_view kOp = "updating a session";
  base::Result<Stmt> s =
      db_->Prepare("UPDATE sessions SET last_seen = ?2 WHERE token_hash = ?1", kOp);
  if (!s.ok()) return s.status();
  s->Bind(1, token_hash).Bind(2, base::ToUnixMillis(last_seen));
  return s->Run(kOp);
}

base::Status SqliteUserStore::DeleteSession(const std::string& token_hash) {
  std::lock_guard lock(mu_);
  constexpr std::string_view kOp = "deleting a session";
  base::Result<Stmt> s = db_->Prepare("DELETE FROM sessions WHERE token_hash = ?1", kOp);
  if (!s.ok()) return s.status();
  s->Bind(1, token_hash);
  return s->Run(kOp);
}

base::Result<int64_t> SqliteUserStore::DeleteUserSessions(const std::string& username) {
  std::lock_guard lock(mu_);
  constexpr std::string_view kOp = "revoking a user's sessions";
  base::Result<Stmt> s = db_->Prepare("DELETE FROM sessions WHERE username = ?1", kOp);
  if (!s.ok()) return s.status();
  s->Bind(1, username);
  TV_RETURN_IF_ERROR(s->Run(kOp));
  return int64_t{sqlite3_changes(db_->raw())};
}

base::Result<int64_t> SqliteUserStore::DeleteExpiredSessions(base::Time now,
                                                             base::Time idle_since) {
  std::lock_guard lock(mu_);
  constexpr std::string_view kOp = "deleting expired sessions";
  base::Result<Stmt> s =
      db_->Prepare("DELETE FROM sessions WHERE expire_time <= ?1 OR last_seen < ?2", kOp);
  if (!s.ok()) return s.status();
  s->Bind(1, base::ToUnixMillis(now)).Bind(2, base::ToUnixMillis(idle_since));
  TV_RETURN_IF_ERROR(s->Run(kOp));
  return int64_t{sqlite3_changes(db_->raw())};
}

}  // namespace tillvaxt::store::sqlite
