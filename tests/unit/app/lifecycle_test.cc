#include "engine/app/lifecycle.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace tillvaxt::app {
namespace {

struct Recorder {
  std::vector<std::string> log;
  Lifecycle::StartFn Start(const std::string& name, base::Status result = base::Status::Ok()) {
    return [this, name, result] {
      log.push_back("start " + name);
      return result;
    };
  }
  Lifecycle::StopFn Stop(const std::string& name) {
    return [this, name] { log.push_back("stop " + name); };
  }
};

TEST_CASE("components start in order and stop in reverse, each once", "[lifecycle]") {
  Recorder r;
  {
    Lifecycle lifecycle;
    lifecycle.Add("store users", r.Start("store users"), r.Stop("store users"));
    lifecycle.Add("scheduler", r.Start("scheduler"), r.Stop("scheduler"));
    lifecycle.Add("listener", r.Start("listener"), r.Stop("listener"));
    CHECK(lifecycle.names() == std::vector<std::string>{"store users", "scheduler", "listener"});
    REQUIRE(lifecycle.StartAll().ok());
    lifecycle.StopAll();
    lifecycle.StopAll();  // idempotent; the destructor adds nothing either
  }
  CHECK(r.log == std::vector<std::string>{"start store users", "start scheduler", "start listener",
                                          "stop listener", "stop scheduler", "stop store users"});
}

TEST_CASE("a component that fails to start stops those before it and names itself", "[lifecycle]") {
  Recorder r;
  Lifecycle lifecycle;
  lifecycle.Add("event hub", r.Start("event hub"), r.Stop("event hub"));
  lifecycle.Add("http listener", r.Start("http listener", base::Unavailable("port 80 in use")),
                r.Stop("http listener"));
  lifecycle.Add("never", r.Start("never"), r.Stop("never"));
  base::Status st = lifecycle.StartAll();
  CHECK(st.code() == base::Code::kUnavailable);
  CHECK(st.message() == "http listener: port 80 in use");
  CHECK(r.log ==
        std::vector<std::string>{"start event hub", "start http listener", "stop event hub"});
}

TEST_CASE("a component without a start is started by being listed", "[lifecycle]") {
  Recorder r;
  {
    Lifecycle lifecycle;
    lifecycle.Add("plugins", nullptr, r.Stop("plugins"));
    REQUIRE(lifecycle.StartAll().ok());
  }
  CHECK(r.log == std::vector<std::string>{"stop plugins"});
}

}  // namespace
}  // namespace tillvaxt::app
