// Routing over an index built once: ids are interned to small integers and, per level and per
// need, the actors serving that need are listed. One routing walks only the lists of the case's
// needs on one level, so its cost follows the number of plausible actors, not all actors.
//
// Decisions not spelled out in routing.h:
// - "Overlapping" areas and nodes are the ones an actor names explicitly. An actor naming no
//   areas (or no nodes) is eligible everywhere but earns no area (node) score and no reason,
//   so a specialist that names the case's area ranks above a generalist.
// - The node rule applies on the lowest level of the ladder (LOCAL in Sörmland), whatever its
//   name, so other regions' ladders work unchanged.
// - Unknown needs, areas or nodes on a case are ignored (they cannot overlap anything).
#include "engine/domain/routing.h"

#include <algorithm>
#include <unordered_map>
#include <utility>

namespace tillvaxt::domain {
namespace {

using IdMap = std::unordered_map<std::string, int>;

IdMap Intern(const std::vector<Named>& items) {
  IdMap map;
  for (const Named& n : items) map.emplace(n.id, static_cast<int>(map.size()));
  return map;
}

std::vector<int> Lookup(const IdMap& map, const std::vector<std::string>& ids) {
  std::vector<int> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) {
    auto it = map.find(id);
    if (it != map.end()) out.push_back(it->second);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool Contains(const std::vector<int>& sorted, int value) {
  return std::binary_search(sorted.begin(), sorted.end(), value);
}

}  // namespace

struct Router::Index {
  struct ActorInfo {
    int level = -1;
    std::vector<int> needs;  // sorted
    std::vector<int> areas;  // sorted; empty = every area
    std::vector<int> nodes;  // sorted; empty = every node
    int capacity = 0;
    int id_rank = 0;  // position of the id in sorted order: ties break on it without strcmp
  };

