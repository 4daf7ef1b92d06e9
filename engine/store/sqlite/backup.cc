#include "engine/store/sqlite/backup.h"

#include <fcntl.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <utility>

#include "engine/codec/event_codec.h"
#include "engine/codec/offer_codec.h"
#include "engine/store/sqlite/db.h"
#include "engine/store/sqlite/schema.h"
#include "engine/store/sqlite/sqlite_store.h"

namespace tillvaxt::store::sqlite {
namespace {

namespace fs = std::filesystem;

constexpr int kPagesPerStep = 1024;
constexpr size_t kProblemsListed = 20;

// Columns a rebuild makes afresh on purpose, so they are no evidence of damage: the next timer
// (the SLA scheduler plans it again) and the statistics facts' storage slot.
const std::set<std::pair<std::string, std::string>> kRebuildOwnColumns = {{"cases", "next_timer"},
                                                                          {"case_facts", "slot"}};
// Tables that are the record itself or not derived from it.
const std::set<std::string> kNotProjections = {"events",   "offer_events",    "users",
                                               "sessions", "sqlite_sequence", "backup_manifest"};

base::Result<std::unique_ptr<Connection>> OpenReadOnly(const std::string& path) {
  if (!fs::exists(path)) return base::NotFound("no database file " + path);
  return Connection::Open(path, SQLITE_OPEN_READONLY, "");
}

void SyncFolderOf(const std::string& path) {
  int fd = ::open(fs::path(path).parent_path().empty() ? "." : fs::path(path).parent_path().c_str(),
                  O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    (void)::fsync(fd);
    ::close(fd);
  }
}

std::string Hex(const unsigned char* bytes, size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0xf];
  }
  return out;
}

// SHA-256 of the file's bytes (lower-case hex).
base::Result<std::string> FileSha256(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return base::NotFound("cannot read " + path);
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  std::string block(1 << 16, '\0');
  long n = 0;
  while ((n = ::read(fd, block.data(), block.size())) > 0) {
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(block.data()),
                              static_cast<size_t>(n));
  }
  ::close(fd);
  if (n < 0) return base::Unavailable("error reading " + path);
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  return Hex(digest, sizeof digest);
}

// Feeds one log's rows (every column, the payload last) into `state` in commit order.
base::Status HashLog(Connection& db, const std::string& table, const std::string& id_column,
                     crypto_hash_sha256_state* state) {
  auto stmt =
      db.Prepare("SELECT position, " + id_column + ", seq, type, time, user, payload FROM " +
                     table + " ORDER BY position",
                 "reading " + table);
  if (!stmt.ok()) return stmt.status();
  for (;;) {
    auto row = stmt->Step("reading " + table);
    if (!row.ok()) return row.status();
    if (!*row) return base::Status();
    std::string fields;
    for (int column : {0, 1, 2, 3, 4, 5}) fields += stmt->Text(column) + "\x1f";
    std::string_view payload = stmt->Blob(6);
    crypto_hash_sha256_update(state, reinterpret_cast<const unsigned char*>(fields.data()),
                              fields.size());
    crypto_hash_sha256_update(state, reinterpret_cast<const unsigned char*>(payload.data()),
                              payload.size());
  }
}

base::Result<DatabaseCounts> CountsOf(Connection& db) {
  DatabaseCounts c;
  for (auto [table, field] : {std::pair{"events", &c.events},
                              {"offer_events", &c.offer_events},
                              {"cases", &c.cases},
                              {"offers", &c.offers},
                              {"users", &c.users}}) {
    auto n =
        db.QueryInt(std::string("SELECT count(*) FROM ") + table, std::string("counting ") + table);
    if (!n.ok()) return n.status();
    *field = *n;
  }
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  TV_RETURN_IF_ERROR(HashLog(db, "events", "case_id", &state));
  TV_RETURN_IF_ERROR(HashLog(db, "offer_events", "offer_id", &state));
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  c.events_sha256 = Hex(digest, sizeof digest);
  return c;
}

