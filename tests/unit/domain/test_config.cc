#include "tests/unit/domain/test_config.h"

#include <utility>

namespace tillvaxt::testing {
namespace {

using domain::Actor;
using domain::Effect;
using domain::Permit;
using domain::Role;
using domain::Scope;
using domain::Sla;
using domain::State;
using domain::Transition;

Actor MakeActor(std::string id, std::string name, std::string level,
                std::vector<std::string> needs, std::vector<std::string> areas = {},
                std::vector<std::string> nodes = {}, int capacity = 0) {
  Actor a;
  a.id = std::move(id);
  a.name = std::move(name);
  a.level = std::move(level);
  a.needs = std::move(needs);
  a.areas = std::move(areas);
  a.nodes = std::move(nodes);
  a.capacity = capacity;
  return a;
}

Transition MakeTransition(std::string name, std::vector<std::string> from, std::string to,
                          Effect effect, std::vector<Permit> permits, bool reason_required) {
  Transition t;
  t.name = std::move(name);
  t.from = std::move(from);
  t.to = std::move(to);
  t.effect = effect;
  t.permits = std::move(permits);
  t.reason_required = reason_required;
  return t;
}

Sla MakeSla(std::string state, int business_days, std::string fire, std::string reason,
            std::vector<int> warn_percent) {
  Sla s;
  s.state = std::move(state);
  s.business_days = business_days;
  s.fire = std::move(fire);
  s.reason = std::move(reason);
  s.warn_percent = std::move(warn_percent);
  return s;
}

}  // namespace

domain::Config MakeTestConfig() {
  domain::Config config;
  config.region_id = "sormland";
  config.region_name = "Region Sörmland";
  config.nodes = {{"eskilstuna", "Eskilstuna"},
                  {"nykoping", "Nyköping"},
                  {"strangnas", "Strängnäs"},
                  {"katrineholm", "Katrineholm"}};
  config.levels = {"LOCAL", "REGIONAL", "NATIONAL", "INTERNATIONAL"};
  config.needs = {{"financing", "Finansiering"},
                  {"business-development", "Affärsutveckling"},
                  {"competence", "Kompetens"},
                  {"recruitment", "Rekrytering"},
                  {"growth", "Tillväxt"},
                  {"innovation", "Innovation"},
                  {"internationalisation", "Internationalisering"}};
  config.areas = {{"advanced-manufacturing", "Avancerad tillverkning för krävande miljöer"},
                  {"bio-based", "Biobaserade näringar"},
                  {"digital-services", "Verksamhetsnära digitala tjänster"},
                  {"smart-industry", "Smart industri"},
                  {"food", "Hållbar livsmedelsförsörjning"},
                  {"energy", "Morgondagens energilösningar"},
                  {"life-science", "Life Science med välfärd och hälsa"}};
  config.actors = {
      MakeActor("esk-business", "Eskilstuna Business Region", "LOCAL",
                {"business-development", "growth", "recruitment"}, {}, {"eskilstuna"}),
      MakeActor("nyk-naringsliv", "Nyköpings näringslivskontor", "LOCAL",
                {"business-development", "competence"}, {}, {"nykoping"}),
      MakeActor("str-foretag", "Företagsservice Strängnäs", "LOCAL",
                {"growth", "business-development"}, {}, {"strangnas"}),
      MakeActor("kat-industri", "Katrineholms Industriförening", "LOCAL",
                {"recruitment", "competence"}, {}, {"katrineholm"}),
      MakeActor("almi", "Almi Mälardalen", "REGIONAL", {"financing", "business-development"}),
      MakeActor("mdu", "Mälardalens universitet", "REGIONAL", {"innovation", "competence"},
                {"advanced-manufacturing", "digital-services"}),
      MakeActor("automation-region", "Automation Region", "REGIONAL", {"innovation", "growth"},
                {"smart-industry", "advanced-manufacturing"}, {}, 5),
      MakeActor("handelskammaren", "Östsvenska Handelskammaren", "REGIONAL",
                {"business-development", "recruitment"}, {}, {"nykoping", "katrineholm"}),
      MakeActor("rise", "RISE", "NATIONAL", {"innovation", "competence"},
                {"smart-industry", "energy", "life-science"}),
      MakeActor("business-sweden", "Business Sweden", "NATIONAL", {"internationalisation"}),
      MakeActor("energimyndigheten", "Energimyndigheten", "NATIONAL", {"financing", "innovation"},
                {"energy"}),
      MakeActor("een", "Enterprise Europe Network", "INTERNATIONAL",
                {"internationalisation", "financing", "innovation"}),
      MakeActor("eit-manufacturing", "EIT Manufacturing", "INTERNATIONAL", {"innovation"},
                {"advanced-manufacturing"}),
  };

  domain::Workflow& wf = config.workflow;
  wf.version = 1;
  wf.initial_state = "NEW";
  wf.matched_state = "MATCHED";
  wf.unmatched_state = "UNMATCHED";
  // name, terminal, open, pauses_sla
  wf.states = {{"NEW", false, true, false},       {"TRIAGED", false, true, false},
               {"MATCHED", false, true, false},   {"CLAIMED", false, true, false},
               {"IN_PROGRESS", false, true, false}, {"WAITING", false, true, true},
               {"RESOLVED", false, false, false}, {"CLOSED", true, false, false},
               {"UNMATCHED", true, false, false}, {"WITHDRAWN", true, false, false},
               {"REJECTED", true, false, false}};

  const Permit own_node{Role::kCoordinator, Scope::kOwnNode};
  const Permit candidate{Role::kActor, Scope::kCandidate};
  const Permit assignee{Role::kActor, Scope::kAssignee};
  const Permit system{Role::kSystem, Scope::kAny};
  const Permit manager{Role::kManager, Scope::kAny};
  const std::vector<std::string> open = {"NEW",     "TRIAGED",     "MATCHED",
                                         "CLAIMED", "IN_PROGRESS", "WAITING"};
  wf.transitions = {
      MakeTransition("triage", {"NEW"}, "TRIAGED", Effect::kTriage, {own_node}, false),
      MakeTransition("escalate", {"MATCHED", "CLAIMED", "IN_PROGRESS"}, "", Effect::kEscalate,
                     {own_node, candidate, assignee, system}, true),
      MakeTransition("claim", {"MATCHED"}, "CLAIMED", Effect::kClaim, {candidate}, false),
      MakeTransition("decline", {"MATCHED"}, "", Effect::kDecline, {candidate}, true),
      MakeTransition("release", {"CLAIMED", "IN_PROGRESS"}, "MATCHED", Effect::kRelease,
                     {assignee, system}, true),
      MakeTransition("start", {"CLAIMED"}, "IN_PROGRESS", Effect::kNone, {assignee}, false),
      MakeTransition("wait", {"IN_PROGRESS"}, "WAITING", Effect::kNone, {assignee}, true),
      MakeTransition("resume", {"WAITING"}, "IN_PROGRESS", Effect::kNone, {assignee}, false),
      MakeTransition("reassign", {"CLAIMED", "IN_PROGRESS", "WAITING"}, "", Effect::kReassign,
                     {manager, assignee}, true),
      MakeTransition("resolve", {"CLAIMED", "IN_PROGRESS", "WAITING"}, "RESOLVED",
                     Effect::kResolve, {assignee}, false),
      MakeTransition("reopen", {"RESOLVED"}, "IN_PROGRESS", Effect::kReopen, {own_node, assignee},
                     true),
      MakeTransition("close", {"RESOLVED"}, "CLOSED", Effect::kNone, {own_node}, false),
      MakeTransition("withdraw", open, "WITHDRAWN", Effect::kNone, {own_node}, true),
      MakeTransition("reject", {"NEW", "TRIAGED"}, "REJECTED", Effect::kNone, {own_node}, true),
      MakeTransition("followUp", {"RESOLVED", "CLOSED"}, "", Effect::kFollowUp, {own_node},
                     false),
      MakeTransition("recordEffect", {"CLOSED"}, "", Effect::kRecordEffect, {own_node}, false),
      MakeTransition("linkOffer", open, "", Effect::kLinkOffer, {own_node, assignee}, false),
  };
  wf.slas = {MakeSla("NEW", 2, "", "", {50, 75}),
             MakeSla("MATCHED", 5, "escalate", "SLA", {50, 75}),
             MakeSla("CLAIMED", 3, "release", "CLAIM_EXPIRED", {50, 75}),
             MakeSla("IN_PROGRESS", 30, "", "", {75})};
  config.routing = {2.0, 1.0, 0.5};
  return config;
}

}  // namespace tillvaxt::testing
