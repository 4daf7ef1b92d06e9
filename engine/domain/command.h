// A request to fire one workflow transition on a case: the action's name plus the fields
// that action reads (API.md's bodies of POST /v1/cases/{id}:<action>).
#pragma once

#include <string>
#include <vector>

#include "engine/domain/case.h"

namespace tillvaxt::domain {

struct Command {
  std::string action;  // a transition name from the workflow
  std::string reason;
  std::vector<std::string> needs;  // triage
  std::vector<std::string> areas;  // triage
  Outcome outcome;                 // resolve
  std::string actor;               // reassign: the new assignee
  std::string offer_id;            // linkOffer
  std::string feedback;            // close
  Outcome effect;                  // recordEffect
  int months_after_close = 0;      // recordEffect
  // followUp: the child case. REQUIRES: child_id set by the caller (the service allocates ids).
  std::string child_id;
  std::string title;
  std::string description;
};

}  // namespace tillvaxt::domain
