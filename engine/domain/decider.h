// The workflow engine: decides which events a command produces (decide) and how events change
// a case (evolve). Executes the configured transitions with role and scope checks, routes on
// the ladder, computes SLA deadlines. Pure: no I/O, time passed in. Immutable: thread-safe.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/case.h"
#include "engine/domain/command.h"
#include "engine/domain/config.h"
#include "engine/domain/principal.h"
#include "engine/domain/routing.h"

namespace tillvaxt::domain {

// What a decision needs from outside the case and the command. The caller gathers it before
// Decide, so a decision is a pure function of its arguments and a failed read is the caller's
// error to report, never a silent default inside the decision.
struct DecisionInputs {
  // Open cases per actor (routing load: ranking and capacity); an actor not named has none.
  // Read only when the transition routes (Routes(effect)).
  std::unordered_map<std::string, int> open_cases;
  // linkOffer: OK when the offer may be linked, else the refusal to give (unknown offer:
  // INVALID_ARGUMENT "offerId"; an ended one: FAILED_PRECONDITION). Answered only after the
  // state and the caller's permit are checked, so refusals do not reveal which offers exist.
  base::Status offer_linkable;
};

// Evolve: the case after one event. Mechanical: every decision is already in the event.
void Apply(Case& c, const Event& e);
Case Fold(const std::vector<Event>& events);

class Decider {
 public:
  // REQUIRES: config outlives the Decider.
  explicit Decider(const Config& config);

  const Config& config() const { return config_; }
  const Router& router() const { return router_; }

  // Logging a new case: validates the draft (title, node, org number, needs/areas known,
  // company size) and returns the CREATED event (and, when the draft already names needs, no
  // routing: routing happens at triage). The coordinator's node is used when draft.node is empty.
  base::Result<std::vector<Event>> Create(const Principal& who, CaseDraft draft,
                                          const std::string& id, Time now) const;

  // Firing cmd.action on case `c` under workflow `wf` (the case's own version). Errors:
  // NOT_FOUND unknown action; PERMISSION_DENIED role/scope; FAILED_PRECONDITION wrong state;
  // ABORTED a claim on a case another actor already claimed; INVALID_ARGUMENT bad fields.
  base::Result<std::vector<Event>> Decide(const Workflow& wf, const Case& c, const Principal& who,
                                          const Command& cmd, Time now,
                                          const DecisionInputs& inputs = {}) const;

  // The transitions `who` may fire on `c` now (the API's allowedActions), in workflow order.
  std::vector<std::string> AllowedActions(const Workflow& wf, const Case& c,
                                          const Principal& who) const;

  // The deadline of `state` entered at `entered`, if the state has an SLA.
  std::optional<Time> DeadlineFor(const Workflow& wf, const std::string& state, Time entered) const;

 private:
  const Config& config_;
  Router router_;
};

}  // namespace tillvaxt::domain
