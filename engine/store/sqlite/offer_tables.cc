#include "engine/store/sqlite/offer_tables.h"

#include <utility>

#include "engine/codec/offer_codec.h"
#include "engine/store/sqlite/event_log.h"
#include "engine/store/sqlite/page_query.h"
#include "engine/store/sqlite/text_search.h"
#include "engine/store/swedish_terms.h"

namespace tillvaxt::store::sqlite {

std::string_view OfferKind::TypeName(const Event& e) { return domain::OfferEventTypeName(e.type); }
std::string OfferKind::Serialize(const Event& e) { return codec::SerializeOfferEvent(e); }
base::Result<OfferKind::Event> OfferKind::Parse(std::string_view bytes) {
  return codec::ParseOfferEvent(bytes);
}
OfferKind::Subject OfferKind::Fold(const std::vector<Event>& events) {
  return domain::FoldOffer(events);
}

namespace {

using base::Status;

constexpr const char* kOfferTables = R"sql(
CREATE TABLE offer_events (
  position INTEGER PRIMARY KEY AUTOINCREMENT,
  offer_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  time INTEGER NOT NULL,
  user TEXT NOT NULL,
  payload BLOB NOT NULL,  -- events.v1.OfferEvent
  UNIQUE (offer_id, seq)
);
CREATE TABLE offers (
  id TEXT PRIMARY KEY,
  actor TEXT NOT NULL,
  level TEXT NOT NULL,
  kind TEXT NOT NULL,
  state TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL,
  valid_from INTEGER,   -- NULL = from publication
  valid_until INTEGER,  -- NULL = until withdrawn
  create_time INTEGER NOT NULL,
  update_time INTEGER NOT NULL,
  version INTEGER NOT NULL,
  body BLOB NOT NULL    -- api.v1.Offer
);
CREATE INDEX offers_by_time ON offers (create_time DESC, id DESC);
CREATE INDEX offers_by_state ON offers (state, create_time DESC, id DESC);
CREATE INDEX offers_by_actor ON offers (actor, create_time DESC, id DESC);
CREATE INDEX offers_by_level ON offers (level, create_time DESC, id DESC);
CREATE INDEX offers_by_expiry ON offers (state, valid_until);
CREATE TABLE offer_recipients (
  offer_id TEXT NOT NULL, level TEXT NOT NULL, actor TEXT NOT NULL, node TEXT NOT NULL);
CREATE INDEX offer_recipients_by_offer ON offer_recipients (offer_id);
CREATE INDEX offer_recipients_by_node ON offer_recipients (node, offer_id);
CREATE INDEX offer_recipients_by_actor ON offer_recipients (actor, offer_id);
CREATE TABLE offer_needs (
  offer_id TEXT NOT NULL, need TEXT NOT NULL, PRIMARY KEY (offer_id, need)) WITHOUT ROWID;
CREATE INDEX offer_needs_by_need ON offer_needs (need, offer_id);
CREATE TABLE offer_areas (
  offer_id TEXT NOT NULL, area TEXT NOT NULL, PRIMARY KEY (offer_id, area)) WITHOUT ROWID;
CREATE INDEX offer_areas_by_area ON offer_areas (area, offer_id);
)sql";

void BindTime(Stmt& stmt, int index, const std::optional<base::Time>& t) {
  if (t) {
    stmt.Bind(index, base::ToUnixMillis(*t));
  } else {
    stmt.BindNull(index);
  }
}

Status RunWithId(Connection& db, const char* sql, const std::string& id, std::string_view op) {
  base::Result<Stmt> stmt = db.Prepare(sql, op);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id);
  return stmt->Run(op);
}

