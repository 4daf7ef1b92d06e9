// OfferLog: the offers' own event log and projection, beside the cases' in the same store.
//
// Thread-safety: every method may be called from any thread concurrently; AppendOffer returns
// once durable.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/domain/offer.h"

namespace tillvaxt::store {

// New events for one offer and the offer as it is after them.
struct OfferAppend {
  int64_t expected_version = 0;            // 0 = new offer
  std::vector<domain::OfferEvent> events;  // seq = expected_version + 1, + 2, ...
  domain::Offer after;                     // the fold of the whole history including `events`
};

// Filters of GET /v1/offers and the service's queries. Empty fields do not filter.
struct OfferFilter {
  std::string node;             // channelled to this node
  std::string recipient_actor;  // channelled to this actor
  std::string actor;            // published by this actor
  std::string level;            // the publisher's level
  std::string need;
  std::string area;
  std::string state;
  std::optional<base::Time> active_at;   // PUBLISHED and inside its window at this time
  std::optional<base::Time> expired_at;  // PUBLISHED with validUntil <= this time
  std::string q;                         // full-text over title and description
  int page_size = 50;
  std::string page_token;
};

struct OfferPage {
  std::vector<domain::Offer> offers;  // newest first (create_time desc, id desc)
  std::string next_page_token;
};

class OfferLog {
 public:
  virtual ~OfferLog() = default;

  // ABORTED when the offer is not at `expected_version`; INVALID_ARGUMENT (nothing written)
  // when the append is malformed, as CaseLog::Append.
  virtual base::Status AppendOffer(OfferAppend append) = 0;
  // NOT_FOUND "offer 'x' not found".
  virtual base::Result<domain::Offer> GetOffer(const std::string& id) = 0;
  // Pages as CaseQueries::ListCases: newest first, the same page sizes, a page token this
  // store did not return is INVALID_ARGUMENT (field "pageToken"); `q` as there (every word of
  // the Swedish-stemmed query in the title or description; a `q` without words matches
  // nothing).
  virtual base::Result<OfferPage> ListOffers(const OfferFilter& filter) = 0;
  virtual base::Result<std::vector<domain::OfferEvent>> OfferEvents(const std::string& id) = 0;
};

}  // namespace tillvaxt::store
