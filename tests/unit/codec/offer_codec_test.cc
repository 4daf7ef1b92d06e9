#include "engine/codec/offer_codec.h"

#include <catch2/catch.hpp>
#include <chrono>

namespace tillvaxt::codec {
namespace {

using namespace std::chrono_literals;
const base::Time kNow = base::FromUnixMillis(1'780'000'000'123);

domain::OfferDraft Draft() {
  domain::OfferDraft d;
  d.kind = "EVENT";
  d.title = "Innovationsdag i Strängnäs";
  d.description = "Träffa företagen";
  d.needs = {"innovation", "growth"};
  d.areas = {"energy"};
  d.nodes = {"strangnas"};
  d.url = "https://example.se/dag";
  d.valid_from = kNow;
  d.valid_until = kNow + 72h;
  return d;
}

TEST_CASE("offer events survive the round trip, every type") {
  domain::OfferEvent published;
  published.offer_id = "o1";
  published.seq = 1;
  published.type = domain::OfferEventType::kPublished;
  published.time = kNow;
  published.user = "actor.rise";
  published.actor = "rise";
  published.level = "NATIONAL";
  published.draft = Draft();
  domain::OfferEvent channelled;
  channelled.offer_id = "o1";
  channelled.seq = 2;
  channelled.type = domain::OfferEventType::kChannelled;
  channelled.time = kNow;
  channelled.user = "actor.rise";
  channelled.recipients = {"LOCAL", {"a", "b"}, {"strangnas"}, kNow};
  domain::OfferEvent withdrawn;
  withdrawn.offer_id = "o1";
  withdrawn.seq = 3;
  withdrawn.type = domain::OfferEventType::kWithdrawn;
  withdrawn.time = kNow + 1h;
  withdrawn.user = "actor.rise";
  withdrawn.reason = "inställt";
  domain::OfferEvent expired = withdrawn;
  expired.type = domain::OfferEventType::kExpired;
  expired.reason.clear();
  expired.user = "system";
  for (const auto& e : {published, channelled, withdrawn, expired}) {
    auto back = ParseOfferEvent(SerializeOfferEvent(e));
    REQUIRE(back.ok());
    CHECK(*back == e);
  }
  domain::OfferDraft open = Draft();
  open.valid_from.reset();
  open.valid_until.reset();
  CHECK(OfferDraftFromProto(OfferDraftToProto(open)) == open);
}

TEST_CASE("an offer survives the round trip; garbage does not parse") {
  domain::Offer o = domain::FoldOffer({});
  o.id = "o1";
  o.actor = "rise";
  o.level = "NATIONAL";
  o.kind = "PROJECT";
  o.title = "Projekt";
  o.needs = {"innovation"};
  o.state = "WITHDRAWN";
  o.reason = "klart";
  o.valid_until = kNow + 1h;
  o.recipients = {{"REGIONAL", {"mdu"}, {}, kNow}, {"LOCAL", {}, {"eskilstuna"}, kNow}};
  o.version = 4;
  o.create_time = kNow;
  o.update_time = kNow + 1h;
  auto back = ParseOffer(SerializeOffer(o));
  REQUIRE(back.ok());
  CHECK(*back == o);
  CHECK(OfferToRow(o).valid_until().seconds() == base::ToUnixMillis(kNow + 1h) / 1000);
  CHECK_FALSE(ParseOffer("\xff\xff\xff").ok());
  CHECK_FALSE(ParseOfferEvent("\x0a\xff").ok());
}

}  // namespace
}  // namespace tillvaxt::codec
