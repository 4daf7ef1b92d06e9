// The subcommands of `tillvaxt`. Each parses its own flags and returns an exit code.
#pragma once

#include <string>
#include <vector>

#include "engine/cli/cli.h"

namespace tillvaxt::cli {

int InitCommand(const std::vector<std::string>& args, Environment& env);
int CheckConfigCommand(const std::vector<std::string>& args, Environment& env);
int WorkflowCommand(const std::vector<std::string>& args, Environment& env);
int SeedCommand(const std::vector<std::string>& args, Environment& env);
int RebuildCommand(const std::vector<std::string>& args, Environment& env);
int DemoCommand(const std::vector<std::string>& args, Environment& env);

}  // namespace tillvaxt::cli
