// `tillvaxt demo`: one case through the whole Team Tillväxt process, printed step by step, on
// the real store in the data folder. Shows what the engine does without a browser.
#include <ostream>

#include "engine/base/time.h"
#include "engine/cli/commands.h"
#include "engine/cli/common.h"
#include "engine/cli/flags.h"
#include "engine/service/case_service.h"

namespace tillvaxt::cli {
namespace {

void PrintCase(std::ostream& out, const domain::Case& c) {
  out << "  state " << c.state << ", level " << c.level;
  if (!c.assignee.empty()) out << ", assignee " << c.assignee;
  if (!c.candidates.empty()) {
    out << ", candidates";
    for (const auto& m : c.matches) {
      out << " " << m.actor << " (";
      for (size_t i = 0; i < m.reasons.size(); ++i) out << (i ? " " : "") << m.reasons[i];
      out << ")";
    }
  }
  if (c.deadline) out << ", deadline " << base::FormatRfc3339(*c.deadline);
  out << "\n";
}

}  // namespace

int DemoCommand(const std::vector<std::string>& args, Environment& env) {
  Flags flags("demo",
              "Logs one case at a node, triages it, lets the best matching actor claim, start and\n"
              "resolve it, closes it and prints the whole history from the event log.");
  flags.Option("node", "NODE", "The node that logs the case (default: the first node)");
  AddDataFlags(flags);
  base::Status st = flags.Parse(args);
  if (!st.ok()) return Fail(env.err, st);
  if (flags.help_requested()) {
    flags.PrintHelp(env.out);
    return kExitOk;
  }
  auto config = LoadRegionConfig(flags, env.err);
  if (!config.ok()) return Fail(env.err, config.status());
  std::string node = flags.Get("node").empty() ? config->nodes.front().id : flags.Get("node");
  if (!config->HasNode(node))
    return Fail(env.err, base::InvalidArgument("unknown node '" + node + "'"));
  auto store = env.open_store({flags.Get("data"), true, false});
  if (!store.ok()) return Fail(env.err, store.status());
  base::SystemClock clock;
  auto service = service::CaseService::Create(*config, **store, **store, clock, nullptr);
  if (!service.ok()) return Fail(env.err, service.status());
  auto& svc = **service;

  domain::Principal coord{"coord." + node, domain::Role::kCoordinator, node, ""};
  domain::CaseDraft draft;
  draft.title = "Behöver finansiering för ny produktionslinje";
  draft.description = "Ett verkstadsföretag vill automatisera sin produktion och söker kapital.";
  draft.company = {"Demoverkstad AB", "556036-0793", config->nodes.front().name, "SMALL",
                   "Tillverkning"};
  draft.contact = {"Anna Andersson", "anna@demoverkstad.se", "070-1234567"};
  auto created = svc.CreateCase(coord, draft);
  if (!created.ok()) return Fail(env.err, created.status());
  std::string id = created->created.id;
  env.out << "1. " << coord.username << " logs case " << id << " at " << node << "\n";
  PrintCase(env.out, created->created);

  domain::Command triage{.action = "triage"};
  triage.needs = {config->needs.front().id};
  auto c = svc.Act(coord, id, triage);
  if (!c.ok()) return Fail(env.err, c.status());
  env.out << "2. triage: need " << triage.needs.front() << " — routed\n";
  PrintCase(env.out, *c);
  if (c->candidates.empty()) {
    env.out << "No actor on any level serves that need: the case is " << c->state << ".\n";
    return kExitOk;
  }
  domain::Principal actor{"actor." + c->candidates.front(), domain::Role::kActor, "",
                          c->candidates.front()};
  int step = 3;
  for (const char* action : {"claim", "start", "resolve"}) {
    domain::Command cmd{.action = action};
    if (std::string(action) == "resolve") cmd.outcome = {"FINANCING", "Lån och rådgivning"};
    c = svc.Act(actor, id, cmd);
    if (!c.ok()) return Fail(env.err, c.status());
    env.out << step++ << ". " << actor.username << ": " << action << "\n";
    PrintCase(env.out, *c);
  }
  c = svc.Act(coord, id, {.action = "close", .feedback = "Företaget är nöjt"});
  if (!c.ok()) return Fail(env.err, c.status());
  env.out << step << ". " << coord.username << ": close\n";
  PrintCase(env.out, *c);
  auto history = svc.History(coord, id);
  if (!history.ok()) return Fail(env.err, history.status());
  env.out << "\nHistory of " << id << " (the event log):\n";
  for (const domain::Event& e : *history) {
    env.out << "  " << e.seq << " " << base::FormatRfc3339(e.time) << " "
            << domain::EventTypeName(e.type) << " by " << e.user << " at " << e.level << ": "
            << e.from_state << " -> " << e.to_state;
    if (!e.reason.empty()) env.out << " (" << e.reason << ")";
    env.out << "\n";
  }
  return kExitOk;
}

}  // namespace tillvaxt::cli
