#include "engine/domain/decider.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

#include "engine/domain/calendar.h"
#include "tests/unit/domain/test_config.h"

namespace tillvaxt::domain {
namespace {

using base::Code;
using Strings = std::vector<std::string>;

// Monday 2 March 2026, 09:00 UTC (10:00 in Sweden): no holidays in the weeks after.
const Time kMonday = base::FromUnixMillis(1'772'442'000'000);

Time At(const char* rfc3339) { return *base::ParseRfc3339(rfc3339); }

Principal Coordinator(const std::string& node) {
  return {"coord." + node, Role::kCoordinator, node, ""};
}
Principal ActorUser(const std::string& actor) {
  return {"actor." + actor, Role::kActor, "", actor};
}
const Principal kManager{"manager", Role::kManager, "", ""};
const Principal kAdmin{"admin", Role::kAdmin, "", ""};

Command Cmd(std::string action, std::string reason = "") {
  Command c;
  c.action = std::move(action);
  c.reason = std::move(reason);
  return c;
}

Command Triage(Strings needs, Strings areas = {}) {
  Command c = Cmd("triage");
  c.needs = std::move(needs);
  c.areas = std::move(areas);
  return c;
}

std::vector<EventType> Types(const std::vector<Event>& events) {
  std::vector<EventType> types;
  for (const Event& e : events) types.push_back(e.type);
  return types;
}

Strings Fields(const base::Status& s) {
  Strings fields;
  for (const auto& d : s.details()) fields.push_back(d.field);
  return fields;
}

struct Fixture {
  Config config = testing::MakeTestConfig();
  Decider decider{config};
  Time now = kMonday;
  std::vector<Event> log;

  CaseDraft Draft() const {
    CaseDraft d;
    d.title = "Automatiserad svetsning";
    d.description = "Vill automatisera svetsningen i en liten verkstad.";
    d.company = {"Svets & Smide AB", "5560360793", "Eskilstuna", "SMALL", "manufacturing"};
    d.contact = {"Anna Andersson", "anna@svets.example", "016-123 45"};
    return d;
  }

  // A NEW case logged at `node`.
  Case New(const std::string& node = "eskilstuna") {
    auto r = decider.Create(Coordinator(node), Draft(), "case-1", now);
    REQUIRE(r.ok());
    log = r.value();
    return Fold(log);
  }

  // Fires cmd and returns the events. REQUIRES success.
  std::vector<Event> Fire(Case& c, const Principal& who, const Command& cmd) {
    auto r = decider.Decide(config.workflow, c, who, cmd, now);
    INFO(cmd.action << ": " << r.status().ToString());
    REQUIRE(r.ok());
    for (const Event& e : r.value()) Apply(c, e);
    log.insert(log.end(), r.value().begin(), r.value().end());
    REQUIRE(Fold(log) == c);
    return r.value();
  }

  base::Status Refuse(const Case& c, const Principal& who, const Command& cmd) {
    auto r = decider.Decide(config.workflow, c, who, cmd, now);
    REQUIRE_FALSE(r.ok());
    return r.status();
  }

  Strings Allowed(const Case& c, const Principal& who) const {
    return decider.AllowedActions(config.workflow, c, who);
  }
};

TEST_CASE("create: a coordinator logs a NEW case on LOCAL at their node") {
  Fixture f;
  auto r = f.decider.Create(Coordinator("eskilstuna"), f.Draft(), "case-1", f.now);
  REQUIRE(r.ok());
  REQUIRE(r.value().size() == 1);
  const Event& e = r.value()[0];
  CHECK(e.type == EventType::kCreated);
  CHECK(e.case_id == "case-1");
  CHECK(e.seq == 1);
  CHECK(e.time == f.now);
  CHECK(e.user == "coord.eskilstuna");
  CHECK(e.to_state == "NEW");
  CHECK(e.level == "LOCAL");
  REQUIRE(e.created);
  CHECK(e.created->node == "eskilstuna");
  CHECK(e.created->company.org_number == "556036-0793");
  CHECK(e.created->workflow_version == 1);
  // NEW: 2 business days, same local time.
  CHECK(e.deadline == At("2026-03-04T09:00:00Z"));

  const Case c = Fold(r.value());
  CHECK(c.id == "case-1");
  CHECK(c.state == "NEW");
  CHECK(c.level == "LOCAL");
  CHECK(c.highest_level == "LOCAL");
  CHECK(c.version == 1);
  CHECK(c.create_time == f.now);
  CHECK(c.state_time == f.now);
  CHECK(c.company.name == "Svets & Smide AB");
  CHECK(c.contact.email == "anna@svets.example");
}

TEST_CASE("create: every invalid field is reported, all together") {
  Fixture f;
  CaseDraft d;
  d.title = "";
  d.company.name = " ";
  d.company.org_number = "556036-0794";  // wrong check digit
  d.company.size = "HUGE";
  d.contact.email = "anna@svets@example";
  d.needs = {"financing", "money"};
  d.areas = {"space"};
  auto r = f.decider.Create(Coordinator("eskilstuna"), d, "case-1", f.now);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kInvalidArgument);
  CHECK(Fields(r.status()) == Strings{"title", "company.name", "company.orgNumber", "company.size",
                                      "contact.email", "needs", "areas"});

