// The cases of the SQLite store: the `events` log (event_log.h with CaseKind) and the case
// projection — the `cases` row with its candidate, involved-actor, need and area rows and its
// full-text row — written in the same transaction as every append. SqliteStore calls these on
// its writer connection (inside the batch's savepoint) or on a leased reader.
//
// Tables (schema.cc): events (position, case_id, seq, type, time, user, payload: a stored
// CaseEvent); cases (id, state, level, node, assignee, org_number, parent_id, title,
// description, create_time, update_time, version, workflow_version, highest_level, deadline,
// next_timer, body: a storage CaseRow); case_candidates, case_involved (case_id, actor);
// case_needs (case_id, need); case_areas (case_id, area); case_search (text_search.h).
//
// Thread-safety: each function uses only the connection it is given.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/case.h"
#include "engine/store/case_log.h"
#include "engine/store/case_queries.h"
#include "engine/store/sqlite/case_cache.h"
#include "engine/store/sqlite/db.h"

namespace tillvaxt::store::sqlite {

// The cases' log for event_log.h.
struct CaseKind {
  using Event = domain::Event;
  using Subject = domain::Case;
  using Append = CaseAppend;
  static constexpr const char* kNoun = "case";
  static constexpr const char* kEventTable = "events";
  static constexpr const char* kIdColumn = "case_id";
  static constexpr const char* kProjection = "cases";
  static const std::string& SubjectId(const Event& e) { return e.case_id; }
  static std::string_view TypeName(const Event& e);
  static std::string Serialize(const Event& e);
  static base::Result<Event> Parse(std::string_view bytes);
  static Subject Fold(const std::vector<Event>& events);
};

// Appends one case's events and writes its projection; ABORTED on a version mismatch. The case as
// it was before comes from `cache` when it holds the expected version, else from its row. Validate
// the append first (store/append_checks.h ValidateCaseAppend).
base::Status WriteCaseAppend(Connection& db, const CaseAppend& append, const CaseCache& cache);

// NOT_FOUND "case 'x' not found". ReadCaseVersion reads only the version.
base::Result<domain::Case> ReadCase(Connection& db, const std::string& id);
base::Result<int64_t> ReadCaseVersion(Connection& db, const std::string& id);
// As CaseQueries::ListCases.
base::Result<CasePage> ReadCases(Connection& db, const CaseFilter& filter);

// Rebuild: empties the case projections and refills them from the events; `progress(done,
// total)` after each chunk of events read.
base::Status RebuildCaseProjections(Connection& db,
                                    const std::function<void(int64_t, int64_t)>& progress);

}  // namespace tillvaxt::store::sqlite
