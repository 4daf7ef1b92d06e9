// `tillvaxt user`: the administrator's commands for the people who sign in.
//
//   tillvaxt user add USERNAME --role coordinator|actor|manager|admin [--node N] [--actor A]
//                             [--name NAME] [--email E] [--digest] [--password-stdin]
//   tillvaxt user passwd USERNAME [--password-stdin]
//   tillvaxt user list [--format table|json]
//   tillvaxt user disable USERNAME      (ends the user's sessions)
//   tillvaxt user enable USERNAME
//
// Each takes --data and --config, and --help. Passwords are read from standard input (one
// line) with --password-stdin, else asked for twice on the terminal without echo; without a
// terminal and without --password-stdin the command refuses rather than hang. The user store
// comes from Environment::open_user_store. Exit codes: 0 ok, 1 failure, 2 bad input (the
// message names the flag). Not thread-safe (a command of main).
#pragma once

#include <string>
#include <vector>

#include "engine/cli/cli.h"

namespace tillvaxt::cli {

// args: everything after `user`.
int UserCommand(const std::vector<std::string>& args, Environment& env);

}  // namespace tillvaxt::cli
