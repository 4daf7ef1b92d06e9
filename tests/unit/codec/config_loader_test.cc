#include "engine/codec/config_loader.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace tillvaxt::codec {
namespace {

// A small valid configuration, one item per line so each test can break exactly one line and
// assert the line number. Lines: 1 region, 2 nodes, 3 levels, 4-5 needs, 6 areas, 7-8 actors,
// 9 workflow {, 10 special states, 11 NEW, 12 TRIAGED, 13 MATCHED, 14 CLAIMED, 15 DONE,
// 16 UNMATCHED, 17 triage, 18 escalate, 19 claim, 20 resolve, 21-22 slas, 23 }.
const std::string kValid =
    R"(region { id: "test" name: "Test" }
nodes { id: "north" name: "Norr" }
levels: ["LOCAL", "REGIONAL"]
needs { id: "financing" name: "Finansiering" }
needs { id: "innovation" name: "Innovation" }
areas { id: "food" name: "Mat" }
actors { id: "office" name: "Office" level: "LOCAL" needs: ["innovation"] nodes: ["north"] }
actors { id: "bank" name: "Bank" level: "REGIONAL" needs: ["financing"] areas: ["food"] }
workflow {
  initial_state: "NEW" matched_state: "MATCHED" unmatched_state: "UNMATCHED"
  states { name: "NEW" open: true }
  states { name: "TRIAGED" open: true }
  states { name: "MATCHED" open: true }
  states { name: "CLAIMED" open: true }
  states { name: "DONE" terminal: true }
  states { name: "UNMATCHED" terminal: true }
  transitions { name: "triage" from: "NEW" to: "TRIAGED" effect: TRIAGE permits { role: COORDINATOR scope: OWN_NODE } }
  transitions { name: "escalate" from: "MATCHED" effect: ESCALATE permits { role: COORDINATOR } permits { role: SYSTEM } }
  transitions { name: "claim" from: "MATCHED" to: "CLAIMED" effect: CLAIM permits { role: ACTOR scope: CANDIDATE } }
  transitions { name: "resolve" from: "CLAIMED" to: "DONE" effect: RESOLVE permits { role: ACTOR scope: ASSIGNEE } }
  slas { state: "NEW" business_days: 2 warn_percent: [50, 75] }
  slas { state: "MATCHED" duration: "60s" fire: "escalate" reason: "SLA" }
}
)";

// kValid with `from` replaced by `to`; `from` must occur exactly once.
std::string With(const std::string& from, const std::string& to) {
  size_t at = kValid.find(from);
  REQUIRE(at != std::string::npos);
  REQUIRE(kValid.find(from, at + 1) == std::string::npos);
  std::string out = kValid;
  out.replace(at, from.size(), to);
  return out;
}

std::vector<std::string> Problems(const std::string& text) {
  std::vector<std::string> problems;
  base::Result<domain::Config> r = LoadConfigText(text, "test.textproto", &problems);
  CHECK(r.ok() == problems.empty());
  return problems;
}

using Lines = std::vector<std::string>;

