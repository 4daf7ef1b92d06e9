// Statistics use cases (docs/STATISTICS.md): who may see the flow statistics, which
// filters are valid, and the answers as figures and in CSV form (their API forms are
// engine/api/views.h).
//
// Managers and admins only (PERMISSION_DENIED otherwise). Filters arrive as text (query
// parameters, CLI flags) and are checked against the configuration: an unknown node, need, area
// or level is INVALID_ARGUMENT naming the parameter, as is a `from` after `to`. The figures
// come from the Store's statistics (incremental aggregates), never from a replay.
// Thread-safe: holds only const references and calls the thread-safe StatsReader.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/config.h"
#include "engine/domain/principal.h"
#include "engine/projection/stats.h"
#include "engine/store/stats_reader.h"

namespace tillvaxt::service {

// The filters as given. from/to: RFC 3339 dates ("2025-01-31", a whole day: `to` includes it)
// or times; empty = open.
struct StatsQuery {
  std::string from;
  std::string to;
  std::string node;
  std::string area;
  std::string need;
  std::string level;
};

class StatsService {
 public:
  // REQUIRES: config, stats and clock outlive the service.
  StatsService(const domain::Config& config, store::StatsReader& stats, const base::Clock& clock);

  // The checked filter (with now and the open states), or why not.
  base::Result<projection::StatsFilter> Filter(const domain::Principal& who,
                                               const StatsQuery& query) const;

  base::Result<projection::Summary> Summary(const domain::Principal& who, const StatsQuery& q);
  base::Result<std::vector<projection::FlowLink>> Flow(const domain::Principal& who,
                                                       const StatsQuery& q);
  // bucket: week | month (empty = month); metric: created | resolved | escalated (empty =
  // created).
  base::Result<std::vector<projection::TimePoint>> TimeSeries(const domain::Principal& who,
                                                              const StatsQuery& q,
                                                              const std::string& bucket,
                                                              const std::string& metric);
  // The export: `write` gets the CSV in pieces (BOM and header first, then rows in batches)
  // until it returns false. Authorisation and filters are checked before anything is written.
  base::Status ExportCsv(const domain::Principal& who, const StatsQuery& q,
                         const std::function<bool(std::string)>& write);
  // The same figures after an authorisation check only, for callers that checked already.
  base::Status CheckAccess(const domain::Principal& who) const;

  // CSV pieces (RFC 4180: CRLF line ends, fields with , " CR or LF quoted, quotes doubled).
  static std::string CsvHeader();
  std::string CsvRow(const projection::CaseFacts& f) const;
  static std::string CsvField(const std::string& value);

 private:
  const domain::Config& config_;
  store::StatsReader& store_;
  const base::Clock& clock_;
};

}  // namespace tillvaxt::service
