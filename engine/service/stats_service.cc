#include "engine/service/stats_service.h"

#include <chrono>
#include <cstdio>

namespace tillvaxt::service {
namespace {

using domain::Role;

std::string Hours(std::optional<int64_t> ms) {
  if (!ms) return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", static_cast<double>(*ms) / 3600000.0);
  return buf;
}

std::string TimeText(const std::optional<base::Time>& t) {
  return t ? base::FormatRfc3339(*t) : "";
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ';';
    out += s;
  }
  return out;
}

}  // namespace

StatsService::StatsService(const domain::Config& config, store::StatsReader& stats,
                           const base::Clock& clock)
    : config_(config), store_(stats), clock_(clock) {}

base::Status StatsService::CheckAccess(const domain::Principal& who) const {
  if (who.role == Role::kManager || who.role == Role::kAdmin) return base::Status::Ok();
  return base::PermissionDenied("statistics are for managers and admins");
}

base::Result<projection::StatsFilter> StatsService::Filter(const domain::Principal& who,
                                                           const StatsQuery& q) const {
  TV_RETURN_IF_ERROR(CheckAccess(who));
  projection::StatsFilter f;
  std::vector<base::FieldViolation> bad;
  auto time = [&](const std::string& name, const std::string& text, bool end,
                  std::optional<base::Time>* out) {
    if (text.empty()) return;
    std::optional<base::Time> t = base::ParseRfc3339(text);
    if (!t) {
      bad.push_back({name, "not an RFC 3339 date or time: '" + text + "'"});
      return;
    }
    // A date alone means the whole day: `to` ends after it.
    if (end && text.size() == 10) *t += std::chrono::days(1);
    *out = t;
  };
  time("from", q.from, false, &f.from);
  time("to", q.to, true, &f.to);
  if (f.from && f.to && *f.from > *f.to) bad.push_back({"from", "is after to"});
  if (!q.node.empty() && !config_.HasNode(q.node))
    bad.push_back({"node", "unknown node '" + q.node + "'"});
  if (!q.need.empty() && !config_.HasNeed(q.need))
    bad.push_back({"need", "unknown need '" + q.need + "'"});
  if (!q.area.empty() && !config_.HasArea(q.area))
    bad.push_back({"area", "unknown area '" + q.area + "'"});
  if (!q.level.empty() && config_.LevelIndex(q.level) < 0) {
    bad.push_back({"level", "unknown level '" + q.level + "'"});
  }
  if (!bad.empty()) {
    std::string message;
    for (const auto& v : bad)
      message += (message.empty() ? "" : "; ") + v.field + ": " + v.description;
    return base::InvalidArgument(message, bad);
  }
  f.node = q.node;
  f.need = q.need;
  f.area = q.area;
  f.level = q.level;
  f.now = clock_.Now();
  for (const domain::State& s : config_.workflow.states) {
    if (s.open) f.open_states.push_back(s.name);
  }
  return f;
}

base::Result<projection::Summary> StatsService::Summary(const domain::Principal& who,
                                                        const StatsQuery& q) {
  auto f = Filter(who, q);
  if (!f.ok()) return f.status();
  return store_.StatsSummary(*f);
}

base::Result<std::vector<projection::FlowLink>> StatsService::Flow(const domain::Principal& who,
                                                                   const StatsQuery& q) {
  auto f = Filter(who, q);
  if (!f.ok()) return f.status();
  return store_.StatsFlow(*f);
}

base::Result<std::vector<projection::TimePoint>> StatsService::TimeSeries(
    const domain::Principal& who, const StatsQuery& q, const std::string& bucket,
    const std::string& metric) {
  auto f = Filter(who, q);
  if (!f.ok()) return f.status();
  projection::Bucket b = projection::Bucket::kMonth;
  if (bucket == "week") {
    b = projection::Bucket::kWeek;
  } else if (!bucket.empty() && bucket != "month") {
    return base::InvalidField("bucket", "must be week or month");
  }
  projection::Metric m = projection::Metric::kCreated;
  if (metric == "resolved") {
    m = projection::Metric::kResolved;
  } else if (metric == "escalated") {
    m = projection::Metric::kEscalated;
  } else if (!metric.empty() && metric != "created") {
    return base::InvalidField("metric", "must be created, resolved or escalated");
  }
  return store_.StatsTimeSeries(*f, b, m);
}

std::string StatsService::CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char ch : value) {
    if (ch == '"') out += '"';
    out += ch;
  }
  out += '"';
  return out;
}

std::string StatsService::CsvHeader() {
  return "id,parent_id,node,needs,areas,level,highest_level,state,created,first_matched,"
         "claimed,resolved,closed,time_to_claim_hours,time_to_resolve_hours,idle_hours,"
         "assignee,outcome,escalations,declines,sla_breaches,effects\r\n";
}

std::string StatsService::CsvRow(const projection::CaseFacts& f) const {
  const domain::State* state = config_.workflow.FindState(f.state);
  const bool terminal = state != nullptr && state->terminal;
  std::string effects;
  for (const projection::EffectFact& e : f.effects) {
    if (!effects.empty()) effects += ';';
    effects += e.kind + "@" + std::to_string(e.months_after_close) + "m";
  }
  const std::vector<std::string> fields = {
      f.id,
      f.parent_id,
      f.node,
      Join(f.needs),
      Join(f.areas),
      f.level,
      f.highest_level,
      f.state,
      base::FormatRfc3339(f.created),
      TimeText(f.first_matched),
      TimeText(f.claimed),
      TimeText(f.resolved),
      terminal ? base::FormatRfc3339(f.state_time) : "",
      Hours(f.TimeToClaimMs()),
      Hours(f.TimeToResolveMs()),
      f.first_matched && !f.matched_since ? Hours(f.idle_ms) : "",
      f.assignee,
      f.outcome,
      std::to_string(f.escalations.size()),
      std::to_string(f.declines),
      std::to_string(f.sla_breaches),
      effects,
  };
  std::string out;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ',';
    out += CsvField(fields[i]);
  }
  out += "\r\n";
  return out;
}

base::Status StatsService::ExportCsv(const domain::Principal& who, const StatsQuery& q,
                                     const std::function<bool(std::string)>& write) {
  auto f = Filter(who, q);
  if (!f.ok()) return f.status();
  if (!write("\xEF\xBB\xBF" + CsvHeader())) return base::Status::Ok();
  std::string batch;
  bool open = true;
  TV_RETURN_IF_ERROR(store_.ForEachCaseRow(*f, [&](const projection::CaseFacts& facts) {
    batch += CsvRow(facts);
    if (batch.size() >= 64 * 1024) {
      open = write(std::move(batch));
      batch.clear();
    }
    return open;
  }));
  if (open && !batch.empty()) write(std::move(batch));
  return base::Status::Ok();
}

}  // namespace tillvaxt::service