// Copies every page of `src_path` into a new file `dest_path` within one read transaction of
// the source (a consistent snapshot however much is written meanwhile), then makes the copy a
// self-contained rollback-journal database.
base::Status CopyDatabase(const std::string& src_path, const std::string& dest_path,
                          const BackupProgress& progress) {
  auto src = OpenReadOnly(src_path);
  if (!src.ok()) return src.status();
  // BEGIN is deferred: the first read starts the transaction whose snapshot the copy takes.
  TV_RETURN_IF_ERROR((*src)->Exec("BEGIN", "starting the read of " + src_path));
  auto started = (*src)->QueryInt("PRAGMA page_count", "reading " + src_path);
  if (!started.ok()) return started.status();
  auto dest = Connection::Open(dest_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, "");
  if (!dest.ok()) return dest.status();
  sqlite3_backup* backup = sqlite3_backup_init((*dest)->raw(), "main", (*src)->raw(), "main");
  if (backup == nullptr) {
    return SqliteError((*dest)->raw(), sqlite3_errcode((*dest)->raw()),
                       "starting the copy to " + dest_path);
  }
  int rc = SQLITE_OK;
  while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    rc = sqlite3_backup_step(backup, kPagesPerStep);
    if (progress) {
      progress(sqlite3_backup_pagecount(backup) - sqlite3_backup_remaining(backup),
               sqlite3_backup_pagecount(backup));
    }
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(10);
  }
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) return SqliteError((*dest)->raw(), rc, "copying " + src_path);
  (void)(*src)->Exec("COMMIT", "ending the read of " + src_path);
  return (*dest)->Exec("PRAGMA journal_mode = DELETE; PRAGMA synchronous = FULL",
                       "making " + dest_path + " a file of its own");
}

bool TableExists(Connection& db, const std::string& name) {
  auto n = db.QueryInt(
      "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + name + "'",
      "reading the schema");
  return n.ok() && *n > 0;
}

// The projection tables: every table but the records themselves and the full-text indexes'
// shadow tables (their content is compared through the index's own table).
base::Result<std::vector<std::string>> ProjectionTables(Connection& db) {
  auto stmt = db.Prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' ORDER BY name",
                         "reading schema");
  if (!stmt.ok()) return stmt.status();
  std::vector<std::pair<std::string, std::string>> tables;
  std::set<std::string> virtual_tables;
  for (;;) {
    auto row = stmt->Step("reading the schema");
    if (!row.ok()) return row.status();
    if (!*row) break;
    tables.emplace_back(stmt->Text(0), stmt->Text(1));
    if (tables.back().second.starts_with("CREATE VIRTUAL TABLE")) {
      virtual_tables.insert(tables.back().first);
    }
  }
  std::vector<std::string> out;
  for (const auto& [name, sql] : tables) {
    if (kNotProjections.contains(name)) continue;
    bool shadow = false;
    for (const std::string& v : virtual_tables) {
      shadow = shadow || (name.size() > v.size() + 1 && name.starts_with(v + "_"));
    }
    if (!shadow) out.push_back(name);
  }
  return out;
}

// A digest of a table's rows (the columns a rebuild owns left out), independent of row order.
base::Result<std::string> TableDigest(Connection& db, const std::string& table) {
  auto columns = db.Prepare("SELECT name FROM pragma_table_info(?1)", "reading " + table);
  if (!columns.ok()) return columns.status();
  columns->Bind(1, table);
  std::string row_expr;
  for (;;) {
    auto row = columns->Step("reading the columns of " + table);
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string column = columns->Text(0);
    if (kRebuildOwnColumns.contains({table, column})) continue;
    row_expr += (row_expr.empty() ? "" : " || '|' || ") + ("quote(\"" + column + "\")");
  }
  if (row_expr.empty()) return std::string();
  auto rows =
      db.Prepare("SELECT " + row_expr + " FROM \"" + table + "\" ORDER BY 1", "reading " + table);
  if (!rows.ok()) return rows.status();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  for (;;) {
    auto row = rows->Step("reading " + table);
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string text = rows->Text(0) + "\n";
    crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(text.data()),
                              text.size());
  }
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&state, digest);
  return Hex(digest, sizeof digest);
}

