#include "tests/unit/store/store_test_util.h"

#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <random>
#include <system_error>
#include <utility>

#include "engine/domain/decider.h"

namespace tillvaxt::store::testing {
namespace {

using domain::Event;
using domain::EventType;

const std::vector<std::string> kNodes = {"eskilstuna", "katrineholm", "nykoping", "strangnas"};
const std::vector<std::string> kNeeds = {"financing",   "export",       "innovation",
                                         "competence",  "digitalisation", "sustainability",
                                         "establishment"};
const std::vector<std::string> kAreas = {"smart-industri", "life-science", "besoksnaring",
                                         "livsmedel"};
const std::vector<std::string> kActors = {"almi",   "rise",           "ri-sormland", "vinnova",
                                          "mdu",    "business-sweden", "ehub",       "tillvaxtverket"};
const std::vector<std::string> kLevels = {"LOCAL", "REGIONAL", "NATIONAL", "INTERNATIONAL"};

// Calendar days rather than business days: the store does not care how deadlines were computed.
std::optional<int> SlaDays(const std::string& state) {
  if (state == "NEW") return 2;
  if (state == "MATCHED") return 5;
  if (state == "CLAIMED") return 3;
  if (state == "IN_PROGRESS") return 30;
  return std::nullopt;
}

class HistoryBuilder {
 public:
  HistoryBuilder(std::string id, uint64_t variant, base::Time start)
      : id_(std::move(id)), rng_(variant), time_(start) {}

  std::mt19937_64& rng() { return rng_; }
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<uint64_t>(n)); }
  const std::string& state() const { return state_; }
  const std::string& level() const { return level_; }

  // The next event of the current command: seq, time, states, level and deadline filled in.
  Event& Add(EventType type, const std::string& action, const std::string& to_state,
             const std::string& user) {
    time_ += std::chrono::minutes(1 + Pick(600));
    Event e;
    e.case_id = id_;
    e.seq = static_cast<int64_t>(events_.size() + pending_.size()) + 1;
    e.type = type;
    e.action = action;
    e.time = time_;
    e.user = user;
    e.from_state = state_;
    e.to_state = to_state.empty() ? state_ : to_state;
    e.level = level_;
    if (e.to_state != state_ || type == EventType::kRouted) {
      std::optional<int> days = SlaDays(e.to_state);
      deadline_.reset();
      if (days) deadline_ = time_ + std::chrono::hours(24 * *days);
    }
    e.deadline = deadline_;
    state_ = e.to_state;
    pending_.push_back(std::move(e));
    return pending_.back();
  }

  void SetLevel(const std::string& level) {
    level_ = level;
    pending_.back().level = level;
  }

  // Ends the command: one CaseAppend with the case folded after it.
  void Commit() {
    CaseAppend a;
    a.expected_version = static_cast<int64_t>(events_.size());
    for (Event& e : pending_) events_.push_back(e);
    a.events = std::move(pending_);
    pending_.clear();
    a.after = domain::Fold(events_);
    out_.push_back(std::move(a));
  }

  std::vector<CaseAppend> Take() { return std::move(out_); }

 private:
  std::string id_;
  std::mt19937_64 rng_;
  base::Time time_;
  std::string state_;
  std::string level_ = "LOCAL";
  std::optional<base::Time> deadline_;
  std::vector<Event> events_;
  std::vector<Event> pending_;
  std::vector<CaseAppend> out_;
};

std::vector<std::string> PickSome(HistoryBuilder& b, const std::vector<std::string>& from,
                                  int min, int max) {
  std::vector<std::string> pool = from;
  std::shuffle(pool.begin(), pool.end(), b.rng());
  pool.resize(static_cast<size_t>(min + b.Pick(max - min + 1)));
  return pool;
}

}  // namespace

TempDir::TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                        "/tillvaxt-store-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) std::abort();  // nothing sensible to test without it
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

const std::vector<std::string>& OpenStates() {
  static const std::vector<std::string> states = {"NEW",     "TRIAGED",     "MATCHED",
                                                  "CLAIMED", "IN_PROGRESS", "WAITING"};
  return states;
}

