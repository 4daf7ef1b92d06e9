// Case use cases: authorise, load, decide, append, publish.
//
// The service owns the flow of one command (docs/ARCHITECTURE.md): it loads the case, checks
// that the caller may see it, gathers what the decision needs from outside the case (routing
// load, whether an offer may be linked) and reports a failed read as the command's error, asks
// the domain's Decider for the events under the workflow version the case runs on, appends them
// with the projection in one store transaction (optimistic concurrency on the version) and
// tells the subscribers.
//
// Visibility is decided here and only here: every case the service hands out is a VisibleCase,
// narrowed to the caller (auth/visibility.h) and carrying the caller's allowed actions; a case
// outside the caller's visibility is NOT_FOUND.
//
// Thread-safe: any number of threads may call it at once; each command is one store append.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/case.h"
#include "engine/domain/command.h"
#include "engine/domain/config.h"
#include "engine/domain/decider.h"
#include "engine/domain/principal.h"
#include "engine/service/ids.h"
#include "engine/service/visible_case.h"
#include "engine/store/case_log.h"
#include "engine/store/case_queries.h"

namespace tillvaxt::service {

// Called after each successful commit with the committed events (in order).
using EventListener = std::function<void(const std::vector<domain::Event>&)>;

struct CreateResult {
  VisibleCase created;
  std::vector<RelatedCase> related_cases;  // the company's open cases at other nodes
};

// A page of GET /v1/cases as the caller may see it.
struct VisiblePage {
  std::vector<VisibleCase> cases;  // newest first
  std::string next_page_token;
};

class CaseService {
 public:
  // Registers the configuration's workflow with the log (its version number) and loads every
  // earlier workflow version so running cases keep theirs. REQUIRES: log, queries and clock
  // outlive it.
  static base::Result<std::unique_ptr<CaseService>> Create(domain::Config config,
                                                           store::CaseLog& log,
                                                           store::CaseQueries& queries,
                                                           const base::Clock& clock,
                                                           std::unique_ptr<IdGenerator> ids);

  const domain::Config& config() const { return config_; }
  const domain::Decider& decider() const { return *decider_; }

  // The workflow a case runs under (its own version; the current one if unknown).
  const domain::Workflow& WorkflowOf(const domain::Case& c) const;

  base::Result<CreateResult> CreateCase(const domain::Principal& who, domain::CaseDraft draft);

  // Fires cmd.action; answers the case after it as the caller may see it now (a claim reveals
  // the identity). With expected_version, a stale version answers ABORTED; without it a
  // concurrent change is retried on the fresh case a few times.
  base::Result<VisibleCase> Act(const domain::Principal& who, const std::string& case_id,
                                const domain::Command& cmd,
                                std::optional<int64_t> expected_version = std::nullopt);

  // The case as `who` may see it; NOT_FOUND when it is outside their visibility.
  base::Result<VisibleCase> Get(const domain::Principal& who, const std::string& case_id);
  base::Result<std::vector<domain::Event>> History(const domain::Principal& who,
                                                   const std::string& case_id);
  // GET /v1/cases: the filter narrowed to the caller's visibility; `candidate=me` and
  // `assignee=me` resolve to the caller's actor.
  base::Result<VisiblePage> List(const domain::Principal& who, store::CaseFilter filter);
  // One company's cases whose identity the caller sees, newest first.
  base::Result<std::vector<VisibleCase>> CompanyCases(const domain::Principal& who,
                                                      const std::string& org_number);

  // Appends events the engine decided itself, outside any transition (the SLA scheduler's
  // warnings, overdue notices and reminders), to `current` and tells the listeners. REQUIRES:
  // events numbered from current.version + 1. ABORTED when the case moved on meanwhile.
  base::Result<domain::Case> RecordSystemEvents(const domain::Case& current,
                                                std::vector<domain::Event> events);

  void AddListener(EventListener listener);

  // linkOffer gathers this before deciding: OK when the offer may be linked, else the answer to
  // give (OfferService::CheckLinkable: unknown offer -> INVALID_ARGUMENT "offerId"). Unset, any
  // offer id is accepted. Set it before the service is shared between threads.
  using OfferLookup = std::function<base::Status(const std::string& offer_id)>;
  void SetOfferLookup(OfferLookup lookup) { offer_lookup_ = std::move(lookup); }

 private:
  CaseService(domain::Config config, store::CaseLog& log, store::CaseQueries& queries,
              const base::Clock& clock, std::unique_ptr<IdGenerator> ids);

  base::Result<domain::Case> ActOnce(const domain::Principal& who, const domain::Case& current,
                                     const domain::Command& cmd);
  // Everything the decision of `t` needs from outside the case; a failed read is the error.
  base::Result<domain::DecisionInputs> GatherInputs(const domain::Transition& t,
                                                    const domain::Command& cmd);
  // The case as `who` may see it, or nullopt when it is outside their visibility.
  std::optional<VisibleCase> Visible(const domain::Principal& who, domain::Case c) const;
  base::Status Commit(std::vector<store::CaseAppend> appends);
  std::vector<std::string> OpenStates() const;

  domain::Config config_;
  store::CaseLog& log_;
  store::CaseQueries& queries_;
  const base::Clock& clock_;
  std::unique_ptr<IdGenerator> ids_;
  std::unique_ptr<domain::Decider> decider_;
  std::map<int, domain::Workflow> workflows_;  // by version
  std::mutex listeners_mu_;
  std::vector<EventListener> listeners_;
  OfferLookup offer_lookup_;
};

}  // namespace tillvaxt::service
