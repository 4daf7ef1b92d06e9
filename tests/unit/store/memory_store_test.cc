#include "engine/store/memory/memory_store.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "engine/store/memory/memory_user_store.h"
#include "tests/unit/store/conformance.h"
#include "tests/unit/store/store_test_util.h"

namespace tillvaxt::store::memory {
namespace {

using testing::CaseHistory;

base::Time T0() { return base::FromUnixMillis(1'767'225'600'000); }

std::unique_ptr<Store> NewStore() { return std::make_unique<MemoryStore>(); }

TEST_CASE("the memory store passes the store conformance suite", "[store][memory]") {
  testing::RunStoreConformance(NewStore);
}

TEST_CASE("the memory store passes the timers conformance suite", "[store][memory]") {
  testing::RunTimersConformance(NewStore);
}

TEST_CASE("the memory store passes the offer log conformance suite", "[store][memory]") {
  testing::RunOfferLogConformance(NewStore);
}

TEST_CASE("the memory store passes the statistics conformance suite", "[store][memory]") {
  testing::RunStatsConformance(NewStore);
}

TEST_CASE("the memory user store passes the user store conformance suite", "[store][memory]") {
  testing::RunUserStoreConformance([] { return std::make_unique<MemoryUserStore>(); });
}

// Hex of "<create ms>,<id>": the shape of a token, without the memory store's check.
std::string MadeUpToken(const std::string& raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char ch : raw) {
    out.push_back(kHex[ch >> 4]);
    out.push_back(kHex[ch & 0xf]);
  }
  return out;
}

TEST_CASE("a page token the memory store did not return for that listing is refused",
          "[store][memory]") {
  MemoryStore store;
  MemoryStore other;
  for (int i = 0; i < 3; ++i) {
    const std::string id = "P-" + std::to_string(i);
    for (Store* s : {static_cast<Store*>(&store), static_cast<Store*>(&other)}) {
      REQUIRE(s->Append({CaseHistory(id, 40 + i, T0() + std::chrono::hours(i))[0]}).ok());
    }
  }
  CaseFilter f;
  f.page_size = 1;
  base::Result<CasePage> first = store.ListCases(f);
  REQUIRE(first.ok());
  REQUIRE_FALSE(first->next_page_token.empty());
  f.page_token = first->next_page_token;
  CHECK(store.ListCases(f)->cases.size() == 1);  // its own token goes on

  auto refused = [](const base::Status& st) {
    return st.code() == base::Code::kInvalidArgument && !st.details().empty() &&
           st.details().front().field == "pageToken";
  };
  CHECK(refused(other.ListCases(f).status()));  // another store's
  CHECK(refused(store.ListOffers({.page_token = first->next_page_token}).status()));
  const domain::Case& last = first->cases.back();
  f.page_token = MadeUpToken(std::to_string(base::ToUnixMillis(last.create_time)) + "," + last.id);
  CHECK(refused(store.ListCases(f).status()));
  f.page_token = first->next_page_token;
  f.page_token.back() = f.page_token.back() == '0' ? '1' : '0';  // a changed check
  CHECK(refused(store.ListCases(f).status()));
}

TEST_CASE("the memory store's callbacks run without its lock: they may call the store",
          "[store][memory]") {
  MemoryStore store;
  std::vector<CaseAppend> a = CaseHistory("A", 7, T0());
  std::vector<CaseAppend> b = CaseHistory("B", 9, T0());
  REQUIRE(a.size() >= 2);
  REQUIRE(store.Append({a[0]}).ok());

  int visited = 0;
  REQUIRE(store
              .ForEachEvent([&](const domain::Event&) {
                ++visited;
                CHECK(store.CountEvents().ok());
              })
              .ok());
  CHECK(visited == static_cast<int>(a[0].events.size()));

  // An append from Rebuild's progress (or from another thread while it runs) is in the rebuilt
  // projections: the last chunk and the swap happen under the lock.
  base::Status inner;
  REQUIRE(store
              .Rebuild([&](int64_t, int64_t) {
                if (inner.ok() && store.GetCase("B").status().code() == base::Code::kNotFound) {
                  inner = store.Append({b[0]});
                }
              })
              .ok());
  CHECK(inner.ok());
  CHECK(*store.GetCase("A") == a[0].after);
  CHECK(*store.GetCase("B") == b[0].after);
  CHECK(*store.CountCases() == 2);
}

TEST_CASE("appends and reads of the memory store from many threads", "[store][memory]") {
  MemoryStore store;
  constexpr int kThreads = 8;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10; ++i) {
        const std::string id = "C-" + std::to_string(t) + "-" + std::to_string(i);
        for (const CaseAppend& a : CaseHistory(id, static_cast<uint64_t>(t * 100 + i), T0())) {
          CHECK(store.Append({a}).ok());
          CHECK(store.ListCases({}).ok());
        }
      }
    });
  }
  for (std::thread& th : threads) th.join();
  CHECK(*store.CountCases() == kThreads * 10);
  std::string error;
  const testing::Snapshot live = testing::TakeSnapshot(store, &error);
  REQUIRE(error.empty());
  REQUIRE(store.Rebuild({}).ok());
  CHECK(testing::TakeSnapshot(store, &error) == live);
}

}  // namespace
}  // namespace tillvaxt::store::memory