// Each log's sequences run 1, 2, 3, ... per id and every payload decodes.
template <typename ParseFn>
base::Status CheckLog(Connection& db, const std::string& table, const std::string& id_column,
                      ParseFn parse, const BackupProgress& progress, int64_t total, int64_t& done,
                      std::vector<std::string>& problems) {
  auto stmt = db.Prepare(
      "SELECT " + id_column + ", seq, payload FROM " + table + " ORDER BY " + id_column + ", seq",
      "reading " + table);
  if (!stmt.ok()) return stmt.status();
  std::string id;
  int64_t expected = 1;
  for (;;) {
    auto row = stmt->Step("reading " + table);
    if (!row.ok()) return row.status();
    if (!*row) return base::Status();
    if (stmt->Text(0) != id) {
      id = stmt->Text(0);
      expected = 1;
    }
    const int64_t seq = stmt->Int(1);
    if (seq != expected) {
      problems.push_back(table + ": " + id + " has event " + std::to_string(seq) + " where event " +
                         std::to_string(expected) + " belongs");
    }
    expected = seq + 1;
    if (auto e = parse(stmt->Blob(2)); !e.ok()) {
      problems.push_back(table + ": event " + std::to_string(seq) + " of " + id +
                         " does not decode: " + e.status().message());
    }
    if (++done % 10000 == 0 && progress) progress(done, total);
  }
}

// Rebuilds the projections on a temporary copy of `path` and lists the tables that differ.
base::Status CompareWithRebuild(Connection& db, const std::string& path,
                                std::vector<std::string>& problems) {
  std::string tmpl = (fs::temp_directory_path() / "tillvaxt-verify-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    return base::Internal("cannot make a temporary folder for the rebuild: " + tmpl);
  }
  const fs::path dir = tmpl;
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(dir, ignored);
    }
  } cleanup{dir};
  const std::string copy = (dir / "rebuilt.db").string();
  TV_RETURN_IF_ERROR(CopyDatabase(path, copy, nullptr));
  {
    auto c = Connection::Open(copy, SQLITE_OPEN_READWRITE, "");
    if (!c.ok()) return c.status();
    TV_RETURN_IF_ERROR((*c)->Exec("DROP TABLE IF EXISTS backup_manifest", "preparing the copy"));
  }
  {
    SqliteOptions options;
    options.path = copy;
    options.durability = SqliteOptions::Durability::kNormal;
    auto store = SqliteStore::Open(options);
    if (!store.ok()) return store.status();
    TV_RETURN_IF_ERROR((*store)->Rebuild([](int64_t, int64_t) {}));
  }
  auto rebuilt = OpenReadOnly(copy);
  if (!rebuilt.ok()) return rebuilt.status();
  auto tables = ProjectionTables(db);
  if (!tables.ok()) return tables.status();
  for (const std::string& table : *tables) {
    auto mine = TableDigest(db, table);
    if (!mine.ok()) return mine.status();
    auto theirs = TableDigest(**rebuilt, table);
    if (!theirs.ok()) return theirs.status();
    if (*mine != *theirs) {
      problems.push_back("the projection '" + table +
                         "' differs from a rebuild from the events (`tillvaxt rebuild` makes "
                         "it again)");
    }
  }
  return base::Status();
}

base::Status CheckManifest(Connection& db, const DatabaseCounts& counts,
                           std::vector<std::string>& problems) {
  auto stmt = db.Prepare("SELECT key, value FROM backup_manifest", "reading the manifest");
  if (!stmt.ok()) return stmt.status();
  std::set<std::string> seen;
  const std::vector<std::pair<std::string, std::string>> actual = {
      {"events", std::to_string(counts.events)},
      {"offer_events", std::to_string(counts.offer_events)},
      {"cases", std::to_string(counts.cases)},
      {"offers", std::to_string(counts.offers)},
      {"users", std::to_string(counts.users)},
      {"events_sha256", counts.events_sha256}};
  for (;;) {
    auto row = stmt->Step("reading the manifest");
    if (!row.ok()) return row.status();
    if (!*row) break;
    const std::string key = stmt->Text(0);
    const std::string value = stmt->Text(1);
    for (const auto& [k, v] : actual) {
      if (k != key) continue;
      seen.insert(k);
      if (v != value) {
        problems.push_back("the backup's manifest says " + k + " " + value + ", the file holds " +
                           v + (k == "events_sha256" ? ": the events were changed" : ""));
      }
    }
  }
  for (const auto& [k, v] : actual) {
    if (!seen.contains(k)) problems.push_back("the backup's manifest lacks '" + k + "'");
  }
  return base::Status();
}

}  // namespace

