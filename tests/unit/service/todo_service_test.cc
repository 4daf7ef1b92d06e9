#include "engine/service/todo_service.h"

#include <catch2/catch.hpp>

#include "engine/service/sla_scheduler.h"
#include "tests/support/service_fixture.h"

using namespace tillvaxt;
using domain::Principal;
using domain::Role;

namespace {

base::Time At(const char* text) { return *base::ParseRfc3339(text); }

std::vector<std::string> Ids(const service::TodoList& list) {
  std::vector<std::string> out;
  for (const auto& item : list.items) out.push_back(item.c.id);
  return out;
}

// The service fixture (memory store, Sörmland, Monday 2 March 2026 09:00 UTC) with the SLA
// scheduler recording the timers the lists read, and users for "is the closer still there".
struct Fixture : testing::ServiceFixture {
  explicit Fixture(service::TodoOptions options = {}) {
    scheduler = std::make_unique<service::SlaScheduler>(*cases, *store, *store, clock);
    todo = std::make_unique<service::TodoService>(*cases, *store, *users, clock, options);
    for (const char* name : {"coord.eskilstuna", "coord2.eskilstuna", "coord3.eskilstuna"}) {
      testing::AddUser(*users, name, Role::kCoordinator, "eskilstuna", "");
    }
  }
  ~Fixture() {
    todo.reset();
    scheduler.reset();
  }

  void RunAt(const char* t) {
    clock.Set(At(t));
    scheduler->RunOnce(clock.Now());
  }

  service::Todo For(const Principal& who) {
    auto t = todo->ForUser(who);
    INFO(t.status().ToString());
    REQUIRE(t.ok());
    return *t;
  }

  std::string NewCase(const std::string& title) {
    domain::CaseDraft d;
    d.title = title;
    d.description = "Ett verkstadsföretag söker stöd.";
    d.company = {"Verkstad AB", "556036-0793", "Eskilstuna", "SMALL", ""};
    d.contact = {"Anna", "anna@verkstad.se", "070-1"};
    auto created = cases->CreateCase(coord, d);
    REQUIRE(created.ok());
    return created->created.id;
  }

  domain::Case Matched(const std::string& title) {
    auto c =
        cases->Act(coord, NewCase(title), {.action = "triage", .needs = {"business-development"}});
    REQUIRE(c.ok());
    REQUIRE(c->state == "MATCHED");
    return *c;
  }

  Principal ActorOf(const domain::Case& c) {
    return {"actor." + c.candidates[0], Role::kActor, "", c.candidates[0]};
  }

  domain::Case Closed(const std::string& title, const Principal& closer) {
    domain::Case c = Matched(title);
    Principal actor = ActorOf(c);
    REQUIRE(cases->Act(actor, c.id, {.action = "claim"}).ok());
    domain::Command resolve{.action = "resolve"};
    resolve.outcome = {"SOLUTION", ""};
    REQUIRE(cases->Act(actor, c.id, resolve).ok());
    auto closed = cases->Act(closer, c.id, {.action = "close"});
    REQUIRE(closed.ok());
    return *closed;
  }

