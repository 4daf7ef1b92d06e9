// Benchmark support shared by core_bench and http_bench: full case lifecycles decided by the
// real domain::Decider, and the "raw SQLite" baseline that writes exactly the rows the store
// writes for each command (same tables and indexes, same payload bytes, same pragmas) with no
// store in between.
//
// Not a product module: linked only by the benchmarks in bench/. Thread-safety: plain
// functions; a RawWriter is used by one thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/config.h"
#include "engine/store/store.h"

namespace tillvaxt::bench {

// One lifecycle: the appends of create, triage, claim, start, resolve and close (in order),
// each the events of one command and the case folded after them, as CaseService makes them.
using Lifecycle = std::vector<store::CaseAppend>;

// `count` lifecycles of cases logged at Sörmland-like nodes by their coordinators, triaged with
// random needs and areas, claimed by the best candidate, started, resolved and closed. Cases
// that triage leaves unmatched are drawn again. Deterministic for a given seed. `workflow_version`
// is stamped on the cases (what the store registered). Ids are "<prefix>-<n>".
base::Result<std::vector<Lifecycle>> GenerateLifecycles(const domain::Config& config,
                                                        int workflow_version, int count,
                                                        uint64_t seed, const std::string& prefix);

// A valid Swedish organisation number (Luhn check digit) for `n`: distinct n, distinct numbers.
std::string OrgNumberFor(uint64_t n);

// Creates a fresh store database at `path` (schema through SqliteStore itself) and returns the
// workflow version it registered for `config`.
base::Result<int> CreateStoreDatabase(const std::string& path, const domain::Config& config);

struct RateResult {
  int64_t commands = 0;  // transactions (one per command)
  int64_t rows = 0;      // rows inserted, upserted or deleted
  double seconds = 0;
  std::vector<double> latencies_ms;  // per command
  double per_second() const { return seconds > 0 ? static_cast<double>(commands) / seconds : 0; }
};

// The raw baseline: opens `path` (a database made by CreateStoreDatabase) with sqlite3 directly,
// journal_mode=WAL, synchronous=FULL (the store's default) and the store's cache size, and for
// each command of `lifecycles` in order runs one transaction with the same statements the store
// runs for it (events INSERTs, the cases upsert, the DELETEs of an existing case's candidate,
// involved-actor, need and area rows, their INSERTs) on precomputed bytes. Stops after
// `budget` (at a lifecycle boundary) or when the lifecycles run out.
base::Result<RateResult> RawInsert(const std::string& path, const std::vector<Lifecycle>& lifecycles,
                                   std::chrono::duration<double> budget);

// The disk's floor under any durable commit: `count` times, a 4 KiB write at the end of a file
// in `dir` followed by fdatasync; the latency of each pair in ms.
base::Result<std::vector<double>> FsyncProbe(const std::string& dir, int count);

// p in [0, 100] of `values` (sorted copy); 0 when empty.
double Percentile(std::vector<double> values, double p);
double Mean(const std::vector<double>& values);

// A fresh folder under `parent` (mkdtemp), and its recursive removal.
base::Result<std::string> MakeTempDir(const std::string& parent);
void RemoveTree(const std::string& path);

// "nproc=2; Intel(R) Xeon(R) ...; load 1.23 0.98 0.77" for the report header.
std::string MachineLine();

}  // namespace tillvaxt::bench