base::Result<DatabaseCounts> BackupDatabase(const std::string& db, const std::string& to,
                                            const BackupProgress& progress) {
  if (sodium_init() < 0) return base::Internal("libsodium failed to initialise");
  if (fs::exists(to)) {
    return base::FailedPrecondition("backup file " + to +
                                    " already exists: choose another name or remove it");
  }
  const std::string partial = to + ".partial";
  std::error_code ec;
  fs::remove(partial, ec);
  auto fail = [&](base::Status st) {
    std::error_code ignored;
    fs::remove(partial, ignored);
    fs::remove(partial + "-journal", ignored);
    return st;
  };
  if (base::Status st = CopyDatabase(db, partial, progress); !st.ok()) return fail(st);
  auto dest = Connection::Open(partial, SQLITE_OPEN_READWRITE, "");
  if (!dest.ok()) return fail(dest.status());
  auto counts = CountsOf(**dest);
  if (!counts.ok()) return fail(counts.status());
  std::string sql =
      "BEGIN; CREATE TABLE backup_manifest (key TEXT PRIMARY KEY, value TEXT NOT NULL);";
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"events", std::to_string(counts->events)},
           {"offer_events", std::to_string(counts->offer_events)},
           {"cases", std::to_string(counts->cases)},
           {"offers", std::to_string(counts->offers)},
           {"users", std::to_string(counts->users)},
           {"events_sha256", counts->events_sha256},
           {"schema_version", std::to_string(kSchemaVersion)}}) {
    sql += "INSERT INTO backup_manifest VALUES ('" + k + "', '" + v + "');";
  }
  sql += "COMMIT;";
  if (base::Status st = (*dest)->Exec(sql, "writing the backup's manifest"); !st.ok()) {
    return fail(st);
  }
  dest->reset();
  fs::rename(partial, to, ec);
  if (ec) {
    return fail(base::Internal("cannot rename " + partial + " to " + to + ": " + ec.message()));
  }
  // The file's own checksum beside it, in sha256sum's format: any changed byte shows.
  auto digest = FileSha256(to);
  if (!digest.ok()) return digest.status();
  const std::string line = *digest + "  " + fs::path(to).filename().string() + "\n";
  const std::string sidecar = to + kChecksumSuffix;
  int fd = ::open(sidecar.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  bool written = fd >= 0 &&
                 ::write(fd, line.data(), line.size()) == static_cast<long>(line.size()) &&
                 ::fsync(fd) == 0;
  if (fd >= 0) ::close(fd);
  if (!written) return base::Unavailable("cannot write " + sidecar);
  SyncFolderOf(to);
  return *counts;
}