  std::unique_ptr<service::SlaScheduler> scheduler;
  std::unique_ptr<service::TodoService> todo;
  Principal coord{"coord.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
  Principal coord2{"coord2.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
  Principal nykoping{"coord.nykoping", Role::kCoordinator, "nykoping", ""};
  Principal manager{"manager", Role::kManager, "", ""};
};

}  // namespace

TEST_CASE("A coordinator's to-do: new cases at the node, and those an SLA warning put at risk") {
  Fixture f;
  const std::string first = f.NewCase("Första ärendet");
  f.clock.Set(At("2026-03-02T12:00:00Z"));
  const std::string second = f.NewCase("Andra ärendet");
  f.Matched("Redan matchat");  // routed: not waiting on the coordinator

  service::Todo t = f.For(f.coord);
  CHECK(Ids(t.waiting_on_me) == std::vector<std::string>{first, second});  // earliest deadline
  CHECK(t.waiting_on_me.count == 2);
  CHECK(t.waiting_on_me.items[0].c.title == "Första ärendet");
  CHECK(t.waiting_on_me.items[0].c.deadline == At("2026-03-04T09:00:00Z"));
  CHECK_FALSE(t.waiting_on_me.items[0].c.anonymised());
  CHECK(t.sla_at_risk.count == 0);
  CHECK(t.follow_ups_due.count == 0);
  CHECK(t.claims_lapsing.count == 0);
  CHECK(t.total == 2);
  // Another node's coordinator and the manager have nothing here.
  CHECK(f.For(f.nykoping).total == 0);
  service::Todo m = f.For(f.manager);
  CHECK(m.total == 0);
  CHECK(m.waiting_on_me.items.empty());

  // Tuesday 10:00: half of NEW's time is gone for the first case only.
  f.RunAt("2026-03-03T10:00:00Z");
  t = f.For(f.coord);
  REQUIRE(t.sla_at_risk.count == 1);
  CHECK(t.sla_at_risk.items[0].c.id == first);
  CHECK(t.sla_at_risk.items[0].percent == 50);
  CHECK(t.sla_at_risk.items[0].since == At("2026-03-03T10:00:00Z"));
  CHECK(t.total == 2);  // on two lists, counted once
  // Wednesday 10:00: the first is overdue (no longer "at risk", still waiting), the second warned.
  f.RunAt("2026-03-04T10:00:00Z");
  t = f.For(f.coord);
  CHECK(Ids(t.sla_at_risk) == std::vector<std::string>{second});
  CHECK(t.sla_at_risk.items[0].percent == 75);
  CHECK(t.waiting_on_me.count == 2);

  // Triage takes a case off the list.
  REQUIRE(f.cases->Act(f.coord, first, {.action = "triage", .needs = {"financing"}}).ok());
  CHECK(Ids(f.For(f.coord).waiting_on_me) == std::vector<std::string>{second});
}

TEST_CASE("An actor's to-do: claims about to lapse, assigned cases, their SLA at risk") {
  Fixture f;
  domain::Case c = f.Matched("Behöver affärsutveckling");
  Principal actor = f.ActorOf(c);
  // MATCHED's five business days end Monday 9 March 09:00; the window is 24 hours.
  CHECK(f.For(actor).claims_lapsing.count == 0);
  f.clock.Set(At("2026-03-08T10:00:00Z"));
  service::Todo t = f.For(actor);
  REQUIRE(t.claims_lapsing.count == 1);
  const service::TodoItem& item = t.claims_lapsing.items[0];
  CHECK(item.c.id == c.id);
  CHECK(item.c.title == "Behöver affärsutveckling");  // the title as a candidate sees it
  CHECK(item.c.anonymised() == !f.config.reveal_to_candidates);
  CHECK(item.c.company.name.empty() == !f.config.reveal_to_candidates);
  CHECK(t.waiting_on_me.count == 0);
  // A candidate of nothing has nothing.
  CHECK(f.For({"actor.none", Role::kActor, "", "no-such-actor"}).total == 0);

  // Claimed: waiting on the actor, no longer lapsing.
  REQUIRE(f.cases->Act(actor, c.id, {.action = "claim"}).ok());
  t = f.For(actor);
  CHECK(t.claims_lapsing.count == 0);
  CHECK(Ids(t.waiting_on_me) == std::vector<std::string>{c.id});
  CHECK_FALSE(t.waiting_on_me.items[0].c.anonymised());

  // Half of CLAIMED's time: at risk for the actor and for the node's coordinator.
  f.RunAt("2026-03-10T12:00:00Z");
  t = f.For(actor);
  REQUIRE(t.sla_at_risk.count == 1);
  CHECK(t.sla_at_risk.items[0].percent == 50);
  CHECK(Ids(f.For(f.coord).sla_at_risk) == std::vector<std::string>{c.id});

  // Waiting on the company pauses the SLA: not waiting on the actor, and no deadline to risk.
  REQUIRE(f.cases->Act(actor, c.id, {.action = "start"}).ok());
  REQUIRE(f.cases->Act(actor, c.id, {.action = "wait", .reason = "Företaget återkommer"}).ok());
  t = f.For(actor);
  CHECK(t.waiting_on_me.count == 0);
  CHECK(t.sla_at_risk.count == 0);
  REQUIRE(f.cases->Act(actor, c.id, {.action = "resume"}).ok());
  CHECK(Ids(f.For(actor).waiting_on_me) == std::vector<std::string>{c.id});
}

TEST_CASE("Follow-ups due: effect reminders until an effect or a follow-up answers them") {
  Fixture f;
  Principal coord3{"coord3.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
  domain::Case mine = f.Closed("Fick ett lån", f.coord);
  domain::Case orphan = f.Closed("Fick en mentor", coord3);
  testing::AddUser(*f.users, "coord3.eskilstuna", Role::kCoordinator, "eskilstuna", "", false,
                   /*disabled=*/true);
  f.RunAt("2026-05-01T10:00:00Z");  // before the first reminder
  CHECK(f.For(f.coord).follow_ups_due.count == 0);

  f.RunAt("2026-06-02T10:00:00Z");  // three months after closing: the reminders
  service::Todo t = f.For(f.coord);
  CHECK(t.follow_ups_due.count == 2);
  // Oldest reminder first; both came in the same pass, so by id.
  std::vector<std::string> expected{mine.id, orphan.id};
  std::sort(expected.begin(), expected.end());
  CHECK(Ids(t.follow_ups_due) == expected);
  for (const auto& item : t.follow_ups_due.items) {
    CHECK(item.months_after_close == 3);
    CHECK(item.since == At("2026-06-02T10:00:00Z"));
  }
  // coord2 did not close "mine", and its closer is still here; the orphan is everyone's.
  CHECK(Ids(f.For(f.coord2).follow_ups_due) == std::vector<std::string>{orphan.id});
  CHECK(f.For(f.nykoping).follow_ups_due.count == 0);

  // Answered: an effect recorded on one, a follow-up case made from the other.
  domain::Command effect{.action = "recordEffect"};
  effect.effect = {"GROWTH", "Två nyanställda"};
  effect.months_after_close = 3;
  REQUIRE(f.cases->Act(f.coord, mine.id, effect).ok());
  CHECK(Ids(f.For(f.coord).follow_ups_due) == std::vector<std::string>{orphan.id});
  domain::Command follow{.action = "followUp"};
  follow.title = "Nästa steg: export";
  REQUIRE(f.cases->Act(f.coord2, orphan.id, follow).ok());
  t = f.For(f.coord);
  CHECK(t.follow_ups_due.count == 0);
  // The follow-up case itself is new at the node: waiting on the coordinators.
  CHECK(t.waiting_on_me.count == 1);

  // The six-month reminder of the followed-up case opens it again.
  f.RunAt("2026-09-02T10:00:00Z");
  t = f.For(f.coord2);
  REQUIRE(t.follow_ups_due.count == 1);
  CHECK(t.follow_ups_due.items[0].c.id == orphan.id);
  CHECK(t.follow_ups_due.items[0].months_after_close == 6);
}

TEST_CASE("Each list holds at most max_items cases and counts all of them") {
  Fixture f(service::TodoOptions{.max_items = 2});
  for (int i = 0; i < 5; ++i) f.NewCase("Ärende " + std::to_string(i));
  service::Todo t = f.For(f.coord);
  CHECK(t.waiting_on_me.count == 5);
  CHECK(t.waiting_on_me.items.size() == 2);
  CHECK(t.total == 5);
}
