// Validation of a Config: every problem found, each with the path of the offending field so
// the loader can turn it into FILE:LINE (engine/codec/config_loader).
//
// Checks: duplicate ids; unknown state, need, area, level or node named anywhere; a state no
// transition or routing reaches; a non-terminal state with no way out; a transition open to no
// role; an actor with no needs; an SLA on an unknown state or firing an unknown transition; an
// empty ladder; missing initial, matched or unmatched state. Pure.
#pragma once

#include <string>
#include <vector>

#include "engine/domain/config.h"

namespace tillvaxt::domain {

// One step of a field path: a field name as in the proto ("actors", "needs") and, for
// repeated fields, the index (-1 for a singular field).
struct PathStep {
  std::string field;
  int index = -1;
  bool operator==(const PathStep&) const = default;
};

struct ConfigProblem {
  std::vector<PathStep> path;  // e.g. {{"actors",3},{"needs",1}}; empty = the file as a whole
  std::string message;         // "actor 'almi': unknown need 'finance'"
};

std::vector<ConfigProblem> CheckConfig(const Config& config);

}  // namespace tillvaxt::domain
