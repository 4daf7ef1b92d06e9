#include "tests/unit/store/conformance.h"

#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "engine/domain/decider.h"
#include "engine/store/swedish_terms.h"
#include "tests/unit/store/store_test_util.h"

namespace tillvaxt::store::testing {
namespace {

using base::Code;
using namespace std::chrono_literals;
using Strings = std::vector<std::string>;

base::Time T0() { return base::FromUnixMillis(1'767'225'600'000); }  // 2026-01-01

// The field an INVALID_ARGUMENT names ("" when none).
std::string FieldOf(const base::Status& st) {
  return st.details().empty() ? "" : st.details().front().field;
}

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

// A case of one CREATED event with the given text (for the full-text checks).
domain::Case MakeCase(const std::string& id, const std::string& node, base::Time at,
                      std::string title, std::string description) {
  domain::CaseDraft d;
  d.title = std::move(title);
  d.description = std::move(description);
  d.company = {"Bolaget AB", "556677-8899", "Eskilstuna", "SMALL", ""};
  d.node = node;
  domain::Event e;
  e.case_id = id;
  e.seq = 1;
  e.type = domain::EventType::kCreated;
  e.action = "create";
  e.time = at;
  e.user = "coord." + node;
  e.to_state = "NEW";
  e.level = "LOCAL";
  e.created = d;
  return domain::Fold({e});
}

base::Status AppendCase(Store& store, const domain::Case& c) {
  domain::Event e;
  e.case_id = c.id;
  e.seq = 1;
  e.type = domain::EventType::kCreated;
  e.action = "create";
  e.time = c.create_time;
  e.user = "coord";
  e.to_state = "NEW";
  e.level = "LOCAL";
  e.created = domain::CaseDraft{c.title, c.description, c.company, c.contact, c.node};
  return store.Append({{0, {e}, c}});
}

Strings CaseIds(const base::Result<CasePage>& page) {
  REQUIRE(page.ok());
  Strings ids;
  for (const auto& c : page->cases) ids.push_back(c.id);
  return ids;
}

Strings CaseIds(const std::vector<domain::Case>& cases) {
  Strings ids;
  for (const auto& c : cases) ids.push_back(c.id);
  return ids;
}

void CheckSamePositioned(const std::vector<PositionedEvent>& got,
                         const std::vector<PositionedEvent>& want) {
  REQUIRE(got.size() == want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    CHECK(got[i].position == want[i].position);
    CHECK(got[i].event == want[i].event);
  }
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
    std::vector<std::pair<int64_t, int64_t>> progress;
    CHECK(store->Rebuild([&](int64_t done, int64_t total) { progress.emplace_back(done, total); })
              .ok());
    CHECK(progress == std::vector<std::pair<int64_t, int64_t>>{{0, 0}});
    CHECK(store->Append({}).ok());
    CHECK(*store->LastPosition() == 0);
    CHECK(store->EventsAfter(0, 100)->empty());
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

  SECTION("the log in commit order: positions, EventsAfter and LastPosition") {
    std::vector<std::vector<CaseAppend>> histories;
    for (int i = 0; i < 4; ++i) {
      histories.push_back(CaseHistory("E-" + std::to_string(i), 200 + i, T0()));
    }
    std::vector<domain::Event> committed;
    for (size_t step = 0; step < 12; ++step) {
      for (const auto& h : histories) {
        if (step >= h.size()) continue;
        REQUIRE(store->Append({h[step]}).ok());
        committed.insert(committed.end(), h[step].events.begin(), h[step].events.end());
      }
    }
    base::Result<std::vector<PositionedEvent>> all = store->EventsAfter(0, 10'000);
    REQUIRE(all.ok());
    REQUIRE(all->size() == committed.size());
    CHECK(all->front().position > 0);
    for (size_t i = 0; i < all->size(); ++i) {
      CHECK((*all)[i].event == committed[i]);
      if (i > 0) CHECK((*all)[i].position > (*all)[i - 1].position);
    }
    const int64_t last = all->back().position;
    CHECK(*store->LastPosition() == last);
    CHECK(store->EventsAfter(last, 100)->empty());

    // Reading on from the last position seen gives the rest, in order, none twice.
    std::vector<PositionedEvent> paged;
    int64_t after = 0;
    for (int guard = 0; guard < 1000; ++guard) {
      base::Result<std::vector<PositionedEvent>> page = store->EventsAfter(after, 3);
      REQUIRE(page.ok());
      REQUIRE(page->size() <= 3);
      if (page->empty()) break;
      paged.insert(paged.end(), page->begin(), page->end());
      after = page->back().position;
    }
    CheckSamePositioned(paged, *all);
    CheckSamePositioned(*store->EventsAfter((*all)[4].position, 2), {(*all)[5], (*all)[6]});
    // Limits below 1 are 1; a position before the first reads from the start.
    CheckSamePositioned(*store->EventsAfter(0, 0), {all->front()});
    CheckSamePositioned(*store->EventsAfter(0, -7), {all->front()});
    CheckSamePositioned(*store->EventsAfter(-5, 1), {all->front()});

    // A refused append takes no position; the events of the next commit come after the last,
    // in the order of the call's appends.
    CHECK(store->Append({histories[0][0]}).code() == Code::kAborted);
    CHECK(*store->LastPosition() == last);
    std::vector<CaseAppend> x = CaseHistory("E-new-x", 300, T0());
    std::vector<CaseAppend> y = CaseHistory("E-new-y", 301, T0());
    REQUIRE(x.size() >= 2);
    REQUIRE(store->Append({y[0], x[0], x[1]}).ok());
    std::vector<domain::Event> want = y[0].events;
    for (const CaseAppend* a : {&x[0], &x[1]}) {
      want.insert(want.end(), a->events.begin(), a->events.end());
    }
    base::Result<std::vector<PositionedEvent>> fresh = store->EventsAfter(last, 100);
    REQUIRE(fresh.ok());
    REQUIRE(fresh->size() == want.size());
    for (size_t i = 0; i < fresh->size(); ++i) {
      CHECK((*fresh)[i].event == want[i]);
      CHECK((*fresh)[i].position > (i == 0 ? last : (*fresh)[i - 1].position));
    }
    CHECK(*store->LastPosition() == fresh->back().position);
  }

  SECTION("EventsAfter returns at most 10000 events") {
    std::vector<CaseAppend> many;  // one commit of 10001 new cases
    for (int i = 0; i < 10'001; ++i) {
      many.push_back(
          CaseHistory("B-" + std::to_string(i), 9000 + i, T0() + std::chrono::seconds(i))[0]);
    }
    REQUIRE(store->Append(many).ok());
    CHECK(*store->CountEvents() == 10'001);
    base::Result<std::vector<PositionedEvent>> page = store->EventsAfter(0, 50'000);
    REQUIRE(page.ok());
    CHECK(page->size() == 10'000);
    CHECK(store->EventsAfter(page->back().position, 50'000)->size() == 1);
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
    CHECK(FieldOf(store->ListCases(f).status()) == "pageToken");
    f.page_token = "zz";
    CHECK(store->ListCases(f).status().code() == Code::kInvalidArgument);
    CHECK(FieldOf(store->ListCases(f).status()) == "pageToken");
    // A token of this listing goes on; altered, bare hex of a key, or the offers' listing's, no.
    f.page_token.clear();
    const std::string token = store->ListCases(f)->next_page_token;
    f.page_token = token;
    CHECK(store->ListCases(f)->cases.size() == 1);
    f.page_token.back() = f.page_token.back() == '0' ? '1' : '0';
    CHECK(FieldOf(store->ListCases(f).status()) == "pageToken");
    const domain::Case last = store->ListCases({.page_size = 59})->cases.back();
    std::string bare;
    for (unsigned char ch : std::to_string(base::ToUnixMillis(last.create_time)) + "," + last.id) {
      bare.push_back("0123456789abcdef"[ch >> 4]);
      bare.push_back("0123456789abcdef"[ch & 0xf]);
    }
    f.page_token = bare;
    CHECK(FieldOf(store->ListCases(f).status()) == "pageToken");
    CHECK(FieldOf(store->ListOffers({.page_token = token}).status()) == "pageToken");
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

  SECTION("case search: Swedish stemming, other filters still apply, rebuild refills") {
    const base::Time t0 = base::FromUnixMillis(1'780'000'000'000);
    REQUIRE(AppendCase(*store, MakeCase("c1", "eskilstuna", t0, "Finansiering av maskiner",
                                        "Företagen behöver lån"))
                .ok());
    REQUIRE(AppendCase(*store, MakeCase("c2", "nykoping", t0 + 1s, "Innovationer i livsmedel",
                                        "Nya produkter; finansieringen oklar"))
                .ok());
    REQUIRE(AppendCase(*store, MakeCase("c3", "eskilstuna", t0 + 2s, "ÅTERVINNING",
                                        "Rekrytering av ingenjörer"))
                .ok());
    auto q = [&](std::string text, std::string node = "") {
      CaseFilter f;
      f.q = std::move(text);
      f.node = std::move(node);
      return CaseIds(store->ListCases(f));
    };
    CHECK(q("finansieringen") == Strings{"c2", "c1"});
    CHECK(q("finansiering") == Strings{"c2", "c1"});
    CHECK(q("finansiering", "eskilstuna") == Strings{"c1"});  // visibility filters keep applying
    CHECK(q("företag") == Strings{"c1"});                     // "företagen" in the description
    CHECK(q("innovation") == Strings{"c2"});
    CHECK(q("återvinning") == Strings{"c3"});
    CHECK(q("finansiering lån") == Strings{"c1"});  // every word required
    CHECK(q("maskin*").size() == 1);                // query syntax is inert
    CHECK(q("-").empty());
    REQUIRE(store->Rebuild(nullptr).ok());
    CHECK(q("finansieringen") == Strings{"c2", "c1"});
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

namespace {

// --- Offers ---

const base::Time kOfferT0 = base::FromUnixMillis(1'780'000'000'000);

// A published offer's append: PUBLISHED and one CHANNELLED to LOCAL.
OfferAppend Publish(const std::string& id, base::Time at, Strings needs, Strings areas,
                    Strings nodes, std::string title = "Innovationscheckar",
                    std::optional<base::Time> until = std::nullopt) {
  domain::OfferEvent p;
  p.offer_id = id;
  p.seq = 1;
  p.type = domain::OfferEventType::kPublished;
  p.time = at;
  p.user = "actor.rise";
  p.actor = "rise";
  p.level = "NATIONAL";
  domain::OfferDraft d;
  d.kind = "FUNDING_CALL";
  d.title = std::move(title);
  d.description = "Stöd till företagen i regionen";
  d.needs = std::move(needs);
  d.areas = std::move(areas);
  d.valid_until = until;
  p.draft = d;
  domain::OfferEvent c;
  c.offer_id = id;
  c.seq = 2;
  c.type = domain::OfferEventType::kChannelled;
  c.time = at;
  c.user = "actor.rise";
  c.recipients = {"LOCAL", {"almi"}, nodes.empty() ? Strings{"eskilstuna", "nykoping"} : nodes, at};
  std::vector<domain::OfferEvent> events{p, c};
  return {0, events, domain::FoldOffer(events)};
}

// The WITHDRAWN append of a published offer (at version 2).
OfferAppend Withdraw(const OfferAppend& published, base::Time at, const std::string& reason) {
  domain::OfferEvent w;
  w.offer_id = published.after.id;
  w.seq = 3;
  w.type = domain::OfferEventType::kWithdrawn;
  w.time = at;
  w.user = "actor.rise";
  w.reason = reason;
  domain::Offer after = published.after;
  domain::ApplyOfferEvent(after, w);
  return {2, {w}, after};
}

Strings Ids(const base::Result<OfferPage>& page) {
  REQUIRE(page.ok());
  Strings ids;
  for (const auto& o : page->offers) ids.push_back(o.id);
  return ids;
}

// --- Statistics ---

// Filters over the histories of CaseHistory: every kind, some combined, several `now`s.
std::vector<projection::StatsFilter> StatsFilters() {
  projection::StatsFilter base;
  base.now = T0() + std::chrono::hours(24 * 120);
  base.open_states = OpenStates();
  std::vector<projection::StatsFilter> out{base};
  auto add = [&](auto change) {
    projection::StatsFilter f = base;
    change(f);
    out.push_back(f);
  };
  add([](projection::StatsFilter& f) { f.from = T0() + std::chrono::hours(20); });
  add([](projection::StatsFilter& f) { f.to = T0() + std::chrono::hours(60); });
  add([](projection::StatsFilter& f) {
    f.from = T0() + std::chrono::hours(10);
    f.to = T0() + std::chrono::hours(90);
  });
  for (const char* node : {"eskilstuna", "katrineholm", "nykoping", "strangnas"}) {
    add([&](projection::StatsFilter& f) { f.node = node; });
  }
  for (const char* need : {"financing", "export", "innovation", "competence"}) {
    add([&](projection::StatsFilter& f) { f.need = need; });
  }
  for (const char* area : {"smart-industri", "livsmedel", "life-science"}) {
    add([&](projection::StatsFilter& f) { f.area = area; });
  }
  for (const char* level : {"LOCAL", "REGIONAL", "NATIONAL", "INTERNATIONAL"}) {
    add([&](projection::StatsFilter& f) { f.level = level; });
  }
  add([](projection::StatsFilter& f) {
    f.node = "eskilstuna";
    f.need = "financing";
    f.from = T0() + std::chrono::hours(5);
  });
  add([](projection::StatsFilter& f) { f.now = T0() + std::chrono::hours(30); });
  add([](projection::StatsFilter& f) { f.open_states = {}; });
  add([](projection::StatsFilter& f) { f.node = "stockholm"; });  // selects nothing
  return out;
}

std::vector<projection::CaseFacts> Rows(StatsReader& reader, const projection::StatsFilter& f,
                                        size_t stop_after = 0) {
  std::vector<projection::CaseFacts> rows;
  base::Status st = reader.ForEachCaseRow(f, [&](const projection::CaseFacts& row) {
    rows.push_back(row);
    return stop_after == 0 || rows.size() < stop_after;
  });
  INFO(st.ToString());
  REQUIRE(st.ok());
  return rows;
}

// The store's statistics equal FoldedStats's over the store's own log, for every filter.
void CheckStatsEqualFolded(Store& store) {
  FoldedStats reference(store);
  for (const projection::StatsFilter& f : StatsFilters()) {
    INFO("node=" << f.node << " need=" << f.need << " area=" << f.area << " level=" << f.level
                 << " from=" << (f.from ? base::FormatRfc3339(*f.from) : "")
                 << " to=" << (f.to ? base::FormatRfc3339(*f.to) : "")
                 << " now=" << base::FormatRfc3339(f.now) << " open=" << f.open_states.size());
    base::Result<projection::Summary> summary = store.StatsSummary(f);
    base::Result<projection::Summary> want = reference.StatsSummary(f);
    REQUIRE(summary.ok());
    REQUIRE(want.ok());
    CHECK(*summary == *want);
    base::Result<std::vector<projection::FlowLink>> flow = store.StatsFlow(f);
    REQUIRE(flow.ok());
    CHECK(*flow == *reference.StatsFlow(f));
    for (projection::Bucket bucket : {projection::Bucket::kWeek, projection::Bucket::kMonth}) {
      for (projection::Metric metric : {projection::Metric::kCreated, projection::Metric::kResolved,
                                        projection::Metric::kEscalated}) {
        base::Result<std::vector<projection::TimePoint>> series =
            store.StatsTimeSeries(f, bucket, metric);
        REQUIRE(series.ok());
        CHECK(*series == *reference.StatsTimeSeries(f, bucket, metric));
      }
    }
    CHECK(Rows(store, f) == Rows(reference, f));
  }
}

// --- Users ---

UserRecord Coordinator(const std::string& name) {
  UserRecord u;
  u.username = name;
  u.role = domain::Role::kCoordinator;
  u.node = "eskilstuna";
  u.display_name = "Åsa Öberg";
  u.email = "asa@example.se";
  u.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$x$y";
  u.digest = true;
  u.create_time = base::FromUnixMillis(1'790'000'000'123);
  return u;
}

}  // namespace

void RunTimersConformance(const StoreFactory& factory) {
  std::unique_ptr<Store> store = factory();
  REQUIRE(store != nullptr);
  const base::Time far = T0() + std::chrono::hours(24 * 365 * 10);

  SECTION("an empty store has no due cases") {
    CHECK(store->DueCases(far, 100)->empty());
    CHECK(store->SetNextTimer("nope", 1, T0()).code() == Code::kNotFound);
  }

  SECTION("every write of a case's projection sets its next timer to its update time") {
    std::vector<CaseAppend> h = CaseHistory("T-1", 7, T0());
    REQUIRE(h.size() >= 3);
    REQUIRE(store->Append({h[0]}).ok());
    const base::Time updated = h[0].after.update_time;
    CHECK(store->DueCases(updated - 1ms, 100)->empty());
    base::Result<std::vector<domain::Case>> due = store->DueCases(updated, 100);
    REQUIRE(due.ok());
    REQUIRE(due->size() == 1);
    CHECK(due->front() == h[0].after);  // the case as it is now

    // The scheduler's exact time replaces it.
    const base::Time later = updated + std::chrono::hours(24 * 365);
    REQUIRE(store->SetNextTimer("T-1", h[0].after.version, later).ok());
    CHECK(store->DueCases(later - 1ms, 100)->empty());
    CHECK(store->DueCases(later, 100)->size() == 1);

    // The next append sets it back to the case's new update time.
    REQUIRE(h[1].after.update_time < later);
    REQUIRE(store->Append({h[1]}).ok());
    CHECK(store->DueCases(h[1].after.update_time - 1ms, 100)->empty());
    due = store->DueCases(h[1].after.update_time, 100);
    REQUIRE(due.ok());
    REQUIRE(due->size() == 1);
    CHECK(due->front() == h[1].after);

    // No next timer: never due.
    REQUIRE(store->SetNextTimer("T-1", h[1].after.version, std::nullopt).ok());
    CHECK(store->DueCases(far, 100)->empty());
    // A rebuild writes every projection again: due at the update time.
    REQUIRE(store->Rebuild({}).ok());
    CHECK(store->DueCases(h[1].after.update_time - 1ms, 100)->empty());
    due = store->DueCases(far, 100);
    REQUIRE(due.ok());
    REQUIRE(due->size() == 1);
    CHECK(due->front() == h[1].after);
  }

  SECTION("SetNextTimer checks the version: ABORTED when the case moved on, NOT_FOUND when none") {
    std::vector<CaseAppend> h = CaseHistory("T-1", 7, T0());
    REQUIRE(h.size() >= 2);
    REQUIRE(store->Append({h[0]}).ok());
    REQUIRE(store->Append({h[1]}).ok());
    const base::Time updated = h[1].after.update_time;
    CHECK(store->SetNextTimer("T-1", h[0].after.version, far).code() == Code::kAborted);
    CHECK(store->SetNextTimer("T-1", h[1].after.version + 1, far).code() == Code::kAborted);
    CHECK(store->SetNextTimer("nope", 1, far).code() == Code::kNotFound);
    // Nothing changed: still due at its update time, and the case is as it was.
    CHECK(CaseIds(*store->DueCases(updated, 100)) == Strings{"T-1"});
    CHECK(*store->GetCase("T-1") == h[1].after);
    REQUIRE(store->SetNextTimer("T-1", h[1].after.version, far).ok());
    CHECK(store->DueCases(far - 1ms, 100)->empty());
  }

  SECTION("DueCases lists the due cases earliest first, up to the limit") {
    std::map<std::string, domain::Case> cases = Populate(*store, "D", 40, 6000);
    // Each case's timer at a time of its own, in an order unrelated to ids and update times.
    std::vector<std::pair<base::Time, std::string>> timers;
    int k = 0;
    for (const auto& [id, c] : cases) {
      const base::Time at = T0() + std::chrono::minutes((k * 37) % 40 * 10 + 1);
      ++k;
      REQUIRE(store->SetNextTimer(id, c.version, at).ok());
      timers.emplace_back(at, id);
    }
    std::sort(timers.begin(), timers.end());
    auto first = [&](size_t n) {
      Strings ids;
      for (size_t i = 0; i < n; ++i) ids.push_back(timers[i].second);
      return ids;
    };
    base::Result<std::vector<domain::Case>> due = store->DueCases(far, 1000);
    REQUIRE(due.ok());
    CHECK(CaseIds(*due) == first(40));
    for (const domain::Case& c : *due) CHECK(c == cases[c.id]);  // the projection
    CHECK(CaseIds(*store->DueCases(timers[14].first, 1000)) == first(15));
    CHECK(CaseIds(*store->DueCases(timers[14].first - 1ms, 1000)) == first(14));
    CHECK(store->DueCases(timers[0].first - 1ms, 1000)->empty());
    // The limit keeps the earliest; limits below 1 are 1.
    CHECK(CaseIds(*store->DueCases(far, 5)) == first(5));
    CHECK(CaseIds(*store->DueCases(far, 0)) == first(1));
    CHECK(CaseIds(*store->DueCases(far, -3)) == first(1));
  }

  SECTION("DueCases returns at most 1000 cases") {
    std::vector<CaseAppend> many;  // one commit of 1001 new cases
    for (int i = 0; i < 1001; ++i) {
      many.push_back(
          CaseHistory("M-" + std::to_string(i), 7000 + i, T0() + std::chrono::minutes(i))[0]);
    }
    REQUIRE(store->Append(many).ok());
    base::Result<std::vector<domain::Case>> due = store->DueCases(far, 5000);
    REQUIRE(due.ok());
    CHECK(due->size() == 1000);
    CHECK(store->DueCases(far, 1000)->size() == 1000);
    base::Time earliest = many.front().after.update_time;
    for (const CaseAppend& a : many) earliest = std::min(earliest, a.after.update_time);
    CHECK(due->front().update_time == earliest);
    for (size_t i = 1; i < due->size(); ++i) {
      CHECK((*due)[i - 1].update_time <= (*due)[i].update_time);
    }
  }
}

void RunOfferLogConformance(const StoreFactory& factory) {
  std::unique_ptr<Store> store = factory();
  REQUIRE(store != nullptr);

  SECTION("an empty store has no offers") {
    CHECK(store->GetOffer("nope").status().code() == Code::kNotFound);
    CHECK_THAT(store->GetOffer("nope").status().message(), Catch::Contains("offer 'nope'"));
    CHECK(store->OfferEvents("nope").status().code() == Code::kNotFound);
    base::Result<OfferPage> page = store->ListOffers({});
    REQUIRE(page.ok());
    CHECK(page->offers.empty());
    CHECK(page->next_page_token.empty());
  }

  SECTION("offers: append, read back, history, and optimistic concurrency") {
    OfferAppend a = Publish("o1", kOfferT0, {"financing"}, {}, {});
    REQUIRE(store->AppendOffer(a).ok());
    auto got = store->GetOffer("o1");
    REQUIRE(got.ok());
    CHECK(*got == a.after);
    auto events = store->OfferEvents("o1");
    REQUIRE(events.ok());
    CHECK(*events == a.events);
    CHECK(store->GetOffer("nope").status().code() == base::Code::kNotFound);
    CHECK(store->OfferEvents("nope").status().code() == base::Code::kNotFound);

    CHECK(store->AppendOffer(a).code() == base::Code::kAborted);  // exists already
    domain::OfferEvent w;
    w.offer_id = "o1";
    w.seq = 3;
    w.type = domain::OfferEventType::kWithdrawn;
    w.time = kOfferT0 + 1h;
    w.user = "actor.rise";
    w.reason = "fullt";
    domain::Offer after = a.after;
    domain::ApplyOfferEvent(after, w);
    CHECK(store->AppendOffer({1, {w}, after}).code() == base::Code::kInvalidArgument);  // seq
    domain::OfferEvent stale = w;
    stale.seq = 2;
    domain::Offer stale_after = a.after;
    stale_after.version = 2;
    CHECK(store->AppendOffer({1, {stale}, stale_after}).code() == base::Code::kAborted);
    REQUIRE(store->AppendOffer({2, {w}, after}).ok());
    CHECK(store->GetOffer("o1")->state == "WITHDRAWN");
    CHECK(store->OfferEvents("o1")->size() == 3);
  }

  SECTION("malformed offer appends are INVALID_ARGUMENT and write nothing") {
    const OfferAppend good = Publish("o1", kOfferT0, {"financing"}, {}, {});
    OfferAppend no_events = good;
    no_events.events.clear();
    no_events.after.version = 0;
    CHECK(store->AppendOffer(no_events).code() == Code::kInvalidArgument);
    OfferAppend other_offer = good;
    other_offer.events[1].offer_id = "o2";
    CHECK(store->AppendOffer(other_offer).code() == Code::kInvalidArgument);
    OfferAppend gap = good;
    gap.events[1].seq = 3;
    CHECK(store->AppendOffer(gap).code() == Code::kInvalidArgument);
    OfferAppend bad_after = good;
    bad_after.after.version = 5;
    CHECK(store->AppendOffer(bad_after).code() == Code::kInvalidArgument);
    OfferAppend no_id = good;
    no_id.after.id = "";
    CHECK(store->AppendOffer(no_id).code() == Code::kInvalidArgument);
    OfferAppend negative = good;
    negative.expected_version = -1;
    CHECK(store->AppendOffer(negative).code() == Code::kInvalidArgument);
    CHECK(store->GetOffer("o1").status().code() == Code::kNotFound);
    CHECK(store->OfferEvents("o1").status().code() == Code::kNotFound);
    CHECK(store->ListOffers({})->offers.empty());
    CHECK(store->AppendOffer(good).ok());  // and the right one goes through
  }

  SECTION("a refused offer append leaves no trace") {
    const OfferAppend a = Publish("o1", kOfferT0, {"financing"}, {}, {}, "Finansiering");
    REQUIRE(store->AppendOffer(a).ok());
    // Another offer published under the same id.
    const OfferAppend other = Publish("o1", kOfferT0 + 1h, {"export"}, {}, {}, "Export");
    const base::Status st = store->AppendOffer(other);
    CHECK(st.code() == Code::kAborted);
    CHECK_THAT(st.message(), Catch::Contains("o1"));
    CHECK(*store->GetOffer("o1") == a.after);
    CHECK(*store->OfferEvents("o1") == a.events);
    CHECK(Ids(store->ListOffers({.q = "export"})).empty());
    CHECK(Ids(store->ListOffers({.need = "export"})).empty());
    CHECK(Ids(store->ListOffers({.q = "finansiering"})) == Strings{"o1"});
  }

  SECTION("of racing offer appends on one version exactly one wins") {
    const OfferAppend a = Publish("o1", kOfferT0, {"financing"}, {}, {});
    REQUIRE(store->AppendOffer(a).ok());
    std::atomic<int> won{0};
    std::atomic<int> aborted{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&, i] {
        base::Status st =
            store->AppendOffer(Withdraw(a, kOfferT0 + 1h, "racer-" + std::to_string(i)));
        if (st.ok()) ++won;
        if (st.code() == Code::kAborted) ++aborted;
      });
    }
    for (std::thread& t : threads) t.join();
    CHECK(won == 1);
    CHECK(aborted == 7);
    CHECK(store->OfferEvents("o1")->size() == 3);
    CHECK(store->GetOffer("o1")->state == "WITHDRAWN");
  }

  SECTION("offers: list filters, activity, expiry, full text and paging") {
    REQUIRE(store
                ->AppendOffer(Publish("a", kOfferT0, {"financing"}, {"energy"}, {"eskilstuna"},
                                      "Finansiering av energiprojekt", kOfferT0 + 24h))
                .ok());
    REQUIRE(store
                ->AppendOffer(Publish("b", kOfferT0 + 1s, {"innovation"}, {}, {"nykoping"},
                                      "Veckans innovation"))
                .ok());
    REQUIRE(store
                ->AppendOffer(Publish("c", kOfferT0 + 2s, {"financing", "growth"}, {}, {},
                                      "Tillväxtlån för företag"))
                .ok());
    auto list = [&](OfferFilter f) { return Ids(store->ListOffers(f)); };
    CHECK(list({}) == Strings{"c", "b", "a"});
    CHECK(list({.node = "eskilstuna"}) == Strings{"c", "a"});
    CHECK(list({.recipient_actor = "almi"}) == Strings{"c", "b", "a"});
    CHECK(list({.actor = "rise", .level = "NATIONAL"}) == Strings{"c", "b", "a"});
    CHECK(list({.level = "REGIONAL"}).empty());
    CHECK(list({.need = "financing"}) == Strings{"c", "a"});
    CHECK(list({.area = "energy"}) == Strings{"a"});
    CHECK(list({.active_at = kOfferT0 + 1h}) == Strings{"c", "b", "a"});
    CHECK(list({.active_at = kOfferT0 + 24h}) == Strings{"c", "b"});
    CHECK(list({.expired_at = kOfferT0 + 24h}) == Strings{"a"});
    CHECK(list({.expired_at = kOfferT0 + 1h}).empty());
    CHECK(list({.q = "finansieringen"}) == Strings{"a"});
    CHECK(list({.q = "företagen"}) == Strings{"c", "b", "a"});  // the descriptions
    CHECK(list({.q = "innovationer"}) == Strings{"b"});
    CHECK(list({.q = "!!"}).empty());
    auto first = store->ListOffers({.page_size = 2});
    REQUIRE(first.ok());
    CHECK(Ids(first) == Strings{"c", "b"});
    REQUIRE_FALSE(first->next_page_token.empty());
    CHECK(list({.page_size = 2, .page_token = first->next_page_token}) == Strings{"a"});
    CHECK(store->ListOffers({.page_token = "zz"}).status().code() == base::Code::kInvalidArgument);

    // Rebuild refills the offer projections (and their search rows) from the offer log.
    REQUIRE(store->Rebuild(nullptr).ok());
    CHECK(list({.node = "eskilstuna"}) == Strings{"c", "a"});
    CHECK(list({.q = "finansieringen"}) == Strings{"a"});
    CHECK(*store->GetOffer("a") == Publish("a", kOfferT0, {"financing"}, {"energy"}, {"eskilstuna"},
                                           "Finansiering av energiprojekt", kOfferT0 + 24h)
                                       .after);
  }

  SECTION("a withdrawn offer is listed by its state, neither active nor expired") {
    auto list = [&](OfferFilter f) { return Ids(store->ListOffers(f)); };
    const OfferAppend a =
        Publish("a", kOfferT0, {"financing"}, {}, {}, "Finansiering", kOfferT0 + 24h);
    const OfferAppend b = Publish("b", kOfferT0 + 1s, {"financing"}, {}, {}, "Lån", kOfferT0 + 24h);
    REQUIRE(store->AppendOffer(a).ok());
    REQUIRE(store->AppendOffer(b).ok());
    const OfferAppend withdrawn = Withdraw(a, kOfferT0 + 1h, "fullt");
    REQUIRE(store->AppendOffer(withdrawn).ok());
    for (int pass = 0; pass < 2; ++pass) {  // live, then rebuilt
      INFO("pass " << pass);
      CHECK(*store->GetOffer("a") == withdrawn.after);
      CHECK(list({.state = "WITHDRAWN"}) == Strings{"a"});
      CHECK(list({.state = "PUBLISHED"}) == Strings{"b"});
      CHECK(list({.active_at = kOfferT0 + 2h}) == Strings{"b"});
      CHECK(list({.expired_at = kOfferT0 + 48h}) == Strings{"b"});
      CHECK(list({.need = "financing"}) == Strings{"b", "a"});
      CHECK(list({.q = "finansiering"}) == Strings{"a"});  // still found by its words
      REQUIRE(store->Rebuild(nullptr).ok());
    }
  }

  SECTION("offer page sizes are clamped, ties are ordered by id, tokens are checked") {
    std::vector<std::string> want;  // newest first
    for (int i = 0; i < 55; ++i) {
      const std::string id = "o" + std::to_string(100 + i);
      REQUIRE(
          store->AppendOffer(Publish(id, kOfferT0 + std::chrono::seconds(i / 2), {}, {}, {})).ok());
      want.insert(want.begin(), id);  // two at each second: the greater id first
    }
    CHECK(store->ListOffers({.page_size = 0})->offers.size() == 50);  // unset: 50
    CHECK(store->ListOffers({.page_size = -3})->offers.size() == 1);
    CHECK(store->ListOffers({.page_size = 5000})->offers.size() == 55);
    CHECK(store->ListOffers({.page_size = 55})->next_page_token.empty());
    CHECK_FALSE(store->ListOffers({.page_size = 54})->next_page_token.empty());
    Strings all;
    OfferFilter f{.page_size = 7};
    for (int guard = 0; guard < 100; ++guard) {
      base::Result<OfferPage> page = store->ListOffers(f);
      REQUIRE(page.ok());
      REQUIRE(page->offers.size() <= 7);
      for (const domain::Offer& o : page->offers) all.push_back(o.id);
      if (page->next_page_token.empty()) break;
      REQUIRE(page->offers.size() == 7);
      f.page_token = page->next_page_token;
    }
    CHECK(all == want);
    for (const char* token : {"zz", "not a token"}) {
      base::Result<OfferPage> page = store->ListOffers({.page_token = token});
      CHECK(page.status().code() == Code::kInvalidArgument);
      CHECK(FieldOf(page.status()) == "pageToken");
    }
  }
}

void RunStatsConformance(const StoreFactory& factory) {
  std::unique_ptr<Store> store = factory();
  REQUIRE(store != nullptr);

  SECTION("an empty store's statistics are the reference's") {
    CheckStatsEqualFolded(*store);
    CHECK(store->StatsSummary(StatsFilters().front())->total == 0);
  }

  SECTION("statistics equal FoldedStats over the same log, live and rebuilt") {
    Populate(*store, "S", 120, 8000);
    const projection::StatsFilter all = StatsFilters().front();
    CHECK(store->StatsSummary(all)->total == 120);
    CheckStatsEqualFolded(*store);

    // More on top: the store's aggregates follow each append, also of several cases at once.
    std::vector<std::vector<CaseAppend>> more;
    for (int i = 0; i < 30; ++i) {
      more.push_back(
          CaseHistory("S2-" + std::to_string(i), 8500 + i, T0() + std::chrono::hours(3 * i + 1)));
    }
    for (size_t step = 0; step < 12; ++step) {
      std::vector<CaseAppend> batch;
      for (const auto& h : more) {
        if (step < h.size()) batch.push_back(h[step]);
      }
      if (batch.empty()) break;
      REQUIRE(store->Append(batch).ok());
    }
    CHECK(store->StatsSummary(all)->total == 150);
    CheckStatsEqualFolded(*store);

    REQUIRE(store->Rebuild({}).ok());
    CheckStatsEqualFolded(*store);
  }

  SECTION("the CSV rows stop when the callback says so") {
    Populate(*store, "S", 40, 8100);
    FoldedStats reference(*store);
    const projection::StatsFilter all = StatsFilters().front();
    const std::vector<projection::CaseFacts> want = Rows(reference, all, 5);
    REQUIRE(want.size() == 5);
    CHECK(Rows(*store, all, 5) == want);
    CHECK(Rows(*store, all).size() == 40);
  }
}

void RunUserStoreConformance(const UserStoreFactory& factory) {
  std::unique_ptr<UserStore> users = factory();
  REQUIRE(users != nullptr);
  UserStore& store = *users;

  SECTION("users round-trip") {
    UserRecord asa = Coordinator("asa");
    REQUIRE(store.PutUser(asa).ok());
    auto read = store.GetUser("asa");
    REQUIRE(read.ok());
    CHECK(*read == asa);

    asa.role = domain::Role::kActor;
    asa.node = "";
    asa.actor = "almi-malardalen";
    asa.disabled = true;
    asa.digest = false;
    REQUIRE(store.PutUser(asa).ok());  // update in place
    CHECK(*store.GetUser("asa") == asa);

    CHECK(store.GetUser("bo").status().code() == Code::kNotFound);
    CHECK(store.GetUser("bo").status().message() == "no user 'bo'");
    UserRecord empty = asa;
    empty.username = "";
    CHECK(store.PutUser(empty).code() == Code::kInvalidArgument);
    CHECK(store.InsertUser(empty).code() == Code::kInvalidArgument);
    CHECK(store.ListUsers()->size() == 1);
  }

  SECTION("InsertUser refuses a taken username, PutUser replaces") {
    REQUIRE(store.InsertUser(Coordinator("bo")).ok());
    auto again = store.InsertUser(Coordinator("bo"));
    CHECK(again.code() == Code::kAborted);
    CHECK(again.message() == "user 'bo' already exists");
    REQUIRE(store.InsertUser(Coordinator("anna")).ok());
    auto all = store.ListUsers();
    REQUIRE(all.ok());
    REQUIRE(all->size() == 2);
    CHECK((*all)[0].username == "anna");  // by username
    CHECK((*all)[1].username == "bo");
    UserRecord changed = Coordinator("bo");
    changed.display_name = "Bo Ek";
    REQUIRE(store.PutUser(changed).ok());
    CHECK(*store.GetUser("bo") == changed);
  }

  SECTION("sessions: create, read, touch, delete, revoke per user, expire") {
    const base::Time t0 = base::FromUnixMillis(1'790'000'000'000);
    const auto hour = std::chrono::hours(1);
    SessionRecord a{"aa", "asa", t0, t0 + 10 * hour, t0};
    SessionRecord b{"bb", "asa", t0, t0 + 10 * hour, t0 + 2 * hour};
    SessionRecord c{"cc", "bo", t0, t0 + 1 * hour, t0};
    for (const auto& s : {a, b, c}) REQUIRE(store.CreateSession(s).ok());
    CHECK(store.CreateSession(a).code() == Code::kAborted);
    CHECK(*store.GetSession("aa") == a);
    CHECK(store.GetSession("zz").status().code() == Code::kNotFound);

    REQUIRE(store.TouchSession("aa", t0 + 3 * hour).ok());
    CHECK(store.GetSession("aa")->last_seen == t0 + 3 * hour);
    CHECK(store.TouchSession("zz", t0).ok());

    // At t0 + 1 h, c has reached its end; with idle_since t0 + 2.5 h, b (last seen t0 + 2 h)
    // is idle too; a was seen at t0 + 3 h.
    auto expired = store.DeleteExpiredSessions(t0 + hour, t0 + 2 * hour + std::chrono::minutes(30));
    REQUIRE(expired.ok());
    CHECK(*expired == 2);
    CHECK(store.GetSession("aa").ok());
    CHECK_FALSE(store.GetSession("bb").ok());
    CHECK_FALSE(store.GetSession("cc").ok());
    // base::Time::min() as idle_since ignores idleness.
    CHECK(*store.DeleteExpiredSessions(t0 + 2 * hour, base::Time::min()) == 0);

    REQUIRE(store.CreateSession({"dd", "asa", t0, t0 + hour, t0}).ok());
    auto revoked = store.DeleteUserSessions("asa");
    REQUIRE(revoked.ok());
    CHECK(*revoked == 2);
    CHECK(*store.DeleteUserSessions("asa") == 0);
    CHECK(store.DeleteSession("aa").ok());  // gone already: still fine
    CHECK(store.CreateSession({"", "asa", t0, t0, t0}).code() == Code::kInvalidArgument);
    CHECK(store.CreateSession({"ee", "", t0, t0, t0}).code() == Code::kInvalidArgument);
  }

  SECTION("the user store can be used from many threads") {
    std::vector<std::thread> threads;
    std::atomic<int> failures{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < 25; ++i) {
          std::string name = "u" + std::to_string(t) + "-" + std::to_string(i);
          if (!store.PutUser(Coordinator(name)).ok()) ++failures;
          if (!store.GetUser(name).ok()) ++failures;
        }
      });
    }
    for (auto& th : threads) th.join();
    CHECK(failures == 0);
    CHECK(store.ListUsers()->size() == 100);
  }
}

}  // namespace tillvaxt::store::testing