TEST_CASE("the shipped Sörmland configuration loads with no problems", "[config_loader]") {
  std::vector<std::string> problems;
  auto r = LoadConfigFile(std::string(TV_SOURCE_DIR) + "/config/sormland.textproto", &problems);
  CHECK(problems == Lines{});
  REQUIRE(r.ok());
  const domain::Config& c = *r;
  CHECK(c.region_id == "sormland");
  CHECK(c.region_name == "Region Sörmland");
  CHECK(c.nodes.size() == 4);
  CHECK(c.HasNode("eskilstuna"));
  CHECK(c.HasNode("nykoping"));
  CHECK(c.HasNode("strangnas"));
  CHECK(c.HasNode("katrineholm"));
  CHECK(c.levels == Lines{"LOCAL", "REGIONAL", "NATIONAL", "INTERNATIONAL"});
  CHECK(c.needs.size() == 7);
  CHECK(c.areas.size() == 7);
  CHECK(c.actors.size() >= 24);
  for (const std::string& level : c.levels) {
    CHECK(std::any_of(c.actors.begin(), c.actors.end(),
                      [&](const domain::Actor& a) { return a.level == level; }));
  }
  REQUIRE(c.FindActor("almi-malardalen") != nullptr);
  CHECK(c.FindActor("almi-malardalen")->level == "REGIONAL");
  CHECK(c.workflow.initial_state == "NEW");
  CHECK(c.workflow.states.size() == 11);
  CHECK(c.workflow.transitions.size() == 17);
  REQUIRE(c.workflow.FindSla("MATCHED") != nullptr);
  CHECK(c.workflow.FindSla("MATCHED")->business_days == 5);
  CHECK(c.workflow.FindSla("MATCHED")->fire == "escalate");
  CHECK(c.routing.need == 2.0);
  CHECK(c.routing.area == 1.0);
  CHECK(c.routing.node == 0.5);
}

TEST_CASE("the shipped Stockholm configuration loads with no problems", "[config_loader]") {
  std::vector<std::string> problems;
  auto r = LoadConfigFile(std::string(TV_SOURCE_DIR) + "/config/stockholm.textproto", &problems);
  CHECK(problems == Lines{});
  REQUIRE(r.ok());
  CHECK(r->region_id == "stockholm");
  CHECK(r->areas.size() == 4);
  CHECK(r->HasNode("sodertalje"));
  CHECK_FALSE(r->HasNode("eskilstuna"));
  CHECK(r->actors.size() >= 12);
  REQUIRE(r->workflow.FindSla("MATCHED") != nullptr);
  CHECK(r->workflow.FindSla("MATCHED")->business_days == 4);
}

// Found by the config fuzzer: a name with a byte that is not UTF-8 was accepted, and the
// workflow's version bytes then did not parse back (ParseWorkflow). The input is kept in
// tests/fuzz/regressions/config/.
TEST_CASE("a configuration that is not valid UTF-8 is refused naming the line", "[config_loader]") {
  CHECK(Problems(With("name: \"Norr\"", "name: \"N\xF6rr\"")) ==
        Lines{"test.textproto:2: the file is not valid UTF-8"});
}

TEST_CASE("a small valid text converts every part", "[config_loader]") {
  std::vector<std::string> problems;
  auto r = LoadConfigText(kValid, "test.textproto", &problems);
  CHECK(problems == Lines{});
  REQUIRE(r.ok());
  const domain::Config& c = *r;
  REQUIRE(c.actors.size() == 2);
  CHECK(c.actors[0].nodes == Lines{"north"});
  CHECK(c.actors[1].areas == Lines{"food"});
  const domain::Transition* escalate = c.workflow.FindTransition("escalate");
  REQUIRE(escalate != nullptr);
  CHECK(escalate->effect == domain::Effect::kEscalate);
  CHECK(escalate->to.empty());
  REQUIRE(escalate->permits.size() == 2);
  CHECK(escalate->permits[1].role == domain::Role::kSystem);
  CHECK(escalate->permits[1].scope == domain::Scope::kAny);
  CHECK(c.workflow.FindTransition("triage")->permits[0].scope == domain::Scope::kOwnNode);
  CHECK(c.workflow.FindSla("NEW")->business_days == 2);
  CHECK(c.workflow.FindSla("NEW")->warn_percent == std::vector<int>{50, 75});
  CHECK(c.workflow.FindSla("MATCHED")->duration == std::chrono::milliseconds(60000));
  CHECK(c.workflow.FindSla("MATCHED")->reason == "SLA");
  // No routing block: the documented defaults.
  CHECK(c.routing.need == 2.0);
  CHECK(c.routing.area == 1.0);
  CHECK(c.routing.node == 0.5);
}

