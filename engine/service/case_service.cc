#include "engine/service/case_service.h"

#include <algorithm>
#include <unordered_map>

#include "engine/auth/visibility.h"
#include "engine/codec/config_loader.h"

namespace tillvaxt::service {
namespace {

using domain::Role;

// Concurrent changes to one case without an expected version are retried this many times.
constexpr int kMaxAttempts = 4;

bool IsOpenState(const domain::Workflow& wf, const std::string& state) {
  const domain::State* s = wf.FindState(state);
  return s != nullptr && s->open;
}

}  // namespace

base::Result<std::unique_ptr<CaseService>> CaseService::Create(domain::Config config,
                                                               store::Store& store,
                                                               const base::Clock& clock,
                                                               std::unique_ptr<IdGenerator> ids) {
  auto version = store.RegisterWorkflow(codec::SerializeWorkflow(config));
  if (!version.ok()) return version.status();
  config.workflow.version = *version;
  std::unique_ptr<CaseService> service(
      new CaseService(std::move(config), store, clock, std::move(ids)));
  auto stored = store.Workflows();
  if (!stored.ok()) return stored.status();
  for (const auto& [number, bytes] : *stored) {
    if (number == service->config_.workflow.version) continue;
    auto wf = codec::ParseWorkflow(bytes);
    if (!wf.ok()) {
      return base::Internal("stored workflow version " + std::to_string(number) +
                            " cannot be read: " + wf.status().message());
    }
    wf->version = number;
    service->workflows_.emplace(number, std::move(*wf));
  }
  service->workflows_.emplace(service->config_.workflow.version, service->config_.workflow);
  return service;
}

CaseService::CaseService(domain::Config config, store::Store& store, const base::Clock& clock,
                         std::unique_ptr<IdGenerator> ids)
    : config_(std::move(config)),
      store_(store),
      clock_(clock),
      ids_(ids ? std::move(ids) : std::make_unique<IdGenerator>()),
      decider_(std::make_unique<domain::Decider>(config_)) {}

const domain::Workflow& CaseService::WorkflowOf(const domain::Case& c) const {
  auto it = workflows_.find(c.workflow_version);
  return it == workflows_.end() ? config_.workflow : it->second;
}

std::vector<std::string> CaseService::OpenStates() const {
  std::vector<std::string> open;
  for (const auto& [version, wf] : workflows_) {
    for (const domain::State& s : wf.states) {
      if (s.open && std::find(open.begin(), open.end(), s.name) == open.end()) {
        open.push_back(s.name);
      }
    }
  }
  return open;
}

domain::LoadFn CaseService::LoadSnapshot() {
  // Counted on first use only: most commands (claim, start, resolve ...) never route, and the
  // count is the most expensive read on the command path.
  struct Lazy {
    bool loaded = false;
    std::unordered_map<std::string, int> counts;
  };
  auto lazy = std::make_shared<Lazy>();
  return [this, lazy](const std::string& actor) {
    if (!lazy->loaded) {
      auto counts = store_.OpenCasesByActor(OpenStates());
      if (counts.ok()) lazy->counts = std::move(*counts);
      lazy->loaded = true;
    }
    auto it = lazy->counts.find(actor);
    return it == lazy->counts.end() ? 0 : it->second;
  };
}

base::Status CaseService::Commit(std::vector<store::CaseAppend> appends) {
  std::vector<domain::Event> committed;
  for (const auto& a : appends) committed.insert(committed.end(), a.events.begin(), a.events.end());
  TV_RETURN_IF_ERROR(store_.Append(std::move(appends)));
  std::vector<EventListener> listeners;
  {
    std::lock_guard lock(listeners_mu_);
    listeners = listeners_;
  }
  for (const auto& listener : listeners) listener(committed);
  return base::Status::Ok();
}

void CaseService::AddListener(EventListener listener) {
  std::lock_guard lock(listeners_mu_);
  listeners_.push_back(std::move(listener));
}

base::Result<CreateResult> CaseService::CreateCase(const domain::Principal& who,
                                                   domain::CaseDraft draft) {
  std::string id = ids_->Next();
  auto events = decider_->Create(who, std::move(draft), id, clock_.Now());
  if (!events.ok()) return events.status();
  domain::Case created = domain::Fold(*events);
  CreateResult result;
  auto company = store_.ListCases({.org_number = created.company.org_number, .page_size = 100});
  if (company.ok()) {
    for (const domain::Case& other : company->cases) {
      if (other.node != created.node && IsOpenState(WorkflowOf(other), other.state)) {
        result.related_cases.push_back(other);
      }
    }
  }
  TV_RETURN_IF_ERROR(Commit({{0, *events, created}}));
  result.created = std::move(created);
  return result;
}

base::Result<domain::Case> CaseService::ActOnce(const domain::Principal& who,
                                                const domain::Case& current,
                                                const domain::Command& cmd) {
  const domain::Workflow& wf = WorkflowOf(current);
  domain::Command command = cmd;
  const domain::Transition* t = wf.FindTransition(cmd.action);
  bool follow_up = t != nullptr && t->effect == domain::Effect::kFollowUp;
  if (follow_up && command.child_id.empty()) command.child_id = ids_->Next();
  base::Time now = clock_.Now();
  auto events = decider_->Decide(wf, current, who, command, now, LoadSnapshot());
  if (!events.ok()) return events.status();
  // After the Decider: the state and the caller's permit are checked before the offer
  // (WORKFLOW.md's error order), so refusals do not depend on, or reveal, which offers exist.
  if (t != nullptr && t->effect == domain::Effect::kLinkOffer && offer_lookup_) {
    TV_RETURN_IF_ERROR(offer_lookup_(cmd.offer_id));
  }
  domain::Case after = current;
  for (const domain::Event& e : *events) domain::Apply(after, e);
  std::vector<store::CaseAppend> appends{{current.version, *events, after}};
  if (follow_up) {
    domain::CaseDraft child{.title = command.title,
                            .description = command.description,
                            .company = current.company,
                            .contact = current.contact,
                            .node = current.node,
                            .parent_id = current.id,
                            .needs = command.needs,
                            .areas = command.areas};
    auto child_events = decider_->Create(who, std::move(child), command.child_id, now);
    if (!child_events.ok()) return child_events.status();
    appends.push_back({0, *child_events, domain::Fold(*child_events)});
  }
  TV_RETURN_IF_ERROR(Commit(std::move(appends)));
  return after;
}

base::Result<domain::Case> CaseService::Act(const domain::Principal& who,
                                            const std::string& case_id,
                                            const domain::Command& cmd,
                                            std::optional<int64_t> expected_version) {
  for (int attempt = 1;; ++attempt) {
    auto current = store_.GetCase(case_id);
    if (!current.ok() || !auth::CanSee(who, *current)) {
      if (current.ok() || current.status().code() == base::Code::kNotFound) {
        return base::NotFound("case '" + case_id + "' not found");
      }
      return current.status();
    }
    if (expected_version && *expected_version != current->version) {
      return base::Aborted("case '" + case_id + "' is at version " +
                           std::to_string(current->version) + ", not the expected " +
                           std::to_string(*expected_version));
    }
    auto result = ActOnce(who, *current, cmd);
    bool conflict = !result.ok() && result.status().code() == base::Code::kAborted;
    if (!conflict || expected_version || attempt == kMaxAttempts) return result;
  }
}

base::Result<domain::Case> CaseService::Get(const domain::Principal& who,
                                            const std::string& case_id) {
  auto c = store_.GetCase(case_id);
  if (!c.ok()) {
    if (c.status().code() == base::Code::kNotFound) {
      return base::NotFound("case '" + case_id + "' not found");
    }
    return c.status();
  }
  if (!auth::CanSee(who, *c)) return base::NotFound("case '" + case_id + "' not found");
  return auth::Redact(who, std::move(*c), config_);
}

base::Result<std::vector<domain::Event>> CaseService::History(const domain::Principal& who,
                                                              const std::string& case_id) {
  auto c = Get(who, case_id);
  if (!c.ok()) return c.status();
  return store_.GetEvents(case_id);
}

base::Result<store::CasePage> CaseService::List(const domain::Principal& who,
                                                store::CaseFilter filter) {
  if (filter.candidate == "me") filter.candidate = who.actor;
  if (filter.assignee == "me") filter.assignee = who.actor;
  switch (who.role) {
    case Role::kCoordinator:
      if (!filter.node.empty() && filter.node != who.node) return store::CasePage{};
      filter.node = who.node;
      break;
    case Role::kActor:
      filter.involved_actor = who.actor;
      break;
    case Role::kManager:
    case Role::kAdmin:
    case Role::kSystem:
      break;
    case Role::kUnspecified:
      return base::PermissionDenied("no role");
  }
  auto page = store_.ListCases(filter);
  if (!page.ok()) return page.status();
  for (domain::Case& c : page->cases) c = auth::Redact(who, std::move(c), config_);
  return page;
}

base::Result<std::vector<domain::Case>> CaseService::CompanyCases(const domain::Principal& who,
                                                                  const std::string& org_number) {
  auto page = store_.ListCases({.org_number = org_number, .page_size = 1000});
  if (!page.ok()) return page.status();
  std::vector<domain::Case> visible;
  for (domain::Case& c : page->cases) {
    // Only callers who see the identity may find a case by it: otherwise a candidate could
    // learn which company an anonymised case belongs to.
    if (auth::SeesIdentity(who, c, config_)) visible.push_back(std::move(c));
  }
  return visible;
}

base::Result<domain::Case> CaseService::RecordSystemEvents(const domain::Case& current,
                                                          std::vector<domain::Event> events) {
  domain::Case after = current;
  for (const domain::Event& e : events) domain::Apply(after, e);
  TV_RETURN_IF_ERROR(Commit({{current.version, std::move(events), after}}));
  return after;
}

std::vector<std::string> CaseService::AllowedActions(const domain::Principal& who,
                                                     const domain::Case& c) const {
  return decider_->AllowedActions(WorkflowOf(c), c, who);
}

}  // namespace tillvaxt::service
