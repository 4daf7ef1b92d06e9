// Who may see which case, and what of it (API.md "Visibility").
//
// A coordinator sees the cases of their node; an actor the cases it is or was candidate or
// assignee for; managers and admins see all. A candidate that has not claimed sees the case
// anonymised (no company name, org number or contact) unless the configuration reveals it; the
// identity is revealed on claim. Personal contact data is visible only to the node's
// coordinators, the assignee, managers and admins. Pure functions; thread-safe.
#pragma once

#include "engine/domain/case.h"
#include "engine/domain/config.h"
#include "engine/domain/principal.h"

namespace tillvaxt::auth {

bool CanSee(const domain::Principal& who, const domain::Case& c);

// True when `who` sees the company identity and contact of `c`.
bool SeesIdentity(const domain::Principal& who, const domain::Case& c,
                  const domain::Config& config);

// The case as `who` may see it: identity and contact removed when SeesIdentity is false.
// REQUIRES: CanSee(who, c).
domain::Case Redact(const domain::Principal& who, domain::Case c, const domain::Config& config);

}  // namespace tillvaxt::auth
