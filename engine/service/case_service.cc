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
                                                               store::CaseLog& log,
                                                               store::CaseQueries& queries,
                                                               const base::Clock& clock,
                                                               std::unique_ptr<IdGenerator> ids) {
  auto version = log.RegisterWorkflow(codec::SerializeWorkflow(config));
  if (!version.ok()) return version.status();
  config.workflow.version = *version;
  std::unique_ptr<CaseService> service(
      new CaseService(std::move(config), log, queries, clock, std::move(ids)));
  auto stored = log.Workflows();
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

CaseService::CaseService(domain::Config config, store::CaseLog& log, store::CaseQueries& queries,
                         const base::Clock& clock, std::unique_ptr<IdGenerator> ids)
    : config_(std::move(config)),
      log_(log),
      queries_(queries),
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

base::Result<domain::DecisionInputs> CaseService::GatherInputs(const domain::Transition& t,
                                                               const domain::Command& cmd) {
  domain::DecisionInputs inputs;
  // Read only where the decision may route: the count is the most expensive read on the
  // command path, and most commands (claim, start, resolve ...) never route.
  if (domain::Routes(t.effect)) {
    auto counts = queries_.OpenCasesByActor(OpenStates());
    if (!counts.ok()) return counts.status();
    inputs.open_cases = std::move(*counts);
  }
  if (t.effect == domain::Effect::kLinkOffer && offer_lookup_ && !cmd.offer_id.empty()) {
    inputs.offer_linkable = offer_lookup_(cmd.offer_id);
    // Refusals are answered by the Decider in their order; a failed read is this command's.
    base::Code code = inputs.offer_linkable.code();
    if (code != base::Code::kOk && code != base::Code::kInvalidArgument &&
        code != base::Code::kFailedPrecondition) {
      return inputs.offer_linkable;
    }
  }
  return inputs;
}

std::optional<VisibleCase> CaseService::Visible(const domain::Principal& who,
                                                domain::Case c) const {
  if (!auth::CanSee(who, c)) return std::nullopt;
  std::vector<std::string> actions = decider_->AllowedActions(WorkflowOf(c), c, who);
  bool sees_identity = auth::SeesIdentity(who, c, config_);
  return VisibleCase(auth::Redact(who, std::move(c), config_), std::move(actions), !sees_identity);
}

base::Status CaseService::Commit(std::vector<store::CaseAppend> appends) {
  std::vector<domain::Event> committed;
  for (const auto& a : appends) committed.insert(committed.end(), a.events.begin(), a.events.end());
  TV_RETURN_IF_ERROR(log_.Append(std::move(appends)));
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
  std::vector<RelatedCase> related;
  auto company = queries_.ListCases({.org_number = created.company.org_number, .page_size = 100});
  if (company.ok()) {
    for (const domain::Case& other : company->cases) {
      if (other.node != created.node && IsOpenState(WorkflowOf(other), other.state)) {
        related.push_back(
            {other.id, other.title, other.node, other.level, other.state, other.create_time});
      }
    }
  }
  TV_RETURN_IF_ERROR(Commit({{0, *events, created}}));
  std::optional<VisibleCase> visible = Visible(who, std::move(created));
  if (!visible) return base::Internal("a case logged by its caller is outside their visibility");
  return CreateResult{std::move(*visible), std::move(related)};
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
  domain::DecisionInputs inputs;
  if (t != nullptr) {
    auto gathered = GatherInputs(*t, command);
    if (!gathered.ok()) return gathered.status();
    inputs = std::move(*gathered);
  }
  auto events = decider_->Decide(wf, current, who, command, now, inputs);
  if (!events.ok()) return events.status();
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

base::Result<VisibleCase> CaseService::Act(const domain::Principal& who, const std::string& case_id,
                                           const domain::Command& cmd,
                                           std::optional<int64_t> expected_version) {
  for (int attempt = 1;; ++attempt) {
    auto current = queries_.GetCase(case_id);
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
    if (conflict && !expected_version && attempt < kMaxAttempts) continue;
    if (!result.ok()) return result.status();
    // After a command the caller may no longer see the case (a coordinator who escalates
    // still does; an actor who declines keeps its involvement): show what remains visible.
    std::optional<VisibleCase> after = Visible(who, std::move(*result));
    if (!after) return base::NotFound("case '" + case_id + "' not found");
    return std::move(*after);
  }
}

base::Result<VisibleCase> CaseService::Get(const domain::Principal& who,
                                           const std::string& case_id) {
  auto c = queries_.GetCase(case_id);
  if (!c.ok()) {
    if (c.status().code() == base::Code::kNotFound) {
      return base::NotFound("case '" + case_id + "' not found");
    }
    return c.status();
  }
  std::optional<VisibleCase> visible = Visible(who, std::move(*c));
  if (!visible) return base::NotFound("case '" + case_id + "' not found");
  return std::move(*visible);
}

base::Result<std::vector<domain::Event>> CaseService::History(const domain::Principal& who,
                                                              const std::string& case_id) {
  auto c = Get(who, case_id);
  if (!c.ok()) return c.status();
  return log_.GetEvents(case_id);
}

base::Result<VisiblePage> CaseService::List(const domain::Principal& who,
                                            store::CaseFilter filter) {
  if (filter.candidate == "me") filter.candidate = who.actor;
  if (filter.assignee == "me") filter.assignee = who.actor;
  switch (who.role) {
    case Role::kCoordinator:
      if (!filter.node.empty() && filter.node != who.node) return VisiblePage{};
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
  if (filter.q.empty()) {
    auto page = queries_.ListCases(filter);
    if (!page.ok()) return page.status();
    VisiblePage visible;
    visible.next_page_token = std::move(page->next_page_token);
    visible.cases.reserve(page->cases.size());
    for (domain::Case& c : page->cases) {
      // The filter already narrowed the page to the caller; Visible checks it once more.
      if (auto v = Visible(who, std::move(c))) visible.cases.push_back(std::move(*v));
    }
    return visible;
  }

  // A full-text search matches only cases whose identity the caller sees: the words of a title
  // or description can name the company, so a hit on a case the caller sees anonymised would
  // tell which company it belongs to (the company lookup holds the same rule). The cases the
  // search skips can leave a store page short, so further store pages fill the caller's page
  // (each store page is taken whole, so the next page token stays exact); after a bounded
  // number of store pages the page is answered short, with its token.
  constexpr int kMaxStorePages = 20;
  const int wanted = filter.page_size <= 0 ? 50 : std::clamp(filter.page_size, 1, 1000);
  VisiblePage visible;
  for (int round = 0; round < kMaxStorePages; ++round) {
    filter.page_size = wanted - static_cast<int>(visible.cases.size());
    auto page = queries_.ListCases(filter);
    if (!page.ok()) return page.status();
    for (domain::Case& c : page->cases) {
      if (!auth::SeesIdentity(who, c, config_)) continue;
      if (auto v = Visible(who, std::move(c))) visible.cases.push_back(std::move(*v));
    }
    visible.next_page_token = std::move(page->next_page_token);
    if (visible.next_page_token.empty() || static_cast<int>(visible.cases.size()) >= wanted) break;
    filter.page_token = visible.next_page_token;
  }
  return visible;
}

base::Result<std::vector<VisibleCase>> CaseService::CompanyCases(const domain::Principal& who,
                                                                 const std::string& org_number) {
  auto page = queries_.ListCases({.org_number = org_number, .page_size = 1000});
  if (!page.ok()) return page.status();
  std::vector<VisibleCase> visible;
  for (domain::Case& c : page->cases) {
    // Only callers who see the identity may find a case by it: otherwise a candidate could
    // learn which company an anonymised case belongs to.
    if (!auth::SeesIdentity(who, c, config_)) continue;
    if (auto v = Visible(who, std::move(c))) visible.push_back(std::move(*v));
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

}  // namespace tillvaxt::service