  d = f.Draft();
  d.company.org_number = "";
  d.contact.email = "@example.se";
  auto r2 = f.decider.Create(Coordinator("eskilstuna"), d, "case-1", f.now);
  REQUIRE_FALSE(r2.ok());
  CHECK(Fields(r2.status()) == Strings{"company.orgNumber", "contact.email"});

  // A coordinator of a node the configuration does not know.
  auto r3 = f.decider.Create(Coordinator("gnesta"), f.Draft(), "case-1", f.now);
  REQUIRE_FALSE(r3.ok());
  CHECK(Fields(r3.status()) == Strings{"node"});
}

TEST_CASE("create: titles are limited to 200 characters, not bytes") {
  Fixture f;
  CaseDraft d = f.Draft();
  d.title.clear();
  for (int i = 0; i < 200; ++i) d.title += "ä";  // 400 bytes
  CHECK(f.decider.Create(Coordinator("eskilstuna"), d, "case-1", f.now).ok());
  d.title += "a";
  auto r = f.decider.Create(Coordinator("eskilstuna"), d, "case-1", f.now);
  REQUIRE_FALSE(r.ok());
  CHECK(Fields(r.status()) == Strings{"title"});
  // Valid optional fields: a known size, an e-mail, known needs and areas.
  d = f.Draft();
  d.company.size = "";
  d.contact.email = "";
  d.needs = {"financing"};
  d.areas = {"bio-based"};
  CHECK(f.decider.Create(Coordinator("eskilstuna"), d, "case-1", f.now).ok());
}

TEST_CASE("create: only a coordinator, only at their own node") {
  Fixture f;
  CaseDraft d = f.Draft();
  auto actor = f.decider.Create(ActorUser("almi"), d, "case-1", f.now);
  REQUIRE_FALSE(actor.ok());
  CHECK(actor.status().code() == Code::kPermissionDenied);
  CHECK_FALSE(f.decider.Create(kManager, d, "case-1", f.now).ok());
  d.node = "nykoping";
  auto other = f.decider.Create(Coordinator("eskilstuna"), d, "case-1", f.now);
  REQUIRE_FALSE(other.ok());
  CHECK(other.status().code() == Code::kPermissionDenied);
  d.node = "eskilstuna";
  CHECK(f.decider.Create(Coordinator("eskilstuna"), d, "case-1", f.now).ok());
}

TEST_CASE("triage: classifies and routes at once on the current level") {
  Fixture f;
  Case c = f.New();
  f.now += std::chrono::hours(1);
  const auto events = f.Fire(c, Coordinator("eskilstuna"), Triage({"business-development"}));
  REQUIRE(Types(events) == std::vector{EventType::kTriaged, EventType::kRouted});
  CHECK(events[0].seq == 2);
  CHECK(events[0].from_state == "NEW");
  CHECK(events[0].to_state == "TRIAGED");
  CHECK(events[0].deadline == std::nullopt);  // TRIAGED has no SLA
  CHECK(events[1].seq == 3);
  CHECK(events[1].from_state == "TRIAGED");
  CHECK(events[1].to_state == "MATCHED");
  CHECK(events[1].level == "LOCAL");
  CHECK(events[1].deadline == At("2026-03-09T10:00:00Z"));  // 5 business days
  CHECK(c.state == "MATCHED");
  CHECK(c.needs == Strings{"business-development"});
  CHECK(c.candidates == Strings{"esk-business"});
  REQUIRE(c.matches.size() == 1);
  CHECK(c.matches[0].reasons == Strings{"need:business-development", "node:eskilstuna", "load:0"});
  CHECK(c.involved_actors == Strings{"esk-business"});
  CHECK(c.state_time == f.now);
}

TEST_CASE("triage: needs are required and known; areas known") {
  Fixture f;
  Case c = f.New();
  auto s = f.Refuse(c, Coordinator("eskilstuna"), Triage({}, {"moon"}));
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(Fields(s) == Strings{"needs", "areas"});
  CHECK(Fields(f.Refuse(c, Coordinator("eskilstuna"), Triage({"money"}))) == Strings{"needs"});
  CHECK(f.Refuse(c, Coordinator("nykoping"), Triage({"financing"})).code() ==
        Code::kPermissionDenied);
}

TEST_CASE("triage: climbs with NO_MATCH to the first level with candidates") {
  Fixture f;
  Case c = f.New();
  const auto events = f.Fire(c, Coordinator("eskilstuna"), Triage({"internationalisation"}));
  REQUIRE(Types(events) == std::vector{EventType::kTriaged, EventType::kEscalated,
                                       EventType::kEscalated, EventType::kRouted});
  CHECK(events[1].reason == "NO_MATCH");
  CHECK(events[1].from_level == "LOCAL");
  CHECK(events[1].level == "REGIONAL");
  CHECK(events[1].to_state == "TRIAGED");
  CHECK(events[2].from_level == "REGIONAL");
  CHECK(events[2].level == "NATIONAL");
  CHECK(events[3].level == "NATIONAL");
  CHECK(c.level == "NATIONAL");
  CHECK(c.highest_level == "NATIONAL");
  CHECK(c.candidates == Strings{"business-sweden"});
}

TEST_CASE("triage: no candidates on any level leaves the case UNMATCHED") {
  Fixture f;
  Case c = f.New("strangnas");
  const auto events = f.Fire(c, Coordinator("strangnas"), Triage({"competence"}, {"bio-based"}));
  REQUIRE(Types(events) == std::vector{EventType::kTriaged, EventType::kEscalated,
                                       EventType::kEscalated, EventType::kEscalated,
                                       EventType::kUnmatched});
  CHECK(events.back().to_state == "UNMATCHED");
  CHECK(events.back().level == "INTERNATIONAL");
  CHECK(events.back().deadline == std::nullopt);
  CHECK(c.state == "UNMATCHED");
  CHECK(c.highest_level == "INTERNATIONAL");
  CHECK(c.candidates.empty());
  CHECK(f.Allowed(c, Coordinator("strangnas")).empty());
}

TEST_CASE("escalate: the ladder climbs through every level, then UNMATCHED") {
  Fixture f;
  Case c = f.New();
  // Someone serves one of these needs on every level.
  f.Fire(c, Coordinator("eskilstuna"),
         Triage({"business-development", "innovation", "internationalisation"}));
  CHECK(c.level == "LOCAL");
  CHECK(c.candidates == Strings{"esk-business"});

  const Strings expected_levels = {"REGIONAL", "NATIONAL", "INTERNATIONAL"};
  for (const std::string& level : expected_levels) {
    f.now += std::chrono::hours(24);
    const std::string from = c.level;
    const auto events = f.Fire(c, Coordinator("eskilstuna"), Cmd("escalate", "needs more"));
    REQUIRE(Types(events) == std::vector{EventType::kEscalated, EventType::kRouted});
    CHECK(events[0].reason == "needs more");
    CHECK(events[0].from_level == from);
    CHECK(events[0].level == level);
    CHECK(c.level == level);
    CHECK(c.highest_level == level);
    CHECK(c.state == "MATCHED");
    CHECK_FALSE(c.candidates.empty());
    // A new level restarts the MATCHED clock.
    CHECK(c.deadline == AddBusinessDays(f.now, 5));
    CHECK(c.state_time == f.now);
  }
  CHECK(c.candidates == Strings{"een", "eit-manufacturing"});
  const auto last = f.Fire(c, ActorUser("een"), Cmd("escalate", "not for us"));
  REQUIRE(Types(last) == std::vector{EventType::kUnmatched});
  CHECK(last[0].reason == "not for us");
  CHECK(c.state == "UNMATCHED");
  CHECK(c.level == "INTERNATIONAL");
  CHECK(f.Refuse(c, Coordinator("eskilstuna"), Cmd("escalate", "again")).code() ==
        Code::kFailedPrecondition);
}

TEST_CASE("escalate: needs a reason; a SYSTEM escalation (SLA) is allowed") {
  Fixture f;
  Case c = f.New();
  f.Fire(c, Coordinator("eskilstuna"), Triage({"financing"}));
  CHECK(c.level == "REGIONAL");
  const auto s = f.Refuse(c, Coordinator("eskilstuna"), Cmd("escalate"));
  CHECK(s.code() == Code::kInvalidArgument);
  CHECK(Fields(s) == Strings{"reason"});
  CHECK(f.Refuse(c, ActorUser("rise"), Cmd("escalate", "x")).code() == Code::kPermissionDenied);
  const auto events = f.Fire(c, Principal::System(), Cmd("escalate", "SLA"));
  CHECK(events[0].user == "system");
  CHECK(events[0].reason == "SLA");
  CHECK(c.level == "NATIONAL");
  CHECK(c.candidates == Strings{"energimyndigheten"});
}

TEST_CASE("decline: removes the candidate; the last decline escalates with ALL_DECLINED") {
  Fixture f;
  Case c = f.New();
  f.Fire(c, Coordinator("eskilstuna"), Triage({"innovation"}, {"advanced-manufacturing"}));
  REQUIRE(c.level == "REGIONAL");
  REQUIRE(c.candidates == Strings{"automation-region", "mdu"});
  const auto deadline = c.deadline;

  CHECK(f.Refuse(c, ActorUser("mdu"), Cmd("decline")).code() == Code::kInvalidArgument);
  CHECK(f.Refuse(c, ActorUser("almi"), Cmd("decline", "x")).code() == Code::kPermissionDenied);

  f.now += std::chrono::hours(2);
  const auto first = f.Fire(c, ActorUser("mdu"), Cmd("decline", "no capacity"));
  REQUIRE(Types(first) == std::vector{EventType::kDeclined});
  CHECK(first[0].actor == "mdu");
  CHECK(first[0].reason == "no capacity");
  CHECK(first[0].from_state == "MATCHED");
  CHECK(first[0].to_state == "MATCHED");
  CHECK(first[0].deadline == deadline);  // state unchanged: the clock runs on
  CHECK(c.candidates == Strings{"automation-region"});
  CHECK(c.declined == Strings{"mdu"});
  REQUIRE(c.matches.size() == 1);
  CHECK(c.matches[0].actor == "automation-region");
  CHECK(f.Allowed(c, ActorUser("mdu")).empty());

  const auto second = f.Fire(c, ActorUser("automation-region"), Cmd("decline", "not our field"));
  // NATIONAL has nobody in advanced manufacturing: on to INTERNATIONAL.
  REQUIRE(Types(second) == std::vector{EventType::kDeclined, EventType::kEscalated,
                                       EventType::kEscalated, EventType::kRouted});
  CHECK(second[1].reason == "ALL_DECLINED");
  CHECK(second[1].from_level == "REGIONAL");
  CHECK(second[1].level == "NATIONAL");
  CHECK(second[2].reason == "NO_MATCH");
  CHECK(c.level == "INTERNATIONAL");
  CHECK(c.candidates == Strings{"eit-manufacturing", "een"});
  CHECK(c.declined.empty());
  CHECK(c.involved_actors == Strings{"automation-region", "mdu", "eit-manufacturing", "een"});
}

TEST_CASE("claim: the candidate becomes assignee; the loser of a race gets ABORTED") {
  Fixture f;
  Case c = f.New();
  f.Fire(c, Coordinator("eskilstuna"), Triage({"innovation"}, {"advanced-manufacturing"}));
  const Case before = c;  // what both candidates saw

  f.now += std::chrono::hours(3);
  const auto events = f.Fire(c, ActorUser("mdu"), Cmd("claim"));
  REQUIRE(Types(events) == std::vector{EventType::kClaimed});
  CHECK(events[0].actor == "mdu");
  CHECK(events[0].to_state == "CLAIMED");
  CHECK(events[0].deadline == AddBusinessDays(f.now, 3));
  CHECK(c.assignee == "mdu");
  CHECK(c.candidates.empty());

  // The other candidate fires on the stale case: the service reloads and decides again.
  auto stale = f.decider.Decide(f.config.workflow, before, ActorUser("automation-region"),
                                Cmd("claim"), f.now);
  CHECK(stale.ok());  // decided on the stale version: the store's version check refuses it
  auto lost =
      f.decider.Decide(f.config.workflow, c, ActorUser("automation-region"), Cmd("claim"), f.now);
  REQUIRE_FALSE(lost.ok());
  CHECK(lost.status().code() == Code::kAborted);
  CHECK(lost.status().message() == "case already claimed by another actor");
  // An actor never involved learns only that claiming is impossible now.
  CHECK(f.Refuse(c, ActorUser("almi"), Cmd("claim")).code() == Code::kFailedPrecondition);
}

TEST_CASE("release: back to MATCHED on the same level without the releaser and decliners") {
  Fixture f;
  Case c = f.New();
  f.Fire(c, Coordinator("eskilstuna"), Triage({"business-development", "innovation"}));
  REQUIRE(c.level == "LOCAL");
  f.Fire(c, Coordinator("eskilstuna"), Cmd("escalate", "wider net"));
  REQUIRE(c.level == "REGIONAL");
  REQUIRE(c.candidates == Strings{"almi", "automation-region", "handelskammaren", "mdu"});
  f.Fire(c, ActorUser("mdu"), Cmd("decline", "busy"));
  f.Fire(c, ActorUser("almi"), Cmd("claim"));
  f.Fire(c, ActorUser("almi"), Cmd("start"));
  CHECK(f.Refuse(c, ActorUser("almi"), Cmd("release")).code() == Code::kInvalidArgument);
  CHECK(f.Refuse(c, Coordinator("eskilstuna"), Cmd("release", "x")).code() ==
        Code::kPermissionDenied);

  f.now += std::chrono::hours(30);
  const auto events = f.Fire(c, ActorUser("almi"), Cmd("release", "wrong fit"));
  REQUIRE(Types(events) == std::vector{EventType::kReleased, EventType::kRouted});
  CHECK(events[0].actor == "almi");
  CHECK(events[0].from_state == "IN_PROGRESS");
  CHECK(events[0].to_state == "MATCHED");
  CHECK(events[1].level == "REGIONAL");
  CHECK(c.state == "MATCHED");
  CHECK(c.level == "REGIONAL");
  CHECK(c.assignee.empty());
  CHECK(c.candidates == Strings{"automation-region", "handelskammaren"});
  CHECK(c.declined == Strings{"mdu", "almi"});
  CHECK(c.deadline == AddBusinessDays(f.now, 5));
}

TEST_CASE("release by SYSTEM when the claim expires; nobody left climbs") {
  Fixture f;
  Case c = f.New();
  f.Fire(c, Coordinator("eskilstuna"), Triage({"financing"}));
  f.Fire(c, ActorUser("almi"), Cmd("claim"));
  const auto events = f.Fire(c, Principal::System(), Cmd("release", "CLAIM_EXPIRED"));
  REQUIRE(Types(events) ==
          std::vector{EventType::kReleased, EventType::kEscalated, EventType::kRouted});
  CHECK(events[0].reason == "CLAIM_EXPIRED");
  CHECK(events[1].reason == "NO_MATCH");
  CHECK(c.level == "NATIONAL");
  CHECK(c.candidates == Strings{"energimyndigheten"});
}

TEST_CASE("reassign: by a manager or the assignee, to a known actor serving a need") {
  Fixture f;
  Case c = f.New();
  f.Fire(c, Coordinator("eskilstuna"), Triage({"financing"}));
  f.Fire(c, ActorUser("almi"), Cmd("claim"));

  Command to = Cmd("reassign", "on leave");
  to.actor = "nobody";
  CHECK(Fields(f.Refuse(c, kManager, to)) == Strings{"actor"});
  to.actor = "almi";
  CHECK(Fields(f.Refuse(c, kManager, to)) == Strings{"actor"});
  to.actor = "business-sweden";  // internationalisation only
  CHECK(Fields(f.Refuse(c, kManager, to)) == Strings{"actor"});
  to.actor = "energimyndigheten";
  CHECK(f.Refuse(c, Coordinator("eskilstuna"), to).code() == Code::kPermissionDenied);
  CHECK(f.Refuse(c, kAdmin, to).code() == Code::kPermissionDenied);
  Command no_reason = to;
  no_reason.reason.clear();
  CHECK(Fields(f.Refuse(c, kManager, no_reason)) == Strings{"reason"});

  const auto events = f.Fire(c, kManager, to);
  REQUIRE(Types(events) == std::vector{EventType::kReassigned});
  CHECK(events[0].actor == "energimyndigheten");
  CHECK(events[0].to_state == "CLAIMED");
  CHECK(c.assignee == "energimyndigheten");
  CHECK(c.involved_actors == Strings{"almi", "energimyndigheten"});
  // Now the new assignee may pass it on; the old one may not.
  to.actor = "een";
  CHECK(f.Refuse(c, ActorUser("almi"), to).code() == Code::kPermissionDenied);
  f.Fire(c, ActorUser("energimyndigheten"), to);
  CHECK(c.assignee == "een");
}

TEST_CASE("work, wait, resolve, reopen, close, follow up and record effects") {
  Fixture f;
  Case c = f.New();
  f.Fire(c, Coordinator("eskilstuna"), Triage({"financing"}));
  f.Fire(c, ActorUser("almi"), Cmd("claim"));
  f.now += std::chrono::hours(1);
  f.Fire(c, ActorUser("almi"), Cmd("start"));
  CHECK(c.state == "IN_PROGRESS");
  CHECK(c.deadline == AddBusinessDays(f.now, 30));

  CHECK(Fields(f.Refuse(c, ActorUser("almi"), Cmd("wait"))) == Strings{"reason"});
  f.Fire(c, ActorUser("almi"), Cmd("wait", "waiting for the bank"));
  CHECK(c.state == "WAITING");
  CHECK(c.deadline == std::nullopt);  // WAITING pauses the SLA
  f.now += std::chrono::hours(24 * 7);
  f.Fire(c, ActorUser("almi"), Cmd("resume"));
  CHECK(c.deadline == AddBusinessDays(f.now, 30));

  Command resolve = Cmd("resolve");
  resolve.outcome = {"MAYBE", ""};
  CHECK(Fields(f.Refuse(c, ActorUser("almi"), resolve)) == Strings{"outcome.kind"});
  resolve.outcome = {"FINANCING", "Loan granted"};
  const auto resolved = f.Fire(c, ActorUser("almi"), resolve);
  REQUIRE(Types(resolved) == std::vector{EventType::kResolved});
  CHECK(c.state == "RESOLVED");
  CHECK(c.outcome == Outcome{"FINANCING", "Loan granted"});
  CHECK(c.deadline == std::nullopt);

  f.Fire(c, Coordinator("eskilstuna"), Cmd("reopen", "the bank said no"));
  CHECK(c.state == "IN_PROGRESS");
  CHECK(c.outcome == Outcome{});
  CHECK(c.assignee == "almi");
  resolve.outcome = {"REFERRAL", "To the bank's partner"};
  f.Fire(c, ActorUser("almi"), resolve);

  CHECK(f.Refuse(c, ActorUser("almi"), Cmd("close")).code() == Code::kPermissionDenied);
  Command close = Cmd("close");
  close.feedback = "The company is happy";
  const auto closed = f.Fire(c, Coordinator("eskilstuna"), close);
  REQUIRE(Types(closed) == std::vector{EventType::kTransitioned});
  CHECK(closed[0].feedback == "The company is happy");
  CHECK(c.state == "CLOSED");
  CHECK(c.feedback == "The company is happy");

  Command follow = Cmd("followUp");
  CHECK(Fields(f.Refuse(c, Coordinator("eskilstuna"), follow)) == Strings{"childId", "title"});
  follow.child_id = "case-2";
  follow.title = "Recruit a welder";
  const auto followed = f.Fire(c, Coordinator("eskilstuna"), follow);
  REQUIRE(Types(followed) == std::vector{EventType::kFollowUpCreated});
  CHECK(followed[0].related_case_id == "case-2");
  CHECK(followed[0].to_state == "CLOSED");
  CHECK(c.child_ids == Strings{"case-2"});

  Command effect = Cmd("recordEffect");
  effect.effect = {"LOTTERY", ""};
  effect.months_after_close = 121;
  CHECK(Fields(f.Refuse(c, Coordinator("eskilstuna"), effect)) ==
        Strings{"effect.kind", "monthsAfterClose"});
  effect.effect = {"PEOPLE_HIRED", "Two welders"};
  effect.months_after_close = 6;
  f.now += std::chrono::hours(24 * 180);
  f.Fire(c, Coordinator("eskilstuna"), effect);
  REQUIRE(c.effects.size() == 1);
  CHECK(c.effects[0] == RecordedEffect{{"PEOPLE_HIRED", "Two welders"}, 6, f.now});
  CHECK(c.state == "CLOSED");
}

TEST_CASE("link an offer: once, by the node's coordinator or the assignee, while open") {
  Fixture f;
  Case c = f.New();
  Command link = Cmd("linkOffer");
  CHECK(Fields(f.Refuse(c, Coordinator("eskilstuna"), link)) == Strings{"offerId"});
  link.offer_id = "offer-1";
  const auto events = f.Fire(c, Coordinator("eskilstuna"), link);
  REQUIRE(Types(events) == std::vector{EventType::kOfferLinked});
  CHECK(events[0].to_state == "NEW");
  CHECK(events[0].deadline == c.deadline);
  CHECK(c.offer_ids == Strings{"offer-1"});
  CHECK(f.Refuse(c, Coordinator("eskilstuna"), link).code() == Code::kFailedPrecondition);
  CHECK(f.Refuse(c, Coordinator("nykoping"), link).code() == Code::kPermissionDenied);
}

TEST_CASE("withdraw and reject need a reason and end the case") {
  Fixture f;
  Case c = f.New();
  CHECK(Fields(f.Refuse(c, Coordinator("eskilstuna"), Cmd("reject"))) == Strings{"reason"});
  Case rejected = c;
  f.Fire(rejected, Coordinator("eskilstuna"), Cmd("reject", "not a company"));
  CHECK(rejected.state == "REJECTED");
  CHECK(rejected.deadline == std::nullopt);

  f.log.resize(1);
  f.Fire(c, Coordinator("eskilstuna"), Triage({"financing"}));
  f.Fire(c, Coordinator("eskilstuna"), Cmd("withdraw", "the company gave up"));
  CHECK(c.state == "WITHDRAWN");
}

TEST_CASE("errors come in the documented order") {
  Fixture f;
  Case c = f.New();
  const auto unknown = f.Refuse(c, Coordinator("eskilstuna"), Cmd("teleport"));
  CHECK(unknown.code() == Code::kNotFound);
  const auto state = f.Refuse(c, ActorUser("almi"), Cmd("claim"));
  CHECK(state.code() == Code::kFailedPrecondition);
  CHECK(state.message() == "cannot claim a case in state NEW");
  // Wrong state beats wrong role; wrong role beats a missing reason.
  CHECK(f.Refuse(c, ActorUser("almi"), Cmd("reopen")).code() == Code::kFailedPrecondition);
  CHECK(f.Refuse(c, ActorUser("almi"), Cmd("reject")).code() == Code::kPermissionDenied);
  CHECK(f.Refuse(c, Coordinator("eskilstuna"), Cmd("reject")).code() == Code::kInvalidArgument);
}

TEST_CASE("allowed actions for each role") {
  Fixture f;
  Case c = f.New();
  const Principal coord = Coordinator("eskilstuna");
  CHECK(f.Allowed(c, coord) == Strings{"triage", "withdraw", "reject", "linkOffer"});
  CHECK(f.Allowed(c, Coordinator("nykoping")).empty());
  CHECK(f.Allowed(c, kManager).empty());
  CHECK(f.Allowed(c, kAdmin).empty());
  CHECK(f.Allowed(c, ActorUser("almi")).empty());

  f.Fire(c, coord, Triage({"innovation"}, {"advanced-manufacturing"}));
  CHECK(f.Allowed(c, coord) == Strings{"escalate", "withdraw", "linkOffer"});
  CHECK(f.Allowed(c, ActorUser("mdu")) == Strings{"escalate", "claim", "decline"});
  CHECK(f.Allowed(c, ActorUser("almi")).empty());
  CHECK(f.Allowed(c, Principal::System()) == Strings{"escalate"});
  CHECK(f.Allowed(c, kManager).empty());

  f.Fire(c, ActorUser("mdu"), Cmd("claim"));
  CHECK(f.Allowed(c, ActorUser("mdu")) ==
        Strings{"escalate", "release", "start", "reassign", "resolve", "linkOffer"});
  CHECK(f.Allowed(c, ActorUser("automation-region")).empty());
  CHECK(f.Allowed(c, kManager) == Strings{"reassign"});
  CHECK(f.Allowed(c, Principal::System()) == Strings{"escalate", "release"});

  f.Fire(c, ActorUser("mdu"), Cmd("start"));
  CHECK(f.Allowed(c, ActorUser("mdu")) ==
        Strings{"escalate", "release", "wait", "reassign", "resolve", "linkOffer"});
  f.Fire(c, ActorUser("mdu"), Cmd("wait", "on the company"));
  CHECK(f.Allowed(c, ActorUser("mdu")) == Strings{"resume", "reassign", "resolve", "linkOffer"});
  CHECK(f.Allowed(c, coord) == Strings{"withdraw", "linkOffer"});

  Command resolve = Cmd("resolve");
  resolve.outcome = {"SOLUTION", ""};
  f.Fire(c, ActorUser("mdu"), resolve);
  CHECK(f.Allowed(c, coord) == Strings{"reopen", "close", "followUp"});
  CHECK(f.Allowed(c, ActorUser("mdu")) == Strings{"reopen"});
  f.Fire(c, coord, Cmd("close"));
  CHECK(f.Allowed(c, coord) == Strings{"followUp", "recordEffect"});
  CHECK(f.Allowed(c, ActorUser("mdu")).empty());
  CHECK(f.Allowed(c, kAdmin).empty());
}

TEST_CASE("deadlines: business days, durations, paused and absent SLAs") {
  Fixture f;
  const Workflow& wf = f.config.workflow;
  CHECK(f.decider.DeadlineFor(wf, "NEW", kMonday) == At("2026-03-04T09:00:00Z"));
  CHECK(f.decider.DeadlineFor(wf, "MATCHED", kMonday) == At("2026-03-09T09:00:00Z"));
  CHECK(f.decider.DeadlineFor(wf, "CLAIMED", kMonday) == AddBusinessDays(kMonday, 3));
  CHECK(f.decider.DeadlineFor(wf, "TRIAGED", kMonday) == std::nullopt);
  CHECK(f.decider.DeadlineFor(wf, "WAITING", kMonday) == std::nullopt);
  CHECK(f.decider.DeadlineFor(wf, "CLOSED", kMonday) == std::nullopt);
  CHECK(f.decider.DeadlineFor(wf, "NO_SUCH_STATE", kMonday) == std::nullopt);
  // Around Easter 2026 (Good Friday 3 April, Easter Monday 6 April).
  CHECK(f.decider.DeadlineFor(wf, "NEW", At("2026-04-02T08:00:00Z")) == At("2026-04-08T08:00:00Z"));

  Workflow timed = wf;
  for (Sla& sla : timed.slas) {
    if (sla.state == "NEW") {
      sla.business_days = 0;
      sla.duration = std::chrono::hours(36);
    }
  }
  CHECK(f.decider.DeadlineFor(timed, "NEW", kMonday) == kMonday + std::chrono::hours(36));
  Workflow paused = wf;
  for (State& s : paused.states) {
    if (s.name == "NEW") s.pauses_sla = true;
  }
  CHECK(f.decider.DeadlineFor(paused, "NEW", kMonday) == std::nullopt);
}

TEST_CASE("a case runs under the workflow version it is given") {
  Fixture f;
  Case c = f.New();
  f.Fire(c, Coordinator("eskilstuna"), Triage({"financing"}));
  f.Fire(c, ActorUser("almi"), Cmd("claim"));
  Workflow older = f.config.workflow;
  older.version = 0;
  older.transitions.erase(std::remove_if(older.transitions.begin(), older.transitions.end(),
                                         [](const Transition& t) { return t.name == "start"; }),
                          older.transitions.end());
  auto r = f.decider.Decide(older, c, ActorUser("almi"), Cmd("start"), f.now);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == Code::kNotFound);
  CHECK(f.decider.AllowedActions(older, c, ActorUser("almi")) ==
        Strings{"escalate", "release", "reassign", "resolve", "linkOffer"});
  CHECK(f.decider.Decide(f.config.workflow, c, ActorUser("almi"), Cmd("start"), f.now).ok());
}

