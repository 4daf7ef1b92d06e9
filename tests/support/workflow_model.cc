#include "tests/support/workflow_model.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <random>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/case.h"
#include "engine/domain/command.h"
#include "engine/domain/decider.h"
#include "engine/domain/principal.h"

namespace tillvaxt::testing {
namespace {

using base::Code;
using domain::Case;
using domain::Command;
using domain::Config;
using domain::Decider;
using domain::Effect;
using domain::Event;
using domain::Principal;
using domain::Role;
using domain::Scope;
using domain::Transition;
using domain::Workflow;

bool Has(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// The documented meaning of a scope, restated here so the model does not trust the engine.
bool ModelScope(Scope scope, const Case& c, const Principal& who) {
  switch (scope) {
    case Scope::kAny:
      return true;
    case Scope::kOwnNode:
      return !who.node.empty() && who.node == c.node;
    case Scope::kCandidate:
      return !who.actor.empty() && Has(c.candidates, who.actor);
    case Scope::kAssignee:
      return !who.actor.empty() && who.actor == c.assignee;
  }
  return false;
}

bool ModelPermitted(const Transition& t, const Case& c, const Principal& who) {
  for (const domain::Permit& p : t.permits) {
    if (p.role == who.role && ModelScope(p.scope, c, who)) return true;
  }
  return false;
}

// What Decide must answer for a well-formed command, per WORKFLOW.md's error order.
Code Expected(const Transition& t, const Case& c, const Principal& who) {
  if (t.effect == Effect::kClaim && !c.assignee.empty() && who.role == Role::kActor &&
      Has(c.involved_actors, who.actor)) {
    return Code::kAborted;
  }
  if (!Has(t.from, c.state)) return Code::kFailedPrecondition;
  if (!ModelPermitted(t, c, who)) return Code::kPermissionDenied;
  // Effect preconditions on the case: a claim needs no assignee, release/reassign need one.
  if (t.effect == Effect::kClaim && !c.assignee.empty()) return Code::kFailedPrecondition;
  if ((t.effect == Effect::kRelease || t.effect == Effect::kReassign) && c.assignee.empty()) {
    return Code::kFailedPrecondition;
  }
  return Code::kOk;
}

// A command for `t` that passes every field check on `c`.
Command ValidCommand(const Config& config, const Transition& t, const Case& c,
                     std::mt19937* rng = nullptr) {
  auto pick = [&](size_t n) -> size_t {
    return rng == nullptr || n == 0 ? 0 : std::uniform_int_distribution<size_t>(0, n - 1)(*rng);
  };
  Command cmd;
  cmd.action = t.name;
  cmd.reason = "a reason";
  switch (t.effect) {
    case Effect::kTriage: {
      cmd.needs.push_back(config.needs[pick(config.needs.size())].id);
      if (rng != nullptr && pick(2) == 1) {
        cmd.needs.push_back(config.needs[pick(config.needs.size())].id);
      }
      if (!config.areas.empty() && (rng == nullptr || pick(3) != 0)) {
        cmd.areas.push_back(config.areas[pick(config.areas.size())].id);
      }
      break;
    }
    case Effect::kReassign: {
      std::vector<std::string> fits;
      for (const domain::Actor& a : config.actors) {
        if (a.id == c.assignee) continue;
        for (const std::string& n : c.needs) {
          if (Has(a.needs, n)) {
            fits.push_back(a.id);
            break;
          }
        }
      }
      if (!fits.empty()) cmd.actor = fits[pick(fits.size())];
      break;
    }
    case Effect::kResolve:
      cmd.outcome = {domain::kOutcomeKinds[pick(std::size(domain::kOutcomeKinds))], "done"};
      break;
    case Effect::kFollowUp:
      cmd.child_id = c.id + "-child-" + std::to_string(c.version);
      cmd.title = "Follow-up";
      break;
    case Effect::kRecordEffect:
      cmd.effect = {domain::kEffectKinds[pick(std::size(domain::kEffectKinds))], "later"};
      cmd.months_after_close = 1 + static_cast<int>(pick(120));
      break;
    case Effect::kLinkOffer:
      cmd.offer_id = "offer-" + std::to_string(c.version);
      break;
    case Effect::kNone:
      cmd.feedback = "thanks";
      break;
    default:
      break;
  }
  return cmd;
}

// A variant of `cmd` failing the effect's field checks, or false when the effect has none.
bool InvalidCommand(const Transition& t, Command* cmd) {
  switch (t.effect) {
    case Effect::kTriage:
      cmd->needs.clear();
      return true;
    case Effect::kReassign:
      cmd->actor = "no-such-actor";
      return true;
    case Effect::kResolve:
      cmd->outcome.kind = "BOGUS";
      return true;
    case Effect::kFollowUp:
      cmd->child_id.clear();
      return true;
    case Effect::kRecordEffect:
      cmd->months_after_close = 0;
      return true;
    case Effect::kLinkOffer:
      cmd->offer_id.clear();
      return true;
    default:
      return false;
  }
}

// Checks the events of one accepted decision on `before`; returns the case after them.
Case CheckEvents(const Config& config, const Case& before, const Principal& who,
                 const Transition& t, domain::Time now, const std::vector<Event>& events) {
  const Workflow& wf = config.workflow;
  REQUIRE_FALSE(events.empty());
  Case after = before;
  std::string state = before.state;
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    INFO("event " << i << " " << domain::EventTypeName(e.type));
    CHECK(e.case_id == before.id);
    CHECK(e.seq == before.version + static_cast<int64_t>(i) + 1);
    CHECK(e.time == now);
    CHECK(e.user == who.username);
    CHECK(e.action == t.name);
    CHECK(e.from_state == state);
    CHECK(wf.FindState(e.to_state) != nullptr);
    CHECK(config.LevelIndex(e.level) >= 0);
    state = e.to_state;
    domain::Apply(after, e);
  }
  if (!t.to.empty()) CHECK(events.front().to_state == t.to);
  CHECK(after.version == before.version + static_cast<int64_t>(events.size()));
  CHECK(wf.FindState(after.state) != nullptr);
  return after;
}

struct Cast {
  std::string label;
  Principal who;
};

}  // namespace

void CheckTransitionModel(const Config& config) {
  const Workflow& wf = config.workflow;
  REQUIRE(!config.nodes.empty());
  REQUIRE(config.actors.size() >= 4);
  REQUIRE(!config.levels.empty());
  const Decider decider(config);
  const domain::DecisionInputs no_load;
  const domain::Time now = base::FromUnixMillis(1'780'000'000'000);  // a Thursday in 2026

  const std::string node = config.nodes.front().id;
  const std::string other_node = config.nodes.size() > 1 ? config.nodes[1].id : "elsewhere";
  const std::string candidate = config.actors[0].id;
  const std::string candidate2 = config.actors[1].id;
  const std::string assignee = config.actors[2].id;
  const std::string unrelated = config.actors[3].id;

  const std::vector<Cast> cast = {
      {"coordinator of the case's node", {"coord.own", Role::kCoordinator, node, ""}},
      {"coordinator of another node", {"coord.other", Role::kCoordinator, other_node, ""}},
      {"candidate actor", {"actor.candidate", Role::kActor, "", candidate}},
      {"assignee actor", {"actor.assignee", Role::kActor, "", assignee}},
      {"unrelated actor", {"actor.unrelated", Role::kActor, "", unrelated}},
      {"manager", {"manager", Role::kManager, "", ""}},
      {"admin", {"admin", Role::kAdmin, "", ""}},
      {"system", Principal::System()},
  };

  // Every state twice: offered to candidates (no assignee) and held by an assignee.
  std::vector<Case> cases;
  for (const domain::State& s : wf.states) {
    for (bool assigned : {false, true}) {
      Case c;
      c.id = "case-model";
      c.title = "A case";
      c.node = node;
      c.level = config.levels.front();
      c.highest_level = c.level;
      c.state = s.name;
      c.version = 7;
      c.workflow_version = wf.version;
      for (const domain::Named& n : config.needs) c.needs.push_back(n.id);
      c.involved_actors = {candidate, candidate2, assignee};
      if (assigned) {
        c.assignee = assignee;
      } else {
        c.candidates = {candidate, candidate2};
        for (const std::string& a : c.candidates) c.matches.push_back({a, 2.0, {"load:0"}});
      }
      c.state_time = now - std::chrono::hours(5);
      c.deadline = decider.DeadlineFor(wf, s.name, c.state_time);
      cases.push_back(c);
    }
  }

  {
    Command cmd;
    cmd.action = "no-such-action";
    auto r = decider.Decide(wf, cases.front(), cast.front().who, cmd, now, no_load);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == Code::kNotFound);
  }

