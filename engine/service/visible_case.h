// A case as one caller may see it: the only form in which the service hands a case out.
//
// Every read and every command of the CaseService answers VisibleCase: the case already
// narrowed to what the caller may see (auth/visibility.h: identity and contact withheld where
// the caller may not see them) together with the transitions the caller may fire on it now.
// Only the CaseService makes one, so the API cannot render a case that skipped visibility by
// forgetting a call: its renderer (api/views.h) takes nothing else.
//
// Value type; thread-compatible.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "engine/domain/case.h"

namespace tillvaxt::service {

class CaseService;

class VisibleCase : public domain::Case {
 public:
  // The transitions the caller may fire now, in workflow order (the API's allowedActions).
  const std::vector<std::string>& allowed_actions() const { return allowed_actions_; }
  // True when the company identity and contact were withheld from the caller.
  bool anonymised() const { return anonymised_; }

 private:
  friend class CaseService;
  VisibleCase(domain::Case redacted, std::vector<std::string> allowed_actions, bool anonymised)
      : domain::Case(std::move(redacted)),
        allowed_actions_(std::move(allowed_actions)),
        anonymised_(anonymised) {}

  std::vector<std::string> allowed_actions_;
  bool anonymised_ = false;
};

// Another open case of the same company at another node, as a coordinator logging a case may
// see it: where it is and how far it got, not its contents.
struct RelatedCase {
  std::string id;
  std::string title;
  std::string node;
  std::string level;
  std::string state;
  base::Time create_time{};
};

}  // namespace tillvaxt::service
