// The offers of the SQLite store: the offer_events log, the offers projection with its
// recipients, needs and areas, and the offer_search full-text table. SqliteStore calls these on
// its writer connection (inside the batch's savepoint) or on a leased reader.
//
// Tables (schema step CreateOfferTables):
//   offer_events (position, offer_id, seq, type, time, user, payload)  -- append-only
//   offers (id, actor, level, kind, state, title, description, valid_from, valid_until,
//           create_time, update_time, version, body)
//   offer_recipients (offer_id, level, actor, node)  -- one row per actor ('' node) or node
//   offer_needs (offer_id, need), offer_areas (offer_id, area)
//
// Thread-safety: each function uses only the connection it is given.
#pragma once

#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/offer.h"
#include "engine/store/sqlite/db.h"
#include "engine/store/store.h"

namespace tillvaxt::store::sqlite {

// The schema step: creates the offer tables and their indexes.
base::Status CreateOfferTables(Connection& db);

// INVALID_ARGUMENT when the append is malformed (checked before any write).
base::Status ValidateOfferAppend(const OfferAppend& append);
// Appends the events and writes the projection; ABORTED on a version mismatch.
base::Status WriteOfferAppend(Connection& db, const OfferAppend& append);

base::Result<domain::Offer> ReadOffer(Connection& db, const std::string& id);
base::Result<OfferPage> ReadOffers(Connection& db, const OfferFilter& filter);
base::Result<std::vector<domain::OfferEvent>> ReadOfferEvents(Connection& db,
                                                              const std::string& id);

// Rebuild: refills the offer projections from offer_events.
base::Status RebuildOfferProjections(Connection& db);

}  // namespace tillvaxt::store::sqlite
