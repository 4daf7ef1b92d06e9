// Drawings of a configured workflow for `tillvaxt workflow --format dot|mermaid|scxml`:
// Graphviz DOT, Mermaid stateDiagram-v2 and W3C SCXML 1.0.
//
// Every state and every transition appears. A transition with an empty `to` that routes
// (TRIAGE, ESCALATE, DECLINE, RELEASE) is drawn as edges to the matched and unmatched states;
// one that stays in place is drawn as a self-loop. Terminal states are marked (double circle,
// [*] edge, <final>). Pure string functions over the Config: thread-safe.
#pragma once

#include <string>

#include "engine/domain/config.h"

namespace tillvaxt::codec {

std::string WorkflowToDot(const domain::Config& config);
std::string WorkflowToMermaid(const domain::Config& config);
std::string WorkflowToScxml(const domain::Config& config);

}  // namespace tillvaxt::codec
