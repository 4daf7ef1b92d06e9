#include "engine/store/postgres/offer_tables.h"

#include <string_view>
#include <utility>

#include "engine/codec/offer_codec.h"
#include "engine/store/postgres/event_log.h"
#include "engine/store/postgres/page_query.h"
#include "engine/store/swedish_terms.h"

namespace tillvaxt::store::postgres {
namespace {

using base::Status;

struct OfferKind {
  using Event = domain::OfferEvent;
  using Append = OfferAppend;
  static constexpr const char* kNoun = "offer";
  static constexpr const char* kEventTable = "offer_events";
  static constexpr const char* kIdColumn = "offer_id";
  static constexpr const char* kProjection = "offers";
  static const std::string& SubjectId(const Event& e) { return e.offer_id; }
  static std::string_view TypeName(const Event& e) { return domain::OfferEventTypeName(e.type); }
  static std::string Serialize(const Event& e) { return codec::SerializeOfferEvent(e); }
  static base::Result<Event> Parse(std::string_view bytes) { return codec::ParseOfferEvent(bytes); }
};

void OptionalTime(Params& p, const std::optional<base::Time>& t) {
  if (t) {
    p.Int(base::ToUnixMillis(*t));
  } else {
    p.Null();
  }
}

Status WriteOfferProjection(Connection& db, const domain::Offer& o) {
  std::vector<std::string> nodes;
  std::vector<std::string> actors;
  for (const domain::OfferRecipients& r : o.recipients) {
    nodes.insert(nodes.end(), r.nodes.begin(), r.nodes.end());
    actors.insert(actors.end(), r.actors.begin(), r.actors.end());
  }
  Params p;
  p.Text(o.id).Text(o.actor).Text(o.level).Text(o.kind).Text(o.state);
  OptionalTime(p, o.valid_from);
  OptionalTime(p, o.valid_until);
  p.Int(base::ToUnixMillis(o.create_time))
      .Int(base::ToUnixMillis(o.update_time))
      .Int(o.version)
      .TextArray(nodes)
      .TextArray(actors)
      .TextArray(o.needs)
      .TextArray(o.areas)
      .TextArray(SearchTerms(o.title, o.description))
      .Bytes(codec::SerializeOffer(o));
  base::Result<Result> r = db.Query(
      "INSERT INTO offers (id, actor, level, kind, state, valid_from, valid_until, create_time, "
      "update_time, version, recipient_nodes, recipient_actors, needs, areas, terms, body) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) "
      "ON CONFLICT (id) DO UPDATE SET actor = excluded.actor, level = excluded.level, "
      "kind = excluded.kind, state = excluded.state, valid_from = excluded.valid_from, "
      "valid_until = excluded.valid_until, create_time = excluded.create_time, "
      "update_time = excluded.update_time, version = excluded.version, "
      "recipient_nodes = excluded.recipient_nodes, recipient_actors = excluded.recipient_actors, "
      "needs = excluded.needs, areas = excluded.areas, terms = excluded.terms, "
      "body = excluded.body",
      p, "writing the projection of offer " + o.id);
  return r.ok() ? Status::Ok() : r.status();
}

}  // namespace

Status WriteOfferAppend(Connection& db, const OfferAppend& a) {
  base::Result<bool> existed = AppendEvents<OfferKind>(db, a, nullptr);
  if (!existed.ok()) return existed.status();
  return WriteOfferProjection(db, a.after);
}

base::Result<domain::Offer> ReadOffer(Connection& db, const std::string& id) {
  const std::string op = "reading offer " + id;
  Params p;
  p.Text(id);
  base::Result<Result> r = db.Query("SELECT body FROM offers WHERE id = $1", p, op);
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return base::NotFound("offer '" + id + "' not found");
  base::Result<domain::Offer> o = codec::ParseOffer(r->Bytes(0, 0));
  if (!o.ok()) return base::Internal(op + ": " + o.status().message());
  return o;
}

base::Result<std::vector<domain::OfferEvent>> ReadOfferEvents(Connection& db,
                                                              const std::string& id) {
  return ReadEvents<OfferKind>(db, id);
}

base::Result<OfferPage> ReadOffers(Connection& db, const OfferFilter& f) {
  base::Result<PageQuery> q = PageQuery::Start("offers", "o", f.page_size, f.page_token);
  if (!q.ok()) return q.status();
  q->Equal("actor", f.actor);
  q->Equal("level", f.level);
  q->Equal("state", f.state);
  q->Contains("recipient_nodes", f.node);
  q->Contains("recipient_actors", f.recipient_actor);
  q->Contains("needs", f.need);
  q->Contains("areas", f.area);
  if (f.active_at) {
    const std::string t = q->Param(base::ToUnixMillis(*f.active_at));
    q->And("o.state = 'PUBLISHED' AND (o.valid_from IS NULL OR o.valid_from <= " + t +
           ") AND (o.valid_until IS NULL OR o.valid_until > " + t + ")");
  }
  if (f.expired_at) {
    q->And("o.state = 'PUBLISHED' AND o.valid_until <= " +
           q->Param(base::ToUnixMillis(*f.expired_at)));
  }
  if (!f.q.empty()) {
    const std::vector<std::string> terms = SwedishTerms(f.q);
    if (terms.empty()) return OfferPage{};  // no words: nothing matches
    q->And("o.terms @> " + q->Array(terms));
  }
  constexpr std::string_view kOp = "listing offers";
  OfferPage page;
  base::Result<std::string> next = q->Run(db, kOp, [&](std::string_view body) -> Status {
    base::Result<domain::Offer> o = codec::ParseOffer(body);
    if (!o.ok()) return base::Internal(std::string(kOp) + ": " + o.status().message());
    page.offers.push_back(std::move(o).value());
    return Status::Ok();
  });
  if (!next.ok()) return next.status();
  page.next_page_token = std::move(next).value();
  return page;
}

Status RebuildOfferProjections(Connection& db) {
  TV_RETURN_IF_ERROR(db.Exec("DELETE FROM offers", "rebuild: deleting the offer projection"));
  return RefoldAll<OfferKind>(db, [&db](const std::vector<domain::OfferEvent>& history) {
    return WriteOfferProjection(db, domain::FoldOffer(history));
  });
}

}  // namespace tillvaxt::store::postgres
