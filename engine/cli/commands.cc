#include "engine/cli/commands.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <ostream>

#include "engine/base/time.h"
#include "engine/cli/common.h"
#include "engine/cli/flags.h"
#include "engine/cli/progress.h"
#include "engine/codec/config_loader.h"
#include "engine/codec/workflow_drawing.h"
#include "engine/plugin/notifier_host.h"
#include "engine/service/case_service.h"
#include "engine/service/seeder.h"

namespace tillvaxt::cli {
namespace {

namespace fs = std::filesystem;

void AddDurabilityFlag(Flags& flags) {
  flags.Option("durability", "full|normal",
               "full: an acknowledged write survives a killed process and a power loss; normal: "
               "survives a killed process, may lose the last commits on power loss",
               "full");
}

base::Result<StoreOptions> StoreOptionsFrom(const Flags& flags, bool create) {
  std::string durability = flags.Get("durability");
  if (durability != "full" && durability != "normal") {
    return base::InvalidArgument("--durability must be full or normal, not '" + durability + "'");
  }
  return StoreOptions{flags.Get("data"), create, durability == "normal"};
}

}  // namespace

int InitCommand(const std::vector<std::string>& args, Environment& env) {
  Flags flags("init",
              "Creates the data folder with its database (SQLite, WAL) and a copy of the\n"
              "region configuration (config.textproto) that later commands use.");
  AddDataFlags(flags);
  AddDurabilityFlag(flags);
  int exit = 0;
  if (!ParseOrExit(flags, args, env, &exit)) return exit;
  std::string source;
  auto config = LoadRegionConfig(flags, env.err, &source);
  if (!config.ok()) return Fail(env.err, config.status());
  fs::path data = flags.Get("data");
  std::error_code ec;
  fs::create_directories(data, ec);
  if (ec)
    return Fail(env.err, base::Internal("cannot create " + data.string() + ": " + ec.message()));
  fs::path copy = data / "config.textproto";
  if (!flags.Get("config").empty() || !fs::exists(copy)) {
    std::string text;
    if (flags.Get("config").empty()) {
      text = EmbeddedConfigText();
    } else {
      std::ifstream in(flags.Get("config"), std::ios::binary);
      text.assign(std::istreambuf_iterator<char>(in), {});
    }
    std::ofstream out(copy, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return Fail(env.err, base::Internal("cannot write " + copy.string()));
  }
  auto options = StoreOptionsFrom(flags, true);
  if (!options.ok()) return Fail(env.err, options.status());
  auto store = env.open_store(*options);
  if (!store.ok()) return Fail(env.err, store.status());
  auto version = (*store)->RegisterWorkflow(codec::SerializeWorkflow(*config));
  if (!version.ok()) return Fail(env.err, version.status());
  auto cases = (*store)->CountCases();
  env.out << "Initialised " << data.string() << " for " << config->region_name << " ("
          << config->nodes.size() << " nodes, " << config->actors.size() << " actors, workflow v"
          << *version << ", " << (cases.ok() ? *cases : 0) << " cases) from " << source << "\n";
  return kExitOk;
}

int CheckConfigCommand(const std::vector<std::string>& args, Environment& env) {
  Flags flags("check-config",
              "Validates a region configuration: syntax, unknown states, needs, areas, levels and\n"
              "nodes, unreachable states, dead ends, duplicate ids, transitions open to no role,\n"
              "actors with no needs, malformed durations. Prints every problem as FILE:LINE.");
  flags.Positional("FILE", "The configuration file (protobuf text format)");
  int exit = 0;
  if (!ParseOrExit(flags, args, env, &exit)) return exit;
  std::vector<std::string> problems;
  auto config = codec::LoadConfigFile(flags.Arg("FILE"), &problems);
  for (const std::string& p : problems) env.err << p << "\n";
  if (!config.ok()) {
    if (problems.empty()) env.err << "tillvaxt: " << config.status().message() << "\n";
    env.err << flags.Arg("FILE") << ": " << problems.size() << " problem"
            << (problems.size() == 1 ? "" : "s") << "\n";
    return kExitBadInput;
  }
  // Each plugin must load, be of our ABI version and accept its settings, as at start-up.
  std::string config_dir = std::filesystem::absolute(flags.Arg("FILE")).parent_path().string();
  auto plugin_problems = plugin::CheckPlugins(*config, config_dir);
  if (!plugin_problems.empty()) {
    for (const std::string& p : plugin_problems) env.err << flags.Arg("FILE") << ": " << p << "\n";
    env.err << flags.Arg("FILE") << ": " << plugin_problems.size() << " problem"
            << (plugin_problems.size() == 1 ? "" : "s") << "\n";
    return kExitBadInput;
  }
  env.out << flags.Arg("FILE") << ": ok — " << config->region_name << ", " << config->nodes.size()
          << " nodes, " << config->levels.size() << " levels, " << config->needs.size()
          << " needs, " << config->areas.size() << " areas, " << config->actors.size()
          << " actors, " << config->workflow.states.size() << " states, "
          << config->workflow.transitions.size() << " transitions\n";
  return kExitOk;
}

int WorkflowCommand(const std::vector<std::string>& args, Environment& env) {
  Flags flags("workflow",
              "Draws the configured workflow: states, transitions and who may fire them.");
  flags.Option("format", "dot|mermaid|scxml", "Output format", "dot");
  AddDataFlags(flags);
  int exit = 0;
  if (!ParseOrExit(flags, args, env, &exit)) return exit;
  std::string format = flags.Get("format");
  if (format != "dot" && format != "mermaid" && format != "scxml") {
    return Fail(env.err, base::InvalidArgument("--format must be dot, mermaid or scxml, not '" +
                                               format + "'"));
  }
  auto config = LoadRegionConfig(flags, env.err);
  if (!config.ok()) return Fail(env.err, config.status());
  if (format == "dot") env.out << codec::WorkflowToDot(*config);
  if (format == "mermaid") env.out << codec::WorkflowToMermaid(*config);
  if (format == "scxml") env.out << codec::WorkflowToScxml(*config);
  return kExitOk;
}

int SeedCommand(const std::vector<std::string>& args, Environment& env) {
  Flags flags("seed",
              "Appends a realistic synthetic history: cases over every node, need and area for\n"
              "the last years, climbing levels, claimed, resolved, closed, some withdrawn and\n"
              "unmatched, recent ones still open. Every step goes through the real workflow.");
  flags.Option("cases", "N", "How many cases to create", "1000");
  flags.Option("seed", "S", "Random seed: the same seed gives the same history", "1");
  flags.Option("years", "Y", "How many years back the history starts", "3");
  AddDataFlags(flags);
  AddDurabilityFlag(flags);
  int exit = 0;
  if (!ParseOrExit(flags, args, env, &exit)) return exit;
  auto cases = flags.GetInt("cases", 0, 100'000'000);
  if (!cases.ok()) return Fail(env.err, cases.status());
  auto seed = flags.GetInt("seed", 0, INT64_MAX);
  if (!seed.ok()) return Fail(env.err, seed.status());
  auto years = flags.GetInt("years", 1, 50);
  if (!years.ok()) return Fail(env.err, years.status());
  auto config = LoadRegionConfig(flags, env.err);
  if (!config.ok()) return Fail(env.err, config.status());
  auto options = StoreOptionsFrom(flags, true);
  if (!options.ok()) return Fail(env.err, options.status());
  auto store = env.open_store(*options);
  if (!store.ok()) return Fail(env.err, store.status());
  auto version = (*store)->RegisterWorkflow(codec::SerializeWorkflow(*config));
  if (!version.ok()) return Fail(env.err, version.status());
  config->workflow.version = *version;
  ProgressBar bar(env.err, IsTty(env.err, env), "cases");
  service::SeedOptions seed_options;
  seed_options.cases = *cases;
  seed_options.seed = static_cast<uint64_t>(*seed);
  seed_options.years = static_cast<int>(*years);
  seed_options.now = base::SystemClock().Now();
  seed_options.progress = [&](int64_t done, int64_t total) { bar.Update(done, total); };
  auto started = std::chrono::steady_clock::now();
  auto summary = service::Seed(*config, **store, seed_options);
  bar.Finish();
  if (!summary.ok()) return Fail(env.err, summary.status());
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  env.out << "Seeded " << summary->cases << " cases (" << summary->events << " events) into "
          << flags.Get("data") << " in " << static_cast<int>(secs * 10) / 10.0 << " s\n";
  return kExitOk;
}

int RebuildCommand(const std::vector<std::string>& args, Environment& env) {
  Flags flags("rebuild",
              "Rebuilds every projection (cases, candidates, statistics) from the event log, the\n"
              "source of truth, in one transaction.");
  AddDataFlags(flags);
  int exit = 0;
  if (!ParseOrExit(flags, args, env, &exit)) return exit;
  if (!fs::exists(flags.Get("data"))) {
    return Fail(env.err, base::NotFound("no data folder " + flags.Get("data") +
                                        " (run `tillvaxt init` first)"));
  }
  auto store = env.open_store({flags.Get("data"), false, false});
  if (!store.ok()) return Fail(env.err, store.status());
  ProgressBar bar(env.err, IsTty(env.err, env), "events");
  base::Status st =
      (*store)->Rebuild([&](int64_t done, int64_t total) { bar.Update(done, total); });
  bar.Finish();
  if (!st.ok()) return Fail(env.err, st);
  auto cases = (*store)->CountCases();
  auto events = (*store)->CountEvents();
  env.out << "Rebuilt " << (cases.ok() ? *cases : 0) << " cases from "
          << (events.ok() ? *events : 0) << " events\n";
  return kExitOk;
}

}  // namespace tillvaxt::cli
