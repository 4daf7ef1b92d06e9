#include "engine/codec/config_loader.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/tokenizer.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <system_error>

#include "engine/base/time.h"
#include "engine/base/utf8.h"
#include "engine/domain/config_check.h"
#include "tillvaxt/config/v1/config.pb.h"

namespace tillvaxt::codec {
namespace {

namespace pb = ::google::protobuf;
namespace cfg = ::tillvaxt::config::v1;

// Collects the text parser's errors as "FILE:LINE: message" instead of letting protobuf print
// them to stderr.
class Collector final : public pb::io::ErrorCollector {
 public:
  Collector(const std::string& file, std::vector<std::string>* out) : file_(file), out_(out) {}
  void AddError(int line, pb::io::ColumnNumber column, const std::string& message) override {
    (void)column;
    out_->push_back(file_ + ":" + std::to_string(line + 1) + ": " + message);
  }
  void AddWarning(int, pb::io::ColumnNumber, const std::string&) override {}

 private:
  const std::string& file_;
  std::vector<std::string>* out_;
};

// ---- enums: proto <-> domain --------------------------------------------------------------

domain::Role ToDomain(cfg::Role r) {
  switch (r) {
    case cfg::COORDINATOR:
      return domain::Role::kCoordinator;
    case cfg::ACTOR:
      return domain::Role::kActor;
    case cfg::MANAGER:
      return domain::Role::kManager;
    case cfg::ADMIN:
      return domain::Role::kAdmin;
    case cfg::SYSTEM:
      return domain::Role::kSystem;
    default:
      return domain::Role::kUnspecified;
  }
}

cfg::Role ToProto(domain::Role r) {
  switch (r) {
    case domain::Role::kCoordinator:
      return cfg::COORDINATOR;
    case domain::Role::kActor:
      return cfg::ACTOR;
    case domain::Role::kManager:
      return cfg::MANAGER;
    case domain::Role::kAdmin:
      return cfg::ADMIN;
    case domain::Role::kSystem:
      return cfg::SYSTEM;
    case domain::Role::kUnspecified:
      break;
  }
  return cfg::ROLE_UNSPECIFIED;
}

domain::Scope ToDomain(cfg::Scope s) {
  switch (s) {
    case cfg::OWN_NODE:
      return domain::Scope::kOwnNode;
    case cfg::CANDIDATE:
      return domain::Scope::kCandidate;
    case cfg::ASSIGNEE:
      return domain::Scope::kAssignee;
    default:
      return domain::Scope::kAny;
  }
}

cfg::Scope ToProto(domain::Scope s) {
  switch (s) {
    case domain::Scope::kOwnNode:
      return cfg::OWN_NODE;
    case domain::Scope::kCandidate:
      return cfg::CANDIDATE;
    case domain::Scope::kAssignee:
      return cfg::ASSIGNEE;
    case domain::Scope::kAny:
      break;
  }
  return cfg::SCOPE_UNSPECIFIED;
}

domain::Effect ToDomain(cfg::Effect e) {
  switch (e) {
    case cfg::TRIAGE:
      return domain::Effect::kTriage;
    case cfg::ESCALATE:
      return domain::Effect::kEscalate;
    case cfg::CLAIM:
      return domain::Effect::kClaim;
    case cfg::DECLINE:
      return domain::Effect::kDecline;
    case cfg::RELEASE:
      return domain::Effect::kRelease;
    case cfg::REASSIGN:
      return domain::Effect::kReassign;
    case cfg::RESOLVE:
      return domain::Effect::kResolve;
    case cfg::REOPEN:
      return domain::Effect::kReopen;
    case cfg::FOLLOW_UP:
      return domain::Effect::kFollowUp;
    case cfg::RECORD_EFFECT:
      return domain::Effect::kRecordEffect;
    case cfg::LINK_OFFER:
      return domain::Effect::kLinkOffer;
    default:
      return domain::Effect::kNone;
  }
}

cfg::Effect ToProto(domain::Effect e) {
  switch (e) {
    case domain::Effect::kTriage:
      return cfg::TRIAGE;
    case domain::Effect::kEscalate:
      return cfg::ESCALATE;
    case domain::Effect::kClaim:
      return cfg::CLAIM;
    case domain::Effect::kDecline:
      return cfg::DECLINE;
    case domain::Effect::kRelease:
      return cfg::RELEASE;
    case domain::Effect::kReassign:
      return cfg::REASSIGN;
    case domain::Effect::kResolve:
      return cfg::RESOLVE;
    case domain::Effect::kReopen:
      return cfg::REOPEN;
    case domain::Effect::kFollowUp:
      return cfg::FOLLOW_UP;
    case domain::Effect::kRecordEffect:
      return cfg::RECORD_EFFECT;
    case domain::Effect::kLinkOffer:
      return cfg::LINK_OFFER;
    case domain::Effect::kNone:
      break;
  }
  return cfg::EFFECT_UNSPECIFIED;
}

// ---- workflow: proto <-> domain -----------------------------------------------------------

// A problem found while converting, located by the same kind of path CheckConfig uses.
struct PathProblem {
  std::vector<domain::PathStep> path;
  std::string message;
};

domain::Workflow WorkflowToDomain(const cfg::Workflow& in, std::vector<PathProblem>* problems,
                                  std::set<int>* bad_durations) {
  domain::Workflow w;
  w.initial_state = in.initial_state();
  w.matched_state = in.matched_state();
  w.unmatched_state = in.unmatched_state();
  for (const cfg::State& s : in.states()) {
    w.states.push_back({s.name(), s.terminal(), s.open(), s.pauses_sla()});
  }
  for (const cfg::Transition& t : in.transitions()) {
    domain::Transition d;
    d.name = t.name();
    d.from.assign(t.from().begin(), t.from().end());
    d.to = t.to();
    d.effect = ToDomain(t.effect());
    for (const cfg::Permit& p : t.permits()) {
      d.permits.push_back({ToDomain(p.role()), ToDomain(p.scope())});
    }
    d.reason_required = t.reason_required();
    w.transitions.push_back(std::move(d));
  }
  for (int i = 0; i < in.slas_size(); ++i) {
    const cfg::Sla& s = in.slas(i);
    domain::Sla d;
    d.state = s.state();
    if (s.deadline_case() == cfg::Sla::kBusinessDays) {
      d.business_days = s.business_days();
    } else if (s.deadline_case() == cfg::Sla::kDuration) {
      std::optional<base::Millis> ms = base::ParseDuration(s.duration());
      if (ms) {
        d.duration = *ms;
      } else {
        if (problems != nullptr) {
          problems->push_back({{{"workflow", -1}, {"slas", i}, {"duration", -1}},
                               "malformed duration '" + s.duration() + "' (use e.g. \"3600s\")"});
        }
        if (bad_durations != nullptr) bad_durations->insert(i);
      }
    }
    d.fire = s.fire();
    d.reason = s.reason();
    d.warn_percent.assign(s.warn_percent().begin(), s.warn_percent().end());
    w.slas.push_back(std::move(d));
  }
  return w;
}

cfg::Workflow WorkflowToProto(const domain::Workflow& w) {
  cfg::Workflow out;
  out.set_initial_state(w.initial_state);
  out.set_matched_state(w.matched_state);
  out.set_unmatched_state(w.unmatched_state);
  for (const domain::State& s : w.states) {
    cfg::State* p = out.add_states();
    p->set_name(s.name);
    p->set_terminal(s.terminal);
    p->set_open(s.open);
    p->set_pauses_sla(s.pauses_sla);
  }
  for (const domain::Transition& t : w.transitions) {
    cfg::Transition* p = out.add_transitions();
    p->set_name(t.name);
    for (const std::string& f : t.from) p->add_from(f);
    p->set_to(t.to);
    p->set_effect(ToProto(t.effect));
    for (const domain::Permit& permit : t.permits) {
      cfg::Permit* pp = p->add_permits();
      pp->set_role(ToProto(permit.role));
      pp->set_scope(ToProto(permit.scope));
    }
    p->set_reason_required(t.reason_required);
  }
  for (const domain::Sla& s : w.slas) {
    cfg::Sla* p = out.add_slas();
    p->set_state(s.state);
    if (s.business_days > 0) {
      p->set_business_days(s.business_days);
    } else if (s.duration.count() > 0) {
      p->set_duration(base::FormatDuration(s.duration));
    }
    p->set_fire(s.fire);
    p->set_reason(s.reason);
    for (int warn : s.warn_percent) p->add_warn_percent(warn);
  }
  return out;
}

domain::Config ConfigToDomain(const cfg::Config& in, std::vector<PathProblem>* problems,
                              std::set<int>* bad_durations) {
  domain::Config c;
  c.region_id = in.region().id();
  c.region_name = in.region().name();
  for (const cfg::Named& n : in.nodes()) c.nodes.push_back({n.id(), n.name()});
  c.levels.assign(in.levels().begin(), in.levels().end());
  for (const cfg::Named& n : in.needs()) c.needs.push_back({n.id(), n.name()});
  for (const cfg::Named& n : in.areas()) c.areas.push_back({n.id(), n.name()});
  for (const cfg::Actor& a : in.actors()) {
    domain::Actor d;
    d.id = a.id();
    d.name = a.name();
    d.level = a.level();
    d.needs.assign(a.needs().begin(), a.needs().end());
    d.areas.assign(a.areas().begin(), a.areas().end());
    d.nodes.assign(a.nodes().begin(), a.nodes().end());
    d.capacity = a.capacity();
    d.url = a.url();
    d.description = a.description();
    c.actors.push_back(std::move(d));
  }
  c.workflow = WorkflowToDomain(in.workflow(), problems, bad_durations);
  // Zero means "not set" in proto3: keep the documented defaults.
  if (in.routing().need_weight() != 0) c.routing.need = in.routing().need_weight();
  if (in.routing().area_weight() != 0) c.routing.area = in.routing().area_weight();
  if (in.routing().node_weight() != 0) c.routing.node = in.routing().node_weight();
  c.reveal_to_candidates = in.privacy().reveal_to_candidates();
  for (const cfg::Plugin& p : in.plugins()) {
    domain::Plugin d;
    d.kind = p.kind();
    d.path = p.path();
    // Map iteration order is unspecified; sort so the Config is deterministic.
    for (const auto& [key, value] : p.settings()) d.settings.emplace_back(key, value);
    std::sort(d.settings.begin(), d.settings.end());
    c.plugins.push_back(std::move(d));
  }
  c.public_url = in.notifications().public_url();
  // "https://host/" links as "https://host/cases/..": the trailing slashes go (not the scheme's).
  const size_t scheme_end = c.public_url.find("://");
  while (scheme_end != std::string::npos && c.public_url.size() > scheme_end + 3 &&
         c.public_url.back() == '/') {
    c.public_url.pop_back();
  }
  if (!in.todo().claim_warning().empty()) {
    std::optional<base::Millis> ms = base::ParseDuration(in.todo().claim_warning());
    if (ms && ms->count() > 0) {
      c.claim_warning = *ms;
    } else if (problems != nullptr) {
      problems->push_back(
          {{{"todo", -1}, {"claim_warning", -1}},
           "malformed or zero duration '" + in.todo().claim_warning() + "' (use e.g. \"86400s\")"});
    }
  }
  return c;
}

// ---- locations ----------------------------------------------------------------------------

// The 0-based line of `field` (element `index`) in `tree`, or -1. A repeated field written
// in list syntax (`needs: ["a", "b"]`) records one location for the whole list, so a missing
// element falls back to the last element recorded before it.
int LineOf(const pb::TextFormat::ParseInfoTree& tree, const pb::FieldDescriptor* field, int index) {
  if (!field->is_repeated()) return tree.GetLocation(field, -1).line;
  for (int i = std::max(index, 0); i >= 0; --i) {
    int line = tree.GetLocation(field, i).line;
    if (line >= 0) return line;
  }
  return -1;
}

// The 1-based line of the deepest element of `path` present in the file; 1 when none is.
int LineForPath(const pb::TextFormat::ParseInfoTree& root,
                const std::vector<domain::PathStep>& path) {
  const pb::Descriptor* descriptor = cfg::Config::descriptor();
  const pb::TextFormat::ParseInfoTree* tree = &root;
  int best = -1;
  for (const domain::PathStep& step : path) {
    if (descriptor == nullptr || tree == nullptr) break;
    const pb::FieldDescriptor* field = descriptor->FindFieldByName(step.field);
    if (field == nullptr) break;
    int index = field->is_repeated() ? std::max(step.index, 0) : -1;
    int line = LineOf(*tree, field, step.index);
    if (line < 0) break;
    best = line;
    if (field->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) break;
    tree = tree->GetTreeForNested(field, index);
    descriptor = field->message_type();
  }
  return best < 0 ? 1 : best + 1;
}

std::string Located(const std::string& file, int line, const std::string& message) {
  return file + ":" + std::to_string(line) + ": " + message;
}

base::Status Failure(const std::vector<std::string>& found) {
  std::string message = found.front();
  if (found.size() > 1) message += " (and " + std::to_string(found.size() - 1) + " more)";
  return base::InvalidArgument(message);
}

}  // namespace

base::Result<domain::Config> LoadConfigText(const std::string& text,
                                            const std::string& display_name,
                                            std::vector<std::string>* problems) {
  std::vector<std::string> found;
  // protobuf's text parser takes any bytes into a string field, but binary protobuf refuses
  // invalid UTF-8 in one: such a workflow's version bytes (SerializeWorkflow) would not parse
  // back, and the API would write the names into JSON. Found by the config fuzzer.
  if (!base::IsValidUtf8(text)) {
    const size_t good = base::ValidUtf8Prefix(text);
    const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + good, '\n'));
    found.push_back(Located(display_name, line, "the file is not valid UTF-8"));
    if (problems != nullptr) problems->insert(problems->end(), found.begin(), found.end());
    return Failure(found);
  }
  cfg::Config proto;
  pb::TextFormat::ParseInfoTree tree;
  Collector collector(display_name, &found);
  pb::TextFormat::Parser parser;
  parser.RecordErrorsTo(&collector);
  parser.WriteLocationsTo(&tree);
  bool parsed = false;
  try {
    parsed = parser.ParseFromString(text, &proto);
  } catch (const std::exception& e) {  // protobuf should not throw; never let it escape
    found.push_back(Located(display_name, 1, std::string("cannot parse: ") + e.what()));
  }
  if (!parsed && found.empty()) found.push_back(Located(display_name, 1, "cannot parse"));

  domain::Config config;
  if (found.empty()) {
    std::vector<PathProblem> conversion;
    std::set<int> bad_durations;
    config = ConfigToDomain(proto, &conversion, &bad_durations);
    std::vector<std::pair<int, std::string>> located;
    for (const PathProblem& p : conversion) {
      located.emplace_back(LineForPath(tree, p.path), p.message);
    }
    for (const domain::ConfigProblem& p : domain::CheckConfig(config)) {
      // A malformed duration was reported already; "deadline missing" would repeat it.
      if (p.path.size() == 2 && p.path[1].field == "slas" &&
          bad_durations.count(p.path[1].index) > 0) {
        continue;
      }
      located.emplace_back(LineForPath(tree, p.path), p.message);
    }
    // File order, so a reader fixes them top to bottom; stable keeps same-line order.
    std::stable_sort(located.begin(), located.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [line, message] : located) {
      found.push_back(Located(display_name, line, message));
    }
  }

  if (problems != nullptr) problems->insert(problems->end(), found.begin(), found.end());
  if (!found.empty()) return Failure(found);
  return config;
}

