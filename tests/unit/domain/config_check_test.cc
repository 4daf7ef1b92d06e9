#include "engine/domain/config_check.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace tillvaxt::domain {
namespace {

// A small, valid configuration built in code: two nodes, two levels, a compact workflow that
// exercises routing (triage/escalate/decline/release), a wait state and terminal states.
Config SmallConfig() {
  Config c;
  c.region_id = "test";
  c.region_name = "Test";
  c.nodes = {{"north", "Norr"}, {"south", "Söder"}};
  c.levels = {"LOCAL", "REGIONAL"};
  c.needs = {{"financing", "Finansiering"}, {"innovation", "Innovation"}};
  c.areas = {{"food", "Mat"}, {"energy", "Energi"}};
  c.actors = {
      {"office", "Office", "LOCAL", {"innovation"}, {}, {"north"}, 0, "", ""},
      {"bank", "Bank", "REGIONAL", {"financing"}, {"food"}, {}, 3, "", ""},
  };
  Workflow& w = c.workflow;
  w.initial_state = "NEW";
  w.matched_state = "MATCHED";
  w.unmatched_state = "UNMATCHED";
  w.states = {{"NEW", false, true, false},     {"TRIAGED", false, true, false},
              {"MATCHED", false, true, false}, {"CLAIMED", false, true, false},
              {"WAITING", false, true, true},  {"DONE", true, false, false},
              {"UNMATCHED", true, false, false}};
  const Permit coordinator{Role::kCoordinator, Scope::kOwnNode};
  const Permit candidate{Role::kActor, Scope::kCandidate};
  const Permit assignee{Role::kActor, Scope::kAssignee};
  const Permit system{Role::kSystem, Scope::kAny};
  w.transitions = {
      {"triage", {"NEW"}, "TRIAGED", Effect::kTriage, {coordinator}, false},
      {"escalate", {"MATCHED"}, "", Effect::kEscalate, {coordinator, system}, true},
      {"claim", {"MATCHED"}, "CLAIMED", Effect::kClaim, {candidate}, false},
      {"decline", {"MATCHED"}, "", Effect::kDecline, {candidate}, true},
      {"release", {"CLAIMED"}, "MATCHED", Effect::kRelease, {assignee, system}, true},
      {"wait", {"CLAIMED"}, "WAITING", Effect::kNone, {assignee}, false},
      {"resume", {"WAITING"}, "CLAIMED", Effect::kNone, {assignee}, false},
      {"resolve", {"CLAIMED", "WAITING"}, "DONE", Effect::kResolve, {assignee}, false},
      {"followUp", {"DONE"}, "", Effect::kFollowUp, {coordinator}, false},
  };
  Sla triage_sla;
  triage_sla.state = "NEW";
  triage_sla.business_days = 2;
  triage_sla.warn_percent = {50};
  Sla matched_sla;
  matched_sla.state = "MATCHED";
  matched_sla.business_days = 5;
  matched_sla.fire = "escalate";
  matched_sla.reason = "SLA";
  Sla claimed_sla;
  claimed_sla.state = "CLAIMED";
  claimed_sla.duration = std::chrono::milliseconds(30000);
  claimed_sla.fire = "release";
  w.slas = {triage_sla, matched_sla, claimed_sla};
  return c;
}

std::vector<std::string> Messages(const Config& c) {
  std::vector<std::string> out;
  for (const ConfigProblem& p : CheckConfig(c)) out.push_back(p.message);
  return out;
}

// The single problem of a config broken in one way.
ConfigProblem Only(const Config& c) {
  std::vector<ConfigProblem> problems = CheckConfig(c);
  std::string all;
  for (const ConfigProblem& p : problems) all += "\n  " + p.message;
  INFO("problems:" << all);
  REQUIRE(problems.size() == 1);
  return problems.front();
}

using P = std::vector<PathStep>;

TEST_CASE("the small config has no problems", "[config_check]") {
  CHECK(Messages(SmallConfig()).empty());
}

TEST_CASE("duplicate ids are reported with the path of the second", "[config_check]") {
  SECTION("node") {
    Config c = SmallConfig();
    c.nodes.push_back({"north", "Again"});
    ConfigProblem p = Only(c);
    CHECK(p.message == "duplicate node id 'north'");
    CHECK(p.path == P{{"nodes", 2}, {"id", -1}});
  }
  SECTION("need") {
    Config c = SmallConfig();
    c.needs.push_back({"innovation", "Again"});
    ConfigProblem p = Only(c);
    CHECK(p.message == "duplicate need id 'innovation'");
    CHECK(p.path == P{{"needs", 2}, {"id", -1}});
  }
  SECTION("area") {
    Config c = SmallConfig();
    c.areas.push_back({"food", "Again"});
    CHECK(Only(c).message == "duplicate area id 'food'");
  }
  SECTION("actor") {
    Config c = SmallConfig();
    c.actors.push_back(c.actors[0]);
    ConfigProblem p = Only(c);
    CHECK(p.message == "duplicate actor id 'office'");
    CHECK(p.path == P{{"actors", 2}, {"id", -1}});
  }
  SECTION("level") {
    Config c = SmallConfig();
    c.levels.push_back("LOCAL");
    ConfigProblem p = Only(c);
    CHECK(p.message == "duplicate level 'LOCAL'");
    CHECK(p.path == P{{"levels", 2}});
  }
  SECTION("state") {
    Config c = SmallConfig();
    c.workflow.states.push_back({"DONE", true, false, false});
    ConfigProblem p = Only(c);
    CHECK(p.message == "duplicate state 'DONE'");
    CHECK(p.path == P{{"workflow", -1}, {"states", 7}, {"name", -1}});
  }
  SECTION("transition") {
    Config c = SmallConfig();
    c.workflow.transitions.push_back(c.workflow.transitions[5]);
    ConfigProblem p = Only(c);
    CHECK(p.message == "duplicate transition 'wait'");
    CHECK(p.path == P{{"workflow", -1}, {"transitions", 9}, {"name", -1}});
  }
}

TEST_CASE("unknown names on an actor", "[config_check]") {
  Config c = SmallConfig();
  SECTION("need") {
    c.actors[1].needs.push_back("finance");
    ConfigProblem p = Only(c);
    CHECK(p.message == "actor 'bank': unknown need 'finance'");
    CHECK(p.path == P{{"actors", 1}, {"needs", 1}});
  }
  SECTION("area") {
    c.actors[1].areas = {"energy", "fish"};
    ConfigProblem p = Only(c);
    CHECK(p.message == "actor 'bank': unknown area 'fish'");
    CHECK(p.path == P{{"actors", 1}, {"areas", 1}});
  }
  SECTION("node") {
    c.actors[0].nodes = {"west"};
    ConfigProblem p = Only(c);
    CHECK(p.message == "actor 'office': unknown node 'west'");
    CHECK(p.path == P{{"actors", 0}, {"nodes", 0}});
  }
  SECTION("level") {
    c.actors[0].level = "NATIONAL";
    ConfigProblem p = Only(c);
    CHECK(p.message == "actor 'office': unknown level 'NATIONAL'");
    CHECK(p.path == P{{"actors", 0}, {"level", -1}});
  }
  SECTION("missing level") {
    c.actors[0].level.clear();
    CHECK(Only(c).message == "actor 'office': level missing");
  }
}

TEST_CASE("unknown states in the workflow", "[config_check]") {
  Config c = SmallConfig();
  SECTION("transition from") {
    // WAITING is still reached through wait, so only the unknown name shows.
    c.workflow.transitions[7].from = {"CLAIMED", "WAITNG"};
    ConfigProblem p = Only(c);
    CHECK(p.message == "transition 'resolve': unknown state 'WAITNG' in from");
    CHECK(p.path == P{{"workflow", -1}, {"transitions", 7}, {"from", 1}});
  }
  SECTION("transition to") {
    c.workflow.transitions.push_back(
        {"close", {"DONE"}, "CLOSED", Effect::kNone, {{Role::kCoordinator, Scope::kOwnNode}}, false});
    ConfigProblem p = Only(c);
    CHECK(p.message == "transition 'close': unknown state 'CLOSED' in to");
    CHECK(p.path == P{{"workflow", -1}, {"transitions", 9}, {"to", -1}});
  }
  SECTION("sla state") {
    c.workflow.slas[0].state = "NEWW";
    ConfigProblem p = Only(c);
    CHECK(p.message == "sla #1: unknown state 'NEWW'");
    CHECK(p.path == P{{"workflow", -1}, {"slas", 0}, {"state", -1}});
  }
  SECTION("initial state") {
    c.workflow.initial_state = "START";
    std::vector<ConfigProblem> problems = CheckConfig(c);
    REQUIRE_FALSE(problems.empty());
    CHECK(problems[0].message == "workflow: initial_state names unknown state 'START'");
    CHECK(problems[0].path == P{{"workflow", -1}, {"initial_state", -1}});
  }
  SECTION("matched state") {
    c.workflow.matched_state = "FOUND";
    std::vector<std::string> m = Messages(c);
    REQUIRE_FALSE(m.empty());
    CHECK(m[0] == "workflow: matched_state names unknown state 'FOUND'");
  }
  SECTION("unmatched state missing") {
    c.workflow.unmatched_state.clear();
    std::vector<std::string> m = Messages(c);
    REQUIRE_FALSE(m.empty());
    CHECK(m[0] == "workflow: unmatched_state missing");
  }
}

TEST_CASE("a state no transition or routing reaches", "[config_check]") {
  Config c = SmallConfig();
  c.workflow.states.push_back({"LIMBO", true, false, false});
  ConfigProblem p = Only(c);
  CHECK(p.message == "state 'LIMBO': no transition or routing reaches it from 'NEW'");
  CHECK(p.path == P{{"workflow", -1}, {"states", 7}, {"name", -1}});
}

TEST_CASE("routing reaches the matched and unmatched states", "[config_check]") {
  // Nothing names MATCHED or UNMATCHED in `to` except release; without routing effects
  // both would be unreachable.
  Config c = SmallConfig();
  c.workflow.transitions[0].effect = Effect::kNone;  // triage no longer routes
  std::vector<std::string> m = Messages(c);
  CHECK(std::find(m.begin(), m.end(),
                  "state 'MATCHED': no transition or routing reaches it from 'NEW'") != m.end());
  CHECK(std::find(m.begin(), m.end(),
                  "state 'UNMATCHED': no transition or routing reaches it from 'NEW'") != m.end());
}

TEST_CASE("a non-terminal state with no way out", "[config_check]") {
  Config c = SmallConfig();
  SECTION("no transition at all") {
    c.workflow.states.push_back({"STUCK", false, true, false});
    c.workflow.transitions.push_back(
        {"park", {"CLAIMED"}, "STUCK", Effect::kNone, {{Role::kActor, Scope::kAssignee}}, false});
    ConfigProblem p = Only(c);
    CHECK(p.message ==
          "state 'STUCK': not terminal but no transition leads out of it (mark it terminal or "
          "add one)");
    CHECK(p.path == P{{"workflow", -1}, {"states", 7}, {"name", -1}});
  }
  SECTION("only transitions that stay") {
    // DONE becomes non-terminal: followUp stays in place, so there is no way out.
    c.workflow.states[5].terminal = false;
    ConfigProblem p = Only(c);
    CHECK(p.message ==
          "state 'DONE': not terminal but no transition leads out of it (mark it terminal or "
          "add one)");
    CHECK(p.path == P{{"workflow", -1}, {"states", 5}, {"name", -1}});
  }
  SECTION("a routing effect counts as a way out") {
    // MATCHED: remove claim; escalate and decline still route elsewhere.
    c.workflow.transitions.erase(c.workflow.transitions.begin() + 2);
    std::vector<std::string> m = Messages(c);
    CHECK(std::none_of(m.begin(), m.end(), [](const std::string& s) {
      return s.find("'MATCHED': not terminal") != std::string::npos;
    }));
  }
}

TEST_CASE("a transition open to no role", "[config_check]") {
  Config c = SmallConfig();
  SECTION("no permits") {
    c.workflow.transitions[5].permits.clear();
    ConfigProblem p = Only(c);
    CHECK(p.message == "transition 'wait': open to no role (add a permit)");
    CHECK(p.path == P{{"workflow", -1}, {"transitions", 5}});
  }
  SECTION("a permit without a role") {
    c.workflow.transitions[5].permits.push_back({Role::kUnspecified, Scope::kAny});
    ConfigProblem p = Only(c);
    CHECK(p.message == "transition 'wait': permit #2 names no role");
    CHECK(p.path == P{{"workflow", -1}, {"transitions", 5}, {"permits", 1}});
  }
}

TEST_CASE("an actor with no needs", "[config_check]") {
  Config c = SmallConfig();
  c.actors[0].needs.clear();
  ConfigProblem p = Only(c);
  CHECK(p.message == "actor 'office': serves no needs (name at least one need)");
  CHECK(p.path == P{{"actors", 0}});
}

TEST_CASE("SLA problems", "[config_check]") {
  Config c = SmallConfig();
  SECTION("fire names an unknown transition") {
    c.workflow.slas[1].fire = "escalte";
    ConfigProblem p = Only(c);
    CHECK(p.message == "sla on state 'MATCHED': fires unknown transition 'escalte'");
    CHECK(p.path == P{{"workflow", -1}, {"slas", 1}, {"fire", -1}});
  }
  SECTION("deadline missing") {
    c.workflow.slas[0].business_days = 0;
    ConfigProblem p = Only(c);
    CHECK(p.message ==
          "sla on state 'NEW': deadline missing or zero (set business_days or duration)");
    CHECK(p.path == P{{"workflow", -1}, {"slas", 0}});
  }
  SECTION("zero duration") {
    c.workflow.slas[2].duration = std::chrono::milliseconds(0);
    CHECK(Only(c).message ==
          "sla on state 'CLAIMED': deadline missing or zero (set business_days or duration)");
  }
  SECTION("fire that SYSTEM may not fire") {
    c.workflow.transitions[1].permits.pop_back();  // escalate loses SYSTEM
    CHECK(Only(c).message == "sla on state 'MATCHED': fires transition 'escalate' which SYSTEM "
                             "is not permitted to fire");
  }
  SECTION("fire that cannot fire in the state") {
    c.workflow.slas[2].fire = "escalate";  // escalate fires from MATCHED only
    CHECK(Only(c).message ==
          "sla on state 'CLAIMED': fires transition 'escalate' which cannot fire in 'CLAIMED'");
  }
  SECTION("two SLAs on one state") {
    c.workflow.slas.push_back(c.workflow.slas[0]);
    CHECK(Only(c).message == "duplicate sla for state 'NEW'");
  }
  SECTION("warn percent out of range") {
    c.workflow.slas[0].warn_percent = {50, 100};
    ConfigProblem p = Only(c);
    CHECK(p.message == "sla on state 'NEW': warn_percent 100 is outside 1..99");
    CHECK(p.path == P{{"workflow", -1}, {"slas", 0}, {"warn_percent", 1}});
  }
}

TEST_CASE("ids must be lower-case slugs", "[config_check]") {
  Config c = SmallConfig();
  SECTION("node") {
    c.nodes[0].id = "North";
    c.actors[0].nodes = {"North"};
    ConfigProblem p = Only(c);
    CHECK(p.message == "node id 'North' is not a lower-case slug ([a-z0-9-]+)");
    CHECK(p.path == P{{"nodes", 0}, {"id", -1}});
  }
  SECTION("need") {
    c.needs[1].id = "inno vation";
    c.actors[0].needs = {"inno vation"};
    CHECK(Only(c).message == "need id 'inno vation' is not a lower-case slug ([a-z0-9-]+)");
  }
  SECTION("area") {
    c.areas[0].id = "mat_och_dryck";
    c.actors[1].areas = {"mat_och_dryck"};
    CHECK(Only(c).message == "area id 'mat_och_dryck' is not a lower-case slug ([a-z0-9-]+)");
  }
  SECTION("actor") {
    c.actors[0].id = "Office";
    CHECK(Only(c).message == "actor id 'Office' is not a lower-case slug ([a-z0-9-]+)");
  }
  SECTION("missing id") {
    c.needs[0].id.clear();
    c.actors[1].needs = {"innovation"};
    CHECK(Only(c).message == "need #1: id missing");
  }
}

TEST_CASE("an empty ladder", "[config_check]") {
  Config c = SmallConfig();
  c.levels.clear();
  std::vector<ConfigProblem> problems = CheckConfig(c);
  REQUIRE_FALSE(problems.empty());
  CHECK(problems[0].message == "the ladder is empty: name at least one level");
  CHECK(problems[0].path == P{{"levels", -1}});
}

TEST_CASE("a missing region id", "[config_check]") {
  Config c = SmallConfig();
  c.region_id.clear();
  ConfigProblem p = Only(c);
  CHECK(p.message == "region id missing");
  CHECK(p.path == P{{"region", -1}, {"id", -1}});
}

TEST_CASE("every problem is reported, not just the first", "[config_check]") {
  Config c = SmallConfig();
  c.actors[0].needs = {"finance"};
  c.actors[1].level = "GLOBAL";
  c.workflow.transitions[5].permits.clear();
  c.nodes.push_back({"south", "Söder igen"});
  std::vector<std::string> m = Messages(c);
  CHECK(m == std::vector<std::string>{
                 "duplicate node id 'south'",
                 "actor 'office': unknown need 'finance'",
                 "actor 'bank': unknown level 'GLOBAL'",
                 "transition 'wait': open to no role (add a permit)",
             });
}

}  // namespace
}  // namespace tillvaxt::domain
