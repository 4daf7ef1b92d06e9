#include "engine/app/backup_commands.h"

#include <filesystem>
#include <ostream>

#include "engine/cli/common.h"
#include "engine/cli/progress.h"
#include "engine/store/sqlite/backup.h"

namespace tillvaxt::app {
namespace {

namespace fs = std::filesystem;
using cli::Fail;

std::string DatabaseOf(const std::string& data_dir) {
  return (fs::path(data_dir) / "tillvaxt.db").string();
}

void AddDataFlag(cli::Flags& flags) {
  flags.Option("data", "DIR", "Data folder holding the database (env TILLVAXT_DATA)",
               cli::DefaultDataDir());
}

void PrintCounts(std::ostream& out, const store::sqlite::DatabaseCounts& c) {
  out << c.events << " case events, " << c.offer_events << " offer events, " << c.cases
      << " cases, " << c.offers << " offers, " << c.users << " users; events sha256 "
      << c.events_sha256 << "\n";
}

}  // namespace

int BackupCommand(const std::vector<std::string>& args, cli::Environment& env) {
  cli::Flags flags("backup",
                   "Copies the data folder's database to FILE while the server may go on "
                   "serving:\nthe database as of one moment, with a manifest (counts and a "
                   "checksum of the events)\nthat `tillvaxt verify --file` and `tillvaxt "
                   "restore` check. config.textproto and\ndevice-cookie.key are files beside "
                   "the database: copy them too.");
  AddDataFlag(flags);
  flags.Option("to", "FILE", "Where the backup goes (must not exist)");
  int exit = 0;
  if (!cli::ParseOrExit(flags, args, env, &exit)) return exit;
  if (flags.Get("to").empty()) return Fail(env.err, base::InvalidArgument("--to FILE is required"));
  const std::string db = DatabaseOf(flags.Get("data"));
  if (!fs::exists(db)) return Fail(env.err, base::NotFound("no database at " + db));
  cli::ProgressBar bar(env.err, cli::IsTty(env.err, env), "pages");
  auto counts = store::sqlite::BackupDatabase(
      db, flags.Get("to"), [&](int64_t done, int64_t total) { bar.Update(done, total); });
  bar.Finish();
  if (!counts.ok()) return Fail(env.err, counts.status());
  env.out << "Backed up " << db << " to " << flags.Get("to") << ": ";
  PrintCounts(env.out, *counts);
  return cli::kExitOk;
}

int VerifyCommand(const std::vector<std::string>& args, cli::Environment& env) {
  cli::Flags flags("verify",
                   "Checks a data folder's database or a backup without changing it: SQLite's\n"
                   "integrity check, the schema version, every event (it decodes; each case's "
                   "and\noffer's events run 1, 2, 3, ...), a backup's manifest (counts and the "
                   "events'\nchecksum), and projections equal to a rebuild from the events.");
  flags.Option("data", "DIR", "Data folder whose database to check (env TILLVAXT_DATA)");
  flags.Option("file", "FILE", "A backup (or database file) to check instead");
  int exit = 0;
  if (!cli::ParseOrExit(flags, args, env, &exit)) return exit;
  if (flags.Has("data") == flags.Has("file")) {
    return Fail(env.err, base::InvalidArgument("give either --data DIR or --file FILE"));
  }
  const std::string path = flags.Has("file") ? flags.Get("file") : DatabaseOf(flags.Get("data"));
  cli::ProgressBar bar(env.err, cli::IsTty(env.err, env), "events");
  auto report = store::sqlite::VerifyDatabase(
      path, [&](int64_t done, int64_t total) { bar.Update(done, total); });
  bar.Finish();
  if (!report.ok()) return Fail(env.err, report.status());
  if (!report->problems.empty()) {
    env.err << "tillvaxt: " << path << " is damaged:\n";
    for (const std::string& p : report->problems) env.err << "  " << p << "\n";
    return cli::kExitFailure;
  }
  env.out << path << " is sound" << (report->has_manifest ? " (a backup; manifest" : "")
          << (report->has_manifest && report->has_checksum ? " and file checksum" : "")
          << (report->has_manifest ? " checked)" : "") << ": ";
  PrintCounts(env.out, report->counts);
  return cli::kExitOk;
}

int RestoreCommand(const std::vector<std::string>& args, cli::Environment& env) {
  cli::Flags flags("restore",
                   "Puts a backup made by `tillvaxt backup` back as the data folder's database,\n"
                   "after verifying it: a damaged backup is refused and nothing is changed. Stop "
                   "the\nserver first.");
  flags.Option("from", "FILE", "The backup");
  AddDataFlag(flags);
  flags.Switch("replace", "Replace the database the data folder already holds");
  int exit = 0;
  if (!cli::ParseOrExit(flags, args, env, &exit)) return exit;
  if (flags.Get("from").empty()) {
    return Fail(env.err, base::InvalidArgument("--from FILE is required"));
  }
  std::error_code ec;
  fs::create_directories(flags.Get("data"), ec);
  if (ec) {
    return Fail(env.err, base::InvalidArgument("cannot create data folder " + flags.Get("data") +
                                               ": " + ec.message()));
  }
  const std::string db = DatabaseOf(flags.Get("data"));
  cli::ProgressBar bar(env.err, cli::IsTty(env.err, env), "pages");
  base::Status st =
      store::sqlite::RestoreDatabase(flags.Get("from"), db, flags.Has("replace"),
                                     [&](int64_t done, int64_t total) { bar.Update(done, total); });
  bar.Finish();
  if (!st.ok()) return Fail(env.err, st);
  env.out << "Restored " << flags.Get("from") << " to " << db << "\n";
  return cli::kExitOk;
}

}  // namespace tillvaxt::app