TEST_CASE("routing weights given in the file replace the defaults", "[config_loader]") {
  auto r = LoadConfigText(kValid + "routing { need_weight: 3 node_weight: 1 }\n", "t", nullptr);
  REQUIRE(r.ok());
  CHECK(r->routing.need == 3.0);
  CHECK(r->routing.area == 1.0);  // zero = unset = default
  CHECK(r->routing.node == 1.0);
}

TEST_CASE("the notifications' public address and the to-do's claim window", "[config_loader]") {
  auto defaults = LoadConfigText(kValid, "t", nullptr);
  REQUIRE(defaults.ok());
  CHECK(defaults->public_url.empty());
  CHECK(defaults->claim_warning == std::chrono::hours(24));

  auto r = LoadConfigText(kValid +
                              "notifications { public_url: \"https://tillvaxt.example.se/\" }\n"
                              "todo { claim_warning: \"7200s\" }\n",
                          "t", nullptr);
  REQUIRE(r.ok());
  CHECK(r->public_url == "https://tillvaxt.example.se");  // no trailing slash
  CHECK(r->claim_warning == std::chrono::hours(2));

  // Lines 24 and 25, after the workflow's closing brace on line 23.
  CHECK(Problems(kValid + "notifications { public_url: \"tillvaxt.example.se\" }\n") ==
        Lines{"test.textproto:24: public_url 'tillvaxt.example.se' must start with https:// or "
              "http://"});
  CHECK(Problems(kValid + "notifications { public_url: \"https://\" }\n") ==
        Lines{"test.textproto:24: public_url 'https://' is not an address like "
              "https://tillvaxt.example.se"});
  CHECK(Problems(kValid + "notifications { public_url: \"https://x.se/a b\" }\n").size() == 1);
  CHECK(Problems(kValid + "notifications {}\ntodo { claim_warning: \"1 day\" }\n") ==
        Lines{"test.textproto:25: malformed or zero duration '1 day' (use e.g. \"86400s\")"});
  CHECK(Problems(kValid + "todo { claim_warning: \"0s\" }\n").size() == 1);
}

TEST_CASE("a syntax error is reported at its line", "[config_loader]") {
  CHECK(
      Problems(With(R"(areas { id: "food" name: "Mat" })", R"(areas { id: "food" name "Mat" })")) ==
      Lines{R"(test.textproto:6: Expected ":", found ""Mat"".)"});
}

TEST_CASE("an unclosed message is reported where the parser notices", "[config_loader]") {
  CHECK(
      Problems(
          With(R"(nodes { id: "north" name: "Norr" })", R"(nodes { id: "north" name: "Norr")")) ==
      Lines{
          R"(test.textproto:3: Message type "tillvaxt.config.v1.Named" has no field named "levels".)"});
}

TEST_CASE("an unknown enum value is a syntax error at its line", "[config_loader]") {
  CHECK(Problems(With("role: ACTOR scope: CANDIDATE", "role: ACTR scope: CANDIDATE")) ==
        Lines{R"(test.textproto:19: Unknown enumeration value of "ACTR" for field "role".)"});
}

TEST_CASE("an unknown field is a syntax error at its line", "[config_loader]") {
  CHECK(
      Problems(With(R"(states { name: "DONE" terminal: true })",
                    R"(states { name: "DONE" final: true })")) ==
      Lines{
          R"(test.textproto:15: Message type "tillvaxt.config.v1.State" has no field named "final".)"});
}

TEST_CASE("an unknown need on an actor is reported at the need's line", "[config_loader]") {
  SECTION("one line") {
    CHECK(Problems(With(R"(needs: ["financing"] areas)", R"(needs: ["finance"] areas)")) ==
          Lines{"test.textproto:8: actor 'bank': unknown need 'finance'"});
  }
  SECTION("spread over lines: the line of the offending element") {
    CHECK(
        Problems(With(
            R"(actors { id: "bank" name: "Bank" level: "REGIONAL" needs: ["financing"] areas: ["food"] })",
            "actors {\n"
            "  id: \"bank\"\n"
            "  level: \"REGIONAL\"\n"
            "  needs: \"financing\"\n"
            "  needs: \"finance\"\n"
            "}")) == Lines{"test.textproto:12: actor 'bank': unknown need 'finance'"});
  }
}

