#include "engine/domain/config_check.h"

#include <algorithm>
#include <deque>
#include <string_view>
#include <unordered_set>

namespace tillvaxt::domain {
namespace {

using Path = std::vector<PathStep>;

// Collects problems in the order a reader meets them in the file: region, nodes, levels,
// needs, areas, actors, workflow.
class Checker {
 public:
  explicit Checker(const Config& config) : c_(config) {}

  std::vector<ConfigProblem> Run() {
    CheckRegion();
    CheckNamedList(c_.nodes, "nodes", "node");
    CheckLevels();
    CheckNamedList(c_.needs, "needs", "need");
    CheckNamedList(c_.areas, "areas", "area");
    CheckActors();
    CheckWorkflow();
    CheckNotifications();
    return std::move(problems_);
  }

 private:
  void Add(Path path, std::string message) {
    problems_.push_back({std::move(path), std::move(message)});
  }

  static bool IsSlug(std::string_view id) {
    if (id.empty()) return false;
    return std::all_of(id.begin(), id.end(), [](char ch) {
      return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
    });
  }

  static std::string Quote(const std::string& s) { return "'" + s + "'"; }

  // "actor 'almi'", or "actor #3" when the id is missing (1-based for people).
  static std::string Label(const char* kind, const std::string& id, size_t index) {
    if (id.empty()) return std::string(kind) + " #" + std::to_string(index + 1);
    return std::string(kind) + " " + Quote(id);
  }

  // The links in messages: an absolute http(s) address without a path, query or whitespace.
  void CheckNotifications() {
    const std::string& url = c_.public_url;
    if (url.empty()) return;
    std::string_view rest = url;
    if (rest.rfind("https://", 0) == 0) {
      rest.remove_prefix(8);
    } else if (rest.rfind("http://", 0) == 0) {
      rest.remove_prefix(7);
    } else {
      Add({{"notifications", -1}, {"public_url", -1}},
          "public_url " + Quote(url) + " must start with https:// or http://");
      return;
    }
    const bool bad_char = std::any_of(rest.begin(), rest.end(), [](char ch) {
      return static_cast<unsigned char>(ch) <= 0x20 || ch == 0x7F || ch == '?' || ch == '#' ||
             ch == '"' || ch == '<' || ch == '>' || ch == '\\';
    });
    if (rest.empty() || rest.front() == '/' || bad_char) {
      Add({{"notifications", -1}, {"public_url", -1}},
          "public_url " + Quote(url) + " is not an address like https://tillvaxt.example.se");
    }
  }

  void CheckRegion() {
    if (c_.region_id.empty()) {
      Add({{"region", -1}, {"id", -1}}, "region id missing");
    } else if (!IsSlug(c_.region_id)) {
      Add({{"region", -1}, {"id", -1}},
          "region id " + Quote(c_.region_id) + " is not a lower-case slug ([a-z0-9-]+)");
    }
  }

  void CheckNamedList(const std::vector<Named>& items, const char* field, const char* kind) {
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < items.size(); ++i) {
      const Named& n = items[i];
      Path path{{field, static_cast<int>(i)}, {"id", -1}};
      if (n.id.empty()) {
        Add(path, Label(kind, n.id, i) + ": id missing");
        continue;
      }
      if (!IsSlug(n.id)) {
        Add(path,
            std::string(kind) + " id " + Quote(n.id) + " is not a lower-case slug ([a-z0-9-]+)");
      }
      if (!seen.insert(n.id).second) {
        Add(path, "duplicate " + std::string(kind) + " id " + Quote(n.id));
      }
    }
  }

  void CheckLevels() {
    if (c_.levels.empty()) {
      Add({{"levels", -1}}, "the ladder is empty: name at least one level");
      return;
    }
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < c_.levels.size(); ++i) {
      const std::string& level = c_.levels[i];
      Path path{{"levels", static_cast<int>(i)}};
      if (level.empty()) {
        Add(path, "level #" + std::to_string(i + 1) + ": name missing");
      } else if (!seen.insert(level).second) {
        Add(path, "duplicate level " + Quote(level));
      }
    }
  }

