#include "engine/service/stats_service.h"

#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <map>
#include <random>

#include "engine/service/case_service.h"
#include "engine/service/seeder.h"
#include "engine/store/sqlite/schema.h"
#include "tests/support/service_fixture.h"

namespace tillvaxt {
namespace {

using domain::Principal;
using domain::Role;
using projection::CaseFacts;

const Principal kManager{"manager", Role::kManager, "", ""};

// RFC 4180: fields separated by commas, records by CRLF, quoted fields with doubled quotes.
std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false;
  bool any = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char ch = text[i];
    if (quoted) {
      if (ch == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (ch == '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch == '"') {
      quoted = true;
      any = true;
    } else if (ch == ',') {
      row.push_back(field);
      field.clear();
      any = true;
    } else if (ch == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      row.push_back(field);
      rows.push_back(row);
      row.clear();
      field.clear();
      any = false;
      ++i;
    } else {
      field += ch;
      any = true;
    }
  }
  if (any) {
    row.push_back(field);
    rows.push_back(row);
  }
  return rows;
}

// `n_cases` seeded cases. Over the memory store unless a test reopens the database
// (StoreKind::kSqlite: the statistics index is loaded from its table).
struct Fixture : testing::ServiceFixture {
  Fixture(int64_t n_cases, uint64_t seed, testing::StoreKind kind = testing::StoreKind::kMemory)
      : ServiceFixture({.store = kind}) {
    service::SeedOptions seed_options;
    seed_options.cases = n_cases;
    seed_options.seed = seed;
    seed_options.now = clock.Now();
    seed_options.years = 2;
    seed_options.batch_cases = 37;
    auto seeded = service::Seed(cases->config(), *store, seed_options);
    REQUIRE(seeded.ok());
    stats = std::make_unique<service::StatsService>(cases->config(), *store, clock);
  }
  ~Fixture() { stats.reset(); }
  std::string Path() const { return store_path(); }
  // Closes the store and opens it again from its file (SQLite).
  void Reopen() {
    stats.reset();
    CloseStore();
    OpenStore();
    stats = std::make_unique<service::StatsService>(cases->config(), *store, clock);
  }
  // The brute-force recount: every case folded from the raw events.
  std::vector<CaseFacts> Recount() {
    std::map<std::string, CaseFacts> by_case;
    REQUIRE(store
                ->ForEachEvent(
                    [&](const domain::Event& e) { projection::ApplyFact(by_case[e.case_id], e); })
                .ok());
    std::vector<CaseFacts> out;
    for (auto& [id, f] : by_case) out.push_back(f);
    return out;
  }

