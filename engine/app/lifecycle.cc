#include "engine/app/lifecycle.h"

#include <utility>

namespace tillvaxt::app {

void Lifecycle::Add(std::string name, StartFn start, StopFn stop) {
  components_.push_back({std::move(name), std::move(start), std::move(stop)});
}

base::Status Lifecycle::StartAll() {
  while (started_ < components_.size()) {
    Component& c = components_[started_];
    base::Status st = c.start ? c.start() : base::Status::Ok();
    if (!st.ok()) {
      StopAll();
      return base::Status(st.code(), c.name + ": " + st.message());
    }
    ++started_;
  }
  return base::Status::Ok();
}

void Lifecycle::StopAll() {
  while (started_ > 0) {
    Component& c = components_[--started_];
    if (c.stop) c.stop();
  }
}

std::vector<std::string> Lifecycle::names() const {
  std::vector<std::string> out;
  out.reserve(components_.size());
  for (const Component& c : components_) out.push_back(c.name);
  return out;
}

}  // namespace tillvaxt::app
