// StatsIndex: the statistics of every case, held compactly in memory so that the summary, the
// flow and the time series answer in milliseconds on a million cases without touching the
// event log.
//
// One row per case, at a slot the caller chooses (the SQLite store uses the rowid of the case's
// facts row, written in the same transaction as the events). Ids (nodes, needs, areas, levels,
// states, actors, outcomes, effects) are interned once. A row is replaced only by facts of a
// higher version, so updates may arrive out of order from concurrent commits.
// Answers equal BruteSummary / BruteFlow / BruteTimeSeries over the same facts (the property
// test holds them equal); percentiles are exact (nearest rank).
//
// Thread-safe: queries share a lock, updates take it exclusively. At most 64 distinct needs and
// 64 distinct areas (bit sets); more make queries answer FAILED_PRECONDITION.
#pragma once

#include <cstdint>
#include <memory>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/status.h"
#include "engine/projection/case_facts.h"
#include "engine/projection/stats.h"

namespace tillvaxt::projection {

class StatsIndex {
 public:
  StatsIndex() = default;
  StatsIndex(const StatsIndex&) = delete;
  StatsIndex& operator=(const StatsIndex&) = delete;

  // Sets the row at `slot` unless it already holds a higher version of the same case.
  void Upsert(int64_t slot, const CaseFacts& facts);
  void Clear();
  // Makes room for slots up to `max_slot` at once (loading), instead of growing by halves.
  void Reserve(int64_t max_slot);
  int64_t size() const;  // rows held

  base::Result<Summary> ComputeSummary(const StatsFilter& filter) const;
  base::Result<std::vector<FlowLink>> ComputeFlow(const StatsFilter& filter) const;
  base::Result<std::vector<TimePoint>> ComputeTimeSeries(const StatsFilter& filter, Bucket bucket,
                                                         Metric metric) const;

 private:
  static constexpr int64_t kNone = INT64_MIN;

  struct Escalation {
    uint16_t from_level;
    int64_t time;
  };
  struct Effect {
    uint16_t kind;
  };
  struct Row {
    int64_t version = 0;  // 0 = empty slot
    int64_t created = 0;
    int64_t first_matched = kNone;
    int64_t claimed = kNone;
    int64_t resolved = kNone;
    int64_t deadline = kNone;
    int64_t idle_ms = 0;
    uint64_t needs = 0;
    uint64_t areas = 0;
    int32_t claim_bd = -1;
    int32_t resolve_bd = -1;
    int32_t idle_bd = 0;
    int32_t declines = 0;
    int32_t sla_breaches = 0;
    uint16_t node = 0;
    uint16_t highest = 0;
    uint16_t state = 0;
    uint16_t assignee = 0;  // 0 = none ("" interned first)
    uint16_t outcome = 0;
    uint8_t flags = 0;  // kAllDeclined | kEndedUnmatched | kIdleDone | kHasExtra
  };
  // The variable-length part of a row, kept apart so the scans stay on the fixed-size rows
  // (about 100 bytes) and only visit this for the cases that have some.
  struct Extra {
    std::vector<Escalation> escalations;
    std::vector<Effect> effects;
  };
  static constexpr uint8_t kAllDeclined = 1;
  static constexpr uint8_t kEndedUnmatched = 2;
  static constexpr uint8_t kIdleDone = 4;  // matched at least once and no spell running
  static constexpr uint8_t kHasExtra = 8;  // escalated or effects recorded: see extras_

  // Interned strings; id 0 is always "".
  class Dict {
   public:
    Dict() { Intern(""); }
    uint16_t Intern(const std::string& s);
    int Find(const std::string& s) const;  // -1 when unknown
    const std::string& Name(uint16_t id) const { return names_[id]; }
    size_t size() const { return names_.size(); }

   private:
    std::unordered_map<std::string, uint16_t> ids_;
    std::vector<std::string> names_;
  };

  // The filter with ids resolved; `impossible` when a filter value was never seen.
  struct Compiled {
    bool impossible = false;
    bool has_from = false, has_to = false;
    int64_t from = 0, to = 0;
    int node = -1, level = -1;
    uint64_t need_bit = 0, area_bit = 0;
    std::vector<bool> open;  // by state id
  };
  Compiled Compile(const StatsFilter& filter) const;
  bool MatchesCase(const Row& r, const Compiled& c) const;
  bool MatchesPeriod(const Row& r, const Compiled& c) const;
  base::Status CheckWidth() const;

  mutable std::shared_mutex mu_;
  std::vector<Row> rows_;  // by slot
  std::vector<std::unique_ptr<Extra>> extras_;  // by slot; set only when the row has kHasExtra
  int64_t count_ = 0;
  Dict nodes_, levels_, states_, actors_, outcomes_, effects_, needs_, areas_;
};

}  // namespace tillvaxt::projection
