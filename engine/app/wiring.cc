#include "engine/app/wiring.h"

#include <filesystem>

#include "engine/app/backup_commands.h"
#include "engine/app/serve.h"
#include "engine/cli/user_command.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "engine/store/sqlite/sqlite_user_store.h"

namespace tillvaxt::app {

base::Result<std::unique_ptr<store::Store>> OpenSqliteStore(const cli::StoreOptions& options) {
  namespace fs = std::filesystem;
  fs::path dir = options.data_dir;
  fs::path db = dir / "tillvaxt.db";
  if (!options.create && !fs::exists(db)) {
    return base::NotFound("no database at " + db.string() + " (run `tillvaxt init` first)");
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return base::Internal("cannot create data folder " + dir.string() + ": " + ec.message());
  store::sqlite::SqliteOptions sqlite;
  sqlite.path = db.string();
  sqlite.durability = options.fast_durability ? store::sqlite::SqliteOptions::Durability::kNormal
                                              : store::sqlite::SqliteOptions::Durability::kFull;
  auto opened = store::sqlite::SqliteStore::Open(sqlite);
  if (!opened.ok()) return opened.status();
  return std::unique_ptr<store::Store>(std::move(*opened));
}

base::Result<std::unique_ptr<store::UserStore>> OpenSqliteUserStore(
    const cli::StoreOptions& options) {
  // The users live in the same database file as the events, on their own connection.
  auto events = OpenSqliteStore(options);
  if (!events.ok()) return events.status();
  auto users = store::sqlite::SqliteUserStore::Open(
      (std::filesystem::path(options.data_dir) / "tillvaxt.db").string());
  if (!users.ok()) return users.status();
  return std::unique_ptr<store::UserStore>(std::move(*users));
}

void WireServer(cli::Environment& env) {
  env.serve = ServeCommand;
  env.user = cli::UserCommand;
  env.backup = BackupCommand;
  env.restore = RestoreCommand;
  env.verify = VerifyCommand;
  env.open_user_store = OpenSqliteUserStore;
}

}  // namespace tillvaxt::app