TEST_CASE("an offer refusal given as input is answered after the state and permit checks") {
  Fixture f;
  Case c = f.New();
  Command link = Cmd("linkOffer");
  link.offer_id = "offer-gone";
  const DecisionInputs unknown{.offer_linkable = base::InvalidField("offerId", "unknown offer")};
  // A caller who may not link learns that, not whether the offer exists.
  auto denied =
      f.decider.Decide(f.config.workflow, c, Coordinator("nykoping"), link, f.now, unknown);
  CHECK(denied.status().code() == Code::kPermissionDenied);
  auto refused =
      f.decider.Decide(f.config.workflow, c, Coordinator("eskilstuna"), link, f.now, unknown);
  CHECK(refused.status().code() == Code::kInvalidArgument);
  CHECK(Fields(refused.status()) == Strings{"offerId"});
  CHECK(f.decider.Decide(f.config.workflow, c, Coordinator("eskilstuna"), link, f.now).ok());
}

TEST_CASE("routing load comes from the caller") {
  Fixture f;
  Case c = f.New();
  const DecisionInputs busy{.open_cases = {{"automation-region", 5}}};
  auto r = f.decider.Decide(f.config.workflow, c, Coordinator("eskilstuna"),
                            Triage({"innovation"}, {"advanced-manufacturing"}), f.now, busy);
  REQUIRE(r.ok());
  const Event& routed = r.value().back();
  REQUIRE(routed.type == EventType::kRouted);
  REQUIRE(routed.matches.size() == 1);
  CHECK(routed.matches[0].actor == "mdu");
}

