// main(): the only place that names concrete types and wires them together: the SQLite store
// behind the store interface, the CLI, and (when built) the HTTP server.
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "engine/app/wiring.h"
#include "engine/cli/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  tillvaxt::cli::Environment env{std::cout, std::cerr, tillvaxt::app::OpenSqliteStore, nullptr,
                                 nullptr};
  tillvaxt::app::WireServer(env);
  try {
    return tillvaxt::cli::Run(args, env);
  } catch (const std::exception& e) {
    std::cerr << "tillvaxt: internal error: " << e.what() << "\n";
    return 1;
  }
}
