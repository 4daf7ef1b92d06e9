// The offers of the SQLite store: the offer_events log (event_log.h with OfferKind), the offers
// projection with its
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
#include <string_view>
#include <vector>

#include "engine/base/status.h"
#include "engine/domain/offer.h"
#include "engine/store/sqlite/db.h"
#include "engine/store/store.h"

namespace tillvaxt::store::sqlite {

// The schema step: creates the offer tables and their indexes.
base::Status CreateOfferTables(Connection& db);

// The offers' log for event_log.h.
struct OfferKind {
  using Event = domain::OfferEvent;
  using Subject = domain::Offer;
  using Append = OfferAppend;
  static constexpr const char* kNoun = "offer";
  static constexpr const char* kEventTable = "offer_events";
  static constexpr const char* kIdColumn = "offer_id";
  static constexpr const char* kProjection = "offers";
  static const std::string& SubjectId(const Event& e) { return e.offer_id; }
  static std::string_view TypeName(const Event& e);
  static std::string Serialize(const Event& e);
  static base::Result<Event> Parse(std::string_view bytes);
  static Subject Fold(const std::vector<Event>& events);
};

// Appends the events and writes the projection; ABORTED on a version mismatch. Validate the
// append first (store/append_checks.h ValidateOfferAppend).
base::Status WriteOfferAppend(Connection& db, const OfferAppend& append);

base::Result<domain::Offer> ReadOffer(Connection& db, const std::string& id);
// As OfferLog::ListOffers.
base::Result<OfferPage> ReadOffers(Connection& db, const OfferFilter& filter);

// Rebuild: refills the offer projections from offer_events.
base::Status RebuildOfferProjections(Connection& db);

}  // namespace tillvaxt::store::sqlite
