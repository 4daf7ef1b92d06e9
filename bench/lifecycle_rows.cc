#include "bench/lifecycle_rows.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <numeric>
#include <random>
#include <sstream>
#include <thread>

#include "engine/codec/config_loader.h"
#include "engine/codec/event_codec.h"
#include "engine/domain/decider.h"
#include "engine/store/sqlite/sqlite_store.h"

namespace tillvaxt::bench {
namespace {

using Clock = std::chrono::steady_clock;

// The statements the SQLite store runs for one append (engine/store/sqlite/sqlite_store.cc,
// WriteAppend and WriteProjection), verbatim, in this order.
constexpr const char* kInsertEvent =
    "INSERT INTO events (case_id, seq, type, time, user, payload) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr const char* kUpsertCase =
    "INSERT INTO cases (id, state, level, node, assignee, org_number, parent_id, title, "
    "description, create_time, update_time, version, workflow_version, highest_level, "
    "deadline, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
    "?15, ?16) ON CONFLICT (id) DO UPDATE SET state = excluded.state, level = "
    "excluded.level, node = excluded.node, assignee = excluded.assignee, org_number = "
    "excluded.org_number, parent_id = excluded.parent_id, title = excluded.title, "
    "description = excluded.description, create_time = excluded.create_time, update_time = "
    "excluded.update_time, version = excluded.version, workflow_version = "
    "excluded.workflow_version, highest_level = excluded.highest_level, deadline = "
    "excluded.deadline, body = excluded.body";
constexpr const char* kStatements[] = {
    kInsertEvent,
    kUpsertCase,
    "DELETE FROM case_candidates WHERE case_id = ?1",
    "DELETE FROM case_involved WHERE case_id = ?1",
    "DELETE FROM case_needs WHERE case_id = ?1",
    "DELETE FROM case_areas WHERE case_id = ?1",
    "INSERT OR IGNORE INTO case_candidates (case_id, actor) VALUES (?1, ?2)",
    "INSERT OR IGNORE INTO case_involved (case_id, actor) VALUES (?1, ?2)",
    "INSERT OR IGNORE INTO case_needs (case_id, need) VALUES (?1, ?2)",
    "INSERT OR IGNORE INTO case_areas (case_id, area) VALUES (?1, ?2)",
};
enum StatementIndex {
  kEvent = 0,
  kCase = 1,
  kDeleteFirst = 2,
  kCandidates = 6,
  kInvolved = 7,
  kNeeds = 8,
  kAreas = 9,
};

struct Value {
  enum Kind { kInt, kText, kBlob, kNull } kind = kNull;
  int64_t i = 0;
  std::string s;
};
Value Int(int64_t v) { return {Value::kInt, v, {}}; }
Value Text(std::string v) { return {Value::kText, 0, std::move(v)}; }
Value Blob(std::string v) { return {Value::kBlob, 0, std::move(v)}; }

struct Op {
  int statement = 0;
  std::vector<Value> values;
};
using RawCommand = std::vector<Op>;

// The operations of one append, with every byte the store would bind.
RawCommand ToRaw(const store::CaseAppend& a) {
  RawCommand ops;
  for (const domain::Event& e : a.events) {
    ops.push_back(
        {kEvent,
         {Text(e.case_id), Int(e.seq), Text(domain::EventTypeName(e.type)),
          Int(base::ToUnixMillis(e.time)), Text(e.user), Blob(codec::SerializeEvent(e))}});
  }
  const domain::Case& c = a.after;
  ops.push_back({kCase,
                 {Text(c.id), Text(c.state), Text(c.level), Text(c.node), Text(c.assignee),
                  Text(c.company.org_number), Text(c.parent_id), Text(c.title), Text(c.description),
                  Int(base::ToUnixMillis(c.create_time)), Int(base::ToUnixMillis(c.update_time)),
                  Int(c.version), Int(c.workflow_version), Text(c.highest_level),
                  c.deadline ? Int(base::ToUnixMillis(*c.deadline)) : Value{},
                  Blob(codec::SerializeCase(c))}});
  if (a.expected_version > 0) {
    for (int s = kDeleteFirst; s < kCandidates; ++s) ops.push_back({s, {Text(c.id)}});
  }
  auto side = [&](int statement, const std::vector<std::string>& values) {
    for (const std::string& v : values) ops.push_back({statement, {Text(c.id), Text(v)}});
  };
  side(kCandidates, c.candidates);
  side(kInvolved, c.involved_actors);
  side(kNeeds, c.needs);
  side(kAreas, c.areas);
  return ops;
}

struct Db {
  sqlite3* db = nullptr;
  std::vector<sqlite3_stmt*> stmts;
  ~Db() {
    for (sqlite3_stmt* s : stmts) sqlite3_finalize(s);
    if (db != nullptr) sqlite3_close(db);
  }
  base::Status Error(const std::string& op) const {
    return base::Internal("raw sqlite: " + op + ": " + sqlite3_errmsg(db));
  }
  base::Status Exec(const std::string& sql) {
    char* msg = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &msg) != SQLITE_OK) {
      std::string text = msg != nullptr ? msg : "?";
      sqlite3_free(msg);
      return base::Internal("raw sqlite: " + sql + ": " + text);
    }
    return base::Status::Ok();
  }
};

