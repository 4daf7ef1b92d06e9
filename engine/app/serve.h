// `tillvaxt serve`: the HTTP server on the store in the data folder, until SIGINT or SIGTERM.
#pragma once

#include <string>
#include <vector>

#include "engine/cli/cli.h"

namespace tillvaxt::app {

int ServeCommand(const std::vector<std::string>& args, cli::Environment& env);

}  // namespace tillvaxt::app
