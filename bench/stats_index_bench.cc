// The statistics index alone: a million cases' facts in a projection::StatsIndex, and
// how long the summary, the flow and a 36-month time series take over them (p50 of 20 runs),
// with and without filters, plus the memory the index takes (VmRSS before and after loading).
// The facts are random but shaped like `tillvaxt seed` output (4 nodes, 1-2 of 7 needs, 0-2 of
// 7 areas, 4 levels, 3 years). bench/stats_bench.sh measures the same over HTTP on a seeded
// database.
//
//   stats_index_bench [cases]     (default 1000000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "engine/projection/stats_index.h"

namespace {

using tillvaxt::base::Millis;
using tillvaxt::base::Time;
namespace projection = tillvaxt::projection;

long RssKb() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

double P50(const std::function<void()>& fn) {
  std::vector<double> ms;
  for (int i = 0; i < 20; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    fn();
    ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return ms[9];
}

}  // namespace

int main(int argc, char** argv) {
  const long cases = argc > 1 ? std::strtol(argv[1], nullptr, 10) : 1000000;
  const std::vector<std::string> nodes = {"eskilstuna", "nykoping", "strangnas", "katrineholm"};
  const std::vector<std::string> needs = {
      "financing", "business-development", "competence",          "recruitment",
      "growth",    "innovation",           "internationalisation"};
  const std::vector<std::string> areas = {"a1", "a2", "a3", "a4", "a5", "a6", "a7"};
  const std::vector<std::string> levels = {"LOCAL", "REGIONAL", "NATIONAL", "INTERNATIONAL"};
  const std::vector<std::string> states = {"CLOSED",    "CLOSED",      "CLOSED",
                                           "WITHDRAWN", "REJECTED",    "UNMATCHED",
                                           "MATCHED",   "IN_PROGRESS", "RESOLVED"};
  std::vector<std::string> actors;
  for (int i = 0; i < 34; ++i) actors.push_back("actor-" + std::to_string(i));
  const Time now = tillvaxt::base::FromUnixMillis(1795000000000);
  const int64_t span = 3LL * 365 * 86400000;
  std::mt19937_64 rng(1);
  auto pick = [&](const std::vector<std::string>& v) -> const std::string& {
    return v[rng() % v.size()];
  };

  const long rss0 = RssKb();
  projection::StatsIndex index;
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < cases; ++i) {
    projection::CaseFacts f;
    f.id = std::to_string(i);
    f.version = 6;
    f.node = pick(nodes);
    f.needs = {pick(needs)};
    if (rng() % 2) f.needs.push_back(pick(needs));
    for (int a = static_cast<int>(rng() % 3); a > 0; --a) f.areas.push_back(pick(areas));
    f.created = now - Millis(static_cast<int64_t>(rng() % static_cast<uint64_t>(span)));
    const int climbs = rng() % 10 < 6 ? 0 : static_cast<int>(rng() % 4);
    f.highest_level = levels[static_cast<size_t>(climbs)];
    for (int c = 0; c < climbs; ++c) {
      f.escalations.push_back(
          {levels[static_cast<size_t>(c)], "NO_MATCH", f.created + Millis(86400000LL * (c + 1))});
    }
    f.state = pick(states);
    f.ended_unmatched = f.state == "UNMATCHED";
    f.first_matched = f.created + Millis(static_cast<int64_t>(rng() % 259200000));
    f.idle_ms = static_cast<int64_t>(rng() % 600000000);
    f.idle_business_days = static_cast<int>(rng() % 8);
    if (f.state != "UNMATCHED" && f.state != "REJECTED" && f.state != "MATCHED") {
      f.claimed = *f.first_matched + Millis(f.idle_ms);
      f.time_to_claim_business_days = f.idle_business_days;
      f.assignee = pick(actors);
      if (f.state == "CLOSED" || f.state == "RESOLVED") {
        f.resolved = *f.claimed + Millis(static_cast<int64_t>(rng() % 5000000000));
        f.time_to_resolve_business_days = static_cast<int>(rng() % 60);
        f.outcome = rng() % 2 ? "SOLUTION" : "FINANCING";
        if (rng() % 3 == 0) f.effects.push_back({"GROWTH", 6, *f.resolved});
      }
    }
    f.declines = static_cast<int>(rng() % 2);
    f.sla_breaches = static_cast<int>(rng() % 2);
    index.Upsert(i + 1, f);
  }
  const double load_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const long rss1 = RssKb();
  std::printf("cases: %ld; filling the index: %.1f s; index memory (VmRSS growth): %.0f MB\n",
              cases, load_s, (rss1 - rss0) / 1024.0);

  projection::StatsFilter all;
  all.now = now;
  all.open_states = {"NEW", "TRIAGED", "MATCHED", "CLAIMED", "IN_PROGRESS", "WAITING"};
  projection::StatsFilter some = all;
  some.need = "financing";
  some.node = "eskilstuna";
  some.from = now - Millis(365LL * 86400000);
  volatile int64_t sink = 0;
  std::printf("summary, no filter:                   p50 %6.1f ms\n",
              P50([&] { sink = sink + index.ComputeSummary(all)->total; }));
  std::printf("summary, need+node+from:              p50 %6.1f ms\n",
              P50([&] { sink = sink + index.ComputeSummary(some)->total; }));
  std::printf("flow, no filter:                      p50 %6.1f ms\n",
              P50([&] { sink = sink + static_cast<int64_t>(index.ComputeFlow(all)->size()); }));
  std::printf("time series, 36 months, created:      p50 %6.1f ms\n", P50([&] {
                sink = sink +
                       static_cast<int64_t>(index
                                                .ComputeTimeSeries(all, projection::Bucket::kMonth,
                                                                   projection::Metric::kCreated)
                                                ->size());
              }));
  std::printf("time series, 52 weeks, escalated:     p50 %6.1f ms\n", P50([&] {
                sink = sink +
                       static_cast<int64_t>(index
                                                .ComputeTimeSeries(all, projection::Bucket::kWeek,
                                                                   projection::Metric::kEscalated)
                                                ->size());
              }));
  return 0;
}
