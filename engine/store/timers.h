// Timers: when each case's SLA timers must next be looked at (engine/service/sla_scheduler.h).
//
// Every case has a `next_timer`: the time its timers must next be looked at, or none. Every
// write of a case's projection (CaseLog::Append, Store::Rebuild) sets it to the case's
// update_time, so each change is looked at once; the scheduler then plans the case and sets the
// exact time with SetNextTimer.
//
// Thread-safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/case.h"

namespace tillvaxt::store {

class Timers {
 public:
  virtual ~Timers() = default;

  // Up to `limit` cases (clamped to 1..1000) whose next_timer <= `before`, earliest first,
  // through an index (cases due at the same instant come in no promised order).
  virtual base::Result<std::vector<domain::Case>> DueCases(base::Time before, int limit) = 0;
  // Sets the next timer of case `id` if it is still at `version`; ABORTED when the case changed
  // meanwhile (its new version is due anyway), NOT_FOUND when it does not exist.
  virtual base::Status SetNextTimer(const std::string& id, int64_t version,
                                    std::optional<base::Time> next) = 0;
};

}  // namespace tillvaxt::store