TEST_CASE("unknown states, levels and nodes are reported where they are named", "[config_loader]") {
  CHECK(Problems(With(R"(from: "CLAIMED" to: "DONE")", R"(from: "CLAIMED" to: "FINISHED")")) ==
        Lines{"test.textproto:15: state 'DONE': no transition or routing reaches it from 'NEW'",
              "test.textproto:20: transition 'resolve': unknown state 'FINISHED' in to"});
  CHECK(Problems(With(R"(level: "REGIONAL")", R"(level: "REGION")")) ==
        Lines{"test.textproto:8: actor 'bank': unknown level 'REGION'"});
  CHECK(Problems(With(R"(nodes: ["north"])", R"(nodes: ["south"])")) ==
        Lines{"test.textproto:7: actor 'office': unknown node 'south'"});
}

TEST_CASE("a duplicate id is reported at the second occurrence", "[config_loader]") {
  CHECK(Problems(With(R"(id: "bank")", R"(id: "office")")) ==
        Lines{"test.textproto:8: duplicate actor id 'office'"});
  CHECK(Problems(With(R"(states { name: "CLAIMED" open: true })",
                      R"(states { name: "CLAIMED" open: true } states { name: "NEW" })")) ==
        Lines{"test.textproto:14: duplicate state 'NEW'"});
}

TEST_CASE("an unreachable state is reported at its line", "[config_loader]") {
  CHECK(
      Problems(With(
          R"(states { name: "UNMATCHED" terminal: true })",
          R"(states { name: "UNMATCHED" terminal: true } states { name: "LIMBO" terminal: true })")) ==
      Lines{"test.textproto:16: state 'LIMBO': no transition or routing reaches it from 'NEW'"});
}

TEST_CASE("a dead-end state is reported at its line", "[config_loader]") {
  CHECK(Problems(With(R"(states { name: "DONE" terminal: true })", R"(states { name: "DONE" })")) ==
        Lines{"test.textproto:15: state 'DONE': not terminal but no transition leads out of it "
              "(mark it terminal or add one)"});
}

TEST_CASE("a transition with no permits is reported at its line", "[config_loader]") {
  CHECK(Problems(With(R"(effect: RESOLVE permits { role: ACTOR scope: ASSIGNEE } })",
                      R"(effect: RESOLVE })")) ==
        Lines{"test.textproto:20: transition 'resolve': open to no role (add a permit)"});
}

TEST_CASE("an actor with no needs is reported at its line", "[config_loader]") {
  CHECK(Problems(With(R"(needs: ["innovation"] )", "")) ==
        Lines{"test.textproto:7: actor 'office': serves no needs (name at least one need)"});
}

TEST_CASE("a malformed duration is reported once, at its line", "[config_loader]") {
  CHECK(Problems(With(R"(duration: "60s")", R"(duration: "3 days")")) ==
        Lines{R"(test.textproto:22: malformed duration '3 days' (use e.g. "3600s"))"});
}

TEST_CASE("an SLA firing an unknown transition is reported at the fire line", "[config_loader]") {
  CHECK(Problems(With(R"(fire: "escalate")", R"(fire: "escalte")")) ==
        Lines{"test.textproto:22: sla on state 'MATCHED': fires unknown transition 'escalte'"});
}

