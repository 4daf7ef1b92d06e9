// Helpers for the store tests (and the crash test's child process): temporary folders,
// plausible case histories appended command by command, and a comparable snapshot of every
// projection as seen through the Store interface. No Catch2 here (the child links it).
//
// Thread-safety: plain functions and value types; a TempDir is owned by one test.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/time.h"
#include "engine/store/store.h"

namespace tillvaxt::store::testing {

// A fresh folder under $TMPDIR (or /tmp), removed with its contents when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The open states of the Team Tillväxt workflow (docs/WORKFLOW.md).
const std::vector<std::string>& OpenStates();

// The appends a service would make for one case's life, command by command: each has the
// events of one command (seq continuing the history) and the case folded after them
// (domain::Fold). `variant` picks node, needs, areas, actors, levels climbed, declines and how
// far the case gets (some stay open, some are withdrawn, rejected or unmatched); the same
// arguments always give the same history. Case ids must not contain ','.
std::vector<CaseAppend> CaseHistory(const std::string& id, uint64_t variant, base::Time start);

// Every event of a history, in order.
std::vector<domain::Event> HistoryEvents(const std::vector<CaseAppend>& history);

// Every projection as the Store shows it, for rebuild == live comparisons.
struct Snapshot {
  std::vector<domain::Case> cases;  // ListCases order (newest first), all pages
  std::unordered_map<std::string, int> open_by_actor;
  int64_t case_count = 0;
  int64_t event_count = 0;
  bool operator==(const Snapshot&) const = default;
};

// Empty `error` on success; otherwise what failed (so callers can REQUIRE on it).
Snapshot TakeSnapshot(Store& store, std::string* error);

}  // namespace tillvaxt::store::testing
