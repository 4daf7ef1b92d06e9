// Who is acting: a user with a role and, for coordinators and actors, a scope.
#pragma once

#include <string>

#include "engine/domain/config.h"

namespace tillvaxt::domain {

struct Principal {
  std::string username;
  Role role = Role::kUnspecified;
  std::string node;   // COORDINATOR: the node they coordinate
  std::string actor;  // ACTOR: the actor organisation they work for

  static Principal System() { return {"system", Role::kSystem, "", ""}; }
};

}  // namespace tillvaxt::domain
