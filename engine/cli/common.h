// Helpers shared by the subcommands: the data folder, loading the region configuration, and
// turning a Status into an exit code with a message.
#pragma once

#include <iosfwd>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/cli/cli.h"
#include "engine/cli/flags.h"
#include "engine/domain/config.h"

namespace tillvaxt::cli {

// The --data default: $TILLVAXT_DATA, else ./data.
std::string DefaultDataDir();

// Declares --data and --config on `flags`.
void AddDataFlags(Flags& flags);

// The configuration to run with: --config FILE when given, else DATA/config.textproto when it
// exists, else the shipped Sörmland configuration built into the binary. Problems are printed
// as FILE:LINE lines on `err`.
base::Result<domain::Config> LoadRegionConfig(const Flags& flags, std::ostream& err,
                                              std::string* source = nullptr);

// The built-in Sörmland configuration text.
const char* EmbeddedConfigText();

// Prints "tillvaxt: <message>" and returns the exit code for `status`.
int Fail(std::ostream& err, const base::Status& status);

// Parses flags; on --help prints help and sets *exit to 0, on error prints it and sets 2.
bool ParseOrExit(Flags& flags, const std::vector<std::string>& args, Environment& env, int* exit);

// True when `out` (env.out or env.err) is a terminal (progress bars draw only there).
bool IsTty(std::ostream& out, Environment& env);

}  // namespace tillvaxt::cli