  IdMap needs;
  IdMap areas;
  IdMap nodes;
  IdMap actors;
  std::vector<ActorInfo> info;
  // by_level_need[level][need]: indices of the actors on that level serving that need, ascending.
  std::vector<std::vector<std::vector<int>>> by_level_need;
};

Router::Router(const Config& config) : config_(config), index_(std::make_unique<Index>()) {
  Index& ix = *index_;
  ix.needs = Intern(config.needs);
  ix.areas = Intern(config.areas);
  ix.nodes = Intern(config.nodes);
  ix.by_level_need.assign(config.levels.size(),
                          std::vector<std::vector<int>>(config.needs.size()));
  ix.info.resize(config.actors.size());

  std::vector<int> order(config.actors.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::sort(order.begin(), order.end(),
            [&](int a, int b) { return config.actors[a].id < config.actors[b].id; });
  for (size_t r = 0; r < order.size(); ++r) ix.info[order[r]].id_rank = static_cast<int>(r);

  for (size_t i = 0; i < config.actors.size(); ++i) {
    const Actor& a = config.actors[i];
    Index::ActorInfo& info = ix.info[i];
    ix.actors.emplace(a.id, static_cast<int>(i));
    info.level = config.LevelIndex(a.level);
    info.needs = Lookup(ix.needs, a.needs);
    info.areas = Lookup(ix.areas, a.areas);
    info.nodes = Lookup(ix.nodes, a.nodes);
    // An actor naming only unknown areas or nodes would otherwise read as "every area".
    if (info.areas.empty() && !a.areas.empty()) info.level = -1;
    if (info.nodes.empty() && !a.nodes.empty()) info.level = -1;
    info.capacity = a.capacity;
    if (info.level < 0) continue;
    for (int n : info.needs) ix.by_level_need[info.level][n].push_back(static_cast<int>(i));
  }
}

Router::~Router() = default;

std::vector<Match> Router::Candidates(const Case& c, const std::string& level,
                                      const std::vector<std::string>& exclude,
                                      const LoadFn& load) const {
  const Index& ix = *index_;
  const int level_index = config_.LevelIndex(level);
  if (level_index < 0 || c.needs.empty()) return {};

  // The case's needs and areas, interned, in the case's own order (reasons follow it).
  std::vector<std::pair<int, const std::string*>> needs;
  for (const std::string& id : c.needs) {
    auto it = ix.needs.find(id);
    if (it == ix.needs.end()) continue;
    bool seen = false;
    for (const auto& n : needs) seen = seen || n.first == it->second;
    if (!seen) needs.emplace_back(it->second, &id);
  }
  std::vector<std::pair<int, const std::string*>> areas;
  for (const std::string& id : c.areas) {
    auto it = ix.areas.find(id);
    if (it == ix.areas.end()) continue;
    bool seen = false;
    for (const auto& a : areas) seen = seen || a.first == it->second;
    if (!seen) areas.emplace_back(it->second, &id);
  }
  int node = -1;
  if (auto it = ix.nodes.find(c.node); it != ix.nodes.end()) node = it->second;
  std::vector<int> excluded;
  for (const std::string& id : exclude) {
    if (auto it = ix.actors.find(id); it != ix.actors.end()) excluded.push_back(it->second);
  }
  const bool local = level_index == 0;

  // Every actor serving at least one need appears once per need it serves.
  std::vector<int> hits;
  const auto& lists = ix.by_level_need[level_index];
  size_t total = 0;
  for (const auto& n : needs) total += lists[n.first].size();
  hits.reserve(total);
  for (const auto& n : needs) {
    const std::vector<int>& list = lists[n.first];
    hits.insert(hits.end(), list.begin(), list.end());
  }
  if (needs.size() > 1) std::sort(hits.begin(), hits.end());

  struct Scored {
    int actor;
    double score;
    int load;
  };
  std::vector<Scored> scored;
  for (size_t i = 0; i < hits.size();) {
    const int a = hits[i];
    size_t j = i;
    while (j < hits.size() && hits[j] == a) ++j;
    const int need_overlap = static_cast<int>(j - i);
    i = j;

    if (std::find(excluded.begin(), excluded.end(), a) != excluded.end()) continue;
    const Index::ActorInfo& info = ix.info[a];
    int area_overlap = 0;
    if (!areas.empty() && !info.areas.empty()) {
      for (const auto& ar : areas) area_overlap += Contains(info.areas, ar.first) ? 1 : 0;
      if (area_overlap == 0) continue;
    }
    const bool names_node = node >= 0 && Contains(info.nodes, node);
    if (local && !info.nodes.empty() && !names_node) continue;
    const int actor_load = load ? load(config_.actors[a].id) : 0;
    if (info.capacity > 0 && actor_load >= info.capacity) continue;
    const double score = config_.routing.need * need_overlap +
                         config_.routing.area * area_overlap +
                         (names_node ? config_.routing.node : 0.0);
    scored.push_back({a, score, actor_load});
  }

  std::sort(scored.begin(), scored.end(), [&](const Scored& x, const Scored& y) {
    if (x.score != y.score) return x.score > y.score;
    if (x.load != y.load) return x.load < y.load;
    return ix.info[x.actor].id_rank < ix.info[y.actor].id_rank;
  });

  std::vector<Match> matches(scored.size());
  for (size_t k = 0; k < scored.size(); ++k) {
    const Scored& s = scored[k];
    const Index::ActorInfo& info = ix.info[s.actor];
    Match& m = matches[k];
    m.actor = config_.actors[s.actor].id;
    m.score = s.score;
    for (const auto& n : needs) {
      if (Contains(info.needs, n.first)) m.reasons.push_back("need:" + *n.second);
    }
    if (!info.areas.empty()) {
      for (const auto& ar : areas) {
        if (Contains(info.areas, ar.first)) m.reasons.push_back("area:" + *ar.second);
      }
    }
    if (node >= 0 && Contains(info.nodes, node)) m.reasons.push_back("node:" + c.node);
    m.reasons.push_back("load:" + std::to_string(s.load));
  }
  return matches;
}

RouteResult Router::Route(const Case& c, const std::string& start_level,
                          const std::vector<std::string>& exclude_on_start,
                          const LoadFn& load) const {
  RouteResult result;
  const int start = config_.LevelIndex(start_level);
  if (start < 0) return result;
  static const std::vector<std::string> kNone;
  for (size_t i = static_cast<size_t>(start); i < config_.levels.size(); ++i) {
    const std::string& level = config_.levels[i];
    std::vector<Match> matches =
        Candidates(c, level, static_cast<int>(i) == start ? exclude_on_start : kNone, load);
    if (!matches.empty()) {
      result.level = level;
      result.matches = std::move(matches);
      return result;
    }
    result.climbed.push_back(level);
  }
  return result;
}

}  // namespace tillvaxt::domain