base::Result<VerifyReport> VerifyDatabase(const std::string& path, const BackupProgress& progress) {
  if (sodium_init() < 0) return base::Internal("libsodium failed to initialise");
  auto opened = OpenReadOnly(path);
  if (!opened.ok()) return opened.status();
  Connection& db = **opened;
  VerifyReport report;
  if (fs::exists(path + kChecksumSuffix)) {
    report.has_checksum = true;
    std::ifstream in(path + kChecksumSuffix);
    std::string expected;
    in >> expected;
    auto actual = FileSha256(path);
    if (!actual.ok()) return actual.status();
    if (*actual != expected) {
      report.problems.push_back("the file's SHA-256 is " + *actual + ", not " + expected + " as " +
                                path + kChecksumSuffix +
                                " says: it was changed or damaged since the backup");
    }
  }
  auto integrity = db.Prepare("PRAGMA integrity_check(" + std::to_string(kProblemsListed) + ")",
                              "checking integrity");
  if (!integrity.ok()) {
    report.problems.push_back("not a readable SQLite database: " + integrity.status().message());
    return report;
  }
  for (;;) {
    auto row = integrity->Step("checking integrity");
    if (!row.ok()) {
      report.problems.push_back("SQLite's integrity check failed: " + row.status().message());
      return report;
    }
    if (!*row) break;
    if (integrity->Text(0) != "ok") report.problems.push_back("damaged: " + integrity->Text(0));
  }
  if (!report.problems.empty()) return report;
  auto version = db.QueryInt("PRAGMA user_version", "reading the schema version");
  if (!version.ok()) return version.status();
  if (*version == 0 || !TableExists(db, "events")) {
    report.problems.push_back("not a Tillväxt database (no schema version or no events)");
    return report;
  }
  if (*version > kSchemaVersion) {
    report.problems.push_back("schema version " + std::to_string(*version) +
                              " is newer than this tillvaxt's (" + std::to_string(kSchemaVersion) +
                              "): upgrade tillvaxt");
    return report;
  }
  auto counts = CountsOf(db);
  if (!counts.ok()) return counts.status();
  report.counts = *counts;
  int64_t done = 0;
  const int64_t total = counts->events + counts->offer_events;
  TV_RETURN_IF_ERROR(
      CheckLog(db, "events", "case_id", codec::ParseEvent, progress, total, done, report.problems));
  TV_RETURN_IF_ERROR(CheckLog(db, "offer_events", "offer_id", codec::ParseOfferEvent, progress,
                              total, done, report.problems));
  if (progress) progress(done, total);
  report.has_manifest = TableExists(db, "backup_manifest");
  if (report.has_manifest) TV_RETURN_IF_ERROR(CheckManifest(db, *counts, report.problems));
  // A rebuild from damaged events proves nothing; an older schema is migrated by a rebuild.
  if (report.problems.empty() && *version == kSchemaVersion) {
    TV_RETURN_IF_ERROR(CompareWithRebuild(db, path, report.problems));
  }
  if (report.problems.size() > kProblemsListed) {
    const size_t more = report.problems.size() - kProblemsListed;
    report.problems.resize(kProblemsListed);
    report.problems.push_back("... and " + std::to_string(more) + " more");
  }
  return report;
}

base::Status RestoreDatabase(const std::string& from, const std::string& db, bool replace,
                             const BackupProgress& progress) {
  auto report = VerifyDatabase(from, nullptr);
  if (!report.ok()) return report.status();
  if (!report->problems.empty()) {
    std::string why;
    for (const std::string& p : report->problems) why += "\n  " + p;
    return base::Aborted("the backup " + from + " is damaged; nothing was changed:" + why);
  }
  if (!report->has_manifest) {
    return base::FailedPrecondition(from + " is a database but not a backup (no manifest): " +
                                    "make one with `tillvaxt backup`; nothing was changed");
  }
  if (fs::exists(db) && !replace) {
    return base::FailedPrecondition(db + " already exists: stop the server and pass --replace " +
                                    "to replace it by the backup; nothing was changed");
  }
  const std::string restoring = db + ".restoring";
  std::error_code ec;
  fs::remove(restoring, ec);
  auto fail = [&](base::Status st) {
    std::error_code ignored;
    fs::remove(restoring, ignored);
    fs::remove(restoring + "-journal", ignored);
    return st;
  };
  if (base::Status st = CopyDatabase(from, restoring, progress); !st.ok()) return fail(st);
  {
    auto c = Connection::Open(restoring, SQLITE_OPEN_READWRITE, "");
    if (!c.ok()) return fail(c.status());
    if (base::Status st = (*c)->Exec("DROP TABLE backup_manifest", "preparing the restore");
        !st.ok()) {
      return fail(st);
    }
  }
  // The old database's WAL belongs to it alone: left beside the restored file it would be
  // replayed onto it.
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(db + suffix, ec);
  fs::rename(restoring, db, ec);
  if (ec)
    return fail(base::Internal("cannot rename " + restoring + " to " + db + ": " + ec.message()));
  SyncFolderOf(db);
  return base::Status();
}

}  // namespace tillvaxt::store::sqlite
