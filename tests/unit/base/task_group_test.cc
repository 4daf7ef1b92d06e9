#include "engine/base/task_group.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <thread>

namespace tillvaxt::base {
namespace {

TEST_CASE("Stop raises the flag and waits for every task", "[task_group]") {
  std::atomic<int> finished{0};
  {
    TaskGroup group;
    for (int i = 0; i < 3; ++i) {
      REQUIRE(group.Run([&finished](const std::atomic<bool>& stopping) {
        while (!stopping) std::this_thread::sleep_for(std::chrono::milliseconds(1));
        ++finished;
      }));
    }
    CHECK(group.running() == 3);
    group.Stop();
    CHECK(finished == 3);
    CHECK(group.running() == 0);
    // Nothing starts after Stop.
    CHECK_FALSE(group.Run([&finished](const std::atomic<bool>&) { ++finished; }));
  }
  CHECK(finished == 3);
}

TEST_CASE("at most max_tasks run at once; finished ones make room", "[task_group]") {
  TaskGroup group(1);
  std::atomic<bool> release{false};
  REQUIRE(group.Run([&release](const std::atomic<bool>& stopping) {
    while (!release && !stopping) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }));
  CHECK_FALSE(group.Run([](const std::atomic<bool>&) {}));
  release = true;
  bool started = false;
  for (int i = 0; i < 2000 && !started; ++i) {
    started = group.Run([](const std::atomic<bool>&) {});
    if (!started) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  CHECK(started);
}

TEST_CASE("the destructor stops the group", "[task_group]") {
  std::atomic<bool> ended{false};
  {
    TaskGroup group;
    REQUIRE(group.Run([&ended](const std::atomic<bool>& stopping) {
      while (!stopping) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      ended = true;
    }));
  }
  CHECK(ended);
}

}  // namespace
}  // namespace tillvaxt::base
