// The transition table, checked from the configuration itself (model-based) and as a few rows a
// reader can compare with docs/WORKFLOW.md.
#include <catch2/catch.hpp>

#include "engine/domain/decider.h"
#include "tests/support/workflow_model.h"
#include "tests/unit/domain/test_config.h"

namespace tillvaxt::domain {
namespace {

using base::Code;

TEST_CASE("every transition from every state by every principal behaves as configured") {
  testing::CheckTransitionModel(testing::MakeTestConfig());
}

TEST_CASE("random command sequences stay in the configured states and fold to the live case") {
  testing::CheckRandomWalks(testing::MakeTestConfig(), 3000, 20261122);
}

TEST_CASE("a transition added to the configuration is covered by the model") {
  Config config = testing::MakeTestConfig();
  Transition hold;
  hold.name = "hold";
  hold.from = {"MATCHED"};
  hold.to = "WAITING";
  hold.permits = {{Role::kManager, Scope::kAny}};
  hold.reason_required = true;
  config.workflow.transitions.push_back(hold);
  testing::CheckTransitionModel(config);
  testing::CheckRandomWalks(config, 200, 7);
}

// Rows of the table: action, state, who, the answer.
TEST_CASE("transition table rows") {
  const Config config = testing::MakeTestConfig();
  const Decider decider(config);
  const Time now = base::FromUnixMillis(1'780'000'000'000);
  const Principal coord{"coord.eskilstuna", Role::kCoordinator, "eskilstuna", ""};
  const Principal other{"coord.nykoping", Role::kCoordinator, "nykoping", ""};
  const Principal almi{"actor.almi", Role::kActor, "", "almi"};
  const Principal manager{"manager", Role::kManager, "", ""};

  Case c;
  c.id = "c1";
  c.version = 3;
  c.node = "eskilstuna";
  c.level = "REGIONAL";
  c.highest_level = "REGIONAL";
  c.needs = {"financing"};

  struct Row {
    const char* action;
    const char* state;
    const Principal* who;
    bool candidate;  // almi among the candidates (else almi is the assignee)
    Code code;
  };
  const Row rows[] = {
      {"triage", "NEW", &coord, true, Code::kOk},
      {"triage", "NEW", &other, true, Code::kPermissionDenied},
      {"triage", "MATCHED", &coord, true, Code::kFailedPrecondition},
      {"claim", "MATCHED", &almi, true, Code::kOk},
      {"claim", "MATCHED", &coord, true, Code::kPermissionDenied},
      {"claim", "CLAIMED", &almi, false, Code::kAborted},
      {"decline", "MATCHED", &almi, true, Code::kOk},
      {"release", "CLAIMED", &almi, false, Code::kOk},
      {"release", "MATCHED", &almi, true, Code::kFailedPrecondition},
      {"start", "CLAIMED", &almi, false, Code::kOk},
      {"wait", "IN_PROGRESS", &almi, false, Code::kOk},
      {"resume", "WAITING", &almi, false, Code::kOk},
      {"reassign", "WAITING", &manager, false, Code::kOk},
      {"reassign", "WAITING", &coord, false, Code::kPermissionDenied},
      {"resolve", "IN_PROGRESS", &almi, false, Code::kOk},
      {"reopen", "RESOLVED", &coord, false, Code::kOk},
      {"close", "RESOLVED", &coord, false, Code::kOk},
      {"close", "RESOLVED", &almi, false, Code::kPermissionDenied},
      {"withdraw", "WAITING", &coord, false, Code::kOk},
      {"withdraw", "RESOLVED", &coord, false, Code::kFailedPrecondition},
      {"reject", "TRIAGED", &coord, true, Code::kOk},
      {"followUp", "CLOSED", &coord, false, Code::kOk},
      {"recordEffect", "CLOSED", &coord, false, Code::kOk},
      {"recordEffect", "RESOLVED", &coord, false, Code::kFailedPrecondition},
      {"linkOffer", "IN_PROGRESS", &almi, false, Code::kOk},
      {"linkOffer", "CLOSED", &coord, false, Code::kFailedPrecondition},
      {"escalate", "MATCHED", &almi, true, Code::kOk},
      {"escalate", "NEW", &coord, true, Code::kFailedPrecondition},
  };
  for (const Row& row : rows) {
    INFO(row.action << " in " << row.state << " by " << row.who->username);
    Case k = c;
    k.state = row.state;
    if (row.candidate) {
      k.candidates = {"almi"};
      k.involved_actors = {"almi"};
    } else {
      k.assignee = "almi";
      k.involved_actors = {"almi"};
    }
    Command cmd;
    cmd.action = row.action;
    cmd.reason = "because";
    cmd.needs = {"financing"};
    cmd.actor = "energimyndigheten";
    cmd.outcome = {"FINANCING", ""};
    cmd.child_id = "c2";
    cmd.title = "Next step";
    cmd.effect = {"FUNDING_GRANTED", ""};
    cmd.months_after_close = 6;
    cmd.offer_id = "o1";
    auto r = decider.Decide(config.workflow, k, *row.who, cmd, now);
    CHECK(base::CodeName(r.status().code()) == std::string(base::CodeName(row.code)));
  }
}

}  // namespace
}  // namespace tillvaxt::domain