std::vector<std::string> Pick(std::mt19937_64& rng, const std::vector<domain::Named>& from, int min,
                              int max) {
  std::vector<std::string> ids;
  for (const domain::Named& n : from) ids.push_back(n.id);
  std::shuffle(ids.begin(), ids.end(), rng);
  const int n = std::uniform_int_distribution<int>(min, max)(rng);
  ids.resize(std::min(ids.size(), static_cast<size_t>(n)));
  return ids;
}

}  // namespace

std::string OrgNumberFor(uint64_t n) {
  // 55xxxxxxx: an aktiebolag-like prefix (third digit >= 2), then Luhn over the nine digits.
  std::string digits = "55" + std::to_string(1000000 + n % 9000000);
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) {
    int d = digits[i] - '0';
    if (i % 2 == 0) d *= 2;
    sum += d > 9 ? d - 9 : d;
  }
  digits.push_back(static_cast<char>('0' + (10 - sum % 10) % 10));
  return digits.substr(0, 6) + "-" + digits.substr(6);
}

base::Result<std::vector<Lifecycle>> GenerateLifecycles(const domain::Config& config,
                                                        int workflow_version, int count,
                                                        uint64_t seed, const std::string& prefix) {
  domain::Config cfg = config;
  cfg.workflow.version = workflow_version;
  const domain::Decider decider(cfg);
  const domain::Workflow& wf = cfg.workflow;
  const domain::DecisionInputs no_load;
  std::mt19937_64 rng(seed);
  const base::Time start = base::FromUnixMillis(1'767'225'600'000);  // 2026-01-01
  const std::string description(240, 'x');
  std::vector<Lifecycle> out;
  out.reserve(static_cast<size_t>(count));
  int attempts = 0;
  for (int n = 0; static_cast<int>(out.size()) < count; ++n) {
    if (++attempts > count * 20) {
      return base::Internal("generating lifecycles: triage leaves almost every case unmatched");
    }
    const std::string& node = cfg.nodes[static_cast<size_t>(n) % cfg.nodes.size()].id;
    const domain::Principal coord{"coord." + node, domain::Role::kCoordinator, node, ""};
    base::Time now = start + std::chrono::minutes(n);
    auto tick = [&now] { return now += std::chrono::seconds(30); };

    domain::CaseDraft draft;
    draft.title = "Benchmark case " + std::to_string(n) + ": growth plan for production";
    draft.description = "A company wants help with " + description;
    draft.company = {"Bench Företag " + std::to_string(n) + " AB",
                     OrgNumberFor(static_cast<uint64_t>(n) + seed % 1000 * 10000), node, "SMALL",
                     "Tillverkning"};
    draft.contact = {"Anna Andersson", "anna" + std::to_string(n) + "@example.se",
                     "+46 16 123 45 67"};
    draft.node = node;
    const std::string id = prefix + "-" + std::to_string(n);
    Lifecycle life;
    auto created = decider.Create(coord, draft, id, now);
    if (!created.ok()) return created.status();
    domain::Case c = domain::Fold(*created);
    life.push_back({0, *created, c});

    auto fire = [&](const domain::Principal& who, const domain::Command& cmd) -> base::Status {
      auto events = decider.Decide(wf, c, who, cmd, tick(), no_load);
      if (!events.ok()) return events.status();
      const int64_t before = c.version;
      for (const domain::Event& e : *events) domain::Apply(c, e);
      life.push_back({before, *events, c});
      return base::Status::Ok();
    };
    domain::Command triage{.action = "triage",
                           .needs = Pick(rng, cfg.needs, 1, 2),
                           .areas = Pick(rng, cfg.areas, 1, 2)};
    TV_RETURN_IF_ERROR(fire(coord, triage));
    if (c.candidates.empty()) continue;  // unmatched: no lifecycle to complete
    const std::string actor = c.candidates.front();
    const domain::Principal who{"actor." + actor, domain::Role::kActor, "", actor};
    TV_RETURN_IF_ERROR(fire(who, {.action = "claim"}));
    TV_RETURN_IF_ERROR(fire(who, {.action = "start"}));
    TV_RETURN_IF_ERROR(
        fire(who, {.action = "resolve", .outcome = {"SOLUTION", "Financing arranged"}}));
    TV_RETURN_IF_ERROR(fire(coord, {.action = "close", .feedback = "Helpful and quick"}));
    out.push_back(std::move(life));
  }
  return out;
}

base::Result<int> CreateStoreDatabase(const std::string& path, const domain::Config& config) {
  store::sqlite::SqliteOptions options;
  options.path = path;
  auto store = store::sqlite::SqliteStore::Open(options);
  if (!store.ok()) return store.status();
  return (*store)->RegisterWorkflow(codec::SerializeWorkflow(config));
}

