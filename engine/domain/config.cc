#include "engine/domain/config.h"

#include <algorithm>

namespace tillvaxt::domain {
namespace {

template <typename T>
bool HasId(const std::vector<T>& items, const std::string& id) {
  return std::any_of(items.begin(), items.end(), [&](const T& n) { return n.id == id; });
}

}  // namespace

bool Routes(Effect effect) {
  return effect == Effect::kTriage || effect == Effect::kEscalate || effect == Effect::kDecline ||
         effect == Effect::kRelease;
}

const char* RoleName(Role role) {
  switch (role) {
    case Role::kUnspecified:
      return "ROLE_UNSPECIFIED";
    case Role::kCoordinator:
      return "COORDINATOR";
    case Role::kActor:
      return "ACTOR";
    case Role::kManager:
      return "MANAGER";
    case Role::kAdmin:
      return "ADMIN";
    case Role::kSystem:
      return "SYSTEM";
  }
  return "ROLE_UNSPECIFIED";
}

const State* Workflow::FindState(const std::string& name) const {
  for (const State& s : states) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const Transition* Workflow::FindTransition(const std::string& name) const {
  for (const Transition& t : transitions) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

const Sla* Workflow::FindSla(const std::string& state) const {
  for (const Sla& s : slas) {
    if (s.state == state) return &s;
  }
  return nullptr;
}

const Actor* Config::FindActor(const std::string& id) const {
  for (const Actor& a : actors) {
    if (a.id == id) return &a;
  }
  return nullptr;
}

bool Config::HasNode(const std::string& id) const { return HasId(nodes, id); }
bool Config::HasNeed(const std::string& id) const { return HasId(needs, id); }
bool Config::HasArea(const std::string& id) const { return HasId(areas, id); }

int Config::LevelIndex(const std::string& level) const {
  auto it = std::find(levels.begin(), levels.end(), level);
  return it == levels.end() ? -1 : static_cast<int>(it - levels.begin());
}

}  // namespace tillvaxt::domain
