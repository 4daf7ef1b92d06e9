// The offers of the PostgreSQL store: the offer_events log (event_log.h) and the offers
// projection (recipient nodes and actors, needs, areas and search terms as text[] columns),
// written in the same transaction as every append; and the reads of OfferLog over them.
// Offer events take their positions from an identity column: OfferLog promises no commit
// order (only the cases' log is read by position).
//
// Thread-safety: each function uses only the connection it is given.
#pragma once

#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/offer.h"
#include "engine/store/offer_log.h"
#include "engine/store/postgres/pg.h"

namespace tillvaxt::store::postgres {

// Appends the events and writes the projection, in the caller's transaction; ABORTED on a
// version mismatch. Validate the append first (store/append_checks.h).
base::Status WriteOfferAppend(Connection& db, const OfferAppend& append);
// NOT_FOUND "offer 'x' not found".
base::Result<domain::Offer> ReadOffer(Connection& db, const std::string& id);
base::Result<std::vector<domain::OfferEvent>> ReadOfferEvents(Connection& db,
                                                              const std::string& id);
// As OfferLog::ListOffers.
base::Result<OfferPage> ReadOffers(Connection& db, const OfferFilter& filter);
// Rebuild: refills the offers projection from offer_events, in the caller's transaction.
base::Status RebuildOfferProjections(Connection& db);

}  // namespace tillvaxt::store::postgres
