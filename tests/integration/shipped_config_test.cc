// The shipped configurations under the same model-based tests as the test configuration: the
// Stockholm file proves nothing about Sörmland is hard-coded in the engine.
#include "engine/codec/config_loader.h"

#include <catch2/catch.hpp>

#include "engine/domain/decider.h"
#include "tests/support/workflow_model.h"

using namespace tillvaxt;

namespace {

domain::Config Load(const std::string& name) {
  std::vector<std::string> problems;
  auto config = codec::LoadConfigFile(std::string(TV_SOURCE_DIR) + "/config/" + name, &problems);
  INFO(name);
  for (const auto& p : problems) INFO(p);
  REQUIRE(config.ok());
  REQUIRE(problems.empty());
  return *config;
}

}  // namespace

TEST_CASE("Shipped configurations: every transition behaves as configured") {
  for (const char* name : {"sormland.textproto", "stockholm.textproto"}) {
    INFO(name);
    testing::CheckTransitionModel(Load(name));
  }
}

TEST_CASE("Shipped configurations: random command sequences stay consistent") {
  for (const char* name : {"sormland.textproto", "stockholm.textproto"}) {
    INFO(name);
    testing::CheckRandomWalks(Load(name), 1500, 42);
  }
}

TEST_CASE("Shipped configurations: a case with a matching need finds candidates at every node") {
  for (const char* name : {"sormland.textproto", "stockholm.textproto"}) {
    domain::Config config = Load(name);
    domain::Decider decider(config);
    for (const domain::Named& node : config.nodes) {
      for (const domain::Named& need : config.needs) {
        domain::Case c;
        c.id = "x";
        c.node = node.id;
        c.needs = {need.id};
        auto routed = decider.router().Route(c, config.levels.front(), {}, [](const std::string&) { return 0; });
        INFO(name << " node " << node.id << " need " << need.id);
        CHECK_FALSE(routed.matches.empty());
      }
    }
  }
}
