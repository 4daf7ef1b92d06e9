// Offers and search benchmark:
//   1. channelling one national offer across 10,000 actors and 500 nodes (domain::DecidePublish
//      over an OfferChannel built once from the configuration);
//   2. suggestedOffers for one case among 100,000 active offers (domain::OfferIndex::Rank, the
//      in-memory index OfferService keeps);
//   3. full-text search (`q`, Swedish stemming, FTS5) through SqliteStore::ListCases over
//      1,000,000 cases, first page of 50, newest first.
//
// Usage: offers_bench [--cases N] [--db PATH] [--keep]
//   --db reuses PATH when it already holds the cases (building 1,000,000 takes a few minutes).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "engine/codec/event_codec.h"
#include "engine/domain/offer.h"
#include "engine/store/sqlite/db.h"
#include "engine/store/sqlite/sqlite_store.h"
#include "engine/store/sqlite/text_search.h"

using namespace tillvaxt;
using Clock = std::chrono::steady_clock;

namespace {

struct Stats {
  double median_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

template <typename Fn>
Stats Measure(int runs, Fn fn) {
  std::vector<double> ms;
  ms.reserve(static_cast<size_t>(runs));
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    fn(i);
    ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  std::sort(ms.begin(), ms.end());
  return {ms[ms.size() / 2], ms[std::min(ms.size() - 1, ms.size() * 99 / 100)], ms.back()};
}

void Print(const char* what, const Stats& s, const std::string& extra = "") {
  std::printf("%-58s median %8.3f ms  p99 %8.3f ms  max %8.3f ms  %s\n", what, s.median_ms,
              s.p99_ms, s.max_ms, extra.c_str());
}

domain::Config NationalConfig(std::mt19937& rng) {
  domain::Config config;
  config.levels = {"LOCAL", "REGIONAL", "NATIONAL", "INTERNATIONAL"};
  for (int i = 0; i < 500; ++i) config.nodes.push_back({"node-" + std::to_string(i), ""});
  for (int i = 0; i < 30; ++i) config.needs.push_back({"need-" + std::to_string(i), ""});
  for (int i = 0; i < 20; ++i) config.areas.push_back({"area-" + std::to_string(i), ""});
  // 10,000 actors: 6,000 local (each at 1-2 nodes), 3,000 regional, 900 national, 100 intl.
  for (int i = 0; i < 10000; ++i) {
    domain::Actor a;
    a.id = "actor-" + std::to_string(i);
    a.level = i < 6000 ? "LOCAL" : i < 9000 ? "REGIONAL" : i < 9900 ? "NATIONAL" : "INTERNATIONAL";
    for (int k = 0; k < 3; ++k) a.needs.push_back(config.needs[rng() % 30].id);
    if (rng() % 2) a.areas.push_back(config.areas[rng() % 20].id);
    if (a.level == "LOCAL" || rng() % 4 == 0) {
      a.nodes.push_back(config.nodes[rng() % 500].id);
      if (rng() % 2) a.nodes.push_back(config.nodes[rng() % 500].id);
    }
    config.actors.push_back(std::move(a));
  }
  return config;
}

void BenchChannel() {
  std::mt19937 rng(1);
  domain::Config config = NationalConfig(rng);
  auto t0 = Clock::now();
  domain::OfferChannel channel(config);
  const double build_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  const domain::Principal who{"actor.actor-9000", domain::Role::kActor, "", "actor-9000"};
  size_t recipients = 0;
  auto draft_for = [&](int i) {
    domain::OfferDraft d;
    d.kind = "FUNDING_CALL";
    d.title = "Nationell utlysning";
    d.needs = {config.needs[static_cast<size_t>(i) % 30].id,
               config.needs[static_cast<size_t>(i + 7) % 30].id};
    d.areas = {config.areas[static_cast<size_t>(i) % 20].id};
    return d;
  };
  const base::Time now = base::FromUnixMillis(1'780'000'000'000);
  Stats all = Measure(2000, [&](int i) {
    auto events = domain::DecidePublish(config, channel, who, draft_for(i), "o", now);
    recipients = 0;
    for (const auto& e : *events) recipients += e.recipients.actors.size();
  });
  Print("channel one national offer (10,000 actors, 500 nodes)", all,
        "(~" + std::to_string(recipients) + " actors reached; index built once in " +
            std::to_string(build_ms).substr(0, 5) + " ms)");
  // The same offer limited to 20 nodes.
  Stats some = Measure(2000, [&](int i) {
    domain::OfferDraft d = draft_for(i);
    for (int k = 0; k < 20; ++k) d.nodes.push_back(config.nodes[static_cast<size_t>(k * 25)].id);
    (void)domain::DecidePublish(config, channel, who, d, "o", now);
  });
  Print("channel one national offer for 20 of the 500 nodes", some);
}

void BenchSuggested() {
  std::mt19937 rng(2);
  // Sörmland-sized vocabulary (7 needs, 7 areas, 4 nodes): the densest posting lists.
  const std::vector<std::string> needs = {
      "financing", "business-development", "competence",          "recruitment",
      "growth",    "innovation",           "internationalisation"};
  const std::vector<std::string> areas = {"a1", "a2", "a3", "a4", "a5", "a6", "a7"};
  const std::vector<std::string> nodes = {"eskilstuna", "nykoping", "strangnas", "katrineholm"};
  const base::Time now = base::FromUnixMillis(1'780'000'000'000);
  domain::OfferIndex index;
  auto t0 = Clock::now();
  for (int i = 0; i < 100000; ++i) {
    domain::Offer o;
    o.id = "offer-" + std::to_string(i);
    o.state = "PUBLISHED";
    o.create_time = now - std::chrono::milliseconds(rng() % 100'000'000);
    o.needs = {needs[rng() % 7]};
    if (rng() % 2) o.needs.push_back(needs[rng() % 7]);
    if (rng() % 2) o.areas = {areas[rng() % 7]};
    if (rng() % 3 == 0) o.nodes = {nodes[rng() % 4]};
    index.Put(std::move(o));
  }
  const double load_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  domain::RoutingWeights weights;
  size_t found = 0;
  Stats s = Measure(500, [&](int i) {
    domain::Case c;
    c.id = "case";
    c.node = nodes[static_cast<size_t>(i) % 4];
    c.needs = {needs[static_cast<size_t>(i) % 7], needs[static_cast<size_t>(i + 3) % 7]};
    c.areas = {areas[static_cast<size_t>(i) % 7]};
    found = index.Rank(c, weights, now, 20).size();
  });
  Print("suggestedOffers: rank one case among 100,000 active offers", s,
        "(top " + std::to_string(found) + "; index loaded in " +
            std::to_string(load_ms).substr(0, 6) + " ms)");
}

// Swedish words for titles and descriptions, most common first (Zipf-like picks).
const std::vector<std::string> kWords = {
    "företagen",     "behöver",      "utveckla",    "nya",
    "produkter",     "marknader",    "stöd",        "hjälp",
    "finansiering",  "kompetens",    "rekrytering", "tillväxt",
    "export",        "innovation",   "digital",     "tjänster",
    "tillverkning",  "automation",   "energi",      "livsmedel",
    "hållbar",       "produktion",   "kunder",      "affärsutveckling",
    "investering",   "lån",          "maskinpark",  "personal",
    "ingenjörer",    "forskning",    "samarbete",   "nätverk",
    "patent",        "prototyp",     "testbädd",    "batterier",
    "solceller",     "vätgas",       "biogas",      "skogsråvara",
    "förpackningar", "logistik",     "robotar",     "sensorer",
    "programvara",   "molntjänster", "säkerhet",    "hälsa",
    "vård",          "läkemedel"};

std::string Words(std::mt19937& rng, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    // Zipf-ish: the k-th word with probability ~ 1/(k+1).
    double u = std::uniform_real_distribution<double>(0, 1)(rng);
    size_t k = static_cast<size_t>(std::pow(static_cast<double>(kWords.size()) + 1, u)) - 1;
    k = std::min(k, kWords.size() - 1);
    if (!out.empty()) out += ' ';
    out += kWords[k];
  }
  return out;
}

bool BuildCases(const std::string& path, int count) {
  {
    store::sqlite::SqliteOptions options;
    options.path = path;
    auto store = store::sqlite::SqliteStore::Open(options);
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      return false;
    }
    auto n = (*store)->CountCases();
    if (n.ok() && *n >= count) return true;
  }
  std::printf("building %d cases in %s ...\n", count, path.c_str());
  auto db = store::sqlite::Connection::Open(path, SQLITE_OPEN_READWRITE, "");
  if (!db.ok()) return false;
  store::sqlite::Connection& c = **db;
  (void)c.Exec("PRAGMA synchronous = OFF", "bench");
  (void)c.Exec("BEGIN", "bench");
  std::mt19937 rng(3);
  const std::vector<std::string> nodes = {"eskilstuna", "nykoping", "strangnas", "katrineholm"};
  const base::Time start = base::FromUnixMillis(1'600'000'000'000);
  domain::Case body;  // a small stand-in body: the bench measures the query, not the parse
  body.state = "NEW";
  for (int i = 0; i < count; ++i) {
    const std::string id = "case-" + std::to_string(i);
    const std::string title = "Ärende " + Words(rng, 4);
    std::string description = Words(rng, 12);
    if (rng() % 2000 == 0) description += " kvantdator";  // a rare word: 1 case in 2,000
    const std::string& node = nodes[rng() % 4];
    body.id = id;
    body.node = node;
    auto insert = c.Prepare(
        "INSERT INTO cases (id, state, level, node, assignee, org_number, parent_id, title, "
        "description, create_time, update_time, version, workflow_version, body) VALUES "
        "(?1, 'NEW', 'LOCAL', ?2, '', '', '', ?3, ?4, ?5, ?5, 1, 1, ?6)",
        "bench");
    if (!insert.ok()) return false;
    const int64_t t = base::ToUnixMillis(start) + int64_t{i} * 30'000;
    insert->Bind(1, id).Bind(2, node).Bind(3, title).Bind(4, description).Bind(5, t);
    insert->BindBlob(6, codec::SerializeCase(body));
    if (!insert->Run("bench").ok()) return false;
    if (!store::sqlite::IndexCaseText(c, id, title, description).ok()) return false;
    if (i % 100000 == 99999) {
      (void)c.Exec("COMMIT", "bench");
      (void)c.Exec("BEGIN", "bench");
      std::printf("  %d\n", i + 1);
      std::fflush(stdout);
    }
  }
  return c.Exec("COMMIT", "bench").ok();
}

