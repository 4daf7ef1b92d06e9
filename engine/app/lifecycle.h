// Lifecycle: the running server's components, started in order and stopped in reverse.
//
// engine/app builds every component first (nothing runs yet), then adds each one that runs
// threads or holds connections here with its start and stop, in dependency order: what a
// component uses is added before it. StartAll starts them in that order; if one fails, those
// already started are stopped, in reverse. StopAll (and the destructor) stops the started ones
// in reverse order, each once, so a component never outlives what it uses: the listener stops
// taking requests first, the store's users stop before the store goes away.
//
// Thread-compatible: one thread builds, starts and stops it.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "engine/base/status.h"

namespace tillvaxt::app {

class Lifecycle {
 public:
  using StartFn = std::function<base::Status()>;
  using StopFn = std::function<void()>;

  Lifecycle() = default;
  ~Lifecycle() { StopAll(); }
  Lifecycle(const Lifecycle&) = delete;
  Lifecycle& operator=(const Lifecycle&) = delete;

  // REQUIRES: not started yet.
  void Add(std::string name, StartFn start, StopFn stop);

  // The first failure, its message prefixed with the component's name.
  base::Status StartAll();
  void StopAll();

  // The components in start order (for logs and tests).
  std::vector<std::string> names() const;

 private:
  struct Component {
    std::string name;
    StartFn start;
    StopFn stop;
  };
  std::vector<Component> components_;
  size_t started_ = 0;  // components_[0, started_) are running
};

}  // namespace tillvaxt::app