base::Result<RateResult> RawInsert(const std::string& path,
                                   const std::vector<Lifecycle>& lifecycles,
                                   std::chrono::duration<double> budget) {
  std::vector<std::vector<RawCommand>> raw;
  raw.reserve(lifecycles.size());
  for (const Lifecycle& life : lifecycles) {
    std::vector<RawCommand> commands;
    for (const store::CaseAppend& a : life) commands.push_back(ToRaw(a));
    raw.push_back(std::move(commands));
  }

  Db db;
  if (sqlite3_open_v2(path.c_str(), &db.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) !=
      SQLITE_OK) {
    return db.Error("opening " + path);
  }
  TV_RETURN_IF_ERROR(db.Exec("PRAGMA journal_mode = WAL"));
  TV_RETURN_IF_ERROR(db.Exec("PRAGMA synchronous = FULL"));
  TV_RETURN_IF_ERROR(db.Exec("PRAGMA cache_size = -16000"));
  for (const char* sql : kStatements) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db.db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) !=
        SQLITE_OK) {
      return db.Error(std::string("preparing ") + sql);
    }
    db.stmts.push_back(stmt);
  }
  sqlite3_stmt* begin = nullptr;
  sqlite3_stmt* commit = nullptr;
  if (sqlite3_prepare_v2(db.db, "BEGIN IMMEDIATE", -1, &begin, nullptr) != SQLITE_OK ||
      sqlite3_prepare_v2(db.db, "COMMIT", -1, &commit, nullptr) != SQLITE_OK) {
    return db.Error("preparing BEGIN/COMMIT");
  }
  db.stmts.push_back(begin);
  db.stmts.push_back(commit);
  auto run = [&](sqlite3_stmt* s) -> base::Status {
    const int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE) return db.Error(sqlite3_sql(s));
    return base::Status::Ok();
  };

  RateResult result;
  const Clock::time_point t0 = Clock::now();
  for (const std::vector<RawCommand>& life : raw) {
    if (Clock::now() - t0 >= budget) break;
    for (const RawCommand& command : life) {
      const Clock::time_point c0 = Clock::now();
      TV_RETURN_IF_ERROR(run(begin));
      for (const Op& op : command) {
        sqlite3_stmt* s = db.stmts[static_cast<size_t>(op.statement)];
        for (size_t i = 0; i < op.values.size(); ++i) {
          const Value& v = op.values[i];
          const int index = static_cast<int>(i) + 1;
          switch (v.kind) {
            case Value::kInt:
              sqlite3_bind_int64(s, index, v.i);
              break;
            case Value::kText:
              sqlite3_bind_text(s, index, v.s.data(), static_cast<int>(v.s.size()), SQLITE_STATIC);
              break;
            case Value::kBlob:
              sqlite3_bind_blob(s, index, v.s.data(), static_cast<int>(v.s.size()), SQLITE_STATIC);
              break;
            case Value::kNull:
              sqlite3_bind_null(s, index);
              break;
          }
        }
        TV_RETURN_IF_ERROR(run(s));
        sqlite3_clear_bindings(s);
        result.rows += sqlite3_changes(db.db);
      }
      TV_RETURN_IF_ERROR(run(commit));
      ++result.commands;
      result.latencies_ms.push_back(
          std::chrono::duration<double, std::milli>(Clock::now() - c0).count());
    }
  }
  result.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  return result;
}

base::Result<std::vector<double>> FsyncProbe(const std::string& dir, int count) {
  const std::string path = dir + "/fsync-probe";
  const int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return base::Internal("cannot create " + path);
  const std::string page(4096, 'p');
  std::vector<double> ms;
  for (int i = 0; i < count; ++i) {
    const Clock::time_point t0 = Clock::now();
    if (::write(fd, page.data(), page.size()) != static_cast<ssize_t>(page.size()) ||
        ::fdatasync(fd) != 0) {
      ::close(fd);
      return base::Internal("writing " + path);
    }
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  return ms;
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double rank = p / 100.0 * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(rank);
  const size_t hi = std::min(lo + 1, values.size() - 1);
  const double frac = rank - static_cast<double>(lo);
  return values[lo] * (1 - frac) + values[hi] * frac;
}

double Mean(const std::vector<double>& values) {
  if (values.empty()) return 0;
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

base::Result<std::string> MakeTempDir(const std::string& parent) {
  std::string pattern = parent + "/tillvaxt-bench.XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    return base::Internal("cannot create a temporary folder under " + parent);
  }
  return pattern;
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::string MachineLine() {
  std::string model = "?";
  std::ifstream cpuinfo("/proc/cpuinfo");
  for (std::string line; std::getline(cpuinfo, line);) {
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  }
  std::string load;
  std::ifstream loadavg("/proc/loadavg");
  std::getline(loadavg, load);
  std::ostringstream out;
  out << "nproc=" << std::thread::hardware_concurrency() << "; " << model << "; loadavg "
      << load.substr(0, load.find(' ', load.find(' ', load.find(' ') + 1) + 1));
  return out.str();
}

}  // namespace tillvaxt::bench
