// Backups of the SQLite database: taken while the server writes, checked, and restored.
//
// A backup is one SQLite file (and its checksum beside it): the database as of one moment (SQLite's
// online backup API, all pages read within one read transaction, so a server writing meanwhile
// neither disturbs nor waits for it: WAL keeps its snapshot), plus a table `backup_manifest` with
// the counts of events, cases, offers and users and a SHA-256 over both event logs. Verifying a
// database or a backup checks SQLite's integrity, the schema version, every event (it decodes, and
// each case's and offer's sequence runs 1, 2, 3, ...), the manifest when there is one, and that the
// projections equal what a rebuild from the events makes (on a temporary copy). Restoring
// verifies the backup first and changes nothing in the target when it is damaged.
//
// The data folder's other files (config.textproto, device-cookie.key) are not in the database;
// copy them beside it (docs/DEPLOY.md "Backups").
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace tillvaxt::store::sqlite {

// Beside a backup FILE: FILE.sha256, its SHA-256 in sha256sum's format (`sha256sum -c` checks
// it too).
inline constexpr char kChecksumSuffix[] = ".sha256";

// (done, total) now and then; total may be 0 when unknown.
using BackupProgress = std::function<void(int64_t done, int64_t total)>;

struct DatabaseCounts {
  int64_t events = 0;        // case events
  int64_t offer_events = 0;  // offer events
  int64_t cases = 0;
  int64_t offers = 0;
  int64_t users = 0;
  std::string events_sha256;  // over both event logs in commit order (lower-case hex)
};

// Copies the database file `db` to `to` (written as `to`.partial, then renamed, so `to` is
// either absent or whole). Refuses to overwrite an existing `to`. Progress counts pages.
base::Result<DatabaseCounts> BackupDatabase(const std::string& db, const std::string& to,
                                            const BackupProgress& progress);

struct VerifyReport {
  DatabaseCounts counts;
  bool has_checksum = false;          // FILE.sha256 was there and checked
  bool has_manifest = false;          // a backup: its manifest was checked
  std::vector<std::string> problems;  // empty: the database is sound
};

// Checks the database file `path` (a data folder's or a backup) without changing it.
// A damaged database is a report with problems, not an error; errors are for files that cannot
// be read at all (missing, not SQLite). Progress counts events.
base::Result<VerifyReport> VerifyDatabase(const std::string& path, const BackupProgress& progress);

// Replaces `db` by the backup `from` after verifying it. `db` is untouched when the backup is
// damaged (ABORTED, listing the problems), is a database but no backup, or `db` exists and
// !replace (FAILED_PRECONDITION). The server must not be running on `db`.
base::Status RestoreDatabase(const std::string& from, const std::string& db, bool replace,
                             const BackupProgress& progress);

}  // namespace tillvaxt::store::sqlite