  int allowed_count = 0;
  for (const Case& c : cases) {
    for (const Cast& actor : cast) {
      const std::vector<std::string> allowed = decider.AllowedActions(wf, c, actor.who);
      for (const Transition& t : wf.transitions) {
        INFO("transition " << t.name << " from " << c.state
                           << (c.assignee.empty() ? " (offered)" : " (assigned)") << " by "
                           << actor.label);
        const Code expected = Expected(t, c, actor.who);
        Command cmd = ValidCommand(config, t, c);
        auto r = decider.Decide(wf, c, actor.who, cmd, now, no_load);
        CHECK(base::CodeName(r.status().code()) == std::string(base::CodeName(expected)));
        CHECK(Has(allowed, t.name) == (expected == Code::kOk));
        if (!r.ok()) {
          if (r.status().code() == Code::kAborted) {
            CHECK(r.status().message() == "case already claimed by another actor");
          }
          if (r.status().code() == Code::kFailedPrecondition && !Has(t.from, c.state)) {
            CHECK(r.status().message() == "cannot " + t.name + " a case in state " + c.state);
          }
          continue;
        }
        ++allowed_count;
        CheckEvents(config, c, actor.who, t, now, r.value());
        if (t.reason_required) {
          Command no_reason = cmd;
          no_reason.reason.clear();
          auto refused = decider.Decide(wf, c, actor.who, no_reason, now, no_load);
          REQUIRE_FALSE(refused.ok());
          CHECK(refused.status().code() == Code::kInvalidArgument);
          REQUIRE(refused.status().details().size() == 1);
          CHECK(refused.status().details()[0].field == "reason");
        }
        Command bad = cmd;
        if (InvalidCommand(t, &bad)) {
          auto refused = decider.Decide(wf, c, actor.who, bad, now, no_load);
          REQUIRE_FALSE(refused.ok());
          CHECK(refused.status().code() == Code::kInvalidArgument);
          CHECK_FALSE(refused.status().details().empty());
        }
      }
    }
  }
  // Every transition must be allowed somewhere, or the model tested nothing but refusals.
  CHECK(allowed_count > 0);
  for (const Transition& t : wf.transitions) {
    bool somewhere = false;
    for (const Case& c : cases) {
      for (const Cast& actor : cast)
        somewhere = somewhere || Expected(t, c, actor.who) == Code::kOk;
    }
    INFO("transition " << t.name);
    CHECK(somewhere);
  }
}