TEST_CASE("deadlines: WAITING keeps the time left and resuming gives exactly that back") {
  Fixture f;
  Case c = f.New();
  f.Fire(c, Coordinator("eskilstuna"), Triage({"financing"}));
  f.Fire(c, ActorUser("almi"), Cmd("claim"));
  f.Fire(c, ActorUser("almi"), Cmd("start"));
  const Time in_progress_deadline = *c.deadline;
  CHECK(c.sla_remaining == std::nullopt);

  f.now += std::chrono::hours(72);
  const auto waited = f.Fire(c, ActorUser("almi"), Cmd("wait", "the company is on holiday"));
  const base::Millis left = in_progress_deadline - f.now;
  CHECK(waited[0].deadline == std::nullopt);
  CHECK(waited[0].sla_remaining == left);
  CHECK(c.sla_remaining == left);

  // Events inside the pause carry the remaining time on; the clock does not run.
  f.now += std::chrono::hours(24 * 20);
  Command link = Cmd("linkOffer");
  link.offer_id = "offer-1";
  const auto linked = f.Fire(c, ActorUser("almi"), link);
  CHECK(linked[0].sla_remaining == left);
  CHECK(c.deadline == std::nullopt);

  const auto resumed = f.Fire(c, ActorUser("almi"), Cmd("resume"));
  CHECK(resumed[0].deadline == f.now + left);
  CHECK(c.deadline == f.now + left);
  CHECK(c.sla_remaining == std::nullopt);
}

TEST_CASE("deadlines: a case already overdue when it waits resumes overdue") {
  Fixture f;
  Case c = f.New();
  f.Fire(c, Coordinator("eskilstuna"), Triage({"financing"}));
  f.Fire(c, ActorUser("almi"), Cmd("claim"));
  f.Fire(c, ActorUser("almi"), Cmd("start"));
  f.now = *c.deadline + std::chrono::hours(5);
  f.Fire(c, ActorUser("almi"), Cmd("wait", "waiting for the bank"));
  CHECK(c.sla_remaining == base::Millis(0));
  f.now += std::chrono::hours(48);
  f.Fire(c, ActorUser("almi"), Cmd("resume"));
  CHECK(c.deadline == f.now);
  // Resolving from WAITING ends the clock: RESOLVED has no SLA, nothing is restored.
  f.Fire(c, ActorUser("almi"), Cmd("wait", "again"));
  Command resolve = Cmd("resolve");
  resolve.outcome = {"SOLUTION", ""};
  f.Fire(c, ActorUser("almi"), resolve);
  CHECK(c.deadline == std::nullopt);
  CHECK(c.sla_remaining == std::nullopt);
}

}  // namespace
}  // namespace tillvaxt::domain
