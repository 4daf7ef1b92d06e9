// Concrete wiring: which store implementation backs a data folder, and the server commands.
#pragma once

#include <memory>

#include "engine/base/status.h"
#include "engine/cli/cli.h"
#include "engine/store/store.h"

namespace tillvaxt::app {

// DATA/tillvaxt.db, created when missing and options.create is set.
base::Result<std::unique_ptr<store::Store>> OpenSqliteStore(const cli::StoreOptions& options);

// Sets env.serve and env.user.
void WireServer(cli::Environment& env);

}  // namespace tillvaxt::app