void BenchSearch(const std::string& path, int count) {
  if (!BuildCases(path, count)) {
    std::fprintf(stderr, "cannot build the case database\n");
    std::exit(1);
  }
  store::sqlite::SqliteOptions options;
  options.path = path;
  auto store = store::sqlite::SqliteStore::Open(options);
  if (!store.ok()) std::exit(1);
  struct Query {
    const char* label;
    const char* q;
    const char* node;
  };
  const Query queries[] = {
      {"rare word (\"kvantdator\", 1 case in 2,000)", "kvantdator", ""},
      {"medium word (\"finansieringen\", ~1 case in 3)", "finansieringen", ""},
      {"common word (\"företag\", most cases)", "företag", ""},
      {"two words (\"solceller batterier\")", "solceller batterier", ""},
      {"medium word at one node (a coordinator)", "finansieringen", "nykoping"},
      {"no match (\"teleportering\")", "teleportering", ""},
  };

  for (const Query& query : queries) {
    store::CaseFilter f;
    f.q = query.q;
    f.node = query.node;
    size_t hits = 0;
    Stats s = Measure(30, [&](int) {
      auto page = (*store)->ListCases(f);
      hits = page.ok() ? page->cases.size() : 0;
    });
    char label[120];
    std::snprintf(label, sizeof label, "search %s", query.label);
    Print(label, s, "(" + std::to_string(hits) + " on the first page)");
  }
}

}  // namespace

int main(int argc, char** argv) {
  int cases = 1'000'000;
  std::string db;
  bool keep = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--cases" && i + 1 < argc) {
      cases = std::atoi(argv[++i]);
    } else if (a == "--db" && i + 1 < argc) {
      db = argv[++i];
      keep = true;
    } else if (a == "--keep") {
      keep = true;
    } else {
      std::fprintf(stderr, "usage: offers_bench [--cases N] [--db PATH] [--keep]\n");
      return 2;
    }
  }
  if (db.empty()) {
    db = (std::filesystem::temp_directory_path() / "tillvaxt_offers_bench.db").string();
  }
  BenchChannel();
  BenchSuggested();
  BenchSearch(db, cases);
  if (!keep) {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(db + suffix);
  }
  return 0;
}
