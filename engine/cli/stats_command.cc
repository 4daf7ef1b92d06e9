#include "engine/cli/stats_command.h"

#include <google/protobuf/util/json_util.h>

#include <cstdio>
#include <filesystem>
#include <ostream>

#include "engine/api/views.h"
#include "engine/cli/common.h"
#include "engine/cli/flags.h"
#include "engine/codec/event_codec.h"
#include "engine/service/stats_service.h"

namespace tillvaxt::cli {
namespace {

std::string Json(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  options.add_whitespace = true;
  std::string out;
  if (!google::protobuf::util::MessageToJsonString(m, &out, options).ok()) return "{}";
  return out;
}

std::string Fixed(double v, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

void Row(std::ostream& out, const std::string& label, const std::string& value) {
  out << "  " << label;
  for (size_t i = label.size(); i < 34; ++i) out << ' ';
  out << value << "\n";
}

void Counts(std::ostream& out, const char* title, const projection::Counts& counts, int64_t total) {
  out << title << "\n";
  for (const auto& [k, v] : counts) {
    Row(out, k.empty() ? "(none)" : k,
        std::to_string(v) + (total > 0 ? "  (" + Fixed(100.0 * v / total, 1) + " %)" : ""));
  }
}

void Pct(std::ostream& out, const std::string& label, const projection::Percentiles& hours,
         const projection::Percentiles& days) {
  Row(out, label,
      "p50 " + Fixed(hours.p50, 1) + " h / " + Fixed(days.p50, 0) + " bd,  p90 " +
          Fixed(hours.p90, 1) + " h / " + Fixed(days.p90, 0) +
          " bd  (n=" + std::to_string(hours.count) + ")");
}

void PrintTable(std::ostream& out, const projection::Summary& s,
                const std::vector<projection::FlowLink>& flow,
                const std::vector<projection::TimePoint>& series, const std::string& bucket,
                const std::string& metric) {
  out << "Summary\n";
  Row(out, "cases", std::to_string(s.total));
  Row(out, "escalation rate",
      Fixed(100 * s.escalation_rate, 1) + " % (" + std::to_string(s.escalated) + " cases)");
  Row(out, "leakage", Fixed(100 * s.leakage, 1) + " % (" + std::to_string(s.leaked) + " cases)");
  Row(out, "declines", std::to_string(s.declines));
  Row(out, "SLA breaches",
      std::to_string(s.sla_breaches) + " (" + std::to_string(s.sla_breached_cases) + " cases)");
  Pct(out, "time to claim", s.time_to_claim_hours, s.time_to_claim_business_days);
  Pct(out, "time to resolve", s.time_to_resolve_hours, s.time_to_resolve_business_days);
  Pct(out, "idle time (matched, unclaimed)", s.idle_hours, s.idle_business_days);
  Counts(out, "By state", s.by_state, s.total);
  Counts(out, "By node", s.by_node, s.total);
  Counts(out, "By level reached", s.by_level_reached, s.total);
  Counts(out, "By need", s.by_need, s.total);
  Counts(out, "By area", s.by_area, s.total);
  Counts(out, "By outcome", s.by_outcome, s.total);
  Counts(out, "Effects recorded", s.by_effect, 0);
  Counts(out, "Escalations away from level", s.escalations_by_level, 0);
  Counts(out, "Open cases by age (days)", s.open_age, 0);
  out << "Flow (node -> level reached -> actor -> outcome)\n";
  for (const projection::FlowLink& l : flow)
    Row(out, l.source + " -> " + l.target, std::to_string(l.value));
  out << "Time series (" << metric << " per " << bucket << ")\n";
  for (const projection::TimePoint& p : series) Row(out, p.start, std::to_string(p.value));
}

}  // namespace

int StatsCommand(const std::vector<std::string>& args, Environment& env) {
  Flags flags("stats",
              "Prints the flow statistics of the data folder: cases by state, node, level\n"
              "reached, need, area and outcome, escalation and leakage, time to claim and to\n"
              "resolve, idle time, open ages, SLA breaches, the flow and a time series.\n"
              "Definitions: docs/STATISTICS.md.");
  flags.Option("from", "DATE", "Cases created at or after (RFC 3339 date or time)", "");
  flags.Option("to", "DATE", "Cases created before (a date includes that day)", "");
  flags.Option("node", "N", "Only cases of this node", "");
  flags.Option("area", "A", "Only cases with this strength area", "");
  flags.Option("need", "N", "Only cases with this need", "");
  flags.Option("level", "L", "Only cases whose highest level reached is L", "");
  flags.Option("bucket", "B", "Time series buckets: week or month", "month");
  flags.Option("metric", "M", "Time series metric: created, resolved or escalated", "created");
  flags.Option("format", "F", "table, json or csv (one row per case)", "table");
  AddDataFlags(flags);
  base::Status parsed = flags.Parse(args);
  if (!parsed.ok()) return Fail(env.err, parsed);
  if (flags.help_requested()) {
    flags.PrintHelp(env.out);
    return kExitOk;
  }
  const std::string format = flags.Get("format");
  if (format != "table" && format != "json" && format != "csv") {
    return Fail(env.err, base::InvalidArgument("--format must be table, json or csv"));
  }
  if (!std::filesystem::exists(flags.Get("data"))) {
    return Fail(env.err, base::NotFound("no data folder " + flags.Get("data") +
                                        " (run `tillvaxt init` first)"));
  }
  auto config = LoadRegionConfig(flags, env.err);
  if (!config.ok()) return Fail(env.err, config.status());
  auto store = env.open_store({flags.Get("data"), false, false});
  if (!store.ok()) return Fail(env.err, store.status());
  base::SystemClock clock;
  service::StatsService stats(*config, **store, clock);
  const domain::Principal local{"local-admin", domain::Role::kAdmin, "", ""};
  const service::StatsQuery query{flags.Get("from"), flags.Get("to"),   flags.Get("node"),
                                  flags.Get("area"), flags.Get("need"), flags.Get("level")};
  auto flagged = [&](base::Status st) {  // filter errors name the flag
    if (st.code() == base::Code::kInvalidArgument && !st.details().empty()) {
      return Fail(env.err, base::InvalidArgument("--" + st.details()[0].field + ": " +
                                                 st.details()[0].description));
    }
    return Fail(env.err, st);
  };
  if (format == "csv") {
    base::Status st = stats.ExportCsv(local, query, [&](std::string piece) {
      env.out << piece;
      return static_cast<bool>(env.out);
    });
    return st.ok() ? kExitOk : flagged(st);
  }
  auto summary = stats.Summary(local, query);
  if (!summary.ok()) return flagged(summary.status());
  auto flow = stats.Flow(local, query);
  if (!flow.ok()) return flagged(flow.status());
  const std::string bucket = flags.Get("bucket");
  const std::string metric = flags.Get("metric");
  auto series = stats.TimeSeries(local, query, bucket, metric);
  if (!series.ok()) return flagged(series.status());
  if (format == "json") {
    env.out << "{\n\"summary\": " << Json(api::SummaryView(*summary))
            << ",\n\"flow\": " << Json(api::FlowView(*flow))
            << ",\n\"timeseries\": " << Json(api::TimeSeriesView(*series, bucket, metric)) << "}\n";
  } else {
    PrintTable(env.out, *summary, *flow, *series, bucket, metric);
  }
  return kExitOk;
}

}  // namespace tillvaxt::cli