std::vector<CaseAppend> CaseHistory(const std::string& id, uint64_t variant, base::Time start) {
  HistoryBuilder b(id, variant * 0x9E3779B97F4A7C15ULL + 1, start);
  const std::string node = kNodes[static_cast<size_t>(b.Pick(4))];
  const std::string coordinator = "coord-" + node;
  const int stages = 1 + b.Pick(8);  // how far this case gets

  // Logging the case.
  domain::CaseDraft draft;
  const int company = b.Pick(50);
  draft.title = "Ärende " + id + ((company % 3 == 0) ? ": exportsatsning" : ": utveckling");
  draft.description = (company % 2 == 0) ? "Företaget vill växa på nya marknader"
                                         : "Behöver kompetens och finansiering";
  draft.company = {"Företag " + std::to_string(company) + " AB",
                   "55" + std::to_string(1000 + company) + "-" + std::to_string(2000 + company),
                   node, (company % 4 == 0) ? "MICRO" : "SMALL", "Tillverkning"};
  draft.contact = {"Kontakt " + std::to_string(company), "k" + std::to_string(company) + "@f.se",
                   "016-" + std::to_string(100000 + company)};
  draft.node = node;
  draft.workflow_version = 1 + b.Pick(2);
  b.Add(EventType::kCreated, "create", "NEW", coordinator).created = draft;
  b.Commit();
  if (stages == 1) return b.Take();

  // A few are turned away before triage.
  const int fate = b.Pick(20);
  if (fate == 0) {
    b.Add(EventType::kTransitioned, "reject", "REJECTED", coordinator).reason = "Utanför uppdraget";
    b.Commit();
    return b.Take();
  }
  if (fate == 1) {
    b.Add(EventType::kTransitioned, "withdraw", "WITHDRAWN", coordinator).reason = "Återtaget";
    b.Commit();
    return b.Take();
  }

  // Triage: needs and areas, climbing levels with no match, then routed (or unmatched).
  // (Add's reference is used at once: a later Add may move the pending events.)
  const std::vector<std::string> needs = PickSome(b, kNeeds, 1, 2);
  const std::vector<std::string> areas = PickSome(b, kAreas, 0, 2);
  {
    Event& triaged = b.Add(EventType::kTriaged, "triage", "TRIAGED", coordinator);
    triaged.needs = needs;
    triaged.areas = areas;
  }
  const int climbs = b.Pick(4);  // 3 = past the top
  for (int i = 0; i < climbs && i < 3; ++i) {
    const std::string from = b.level();
    Event& esc = b.Add(EventType::kEscalated, "triage", "", "system");
    esc.reason = "NO_MATCH";
    esc.from_level = from;
    b.SetLevel(kLevels[static_cast<size_t>(i + 1)]);
  }
  if (climbs == 3 && b.Pick(2) == 0) {
    b.Add(EventType::kUnmatched, "triage", "UNMATCHED", "system");
    b.Commit();
    return b.Take();
  }
  std::vector<domain::Match> matches;
  std::vector<std::string> candidates;
  for (const std::string& actor : PickSome(b, kActors, 1, 3)) {
    matches.push_back({actor, 1.0 + b.Pick(6) * 0.5, {"need:" + needs.front(), "load:1"}});
    candidates.push_back(actor);
  }
  b.Add(EventType::kRouted, "triage", "MATCHED", "system").matches = matches;
  b.Commit();
  if (stages == 2) return b.Take();

  // A decline when there is someone left to claim it.
  if (candidates.size() > 1 && b.Pick(2) == 0) {
    Event& d = b.Add(EventType::kDeclined, "decline", "", "user-" + candidates.front());
    d.actor = candidates.front();
    d.reason = "Ingen kapacitet";
    candidates.erase(candidates.begin());
    b.Commit();
  }
  if (stages == 3) return b.Take();

  const std::string assignee = candidates.back();
  b.Add(EventType::kClaimed, "claim", "CLAIMED", "user-" + assignee).actor = assignee;
  b.Commit();
  if (stages == 4) return b.Take();

  b.Add(EventType::kTransitioned, "start", "IN_PROGRESS", "user-" + assignee);
  b.Commit();
  if (b.Pick(3) == 0) {
    b.Add(EventType::kTransitioned, "wait", "WAITING", "user-" + assignee).reason = "Väntar";
    b.Commit();
    if (stages == 5) return b.Take();
    b.Add(EventType::kTransitioned, "resume", "IN_PROGRESS", "user-" + assignee);
    b.Commit();
  }
  if (stages == 5) return b.Take();

  b.Add(EventType::kResolved, "resolve", "RESOLVED", "user-" + assignee).outcome = {
      b.Pick(2) == 0 ? "FINANCING" : "NETWORK", "Klart"};
  b.Commit();
  if (stages == 6) return b.Take();

  b.Add(EventType::kTransitioned, "close", "CLOSED", coordinator).feedback = "Bra samarbete";
  b.Commit();
  if (stages == 7) return b.Take();

  Event& effect = b.Add(EventType::kEffectRecorded, "recordEffect", "", coordinator);
  effect.outcome = {"GROWTH", "Två nyanställda"};
  effect.months_after_close = 6;
  b.Commit();
  b.Add(EventType::kFollowUpCreated, "followUp", "", coordinator).related_case_id = id + "-f";
  b.Commit();
  return b.Take();
}

std::vector<domain::Event> HistoryEvents(const std::vector<CaseAppend>& history) {
  std::vector<domain::Event> events;
  for (const CaseAppend& a : history) events.insert(events.end(), a.events.begin(), a.events.end());
  return events;
}

Snapshot TakeSnapshot(Store& store, std::string* error) {
  Snapshot s;
  error->clear();
  CaseFilter filter;
  filter.page_size = 1000;
  while (true) {
    base::Result<CasePage> page = store.ListCases(filter);
    if (!page.ok()) {
      *error = page.status().ToString();
      return s;
    }
    for (domain::Case& c : page->cases) s.cases.push_back(std::move(c));
    if (page->next_page_token.empty()) break;
    filter.page_token = page->next_page_token;
  }
  base::Result<std::unordered_map<std::string, int>> load = store.OpenCasesByActor(OpenStates());
  base::Result<int64_t> cases = store.CountCases();
  base::Result<int64_t> events = store.CountEvents();
  for (const base::Status* st : {&load.status(), &cases.status(), &events.status()}) {
    if (!st->ok()) {
      *error = st->ToString();
      return s;
    }
  }
  s.open_by_actor = *load;
  s.case_count = *cases;
  s.event_count = *events;
  return s;
}

}  // namespace tillvaxt::store::testing
