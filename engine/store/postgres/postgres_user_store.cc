#include "engine/store/postgres/postgres_user_store.h"

#include <utility>

#include "engine/store/postgres/pool.h"
#include "engine/store/postgres/schema.h"

namespace tillvaxt::store::postgres {
namespace {

using base::Status;

constexpr const char* kUserColumns =
    "username, role, node, actor, display_name, email, password_hash, disabled, digest, "
    "create_time";
constexpr const char* kSessionColumns = "token_hash, username, create_time, expire_time, last_seen";

base::Time TimeAt(const Result& r, int row, int column) {
  return base::FromUnixMillis(r.Int(row, column));
}

base::Result<UserRecord> ReadUser(const Result& r, int i) {
  UserRecord u;
  u.username = r.Text(i, 0);
  const std::string role = r.Text(i, 1);
  bool known = false;
  for (domain::Role candidate :
       {domain::Role::kCoordinator, domain::Role::kActor, domain::Role::kManager,
        domain::Role::kAdmin, domain::Role::kSystem}) {
    if (role == domain::RoleName(candidate)) {
      u.role = candidate;
      known = true;
    }
  }
  if (!known) return base::Internal("user '" + u.username + "' has an unknown role '" + role + "'");
  u.node = r.Text(i, 2);
  u.actor = r.Text(i, 3);
  u.display_name = r.Text(i, 4);
  u.email = r.Text(i, 5);
  u.password_hash = r.Text(i, 6);
  u.disabled = r.Text(i, 7) == "t";
  u.digest = r.Text(i, 8) == "t";
  u.create_time = TimeAt(r, i, 9);
  return u;
}

// Runs one statement on a leased connection.
base::Result<Result> Run(Pool& pool, const std::string& sql, const Params& p, std::string_view op) {
  base::Result<Pool::Lease> db = pool.Get();
  if (!db.ok()) return db.status();
  return (*db)->Query(sql, p, op);
}

}  // namespace

base::Result<std::unique_ptr<PostgresUserStore>> PostgresUserStore::Open(
    const std::string& conninfo, int connections) {
  auto pool = std::make_unique<Pool>(conninfo, std::max(1, connections));
  {
    base::Result<Pool::Lease> db = pool->Get();
    if (!db.ok()) return db.status();
    base::Result<int> version = ReadSchemaVersion(**db);
    if (!version.ok()) return version.status();
    if (*version != kSchemaVersion) {
      return base::FailedPrecondition(
          "the users and sessions tables need schema version " + std::to_string(kSchemaVersion) +
          ", the database at " + RedactConnectionString(conninfo) + " is at " +
          std::to_string(*version) + " (the event store migrates it: open it first)");
    }
  }
  return std::unique_ptr<PostgresUserStore>(new PostgresUserStore(std::move(pool)));
}

PostgresUserStore::PostgresUserStore(std::unique_ptr<Pool> pool) : pool_(std::move(pool)) {}
PostgresUserStore::~PostgresUserStore() = default;

Status PostgresUserStore::WriteUser(const UserRecord& user, bool insert_only) {
  if (user.username.empty()) return base::InvalidField("username", "must not be empty");
  std::string sql = std::string("INSERT INTO users (") + kUserColumns +
                    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
  if (!insert_only) {
    sql +=
        " ON CONFLICT (username) DO UPDATE SET role = excluded.role, node = excluded.node, "
        "actor = excluded.actor, display_name = excluded.display_name, email = excluded.email, "
        "password_hash = excluded.password_hash, disabled = excluded.disabled, "
        "digest = excluded.digest, create_time = excluded.create_time";
  }
  Params p;
  p.Text(user.username)
      .Text(domain::RoleName(user.role))
      .Text(user.node)
      .Text(user.actor)
      .Text(user.display_name)
      .Text(user.email)
      .Text(user.password_hash)
      .Text(user.disabled ? "true" : "false")
      .Text(user.digest ? "true" : "false")
      .Int(base::ToUnixMillis(user.create_time));
  base::Result<Result> r = Run(*pool_, sql, p, "saving a user");
  if (insert_only && r.status().code() == base::Code::kAborted) {
    return base::Aborted("user '" + user.username + "' already exists");
  }
  return r.status();
}

Status PostgresUserStore::PutUser(const UserRecord& user) { return WriteUser(user, false); }

Status PostgresUserStore::InsertUser(const UserRecord& user) { return WriteUser(user, true); }

base::Result<UserRecord> PostgresUserStore::GetUser(const std::string& username) {
  Params p;
  p.Text(username);
  base::Result<Result> r =
      Run(*pool_, std::string("SELECT ") + kUserColumns + " FROM users WHERE username = $1", p,
          "reading a user");
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return base::NotFound("no user '" + username + "'");
  return ReadUser(*r, 0);
}

base::Result<std::vector<UserRecord>> PostgresUserStore::ListUsers() {
  base::Result<Result> r =
      Run(*pool_, std::string("SELECT ") + kUserColumns + " FROM users ORDER BY username", Params(),
          "listing users");
  if (!r.ok()) return r.status();
  std::vector<UserRecord> users;
  for (int i = 0; i < r->rows(); ++i) {
    base::Result<UserRecord> u = ReadUser(*r, i);
    if (!u.ok()) return u.status();
    users.push_back(std::move(*u));
  }
  return users;
}

Status PostgresUserStore::CreateSession(const SessionRecord& session) {
  if (session.token_hash.empty() || session.username.empty()) {
    return base::InvalidArgument("a session needs a token hash and a username");
  }
  Params p;
  p.Text(session.token_hash)
      .Text(session.username)
      .Int(base::ToUnixMillis(session.create_time))
      .Int(base::ToUnixMillis(session.expire_time))
      .Int(base::ToUnixMillis(session.last_seen));
  return Run(*pool_,
             std::string("INSERT INTO sessions (") + kSessionColumns +
                 ") VALUES ($1, $2, $3, $4, $5)",
             p, "creating a session")
      .status();
}

base::Result<SessionRecord> PostgresUserStore::GetSession(const std::string& token_hash) {
  Params p;
  p.Text(token_hash);
  base::Result<Result> r =
      Run(*pool_, std::string("SELECT ") + kSessionColumns + " FROM sessions WHERE token_hash = $1",
          p, "reading a session");
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return base::NotFound("no such session");
  return SessionRecord{r->Text(0, 0), r->Text(0, 1), TimeAt(*r, 0, 2), TimeAt(*r, 0, 3),
                       TimeAt(*r, 0, 4)};
}

Status PostgresUserStore::TouchSession(const std::string& token_hash, base::Time last_seen) {
  Params p;
  p.Text(token_hash).Int(base::ToUnixMillis(last_seen));
  return Run(*pool_, "UPDATE sessions SET last_seen = $2 WHERE token_hash = $1", p,
             "updating a session")
      .status();
}

Status PostgresUserStore::DeleteSession(const std::string& token_hash) {
  Params p;
  p.Text(token_hash);
  return Run(*pool_, "DELETE FROM sessions WHERE token_hash = $1", p, "deleting a session")
      .status();
}

base::Result<int64_t> PostgresUserStore::DeleteUserSessions(const std::string& username) {
  Params p;
  p.Text(username);
  base::Result<Result> r =
      Run(*pool_, "DELETE FROM sessions WHERE username = $1", p, "revoking a user's sessions");
  if (!r.ok()) return r.status();
  return r->Affected();
}

base::Result<int64_t> PostgresUserStore::DeleteExpiredSessions(base::Time now,
                                                               base::Time idle_since) {
  Params p;
  p.Int(base::ToUnixMillis(now)).Int(base::ToUnixMillis(idle_since));
  base::Result<Result> r =
      Run(*pool_, "DELETE FROM sessions WHERE expire_time <= $1 OR last_seen < $2", p,
          "deleting expired sessions");
  if (!r.ok()) return r.status();
  return r->Affected();
}

}  // namespace tillvaxt::store::postgres