  std::unique_ptr<service::StatsService> stats;
};

service::StatsQuery RandomQuery(std::mt19937_64& rng, const domain::Config& config) {
  service::StatsQuery q;
  auto pick = [&](const auto& list) { return list[rng() % list.size()].id; };
  if (rng() % 2)
    q.from = "2025-0" + std::to_string(1 + rng() % 9) + "-1" + std::to_string(rng() % 10);
  if (rng() % 2)
    q.to = "2026-0" + std::to_string(1 + rng() % 2) + "-0" + std::to_string(1 + rng() % 9) +
           "T12:00:00Z";
  if (rng() % 3 == 0) q.node = pick(config.nodes);
  if (rng() % 3 == 0) q.need = pick(config.needs);
  if (rng() % 3 == 0) q.area = pick(config.areas);
  if (rng() % 4 == 0) q.level = config.levels[rng() % config.levels.size()];
  return q;
}

void CheckEverything(Fixture& fx, std::mt19937_64& rng, int rounds) {
  const std::vector<CaseFacts> facts = fx.Recount();
  REQUIRE(!facts.empty());
  const domain::Config& config = fx.cases->config();
  for (int round = 0; round < rounds; ++round) {
    const service::StatsQuery q = round == 0 ? service::StatsQuery{} : RandomQuery(rng, config);
    INFO("from=" << q.from << " to=" << q.to << " node=" << q.node << " need=" << q.need
                 << " area=" << q.area << " level=" << q.level);
    auto filter = fx.stats->Filter(kManager, q);
    REQUIRE(filter.ok());
    auto summary = fx.stats->Summary(kManager, q);
    REQUIRE(summary.ok());
    const projection::Summary want = projection::BruteSummary(facts, *filter);
    CHECK(*summary == want);
    if (round == 0) CHECK(summary->total == static_cast<int64_t>(facts.size()));
    auto flow = fx.stats->Flow(kManager, q);
    REQUIRE(flow.ok());
    CHECK(*flow == projection::BruteFlow(facts, *filter));
    for (const char* bucket : {"week", "month"}) {
      for (const char* metric : {"created", "resolved", "escalated"}) {
        auto ts = fx.stats->TimeSeries(kManager, q, bucket, metric);
        REQUIRE(ts.ok());
        CHECK(*ts == projection::BruteTimeSeries(
                         facts, *filter,
                         std::string(bucket) == "week" ? projection::Bucket::kWeek
                                                       : projection::Bucket::kMonth,
                         std::string(metric) == "created"    ? projection::Metric::kCreated
                         : std::string(metric) == "resolved" ? projection::Metric::kResolved
                                                             : projection::Metric::kEscalated));
      }
    }
    // The CSV parses back to the same cases, oldest first.
    std::string csv;
    REQUIRE(fx.stats
                ->ExportCsv(kManager, q,
                            [&](std::string piece) {
                              csv += piece;
                              return true;
                            })
                .ok());
    REQUIRE(csv.rfind("\xEF\xBB\xBF", 0) == 0);
    const auto rows = ParseCsv(csv.substr(3));
    std::vector<CaseFacts> selected;
    for (const CaseFacts& f : facts) {
      if (projection::Matches(f, *filter)) selected.push_back(f);
    }
    std::sort(selected.begin(), selected.end(), [](const CaseFacts& a, const CaseFacts& b) {
      return a.created != b.created ? a.created < b.created : a.id < b.id;
    });
    REQUIRE(rows.size() == selected.size() + 1);
    CHECK(rows[0][0] == "id");
    for (size_t i = 0; i < selected.size(); ++i) {
      const auto& row = rows[i + 1];
      REQUIRE(row.size() == rows[0].size());
      CHECK(row == ParseCsv(fx.stats->CsvRow(selected[i]))[0]);
      CHECK(row[0] == selected[i].id);
      CHECK(row[2] == selected[i].node);
      CHECK(row[7] == selected[i].state);
      CHECK(row[16] == selected[i].assignee);
      CHECK(row[17] == selected[i].outcome);
    }
  }
}

TEST_CASE("statistics equal a brute-force recount from the raw events, for random histories") {
  std::mt19937_64 rng(2026);
  for (auto [cases, seed] : {std::pair<int64_t, uint64_t>{30, 11}, {160, 12}, {420, 13}}) {
    INFO("cases " << cases << " seed " << seed);
    Fixture fx(cases, seed, testing::StoreKind::kSqlite);
    CheckEverything(fx, rng, 12);

    // A rebuild keeps the figures.
    REQUIRE(fx.store->Rebuild({}).ok());
    CheckEverything(fx, rng, 4);
    // Reopening loads the index from the table.
    fx.Reopen();
    CheckEverything(fx, rng, 4);
  }
}

TEST_CASE("the schema step fills case facts from an existing event log") {
  std::mt19937_64 rng(5);
  Fixture fx(120, 21, testing::StoreKind::kSqlite);
  fx.stats.reset();
  fx.CloseStore();
  {
    sqlite3* raw = nullptr;
    REQUIRE(sqlite3_open(fx.Path().c_str(), &raw) == SQLITE_OK);
    // The statistics step is the last one: back to the version before it, without its table.
    const std::string sql = "DROP TABLE case_facts; PRAGMA user_version = " +
                            std::to_string(store::sqlite::kSchemaVersion - 1) + ";";
    REQUIRE(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
    sqlite3_close(raw);
  }
  fx.OpenStore();
  fx.stats = std::make_unique<service::StatsService>(fx.cases->config(), *fx.store, fx.clock);
  CheckEverything(fx, rng, 4);
}

TEST_CASE("statistics are for managers and admins, with checked filters") {
  Fixture fx(10, 3);
  const Principal admin{"admin", Role::kAdmin, "", ""};
  const Principal coordinator{"coord.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
  const Principal actor{"actor.almi", Role::kActor, "", "almi"};
  CHECK(fx.stats->Summary(admin, {}).ok());
  CHECK(fx.stats->Summary(coordinator, {}).status().code() == base::Code::kPermissionDenied);
  CHECK(fx.stats->Flow(actor, {}).status().code() == base::Code::kPermissionDenied);
  bool wrote = false;
  CHECK(fx.stats->ExportCsv(actor, {}, [&](std::string) { return wrote = true; }).code() ==
        base::Code::kPermissionDenied);
  CHECK_FALSE(wrote);

  auto field_of = [&](service::StatsQuery q) {
    auto r = fx.stats->Summary(kManager, q);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == base::Code::kInvalidArgument);
    REQUIRE(r.status().details().size() == 1);
    return r.status().details()[0].field;
  };
  CHECK(field_of({.node = "stockholm"}) == "node");
  CHECK(field_of({.need = "luck"}) == "need");
  CHECK(field_of({.area = "space"}) == "area");
  CHECK(field_of({.level = "GALACTIC"}) == "level");
  CHECK(field_of({.from = "yesterday"}) == "from");
  CHECK(field_of({.from = "2026-02-01", .to = "2026-01-01"}) == "from");
  CHECK(fx.stats->TimeSeries(kManager, {}, "day", "").status().code() ==
        base::Code::kInvalidArgument);
  CHECK(fx.stats->TimeSeries(kManager, {}, "", "closed").status().code() ==
        base::Code::kInvalidArgument);
  // A date as `to` includes that whole day.
  auto f = fx.stats->Filter(kManager, {.to = "2026-01-31"});
  REQUIRE(f.ok());
  CHECK(*f->to == *base::ParseRfc3339("2026-02-01T00:00:00Z"));
}

TEST_CASE("CSV fields are quoted as RFC 4180 says") {
  using service::StatsService;
  CHECK(StatsService::CsvField("plain") == "plain");
  CHECK(StatsService::CsvField("a,b") == "\"a,b\"");
  CHECK(StatsService::CsvField("say \"hej\"") == "\"say \"\"hej\"\"\"");
  CHECK(StatsService::CsvField("two\r\nlines") == "\"two\r\nlines\"");
  CHECK(StatsService::CsvField("Strängnäs") == "Strängnäs");
  const auto rows = ParseCsv("a,\"b,\"\"c\"\"\"\r\n\"x\r\ny\",z\r\n");
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == std::vector<std::string>{"a", "b,\"c\""});
  CHECK(rows[1] == std::vector<std::string>{"x\r\ny", "z"});
}

}  // namespace
}  // namespace tillvaxt