  void CheckActors() {
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < c_.actors.size(); ++i) {
      const Actor& a = c_.actors[i];
      const int ai = static_cast<int>(i);
      const std::string who = Label("actor", a.id, i);
      if (a.id.empty()) {
        Add({{"actors", ai}, {"id", -1}}, who + ": id missing");
      } else {
        if (!IsSlug(a.id)) {
          Add({{"actors", ai}, {"id", -1}},
              "actor id " + Quote(a.id) + " is not a lower-case slug ([a-z0-9-]+)");
        }
        if (!seen.insert(a.id).second) {
          Add({{"actors", ai}, {"id", -1}}, "duplicate actor id " + Quote(a.id));
        }
      }
      if (a.level.empty()) {
        Add({{"actors", ai}, {"level", -1}}, who + ": level missing");
      } else if (c_.LevelIndex(a.level) < 0) {
        Add({{"actors", ai}, {"level", -1}}, who + ": unknown level " + Quote(a.level));
      }
      if (a.needs.empty()) {
        Add({{"actors", ai}}, who + ": serves no needs (name at least one need)");
      }
      for (size_t j = 0; j < a.needs.size(); ++j) {
        if (!c_.HasNeed(a.needs[j])) {
          Add({{"actors", ai}, {"needs", static_cast<int>(j)}},
              who + ": unknown need " + Quote(a.needs[j]));
        }
      }
      for (size_t j = 0; j < a.areas.size(); ++j) {
        if (!c_.HasArea(a.areas[j])) {
          Add({{"actors", ai}, {"areas", static_cast<int>(j)}},
              who + ": unknown area " + Quote(a.areas[j]));
        }
      }
      for (size_t j = 0; j < a.nodes.size(); ++j) {
        if (!c_.HasNode(a.nodes[j])) {
          Add({{"actors", ai}, {"nodes", static_cast<int>(j)}},
              who + ": unknown node " + Quote(a.nodes[j]));
        }
      }
      if (a.capacity < 0) {
        Add({{"actors", ai}, {"capacity", -1}},
            who + ": capacity " + std::to_string(a.capacity) + " is negative (0 = no limit)");
      }
    }
  }

  // Routing effects (domain::Routes) end in matched_state or unmatched_state rather than in `to`.
  bool HasState(const std::string& name) const { return wf().FindState(name) != nullptr; }
  const Workflow& wf() const { return c_.workflow; }

  void CheckSpecialState(const std::string& value, const char* field) {
    Path path{{"workflow", -1}, {field, -1}};
    if (value.empty()) {
      Add(path, std::string("workflow: ") + field + " missing");
    } else if (!HasState(value)) {
      Add(path, std::string("workflow: ") + field + " names unknown state " + Quote(value));
    }
  }

  void CheckWorkflow() {
    CheckSpecialState(wf().initial_state, "initial_state");
    CheckSpecialState(wf().matched_state, "matched_state");
    CheckSpecialState(wf().unmatched_state, "unmatched_state");
    CheckStates();
    CheckTransitions();
    CheckSlas();
    CheckReachability();
    CheckWayOut();
  }

  void CheckStates() {
    if (wf().states.empty()) {
      Add({{"workflow", -1}, {"states", -1}}, "workflow: no states");
    }
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < wf().states.size(); ++i) {
      const State& s = wf().states[i];
      Path path{{"workflow", -1}, {"states", static_cast<int>(i)}, {"name", -1}};
      if (s.name.empty()) {
        Add(path, "state #" + std::to_string(i + 1) + ": name missing");
      } else if (!seen.insert(s.name).second) {
        Add(path, "duplicate state " + Quote(s.name));
      }
    }
  }

  void CheckTransitions() {
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < wf().transitions.size(); ++i) {
      const Transition& t = wf().transitions[i];
      const int ti = static_cast<int>(i);
      const std::string what = Label("transition", t.name, i);
      if (t.name.empty()) {
        Add({{"workflow", -1}, {"transitions", ti}, {"name", -1}}, what + ": name missing");
      } else if (!seen.insert(t.name).second) {
        Add({{"workflow", -1}, {"transitions", ti}, {"name", -1}},
            "duplicate transition " + Quote(t.name));
      }
      if (t.from.empty()) {
        Add({{"workflow", -1}, {"transitions", ti}}, what + ": fires from no state (add from)");
      }
      for (size_t j = 0; j < t.from.size(); ++j) {
        if (!HasState(t.from[j])) {
          Add({{"workflow", -1}, {"transitions", ti}, {"from", static_cast<int>(j)}},
              what + ": unknown state " + Quote(t.from[j]) + " in from");
        }
      }
      if (!t.to.empty() && !HasState(t.to)) {
        Add({{"workflow", -1}, {"transitions", ti}, {"to", -1}},
            what + ": unknown state " + Quote(t.to) + " in to");
      }
      if (t.permits.empty()) {
        Add({{"workflow", -1}, {"transitions", ti}}, what + ": open to no role (add a permit)");
      }
      for (size_t k = 0; k < t.permits.size(); ++k) {
        if (t.permits[k].role == Role::kUnspecified) {
          Add({{"workflow", -1}, {"transitions", ti}, {"permits", static_cast<int>(k)}},
              what + ": permit #" + std::to_string(k + 1) + " names no role");
        }
      }
    }
  }

  void CheckSlas() {
    std::unordered_set<std::string> seen;
    for (size_t i = 0; i < wf().slas.size(); ++i) {
      const Sla& s = wf().slas[i];
      const int si = static_cast<int>(i);
      const std::string what =
          HasState(s.state) ? "sla on state " + Quote(s.state) : "sla #" + std::to_string(i + 1);
      if (s.state.empty()) {
        Add({{"workflow", -1}, {"slas", si}, {"state", -1}}, what + ": state missing");
      } else if (!HasState(s.state)) {
        Add({{"workflow", -1}, {"slas", si}, {"state", -1}},
            what + ": unknown state " + Quote(s.state));
      } else if (!seen.insert(s.state).second) {
        Add({{"workflow", -1}, {"slas", si}, {"state", -1}},
            "duplicate sla for state " + Quote(s.state));
      }
      if (s.business_days < 0) {
        Add({{"workflow", -1}, {"slas", si}, {"business_days", -1}},
            what + ": business_days " + std::to_string(s.business_days) + " is negative");
      } else if (s.business_days == 0 && s.duration.count() <= 0) {
        Add({{"workflow", -1}, {"slas", si}},
            what + ": deadline missing or zero (set business_days or duration)");
      }
      if (!s.fire.empty()) {
        const Transition* t = wf().FindTransition(s.fire);
        Path fire{{"workflow", -1}, {"slas", si}, {"fire", -1}};
        if (t == nullptr) {
          Add(fire, what + ": fires unknown transition " + Quote(s.fire));
        } else {
          const bool system = std::any_of(t->permits.begin(), t->permits.end(),
                                          [](const Permit& p) { return p.role == Role::kSystem; });
          if (!system) {
            Add(fire, what + ": fires transition " + Quote(s.fire) +
                          " which SYSTEM is not permitted to fire");
          }
          if (!s.state.empty() &&
              std::find(t->from.begin(), t->from.end(), s.state) == t->from.end()) {
            Add(fire, what + ": fires transition " + Quote(s.fire) + " which cannot fire in " +
                          Quote(s.state));
          }
        }
      }
      for (size_t k = 0; k < s.warn_percent.size(); ++k) {
        int p = s.warn_percent[k];
        if (p <= 0 || p >= 100) {
          Add({{"workflow", -1}, {"slas", si}, {"warn_percent", static_cast<int>(k)}},
              what + ": warn_percent " + std::to_string(p) + " is outside 1..99");
        }
      }
    }
  }

  // The states a case can be in: from the initial state (creation), along each transition's
  // `to`, and for routing effects to matched_state and unmatched_state.
  void CheckReachability() {
    if (!HasState(wf().initial_state)) return;  // reported above; everything would cascade
    std::unordered_set<std::string> reached{wf().initial_state};
    std::deque<std::string> queue{wf().initial_state};
    while (!queue.empty()) {
      std::string state = queue.front();
      queue.pop_front();
      for (const Transition& t : wf().transitions) {
        if (std::find(t.from.begin(), t.from.end(), state) == t.from.end()) continue;
        std::vector<std::string> targets;
        if (!t.to.empty()) targets.push_back(t.to);
        if (Routes(t.effect)) {
          targets.push_back(wf().matched_state);
          targets.push_back(wf().unmatched_state);
        }
        for (const std::string& target : targets) {
          if (HasState(target) && reached.insert(target).second) queue.push_back(target);
        }
      }
    }
    for (size_t i = 0; i < wf().states.size(); ++i) {
      const State& s = wf().states[i];
      if (s.name.empty() || reached.count(s.name) > 0) continue;
      Add({{"workflow", -1}, {"states", static_cast<int>(i)}, {"name", -1}},
          "state " + Quote(s.name) + ": no transition or routing reaches it from " +
              Quote(wf().initial_state));
    }
  }

  // A non-terminal state must have a transition that leads elsewhere, or a case parks forever.
  // A state a routing transition lands in (TRIAGED) is left at once by routing itself, unless
  // it is where routing ends (matched_state, unmatched_state).
  void CheckWayOut() {
    std::unordered_set<std::string> routed_from;
    for (const Transition& t : wf().transitions) {
      if (Routes(t.effect) && !t.to.empty() && t.to != wf().matched_state &&
          t.to != wf().unmatched_state) {
        routed_from.insert(t.to);
      }
    }
    for (size_t i = 0; i < wf().states.size(); ++i) {
      const State& s = wf().states[i];
      if (s.terminal || s.name.empty()) continue;
      bool way_out = routed_from.count(s.name) > 0;
      for (const Transition& t : wf().transitions) {
        if (std::find(t.from.begin(), t.from.end(), s.name) == t.from.end()) continue;
        if ((!t.to.empty() && t.to != s.name) || Routes(t.effect)) {
          way_out = true;
          break;
        }
      }
      if (!way_out) {
        Add({{"workflow", -1}, {"states", static_cast<int>(i)}, {"name", -1}},
            "state " + Quote(s.name) +
                ": not terminal but no transition leads out of it (mark it terminal or add one)");
      }
    }
  }

  const Config& c_;
  std::vector<ConfigProblem> problems_;
};

}  // namespace

std::vector<ConfigProblem> CheckConfig(const Config& config) { return Checker(config).Run(); }

}  // namespace tillvaxt::domain
