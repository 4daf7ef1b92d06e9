// `tillvaxt stats`: the flow statistics of a data folder on the terminal.
//
//   tillvaxt stats [--from DATE] [--to DATE] [--node N] [--area A] [--need N] [--level L]
//                  [--bucket week|month] [--metric created|resolved|escalated]
//                  [--format table|json|csv] [--data DIR] [--config FILE]
//
// The same figures as GET /v1/stats/* (run as the local administrator): a table of the summary,
// the flow links and the time series; JSON of the three API messages; or the CSV export.
// Exit codes: 0 ok, 1 failure, 2 bad input (the message names the flag). Not thread-safe.
#pragma once

#include <string>
#include <vector>

#include "engine/cli/cli.h"

namespace tillvaxt::cli {

// args: everything after `stats`.
int StatsCommand(const std::vector<std::string>& args, Environment& env);

}  // namespace tillvaxt::cli