base::Result<domain::Config> LoadConfigFile(const std::string& path,
                                            std::vector<std::string>* problems) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    std::string message = path + ": no such configuration file";
    if (problems != nullptr) problems->push_back(message);
    return base::NotFound(message);
  }
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  const bool readable = !std::filesystem::is_directory(path, ec) && in.is_open();
  if (readable) text << in.rdbuf();
  if (!readable || in.bad()) {
    std::string message = path + ": cannot read the configuration file";
    if (problems != nullptr) problems->push_back(message);
    return base::InvalidArgument(message);
  }
  return LoadConfigText(text.str(), path, problems);
}

std::string SerializeWorkflow(const domain::Workflow& workflow) {
  cfg::Workflow proto = WorkflowToProto(workflow);
  std::string bytes;
  {
    pb::io::StringOutputStream stream(&bytes);
    pb::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    proto.SerializeToCodedStream(&coded);
  }
  return bytes;
}

std::string SerializeWorkflow(const domain::Config& config) {
  return SerializeWorkflow(config.workflow);
}

base::Result<domain::Workflow> ParseWorkflow(const std::string& bytes) {
  cfg::Workflow proto;
  if (!proto.ParseFromString(bytes)) {
    return base::InvalidArgument("workflow definition bytes do not parse");
  }
  std::vector<PathProblem> problems;
  domain::Workflow w = WorkflowToDomain(proto, &problems, nullptr);
  if (!problems.empty()) return base::InvalidArgument(problems.front().message);
  return w;
}

}  // namespace tillvaxt::codec
