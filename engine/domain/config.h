// The configuration of one region as the domain sees it: plain structs, no protobuf.
//
// engine/codec/config_loader turns a textproto file into a Config; engine/domain/config_check
// validates one. Immutable after loading; safe to share between threads.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace tillvaxt::domain {

enum class Role { kUnspecified, kCoordinator, kActor, kManager, kAdmin, kSystem };
enum class Scope { kAny, kOwnNode, kCandidate, kAssignee };
enum class Effect {
  kNone,
  kTriage,
  kEscalate,
  kClaim,
  kDecline,
  kRelease,
  kReassign,
  kResolve,
  kReopen,
  kFollowUp,
  kRecordEffect,
  kLinkOffer,
};

// True for the effects whose decision may route the case (and so reads the actors' load).
bool Routes(Effect effect);

const char* RoleName(Role role);  // "COORDINATOR", ...

struct Named {
  std::string id;
  std::string name;
};

struct Actor {
  std::string id;
  std::string name;
  std::string level;
  std::vector<std::string> needs;
  std::vector<std::string> areas;  // empty = every area
  std::vector<std::string> nodes;  // empty = every node
  int capacity = 0;                // 0 = no limit
  std::string url;
  std::string description;
};

struct Permit {
  Role role = Role::kUnspecified;
  Scope scope = Scope::kAny;
};

struct State {
  std::string name;
  bool terminal = false;
  bool open = false;
  bool pauses_sla = false;
};

struct Transition {
  std::string name;
  std::vector<std::string> from;
  std::string to;  // empty = stays
  Effect effect = Effect::kNone;
  std::vector<Permit> permits;
  bool reason_required = false;
};

struct Sla {
  std::string state;
  int business_days = 0;                  // used when > 0
  std::chrono::milliseconds duration{0};  // used when business_days == 0
  std::string fire;                       // transition fired by SYSTEM; empty = notify only
  std::string reason;
  std::vector<int> warn_percent;
};

struct Workflow {
  int version = 0;  // assigned by the store when the definition is first seen
  std::string initial_state;
  std::string matched_state;
  std::string unmatched_state;
  std::vector<State> states;
  std::vector<Transition> transitions;
  std::vector<Sla> slas;

  const State* FindState(const std::string& name) const;
  const Transition* FindTransition(const std::string& name) const;
  const Sla* FindSla(const std::string& state) const;
};

struct RoutingWeights {
  double need = 2.0;
  double area = 1.0;
  double node = 0.5;
};

struct Plugin {
  std::string kind;
  std::string path;
  std::vector<std::pair<std::string, std::string>> settings;
};

struct Config {
  std::string region_id;
  std::string region_name;
  std::vector<Named> nodes;
  std::vector<std::string> levels;  // the ladder, lowest first
  std::vector<Named> needs;
  std::vector<Named> areas;
  std::vector<Actor> actors;
  Workflow workflow;
  RoutingWeights routing;
  bool reveal_to_candidates = false;
  std::vector<Plugin> plugins;
  // Links in notifications: "<public_url>/cases/<id>"; empty = none. No trailing slash.
  std::string public_url;
  // GET /v1/todo: a claimable case is "about to lapse" once its deadline is this close.
  std::chrono::milliseconds claim_warning{std::chrono::hours(24)};

  const Actor* FindActor(const std::string& id) const;
  bool HasNode(const std::string& id) const;
  bool HasNeed(const std::string& id) const;
  bool HasArea(const std::string& id) const;
  // Position on the ladder, or -1.
  int LevelIndex(const std::string& level) const;
};

}  // namespace tillvaxt::domain
