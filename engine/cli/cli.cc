#include "engine/cli/cli.h"

#include <ostream>

#include "engine/cli/commands.h"
#include "engine/cli/stats_command.h"

namespace tillvaxt::cli {
namespace {

struct Command {
  const char* name;
  const char* summary;
  int (*run)(const std::vector<std::string>&, Environment&);
};

constexpr Command kCommands[] = {
    {"init", "Create the data folder, its database and its configuration", InitCommand},
    {"check-config", "Validate a region configuration and list every problem", CheckConfigCommand},
    {"workflow", "Draw the workflow as Graphviz dot, Mermaid or SCXML", WorkflowCommand},
    {"seed", "Fill the database with a realistic synthetic history", SeedCommand},
    {"rebuild", "Rebuild every projection from the event log", RebuildCommand},
    {"stats", "Print the flow statistics: summary, flow, time series, or the CSV", StatsCommand},
    {"demo", "Run one case through the whole process and print its history", DemoCommand},
};

void PrintUsage(std::ostream& out) {
  out << "Usage: tillvaxt <command> [options]\n\n"
         "Tillväxt runs Team Tillväxt, the process that routes companies' needs from the local\n"
         "innovation nodes up the ladder to the actors that can help, and offers back down.\n\n"
         "Commands:\n";
  out << "  serve          Start the HTTP server (API and web app)\n";
  out << "  user           Manage users: add, passwd, list\n";
  out << "  backup         Copy the database to a file while the server runs\n";
  out << "  restore        Put a backup back as the data folder's database\n";
  out << "  verify         Check a database or a backup: integrity, events, projections\n";
  for (const Command& c : kCommands) {
    std::string name = c.name;
    name.resize(14, ' ');
    out << "  " << name << " " << c.summary << "\n";
  }
  out << "\nRun `tillvaxt <command> --help` for a command's options.\n"
         "Exit codes: 0 ok, 1 runtime failure, 2 bad input.\n";
}

}  // namespace

int Run(const std::vector<std::string>& args, Environment& env) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    PrintUsage(args.empty() ? env.err : env.out);
    return args.empty() ? kExitBadInput : kExitOk;
  }
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "serve" && env.serve) return env.serve(rest, env);
  if (args[0] == "user" && env.user) return env.user(rest, env);
  if (args[0] == "backup" && env.backup) return env.backup(rest, env);
  if (args[0] == "restore" && env.restore) return env.restore(rest, env);
  if (args[0] == "verify" && env.verify) return env.verify(rest, env);
  for (const Command& c : kCommands) {
    if (args[0] == c.name) return c.run(rest, env);
  }
  env.err << "tillvaxt: unknown command '" << args[0] << "'\n\n";
  PrintUsage(env.err);
  return kExitBadInput;
}

}  // namespace tillvaxt::cli
