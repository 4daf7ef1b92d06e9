// Routing: which actors on a level may take a case, ranked, with the reasons kept.
//
// An actor is a candidate on a level when it sits on that level, serves at least one of the
// case's needs, serves at least one of its areas (or names no areas, or the case has none),
// on LOCAL serves the case's node (or names no nodes), is not excluded (it declined on this
// level) and is below its capacity. Ranking is deterministic: score (weighted overlap), then
// fewest open cases, then id. The Router indexes the configuration once so one routing among
// 10,000 actors stays well under a millisecond. Immutable after construction: thread-safe.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "engine/domain/case.h"
#include "engine/domain/config.h"

namespace tillvaxt::domain {

// Open cases per actor (the load used for ranking and capacity).
using LoadFn = std::function<int(const std::string& actor)>;

struct RouteResult {
  std::string level;            // the level where candidates were found ("" when unmatched)
  std::vector<Match> matches;   // best first; empty = unmatched on every level tried
  std::vector<std::string> climbed;  // the levels passed with no candidates, in order
};

class Router {
 public:
  // REQUIRES: config outlives the Router.
  explicit Router(const Config& config);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // Candidates on exactly one level.
  std::vector<Match> Candidates(const Case& c, const std::string& level,
                                const std::vector<std::string>& exclude, const LoadFn& load) const;

  // Candidates on `start_level`, else climbing one level at a time to the top.
  RouteResult Route(const Case& c, const std::string& start_level,
                    const std::vector<std::string>& exclude_on_start, const LoadFn& load) const;

 private:
  struct Index;
  const Config& config_;
  std::unique_ptr<Index> index_;
};

}  // namespace tillvaxt::domain
