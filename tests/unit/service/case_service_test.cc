#include "engine/service/case_service.h"

#include <catch2/catch.hpp>
#include <thread>

#include "tests/support/service_fixture.h"

using namespace tillvaxt;
using domain::Principal;
using domain::Role;

namespace {

// Over the memory store: nothing here needs a database file.
struct Fixture : testing::ServiceFixture {
  domain::CaseDraft Draft(const std::string& org = "556036-0793") {
    domain::CaseDraft d;
    d.title = "Behöver finansiering";
    d.description = "Ett verkstadsföretag söker kapital för automation.";
    d.company = {"Verkstad AB", org, "Eskilstuna", "SMALL", ""};
    d.contact = {"Anna", "anna@verkstad.se", "070-1"};
    return d;
  }

  std::string NewMatchedCase() {
    auto created = cases->CreateCase(coord, Draft());
    REQUIRE(created.ok());
    domain::Command triage{.action = "triage", .needs = {"financing"}};
    auto c = cases->Act(coord, created->created.id, triage);
    REQUIRE(c.ok());
    REQUIRE(c->state == "MATCHED");
    return c->id;
  }

  Principal coord{"coord.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
  Principal other_coord{"coord.nykoping", Role::kCoordinator, "nykoping", ""};
};

Principal ActorUser(const std::string& actor) {
  return {"actor." + actor, Role::kActor, "", actor};
}

}  // namespace

TEST_CASE("A case goes from NEW to CLOSED through the service with its history in order") {
  Fixture f;
  std::string id = f.NewMatchedCase();
  auto c = f.cases->Get(f.coord, id);
  REQUIRE(c.ok());
  Principal actor = ActorUser(c->candidates.front());
  for (const char* action : {"claim", "start"}) {
    REQUIRE(f.cases->Act(actor, id, {.action = action}).ok());
  }
  domain::Command resolve{.action = "resolve"};
  resolve.outcome = {"FINANCING", "Lån"};
  REQUIRE(f.cases->Act(actor, id, resolve).ok());
  auto closed = f.cases->Act(f.coord, id, {.action = "close", .feedback = "Bra"});
  REQUIRE(closed.ok());
  CHECK(closed->state == "CLOSED");
  auto history = f.cases->History(f.coord, id);
  REQUIRE(history.ok());
  std::vector<std::string> types;
  for (const auto& e : *history) types.push_back(domain::EventTypeName(e.type));
  CHECK(types.front() == "CREATED");
  CHECK(types.back() == "TRANSITIONED");
  for (size_t i = 0; i < history->size(); ++i) CHECK((*history)[i].seq == int64_t(i + 1));
}

TEST_CASE("A case outside the caller's visibility is not found") {
  Fixture f;
  std::string id = f.NewMatchedCase();
  CHECK(f.cases->Get(f.other_coord, id).status().code() == base::Code::kNotFound);
  CHECK(f.cases->Get(ActorUser("business-sweden"), id).status().code() == base::Code::kNotFound);
  CHECK(f.cases->Act(f.other_coord, id, {.action = "withdraw", .reason = "x"}).status().code() ==
        base::Code::kNotFound);
  CHECK(f.cases->Get(f.coord, "nosuchcase").status().code() == base::Code::kNotFound);
}

TEST_CASE("Candidates see the case anonymised; the assignee sees who it is") {
  Fixture f;
  std::string id = f.NewMatchedCase();
  auto c = f.cases->Get(f.coord, id);
  REQUIRE(c.ok());
  Principal actor = ActorUser(c->candidates.front());
  auto seen = f.cases->Get(actor, id);
  REQUIRE(seen.ok());
  CHECK(seen->company.name.empty());
  CHECK(seen->contact.email.empty());
  REQUIRE(f.cases->Act(actor, id, {.action = "claim"}).ok());
  CHECK(f.cases->Get(actor, id)->company.name == "Verkstad AB");
}

TEST_CASE("Concurrent claims: exactly one wins, the others are ABORTED") {
  Fixture f;
  std::string id = f.NewMatchedCase();
  auto c = f.cases->Get(f.coord, id);
  REQUIRE(c.ok());
  REQUIRE(c->candidates.size() >= 1);
  std::vector<std::thread> threads;
  std::atomic<int> won{0}, aborted{0}, other{0};
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&, i] {
      Principal actor = ActorUser(c->candidates[i % c->candidates.size()]);
      auto r = f.cases->Act(actor, id, {.action = "claim"});
      if (r.ok()) {
        ++won;
      } else if (r.status().code() == base::Code::kAborted) {
        ++aborted;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(won == 1);
  CHECK(aborted == 15);
  CHECK(other == 0);
  auto history = f.cases->History(f.coord, id);
  int claims = 0;
  for (const auto& e : *history) claims += e.type == domain::EventType::kClaimed;
  CHECK(claims == 1);
}

TEST_CASE("A stale expected version is refused with ABORTED") {
  Fixture f;
  std::string id = f.NewMatchedCase();
  auto c = f.cases->Get(f.coord, id);
  auto r = f.cases->Act(f.coord, id, {.action = "escalate", .reason = "x"}, c->version - 1);
  CHECK(r.status().code() == base::Code::kAborted);
  CHECK(f.cases->Get(f.coord, id)->version == c->version);
}

TEST_CASE("A follow-up creates a linked child case atomically") {
  Fixture f;
  std::string id = f.NewMatchedCase();
  auto c = f.cases->Get(f.coord, id);
  Principal actor = ActorUser(c->candidates.front());
  REQUIRE(f.cases->Act(actor, id, {.action = "claim"}).ok());
  domain::Command resolve{.action = "resolve"};
  resolve.outcome = {"SOLUTION", ""};
  REQUIRE(f.cases->Act(actor, id, resolve).ok());
  domain::Command follow{.action = "followUp", .needs = {"recruitment"}};
  follow.title = "Rekrytering efter expansionen";
  auto parent = f.cases->Act(f.coord, id, follow);
  REQUIRE(parent.ok());
  REQUIRE(parent->child_ids.size() == 1);
  auto child = f.cases->Get(f.coord, parent->child_ids[0]);
  REQUIRE(child.ok());
  CHECK(child->parent_id == id);
  CHECK(child->state == "NEW");
  CHECK(child->company.name == "Verkstad AB");
}

TEST_CASE("Creating a case for a company with an open case at another node returns it") {
  Fixture f;
  auto first = f.cases->CreateCase(f.other_coord, f.Draft("556016-0680"));
  REQUIRE(first.ok());
  auto second = f.cases->CreateCase(f.coord, f.Draft("5560160680"));
  REQUIRE(second.ok());
  REQUIRE(second->related_cases.size() == 1);
  CHECK(second->related_cases[0].id == first->created.id);
}

TEST_CASE("A running case keeps its workflow version when the configuration changes") {
  Fixture f;
  std::string id = f.NewMatchedCase();
  int old_version = f.cases->Get(f.coord, id)->workflow_version;
  // The region removes `decline`: a new workflow version.
  domain::Config changed = f.config;
  auto& ts = changed.workflow.transitions;
  ts.erase(std::remove_if(ts.begin(), ts.end(), [](const auto& t) { return t.name == "decline"; }),
           ts.end());
  f.cases.reset();
  auto svc = service::CaseService::Create(changed, *f.store, *f.store, f.clock, nullptr);
  REQUIRE(svc.ok());
  CHECK((*svc)->config().workflow.version != old_version);
  auto c = (*svc)->Get(f.coord, id);
  REQUIRE(c.ok());
  CHECK(c->workflow_version == old_version);
  Principal actor = ActorUser(c->candidates.front());
  auto seen = (*svc)->Get(actor, id);
  REQUIRE(seen.ok());
  const std::vector<std::string>& allowed = seen->allowed_actions();
  CHECK(std::find(allowed.begin(), allowed.end(), "decline") != allowed.end());
  auto fresh = (*svc)->CreateCase(f.coord, f.Draft());
  REQUIRE(fresh.ok());
  CHECK(fresh->created.workflow_version == (*svc)->config().workflow.version);
}