void CheckRandomWalks(const Config& config, int walks, uint32_t seed) {
  const Workflow& wf = config.workflow;
  REQUIRE(!config.nodes.empty());
  const Decider decider(config);
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  // A fixed, uneven load so ranking by load and capacities take part.
  domain::DecisionInputs load;
  for (const domain::Actor& a : config.actors) {
    load.open_cases[a.id] = static_cast<int>(std::hash<std::string>{}(a.id) % 7);
  }

  int64_t steps = 0;
  int64_t refusals = 0;
  std::vector<std::string> final_states;
  for (int w = 0; w < walks; ++w) {
    const std::string node = config.nodes[pick(config.nodes.size())].id;
    const Principal coordinator{"coord." + node, Role::kCoordinator, node, ""};
    domain::Time now = base::FromUnixMillis(1'767'225'600'000) +  // 2026-01-01
                       std::chrono::hours(static_cast<int>(pick(24 * 365 * 3)));
    domain::CaseDraft draft;
    draft.title = "Walk " + std::to_string(w);
    draft.company = {"Företaget AB", "556036-0793", "Eskilstuna", "SMALL", "manufacturing"};
    draft.contact = {"Anna", "anna@example.se", "+46 16 000 00"};
    const std::string id = "walk-" + std::to_string(w);
    auto created = decider.Create(coordinator, draft, id, now);
    REQUIRE(created.ok());
    std::vector<Event> log = created.value();
    Case live = domain::Fold(log);
    REQUIRE(live.state == wf.initial_state);

    for (int step = 0; step < 60; ++step) {
      // Who might act now: the node's coordinator, a coordinator elsewhere, the candidates,
      // the assignee, some actor, the manager, the admin, the system.
      std::vector<Principal> people = {coordinator,
                                       Principal::System(),
                                       {"manager", Role::kManager, "", ""},
                                       {"admin", Role::kAdmin, "", ""}};
      const std::string other = config.nodes[pick(config.nodes.size())].id;
      people.push_back({"coord." + other, Role::kCoordinator, other, ""});
      for (const std::string& a : live.candidates)
        people.push_back({"actor." + a, Role::kActor, "", a});
      if (!live.assignee.empty()) {
        people.push_back({"actor." + live.assignee, Role::kActor, "", live.assignee});
      }
      if (!config.actors.empty()) {
        const std::string& a = config.actors[pick(config.actors.size())].id;
        people.push_back({"actor." + a, Role::kActor, "", a});
      }

      now += std::chrono::minutes(static_cast<int>(1 + pick(60 * 24 * 3)));
      // Mostly an action someone may fire now, favouring those that do not end the case (else
      // most walks would end at once in WITHDRAWN or REJECTED); sometimes anything by anyone.
      struct Option {
        size_t person;
        const Transition* transition;
        int weight;
      };
      std::vector<Option> options;
      int total_weight = 0;
      for (size_t p = 0; p < people.size(); ++p) {
        for (const std::string& name : decider.AllowedActions(wf, live, people[p])) {
          const Transition* allowed_t = wf.FindTransition(name);
          REQUIRE(allowed_t != nullptr);
          const domain::State* to = wf.FindState(allowed_t->to);
          int weight = 12;
          if (to != nullptr && to->terminal) weight = 1;
          if (allowed_t->effect == Effect::kEscalate) weight = 2;
          if (allowed_t->effect == Effect::kDecline || allowed_t->effect == Effect::kRelease) {
            weight = 3;
          }
          options.push_back({p, allowed_t, weight});
          total_weight += weight;
        }
      }
      size_t person = pick(people.size());
      const Transition* t = &wf.transitions[pick(wf.transitions.size())];
      if (!options.empty() && pick(6) != 0) {
        int ticket = static_cast<int>(pick(static_cast<size_t>(total_weight)));
        for (const Option& o : options) {
          if (ticket < o.weight) {
            person = o.person;
            t = o.transition;
            break;
          }
          ticket -= o.weight;
        }
      }
      const Principal& who = people[person];
      const bool expect_ok = Has(decider.AllowedActions(wf, live, who), t->name);
      // Nobody can do anything more: one last refused attempt (above), then the next walk.
      const bool last = options.empty();
      REQUIRE(t != nullptr);
      INFO("walk " << w << " step " << step << ": " << t->name << " by " << who.username << " in "
                   << live.state);
      Command cmd = ValidCommand(config, *t, live, &rng);
      auto r = decider.Decide(wf, live, who, cmd, now, load);
      ++steps;
      if (expect_ok && t->effect == Effect::kReassign && cmd.actor.empty()) {
        // No other actor serves the case's needs: refused on the field, never applied.
        REQUIRE_FALSE(r.ok());
        CHECK(r.status().code() == Code::kInvalidArgument);
        continue;
      }
      CHECK(r.ok() == expect_ok);
      if (!r.ok()) {
        ++refusals;
        const Code code = r.status().code();
        CHECK((code == Code::kFailedPrecondition || code == Code::kPermissionDenied ||
               code == Code::kAborted));
        if (last) break;
        continue;
      }
      Case next = CheckEvents(config, live, who, *t, now, r.value());
      log.insert(log.end(), r.value().begin(), r.value().end());
      live = next;
      // The case as rebuilt from its whole history equals the case built step by step.
      REQUIRE(domain::Fold(log) == live);
      for (size_t i = 0; i < log.size(); ++i) REQUIRE(log[i].seq == static_cast<int64_t>(i) + 1);
      if (live.state == wf.matched_state) CHECK_FALSE(live.candidates.empty());
      for (const std::string& a : live.candidates) CHECK(Has(live.involved_actors, a));
      if (!live.assignee.empty()) CHECK(Has(live.involved_actors, live.assignee));
      CHECK(config.LevelIndex(live.highest_level) >= config.LevelIndex(live.level));
    }
    final_states.push_back(live.state);
  }
  // The walks went somewhere: more than one final state, and not only refusals.
  std::sort(final_states.begin(), final_states.end());
  final_states.erase(std::unique(final_states.begin(), final_states.end()), final_states.end());
  CHECK(final_states.size() > 1);
  CHECK(refusals < steps);
}

}  // namespace tillvaxt::testing