Status WriteOfferProjection(Connection& db, const domain::Offer& o, bool existing) {
  const std::string op = "writing the projection of offer " + o.id;
  {
    base::Result<Stmt> stmt = db.Prepare(
        "INSERT INTO offers (id, actor, level, kind, state, title, description, valid_from, "
        "valid_until, create_time, update_time, version, body) VALUES (?1, ?2, ?3, ?4, ?5, ?6, "
        "?7, ?8, ?9, ?10, ?11, ?12, ?13) ON CONFLICT (id) DO UPDATE SET actor = excluded.actor, "
        "level = excluded.level, kind = excluded.kind, state = excluded.state, title = "
        "excluded.title, description = excluded.description, valid_from = excluded.valid_from, "
        "valid_until = excluded.valid_until, create_time = excluded.create_time, update_time = "
        "excluded.update_time, version = excluded.version, body = excluded.body",
        op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, o.id)
        .Bind(2, o.actor)
        .Bind(3, o.level)
        .Bind(4, o.kind)
        .Bind(5, o.state)
        .Bind(6, o.title)
        .Bind(7, o.description);
    BindTime(*stmt, 8, o.valid_from);
    BindTime(*stmt, 9, o.valid_until);
    stmt->Bind(10, base::ToUnixMillis(o.create_time))
        .Bind(11, base::ToUnixMillis(o.update_time))
        .Bind(12, o.version)
        .BindBlob(13, codec::SerializeOffer(o));
    TV_RETURN_IF_ERROR(stmt->Run(op));
  }
  if (existing) {
    for (const char* sql : {"DELETE FROM offer_recipients WHERE offer_id = ?1",
                            "DELETE FROM offer_needs WHERE offer_id = ?1",
                            "DELETE FROM offer_areas WHERE offer_id = ?1"}) {
      TV_RETURN_IF_ERROR(RunWithId(db, sql, o.id, op));
    }
  }
  for (const domain::OfferRecipients& r : o.recipients) {
    auto insert = [&](const std::string& actor, const std::string& node) -> Status {
      base::Result<Stmt> stmt = db.Prepare(
          "INSERT INTO offer_recipients (offer_id, level, actor, node) VALUES (?1, ?2, ?3, ?4)",
          op);
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, o.id).Bind(2, r.level).Bind(3, actor).Bind(4, node);
      return stmt->Run(op);
    };
    for (const std::string& a : r.actors) TV_RETURN_IF_ERROR(insert(a, ""));
    for (const std::string& n : r.nodes) TV_RETURN_IF_ERROR(insert("", n));
  }
  for (const std::string& n : o.needs) {
    base::Result<Stmt> stmt =
        db.Prepare("INSERT OR IGNORE INTO offer_needs (offer_id, need) VALUES (?1, ?2)", op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, o.id).Bind(2, n);
    TV_RETURN_IF_ERROR(stmt->Run(op));
  }
  for (const std::string& a : o.areas) {
    base::Result<Stmt> stmt =
        db.Prepare("INSERT OR IGNORE INTO offer_areas (offer_id, area) VALUES (?1, ?2)", op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, o.id).Bind(2, a);
    TV_RETURN_IF_ERROR(stmt->Run(op));
  }
  // The text only changes on publication; later events leave the search row as it is.
  if (existing) return Status::Ok();
  base::Result<Stmt> insert = db.Prepare(
      "INSERT INTO offer_search (rowid, body) "
      "SELECT rowid, ?2 FROM offers WHERE id = ?1",
      op);
  if (!insert.ok()) return insert.status();
  insert->Bind(1, o.id).Bind(2, SearchDocument(o.title, o.description));
  return insert->Run(op);
}

base::Result<domain::Offer> ParseOfferRow(std::string_view bytes, std::string_view op) {
  base::Result<domain::Offer> o = codec::ParseOffer(bytes);
  if (!o.ok()) return base::Internal(std::string(op) + ": " + o.status().message());
  return o;
}

}  // namespace

Status CreateOfferTables(Connection& db) {
  return db.Exec(kOfferTables, "creating the offer tables");
}

Status WriteOfferAppend(Connection& db, const OfferAppend& a) {
  base::Result<bool> existed = AppendEvents<OfferKind>(db, a);
  if (!existed.ok()) return existed.status();
  return WriteOfferProjection(db, a.after, *existed);
}

base::Result<domain::Offer> ReadOffer(Connection& db, const std::string& id) {
  const std::string op = "reading offer " + id;
  base::Result<Stmt> stmt = db.Prepare("SELECT body FROM offers WHERE id = ?1", op);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id);
  base::Result<bool> row = stmt->Step(op);
  if (!row.ok()) return row.status();
  if (!*row) return base::NotFound("offer '" + id + "' not found");
  return ParseOfferRow(stmt->Blob(0), op);
}

base::Result<OfferPage> ReadOffers(Connection& db, const OfferFilter& f) {
  base::Result<PageQuery> q = PageQuery::Start("offers", "o", f.page_size, f.page_token);
  if (!q.ok()) return q.status();
  q->Equal("actor", f.actor);
  q->Equal("level", f.level);
  q->Equal("state", f.state);
  q->Member("offer_recipients", "offer_id", "node", f.node);
  q->Member("offer_recipients", "offer_id", "actor", f.recipient_actor);
  q->Member("offer_needs", "offer_id", "need", f.need);
  q->Member("offer_areas", "offer_id", "area", f.area);
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
    const std::string match = SearchQuery(f.q);
    if (match.empty()) return OfferPage{};  // no words: nothing matches
    q->And("o.rowid IN (SELECT rowid FROM offer_search WHERE offer_search MATCH " +
           q->Param(match) + ")");
  }
  constexpr std::string_view kOp = "listing offers";
  OfferPage page;
  base::Result<std::string> next = q->Run(db, kOp, [&](std::string_view body) -> Status {
    base::Result<domain::Offer> o = ParseOfferRow(body, kOp);
    if (!o.ok()) return o.status();
    page.offers.push_back(std::move(o).value());
    return Status::Ok();
  });
  if (!next.ok()) return next.status();
  page.next_page_token = std::move(next).value();
  return page;
}

Status RebuildOfferProjections(Connection& db) {
  TV_RETURN_IF_ERROR(
      db.Exec("DELETE FROM offer_recipients; DELETE FROM offer_needs; DELETE FROM offer_areas; "
              "DELETE FROM offer_search; DELETE FROM offers;",
              "rebuild: deleting the offer projections"));
  return RefoldAll<OfferKind>(
      db, [&db](const domain::Offer& o) { return WriteOfferProjection(db, o, false); });
}

}  // namespace tillvaxt::store::sqlite
