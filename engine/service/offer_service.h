// Offer use cases: publish (validate, channel down the ladder, append), read, list, withdraw,
// expire, a node's inbox and a case's suggested offers.
//
// Offers have their own event log (store::OfferLog, optimistic concurrency on the offer's
// version). The service keeps every PUBLISHED offer in an in-memory
// domain::OfferIndex (loaded at Create, refreshed after each of its own commits) so
// SuggestedOffers ranks one case against 100,000 offers in milliseconds. Several instances on
// one database would each see only their own publications in that index until restarted.
//
// Expiry: ExpireDue(now) appends EXPIRED for every PUBLISHED offer whose validUntil has passed;
// the SLA scheduler may call it periodically, and reads call it lazily (at most once a second).
//
// Thread-safety: every method may be called from any thread at once.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/offer.h"
#include "engine/domain/principal.h"
#include "engine/service/case_service.h"
#include "engine/service/ids.h"
#include "engine/store/offer_log.h"

namespace tillvaxt::service {

// Called after each successful offer commit with the committed events (in order).
using OfferListener = std::function<void(const std::vector<domain::OfferEvent>&)>;

struct InboxEntry {
  domain::Offer offer;
  std::vector<VisibleCase> matching_cases;  // the node's open cases it fits, best fit first
};

struct SuggestedOffer {
  domain::Offer offer;
  double score = 0;
  std::vector<std::string> reasons;
};

class OfferService {
 public:
  // Loads the published offers into the ranking index. REQUIRES: cases, log and clock outlive
  // it.
  static base::Result<std::unique_ptr<OfferService>> Create(CaseService& cases,
                                                            store::OfferLog& log,
                                                            const base::Clock& clock,
                                                            std::unique_ptr<IdGenerator> ids);

  // Only an ACTOR publishes, as its own actor (PERMISSION_DENIED); bad drafts are
  // INVALID_ARGUMENT naming "kind", "title", "needs", "areas", "nodes", "validUntil" or "url".
  base::Result<domain::Offer> Publish(const domain::Principal& who, domain::OfferDraft draft);
  // Any signed-in user; NOT_FOUND "offer 'x' not found".
  base::Result<domain::Offer> Get(const domain::Principal& who, const std::string& id);
  base::Result<std::vector<domain::OfferEvent>> History(const domain::Principal& who,
                                                        const std::string& id);
  base::Result<store::OfferPage> List(const domain::Principal& who, store::OfferFilter filter);
  // Only its actor; FAILED_PRECONDITION when no longer PUBLISHED; ABORTED on a stale
  // expected_version (without one, a concurrent change is retried).
  base::Result<domain::Offer> Withdraw(const domain::Principal& who, const std::string& id,
                                       const std::string& reason,
                                       std::optional<int64_t> expected_version = std::nullopt);
  // The node's coordinators, managers and admins (PERMISSION_DENIED otherwise); NOT_FOUND for
  // an unknown node. The PUBLISHED offers channelled to the node, newest first, each with the
  // node's open cases it fits.
  base::Result<std::vector<InboxEntry>> Inbox(const domain::Principal& who,
                                              const std::string& node);
  // The active offers fitting the case, best first; the case's visibility applies (NOT_FOUND).
  base::Result<std::vector<SuggestedOffer>> SuggestedOffers(const domain::Principal& who,
                                                            const std::string& case_id,
                                                            size_t limit = 20);
  // Appends EXPIRED for each PUBLISHED offer whose validUntil <= now; returns how many.
  base::Result<int> ExpireDue(base::Time now);
  // For CaseService's linkOffer: INVALID_ARGUMENT "offerId: unknown offer", or
  // FAILED_PRECONDITION when the offer is no longer PUBLISHED.
  base::Status CheckLinkable(const std::string& offer_id);

  void AddListener(OfferListener listener);

 private:
  OfferService(CaseService& cases, store::OfferLog& log, const base::Clock& clock,
               std::unique_ptr<IdGenerator> ids);

  base::Status Commit(store::OfferAppend append);
  void MaybeExpire();
  base::Result<domain::Offer> Load(const std::string& id);

  CaseService& cases_;
  const domain::Config& config_;
  store::OfferLog& store_;
  const base::Clock& clock_;
  std::unique_ptr<IdGenerator> ids_;
  domain::OfferChannel channel_;
  mutable std::shared_mutex index_mu_;
  domain::OfferIndex index_;
  std::atomic<int64_t> last_expiry_check_{0};
  std::mutex listeners_mu_;
  std::vector<OfferListener> listeners_;
};

}  // namespace tillvaxt::service
