// Realistic synthetic history for demos and benchmarks (`tillvaxt seed`).
//
// Cases are spread over the nodes, needs and areas of the configuration and over the last
// `years` years, and every step goes through the real Decider with a simulated clock, so the
// history is one the workflow could have produced: triaged, routed, escalated when nobody on a
// level takes it, declined, claimed, worked, resolved with outcomes, closed, effects recorded,
// some withdrawn, rejected or unmatched, recent ones still open. Reproducible for a seed.
// Appends in batches (one store transaction per batch). Not thread-safe; one run at a time.
#pragma once

#include <cstdint>
#include <functional>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/config.h"
#include "engine/store/case_log.h"

namespace tillvaxt::service {

struct SeedOptions {
  int64_t cases = 1000;
  uint64_t seed = 1;
  int years = 3;
  base::Time now{};       // the end of the history
  int batch_cases = 500;  // cases per store transaction
  // Called after each batch with (cases written, total).
  std::function<void(int64_t, int64_t)> progress;
};

struct SeedSummary {
  int64_t cases = 0;
  int64_t events = 0;
};

// REQUIRES: config.workflow.version is the version registered with `log`.
base::Result<SeedSummary> Seed(const domain::Config& config, store::CaseLog& log,
                               const SeedOptions& options);

}  // namespace tillvaxt::service
