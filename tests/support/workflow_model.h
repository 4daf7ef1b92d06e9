// Model-based checks of the workflow engine, generated from a configuration.
//
// CheckTransitionModel fires every configured transition from every state as every kind of
// principal and asserts the Decider answers exactly what the configuration says (allowed iff
// the state is in `from` and a permit matches; the documented error codes otherwise;
// AllowedActions agreeing with Decide). A transition added to the configuration is covered with
// no new test. CheckRandomWalks drives random command sequences from Create and checks the case
// never leaves the configured states and that the fold of all events equals the case applied
// step by step. Both use Catch2 assertions: call them from inside a TEST_CASE.
#pragma once

#include <cstdint>

#include "engine/domain/config.h"

namespace tillvaxt::testing {

// REQUIRES: config has at least one node and passes CheckConfig.
void CheckTransitionModel(const domain::Config& config);

// `walks` random walks of bounded length, reproducible from `seed`.
void CheckRandomWalks(const domain::Config& config, int walks, uint32_t seed);

}  // namespace tillvaxt::testing
