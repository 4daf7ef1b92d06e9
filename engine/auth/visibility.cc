#include "engine/auth/visibility.h"

#include <algorithm>

namespace tillvaxt::auth {
namespace {

using domain::Role;

bool Contains(const std::vector<std::string>& items, const std::string& item) {
  return std::find(items.begin(), items.end(), item) != items.end();
}

}  // namespace

bool CanSee(const domain::Principal& who, const domain::Case& c) {
  switch (who.role) {
    case Role::kManager:
    case Role::kAdmin:
    case Role::kSystem:
      return true;
    case Role::kCoordinator:
      return !who.node.empty() && who.node == c.node;
    case Role::kActor:
      return !who.actor.empty() &&
             (c.assignee == who.actor || Contains(c.involved_actors, who.actor));
    case Role::kUnspecified:
      return false;
  }
  return false;
}

bool SeesIdentity(const domain::Principal& who, const domain::Case& c,
                  const domain::Config& config) {
  if (who.role != Role::kActor) return CanSee(who, c);
  if (c.assignee == who.actor) return true;
  // Only the current assignee sees who the company is; a candidate (and an actor the case was
  // released from or reassigned away from) sees it anonymised, unless the configuration reveals
  // identity to candidates.
  return config.reveal_to_candidates && Contains(c.involved_actors, who.actor);
}

domain::Case Redact(const domain::Principal& who, domain::Case c, const domain::Config& config) {
  if (!SeesIdentity(who, c, config)) {
    c.company.name.clear();
    c.company.org_number.clear();
    c.contact = {};
  }
  return c;
}

}  // namespace tillvaxt::auth
