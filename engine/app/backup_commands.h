// `tillvaxt backup`, `tillvaxt restore` and `tillvaxt verify`: the SQLite database of a data
// folder copied while the server runs, put back, and checked (engine/store/sqlite/backup.h).
//
//   tillvaxt backup --data DIR --to FILE          (while serving; FILE must not exist)
//   tillvaxt restore --from FILE --data DIR [--replace]   (the server stopped)
//   tillvaxt verify (--data DIR | --file FILE)
//
// Exit codes: 0 ok; 1 a damaged database or backup (verify lists every problem; restore
// changes nothing) or a failure; 2 bad input (flags, a missing file, a target that exists).
#pragma once

#include <string>
#include <vector>

#include "engine/cli/cli.h"

namespace tillvaxt::app {

int BackupCommand(const std::vector<std::string>& args, cli::Environment& env);
int RestoreCommand(const std::vector<std::string>& args, cli::Environment& env);
int VerifyCommand(const std::vector<std::string>& args, cli::Environment& env);

}  // namespace tillvaxt::app