TEST_CASE("several problems are reported together, in file order", "[config_loader]") {
  std::string text = kValid;
  auto replace = [&](const std::string& from, const std::string& to) {
    size_t at = text.find(from);
    REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
  };
  replace(R"(duration: "60s")", R"(duration: "1 minute")");
  replace(R"(needs: ["financing"] areas)", R"(needs: ["finance"] areas)");
  replace(R"(effect: RESOLVE permits { role: ACTOR scope: ASSIGNEE } })", R"(effect: RESOLVE })");
  replace(R"(region { id: "test")", R"(region { id: "")");

  std::vector<std::string> problems;
  auto r = LoadConfigText(text, "test.textproto", &problems);
  CHECK(problems == Lines{
                        "test.textproto:1: region id missing",
                        "test.textproto:8: actor 'bank': unknown need 'finance'",
                        "test.textproto:20: transition 'resolve': open to no role (add a permit)",
                        R"(test.textproto:22: malformed duration '1 minute' (use e.g. "3600s"))",
                    });
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == base::Code::kInvalidArgument);
  CHECK(r.status().message() == "test.textproto:1: region id missing (and 3 more)");
}

TEST_CASE("a problem on an absent field falls back to its parent or line 1", "[config_loader]") {
  // levels absent: the empty ladder has no line of its own.
  std::string text = With(R"(levels: ["LOCAL", "REGIONAL"])", "");
  std::vector<std::string> problems = Problems(text);
  REQUIRE_FALSE(problems.empty());
  CHECK(problems[0] == "test.textproto:1: the ladder is empty: name at least one level");
}

TEST_CASE("a missing file is NOT_FOUND and names the path", "[config_loader]") {
  std::vector<std::string> problems;
  auto r = LoadConfigFile("/nonexistent/tillvaxt.textproto", &problems);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == base::Code::kNotFound);
  CHECK(r.status().message().find("/nonexistent/tillvaxt.textproto") != std::string::npos);
  CHECK(problems.size() == 1);
}

TEST_CASE("a folder is not a configuration file", "[config_loader]") {
  auto r = LoadConfigFile(std::string(TV_SOURCE_DIR) + "/config", nullptr);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == base::Code::kInvalidArgument);
}

TEST_CASE("workflow bytes are deterministic and round-trip", "[config_loader]") {
  auto a = LoadConfigFile(std::string(TV_SOURCE_DIR) + "/config/sormland.textproto", nullptr);
  auto b = LoadConfigFile(std::string(TV_SOURCE_DIR) + "/config/sormland.textproto", nullptr);
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  const std::string bytes = SerializeWorkflow(*a);
  CHECK_FALSE(bytes.empty());
  CHECK(bytes == SerializeWorkflow(*b));

  auto parsed = ParseWorkflow(bytes);
  REQUIRE(parsed.ok());
  CHECK(SerializeWorkflow(*parsed) == bytes);
  CHECK(parsed->states.size() == a->workflow.states.size());
  CHECK(parsed->FindSla("MATCHED")->business_days == 5);
  CHECK(parsed->FindTransition("release")->reason_required);

  // The version number is not part of the definition.
  domain::Config versioned = *a;
  versioned.workflow.version = 7;
  CHECK(SerializeWorkflow(versioned) == bytes);

  // Any change to the definition changes the bytes.
  domain::Config changed = *a;
  changed.workflow.slas[1].business_days = 6;
  CHECK(SerializeWorkflow(changed) != bytes);

  // Durations survive the round trip.
  auto small = LoadConfigText(kValid, "t", nullptr);
  REQUIRE(small.ok());
  auto small_parsed = ParseWorkflow(SerializeWorkflow(*small));
  REQUIRE(small_parsed.ok());
  CHECK(small_parsed->FindSla("MATCHED")->duration == std::chrono::milliseconds(60000));
}

TEST_CASE("bytes that are not a workflow are refused", "[config_loader]") {
  auto r = ParseWorkflow(std::string("\xff\xff\xff\xff", 4));
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == base::Code::kInvalidArgument);
}

}  // namespace
}  // namespace tillvaxt::codec
