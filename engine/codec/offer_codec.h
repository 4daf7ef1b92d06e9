// Offers and offer events to and from their stored forms: tillvaxt.storage.v1.OfferRow (the
// offers projection's body) and tillvaxt.events.v1.OfferEvent (the offer_events payload). The
// API's own mapping is engine/api/views.h.
//
// Lossless for every domain field: FromRow(ToRow(x)) == x (times at millisecond
// resolution). Free functions without shared state; thread-safe. Parse* never throw: bytes
// that do not parse answer INTERNAL.
#pragma once

#include <string>
#include <string_view>

#include "engine/base/status.h"
#include "engine/domain/offer.h"
#include "tillvaxt/events/v1/offer_events.pb.h"
#include "tillvaxt/storage/v1/rows.pb.h"

namespace tillvaxt::codec {

storage::v1::OfferRow OfferToRow(const domain::Offer& offer);
domain::Offer OfferFromRow(const storage::v1::OfferRow& p);

events::v1::OfferDraft OfferDraftToProto(const domain::OfferDraft& draft);
domain::OfferDraft OfferDraftFromProto(const events::v1::OfferDraft& p);

events::v1::OfferEvent OfferEventToProto(const domain::OfferEvent& e);
domain::OfferEvent OfferEventFromProto(const events::v1::OfferEvent& p);

std::string SerializeOffer(const domain::Offer& offer);
base::Result<domain::Offer> ParseOffer(std::string_view bytes);
std::string SerializeOfferEvent(const domain::OfferEvent& e);
base::Result<domain::OfferEvent> ParseOfferEvent(std::string_view bytes);

}  // namespace tillvaxt::codec
