#include "tests/unit/store/conformance.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/store/swedish_terms.h"
#include "tests/unit/store/store_test_util.h"

namespace tillvaxt::store::testing {
namespace {

using base::Code;

base::Time T0() { return base::FromUnixMillis(1'767'225'600'000); }  // 2026-01-01

// Appends every command of `history`, one Append per command, REQUIRE-ing success.
void AppendAll(Store& store, const std::vector<CaseAppend>& history) {
  for (const CaseAppend& a : history) {
    base::Status st = store.Append({a});
    INFO(st.ToString());
    REQUIRE(st.ok());
  }
}

// Cases with ids "<prefix>-<i>", each a full history, starting an hour apart; returns the final
// case of each by id.
std::map<std::string, domain::Case> Populate(Store& store, const std::string& prefix, int count,
                                             uint64_t variant_base) {
  std::map<std::string, domain::Case> cases;
  for (int i = 0; i < count; ++i) {
    const std::string id = prefix + "-" + std::to_string(i);
    std::vector<CaseAppend> h =
        CaseHistory(id, variant_base + static_cast<uint64_t>(i), T0() + std::chrono::hours(i));
    AppendAll(store, h);
    cases[id] = h.back().after;
  }
  return cases;
}

Snapshot Snap(Store& store) {
  std::string error;
  Snapshot s = TakeSnapshot(store, &error);
  INFO(error);
  REQUIRE(error.empty());
  return s;
}

bool Contains(const std::vector<std::string>& list, const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

// The model of `q`: every Swedish-stemmed word of the query is a stemmed word of the title or
// the description (a query without words matches nothing).
bool MatchesWords(const domain::Case& c, const std::string& q) {
  const std::vector<std::string> want = SwedishTerms(q);
  if (want.empty()) return false;
  std::vector<std::string> have = SwedishTerms(c.title);
  for (std::string& t : SwedishTerms(c.description)) have.push_back(std::move(t));
  for (const std::string& w : want) {
    if (!Contains(have, w)) return false;
  }
  return true;
}

// The model of CaseFilter: which ids match, newest first.
std::vector<std::string> Expected(const std::map<std::string, domain::Case>& cases,
                                  const CaseFilter& f) {
  std::vector<const domain::Case*> hits;
  for (const auto& [id, c] : cases) {
    if (!f.state.empty() && c.state != f.state) continue;
    if (!f.level.empty() && c.level != f.level) continue;
    if (!f.node.empty() && c.node != f.node) continue;
    if (!f.need.empty() && !Contains(c.needs, f.need)) continue;
    if (!f.area.empty() && !Contains(c.areas, f.area)) continue;
    if (!f.assignee.empty() && c.assignee != f.assignee) continue;
    if (!f.candidate.empty() && !Contains(c.candidates, f.candidate)) continue;
    if (!f.involved_actor.empty() && !Contains(c.involved_actors, f.involved_actor)) continue;
    if (!f.org_number.empty() && c.company.org_number != f.org_number) continue;
    if (!f.parent_id.empty() && c.parent_id != f.parent_id) continue;
    if (!f.q.empty() && !MatchesWords(c, f.q)) continue;
    if (f.open_only && !Contains(f.open_states, c.state)) continue;
    hits.push_back(&c);
  }
  std::sort(hits.begin(), hits.end(), [](const domain::Case* a, const domain::Case* b) {
    if (a->create_time != b->create_time) return a->create_time > b->create_time;
    return a->id > b->id;
  });
  std::vector<std::string> ids;
  for (const domain::Case* c : hits) ids.push_back(c->id);
  return ids;
}

// Every page of `f` (page size `page_size`), checking each page's bound.
std::vector<std::string> ListAll(Store& store, CaseFilter f, int page_size) {
  f.page_size = page_size;
  std::vector<std::string> ids;
  for (int guard = 0; guard < 10'000; ++guard) {
    base::Result<CasePage> page = store.ListCases(f);
    INFO(page.status().ToString());
    REQUIRE(page.ok());
    REQUIRE(static_cast<int>(page->cases.size()) <= page_size);
    for (const domain::Case& c : page->cases) ids.push_back(c.id);
    if (page->next_page_token.empty()) return ids;
    REQUIRE(static_cast<int>(page->cases.size()) == page_size);  // only full pages go on
    f.page_token = page->next_page_token;
  }
  FAIL("pagination does not end");
  return ids;
}

std::set<std::string> Values(const std::map<std::string, domain::Case>& cases,
                             std::vector<std::string> (*get)(const domain::Case&)) {
  std::set<std::string> out;
  for (const auto& [id, c] : cases) {
    for (const std::string& v : get(c)) out.insert(v);
  }
  return out;
}

}  // namespace

void RunStoreConformance(const StoreFactory& factory) {
  std::unique_ptr<Store> store = factory();
  REQUIRE(store != nullptr);

  SECTION("an empty store has nothing") {
    CHECK(store->GetCase("nope").status().code() == Code::kNotFound);
    CHECK(store->GetEvents("nope").status().code() == Code::kNotFound);
    CHECK(*store->CountCases() == 0);
    CHECK(*store->CountEvents() == 0);
    CHECK(store->ListCases({})->cases.empty());
    CHECK(store->OpenCasesByActor(OpenStates())->empty());
    CHECK(store->Workflows()->empty());
    int calls = 0;
    CHECK(store->ForEachEvent([&](const domain::Event&) { ++calls; }).ok());
    CHECK(calls == 0);
    CHECK(store->Rebuild({}).ok());
    CHECK(store->Append({}).ok());
  }

  SECTION("append then read back the case and its events, command by command") {
    std::vector<CaseAppend> h = CaseHistory("C-1", 7, T0());
    REQUIRE(h.size() >= 3);  // variant 7 gets past triage
    std::vector<domain::Event> so_far;
    for (const CaseAppend& a : h) {
      REQUIRE(store->Append({a}).ok());
      so_far.insert(so_far.end(), a.events.begin(), a.events.end());
      base::Result<domain::Case> c = store->GetCase("C-1");
      REQUIRE(c.ok());
      CHECK(*c == a.after);
      base::Result<std::vector<domain::Event>> events = store->GetEvents("C-1");
      REQUIRE(events.ok());
      CHECK(*events == so_far);
    }
    CHECK(*store->CountCases() == 1);
    CHECK(*store->CountEvents() == static_cast<int64_t>(so_far.size()));
  }

  SECTION("ForEachEvent visits every event once, in commit order") {
    // Interleave the commands of several cases.
    std::vector<std::vector<CaseAppend>> histories;
    for (int i = 0; i < 5; ++i) {
      histories.push_back(CaseHistory("C-" + std::to_string(i), 100 + i, T0()));
    }
    std::vector<domain::Event> committed;
    for (size_t step = 0; step < 12; ++step) {
      for (const auto& h : histories) {
        if (step >= h.size()) continue;
        REQUIRE(store->Append({h[step]}).ok());
        committed.insert(committed.end(), h[step].events.begin(), h[step].events.end());
      }
    }
    std::vector<domain::Event> seen;
    REQUIRE(store->ForEachEvent([&](const domain::Event& e) { seen.push_back(e); }).ok());
    CHECK(seen == committed);
    CHECK(*store->CountEvents() == static_cast<int64_t>(committed.size()));
  }

  SECTION("a stale expected version is ABORTED and leaves no trace") {
    std::vector<CaseAppend> h = CaseHistory("C-1", 7, T0());
    REQUIRE(h.size() >= 3);
    REQUIRE(store->Append({h[0]}).ok());
    REQUIRE(store->Append({h[1]}).ok());
    const Snapshot before = Snap(*store);
    const std::vector<domain::Event> events_before = *store->GetEvents("C-1");

    // Decided on version 1, but the case is at h[1]'s version now.
    CaseAppend stale = h[1];
    base::Status st = store->Append({stale});
    CHECK(st.code() == Code::kAborted);
    CHECK_THAT(st.message(), Catch::Contains("C-1") && Catch::Contains("changed concurrently"));
    // A version from the future is refused the same way.
    CaseAppend future = h[2];
    future.expected_version += 1;
    for (size_t i = 0; i < future.events.size(); ++i) future.events[i].seq += 1;
    future.after.version += 1;
    CHECK(store->Append({future}).code() == Code::kAborted);

    CHECK(Snap(*store) == before);
    CHECK(*store->GetEvents("C-1") == events_before);
    // The right version still goes through afterwards.
    CHECK(store->Append({h[2]}).ok());
  }

  SECTION("a new case with an existing id is ABORTED and leaves no trace") {
    std::vector<CaseAppend> h = CaseHistory("C-1", 7, T0());
    REQUIRE(store->Append({h[0]}).ok());
    const Snapshot before = Snap(*store);
    std::vector<CaseAppend> other = CaseHistory("C-1", 8, T0() + std::chrono::hours(5));
    base::Status st = store->Append({other[0]});
    CHECK(st.code() == Code::kAborted);
    CHECK_THAT(st.message(), Catch::Contains("C-1"));
    CHECK(Snap(*store) == before);
    CHECK(*store->GetCase("C-1") == h[0].after);
  }

  SECTION("an append of several cases is all or nothing") {
    std::vector<CaseAppend> a = CaseHistory("A", 7, T0());
    std::vector<CaseAppend> b = CaseHistory("B", 9, T0());
    REQUIRE(a.size() >= 3);
    REQUIRE(b.size() >= 3);
    REQUIRE(store->Append({b[0]}).ok());
    REQUIRE(store->Append({b[1]}).ok());
    const Snapshot before = Snap(*store);

    // A new case and two good commands, then a stale one: none of it may be written.
    base::Status st = store->Append({a[0], a[1], b[2], b[1]});
    CHECK(st.code() == Code::kAborted);
    CHECK(store->GetCase("A").status().code() == Code::kNotFound);
    CHECK(store->GetEvents("A").status().code() == Code::kNotFound);
    CHECK(Snap(*store) == before);

    // The same without the stale one: all of it, including two commands of one case.
    REQUIRE(store->Append({a[0], a[1], b[2]}).ok());
    CHECK(*store->GetCase("A") == a[1].after);
    CHECK(*store->GetCase("B") == b[2].after);
    CHECK(store->GetEvents("A")->size() == a[0].events.size() + a[1].events.size());
  }

  SECTION("malformed appends are INVALID_ARGUMENT and write nothing") {
    std::vector<CaseAppend> h = CaseHistory("C-1", 7, T0());
    CaseAppend gap = h[0];
    gap.events[0].seq = 2;
    CHECK(store->Append({gap}).code() == Code::kInvalidArgument);
    CaseAppend wrong_case = h[0];
    wrong_case.events[0].case_id = "C-2";
    CHECK(store->Append({wrong_case}).code() == Code::kInvalidArgument);
    CaseAppend no_events = h[0];
    no_events.events.clear();
    CHECK(store->Append({no_events}).code() == Code::kInvalidArgument);
    CaseAppend bad_after = h[0];
    bad_after.after.version = 5;
    CHECK(store->Append({h[0], bad_after}).code() == Code::kInvalidArgument);
    CHECK(*store->CountEvents() == 0);
    CHECK(*store->CountCases() == 0);
  }

  SECTION("of racing appends on one version exactly one wins") {
    std::vector<CaseAppend> h = CaseHistory("C-1", 7, T0());
    REQUIRE(store->Append({h[0]}).ok());
    std::atomic<int> won{0};
    std::atomic<int> aborted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&, i] {
        CaseAppend a = h[1];
        a.events.back().user = "racer-" + std::to_string(i);
        base::Status st = store->Append({a});
        if (st.ok()) ++won;
        if (st.code() == Code::kAborted) ++aborted;
      });
    }
    for (std::thread& t : threads) t.join();
    CHECK(won == 1);
    CHECK(aborted == 7);
    CHECK(store->GetCase("C-1")->version == h[1].after.version);
  }

  SECTION("ListCases filters like the model, newest first, across pages") {
    std::map<std::string, domain::Case> cases = Populate(*store, "L", 70, 1000);
    // Two cases created at the same moment: ordered by id (the tie-breaker of the keyset).
    for (const std::string id : {"tie-a", "tie-b"}) {
      std::vector<CaseAppend> h = CaseHistory(id, 4242, T0() + std::chrono::hours(30));
      AppendAll(*store, h);
      cases[id] = h.back().after;
    }
    REQUIRE(cases["tie-a"].create_time == cases["tie-b"].create_time);

    std::vector<CaseFilter> filters;
    filters.push_back({});
    for (const auto& [id, c] : cases) {  // a few of each value that occurs
      (void)id;
      CaseFilter f;
      f.state = c.state;
      filters.push_back(f);
      f = {};
      f.level = c.level;
      filters.push_back(f);
      f = {};
      f.node = c.node;
      filters.push_back(f);
      f = {};
      f.org_number = c.company.org_number;
      filters.push_back(f);
      if (!c.assignee.empty()) {
        f = {};
        f.assignee = c.assignee;
        filters.push_back(f);
      }
      if (filters.size() > 60) break;
    }
    for (const std::string& need : Values(cases, [](const domain::Case& c) { return c.needs; })) {
      CaseFilter f;
      f.need = need;
      filters.push_back(f);
    }
    for (const std::string& area : Values(cases, [](const domain::Case& c) { return c.areas; })) {
      CaseFilter f;
      f.area = area;
      filters.push_back(f);
    }
    for (const std::string& actor :
         Values(cases, [](const domain::Case& c) { return c.involved_actors; })) {
      CaseFilter f;
      f.candidate = actor;
      filters.push_back(f);
      f = {};
      f.involved_actor = actor;
      filters.push_back(f);
      f = {};
      f.involved_actor = actor;
      f.open_only = true;
      f.open_states = OpenStates();
      filters.push_back(f);
    }
    {
      CaseFilter f;
      f.q = "EXPORTSATSNING";  // case-insensitive, a word of the title
      filters.push_back(f);
      f.q = "kompetens och";  // in the description
      filters.push_back(f);
      f.q = "finansieringen";  // stemmed: finds "finansiering"
      filters.push_back(f);
      f.q = "100%";  // no such word
      filters.push_back(f);
      f.q = "_";
      filters.push_back(f);
      f = {};
      f.open_only = true;
      f.open_states = OpenStates();
      filters.push_back(f);
      f.open_states = {};
      filters.push_back(f);  // open_only with no open states: nothing
      f = {};
      f.parent_id = "none";
      filters.push_back(f);
      f = {};
      f.state = "CLAIMED";
      f.node = "eskilstuna";
      f.need = "financing";
      filters.push_back(f);
      f = {};
      f.node = "nykoping";
      f.q = "ärende";
      f.open_only = true;
      f.open_states = OpenStates();
      filters.push_back(f);
    }
    int non_empty = 0;
    for (const CaseFilter& f : filters) {
      const std::vector<std::string> want = Expected(cases, f);
      INFO("state=" << f.state << " level=" << f.level << " node=" << f.node << " need=" << f.need
                    << " area=" << f.area << " assignee=" << f.assignee
                    << " candidate=" << f.candidate << " involved=" << f.involved_actor
                    << " org=" << f.org_number << " q=" << f.q << " open=" << f.open_only);
      CHECK(ListAll(*store, f, 1000) == want);
      CHECK(ListAll(*store, f, 7) == want);
      if (!want.empty()) ++non_empty;
    }
    CHECK(non_empty > static_cast<int>(filters.size()) / 2);  // the filters did select something

    // The listed case is the stored projection.
    base::Result<CasePage> first = store->ListCases({});
    REQUIRE(first.ok());
    REQUIRE_FALSE(first->cases.empty());
    CHECK(first->cases.front() == cases[first->cases.front().id]);
  }

  SECTION("page sizes are clamped and tokens are checked") {
    Populate(*store, "P", 60, 2000);
    CaseFilter f;
    f.page_size = 0;  // unset: the default of 50
    CHECK(store->ListCases(f)->cases.size() == 50);
    f.page_size = -3;
    CHECK(store->ListCases(f)->cases.size() == 1);
    f.page_size = 5000;
    CHECK(store->ListCases(f)->cases.size() == 60);
    f.page_size = 60;
    CHECK(store->ListCases(f)->next_page_token.empty());  // exactly one full page: no more
    f.page_size = 59;
    CHECK_FALSE(store->ListCases(f)->next_page_token.empty());
    f.page_token = "not a token";
    CHECK(store->ListCases(f).status().code() == Code::kInvalidArgument);
    f.page_token = "zz";
    CHECK(store->ListCases(f).status().code() == Code::kInvalidArgument);
  }

  SECTION("more than 1000 cases: a page holds at most 1000") {
    for (int i = 0; i < 1005; ++i) {
      std::vector<CaseAppend> h =
          CaseHistory("M-" + std::to_string(i), 5000 + i, T0() + std::chrono::minutes(i));
      REQUIRE(store->Append({h[0]}).ok());
    }
    CaseFilter f;
    f.page_size = 100'000;
    base::Result<CasePage> page = store->ListCases(f);
    REQUIRE(page.ok());
    CHECK(page->cases.size() == 1000);
    CHECK_FALSE(page->next_page_token.empty());
    f.page_token = page->next_page_token;
    CHECK(store->ListCases(f)->cases.size() == 5);
  }

  SECTION("open cases per actor count assignees and candidates of open cases") {
    std::map<std::string, domain::Case> cases = Populate(*store, "O", 60, 3000);
    std::unordered_map<std::string, int> want;
    for (const auto& [id, c] : cases) {
      if (!Contains(OpenStates(), c.state)) continue;
      if (!c.assignee.empty()) ++want[c.assignee];
      for (const std::string& a : c.candidates) ++want[a];
    }
    REQUIRE_FALSE(want.empty());
    CHECK(*store->OpenCasesByActor(OpenStates()) == want);
    CHECK(store->OpenCasesByActor({})->empty());
  }

  SECTION("rebuilt projections equal the live ones") {
    Populate(*store, "R", 80, 4000);
    const Snapshot live = Snap(*store);
    REQUIRE(live.case_count == 80);
    int64_t last_done = -1;
    int64_t last_total = -1;
    REQUIRE(store
                ->Rebuild([&](int64_t done, int64_t total) {
                  CHECK(done >= last_done);
                  last_done = done;
                  last_total = total;
                })
                .ok());
    CHECK(last_done == live.event_count);
    CHECK(last_total == live.event_count);
    const Snapshot rebuilt = Snap(*store);
    CHECK(rebuilt.cases == live.cases);
    CHECK(rebuilt.open_by_actor == live.open_by_actor);
    CHECK(rebuilt == live);
    // And the store keeps working on the rebuilt projections.
    std::vector<CaseAppend> h = CaseHistory("after-rebuild", 7, T0());
    AppendAll(*store, h);
    CHECK(*store->GetCase("after-rebuild") == h.back().after);
  }

  SECTION("workflow definitions get stable version numbers") {
    CHECK(*store->RegisterWorkflow("definition one") == 1);
    CHECK(*store->RegisterWorkflow(std::string("two\0with nul", 12)) == 2);
    CHECK(*store->RegisterWorkflow("definition one") == 1);
    CHECK(*store->RegisterWorkflow("three") == 3);
    std::vector<std::pair<int, std::string>> want = {
        {1, "definition one"}, {2, std::string("two\0with nul", 12)}, {3, "three"}};
    CHECK(*store->Workflows() == want);
  }
}

}  // namespace tillvaxt::store::testing
