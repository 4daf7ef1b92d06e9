// The `tillvaxt` command line: one binary, one subcommand per job, `--help` on each.
//
// Exit codes: 0 ok, 1 runtime failure, 2 bad input (flags, configuration, arguments).
// The CLI names no concrete store or server: engine/app passes them in through Environment,
// so this layer stays above service and below app.
#pragma once

#include <functional>
#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/store/store.h"
#include "engine/store/user_store.h"

namespace tillvaxt::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitBadInput = 2;

struct StoreOptions {
  std::string data_dir;
  bool create = true;
  bool fast_durability = false;  // --durability normal: survives a killed process, not power loss
};

struct Environment {
  std::ostream& out;
  std::ostream& err;
  std::function<base::Result<std::unique_ptr<store::Store>>(const StoreOptions&)> open_store;
  // `tillvaxt serve` and `tillvaxt user`, wired by app when the HTTP layer is present.
  std::function<int(const std::vector<std::string>& args, Environment& env)> serve;
  std::function<int(const std::vector<std::string>& args, Environment& env)> user;
  // `tillvaxt backup`, `restore` and `verify`, which know the store's files.
  std::function<int(const std::vector<std::string>& args, Environment& env)> backup{};
  std::function<int(const std::vector<std::string>& args, Environment& env)> restore{};
  std::function<int(const std::vector<std::string>& args, Environment& env)> verify{};
  // The users and sessions of a data folder (`tillvaxt user`, `tillvaxt serve`); unset when
  // the build has none.
  std::function<base::Result<std::unique_ptr<store::UserStore>>(const StoreOptions&)>
      open_user_store{};
};

// args: everything after the program name.
int Run(const std::vector<std::string>& args, Environment& env);

}  // namespace tillvaxt::cli
