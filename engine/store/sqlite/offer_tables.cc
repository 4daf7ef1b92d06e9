#include "engine/store/sqlite/offer_tables.h"

#include <algorithm>
#include <charconv>
#include <system_error>
#include <utility>

#include "engine/codec/offer_codec.h"
#include "engine/store/sqlite/text_search.h"
#include "engine/store/swedish_terms.h"

namespace tillvaxt::store::sqlite {
namespace {

using base::Status;

constexpr int kDefaultPageSize = 50;
constexpr int kMaxPageSize = 1000;

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

// Page tokens: hex of "<create_time ms>,<id>", opaque to clients.
std::string EncodePageToken(int64_t create_ms, const std::string& id) {
  static constexpr char kHex[] = "0123456789abcdef";
  const std::string raw = std::to_string(create_ms) + "," + id;
  std::string out;
  for (unsigned char ch : raw) {
    out.push_back(kHex[ch >> 4]);
    out.push_back(kHex[ch & 0xf]);
  }
  return out;
}

bool DecodePageToken(const std::string& token, int64_t* create_ms, std::string* id) {
  if (token.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::string raw;
  for (size_t i = 0; i < token.size(); i += 2) {
    const int hi = nibble(token[i]);
    const int lo = nibble(token[i + 1]);
    if (hi < 0 || lo < 0) return false;
    raw.push_back(static_cast<char>(hi * 16 + lo));
  }
  const size_t comma = raw.find(',');
  if (comma == std::string::npos || comma == 0) return false;
  auto [ptr, ec] = std::from_chars(raw.data(), raw.data() + comma, *create_ms);
  if (ec != std::errc() || ptr != raw.data() + comma) return false;
  *id = raw.substr(comma + 1);
  return true;
}

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

Status ValidateOfferAppend(const OfferAppend& a) {
  const std::string& id = a.after.id;
  if (id.empty()) return base::InvalidArgument("offer append: the offer after has no id");
  if (a.expected_version < 0) {
    return base::InvalidArgument("append to offer " + id + ": negative expected version");
  }
  if (a.events.empty()) return base::InvalidArgument("append to offer " + id + ": no events");
  for (size_t i = 0; i < a.events.size(); ++i) {
    const domain::OfferEvent& e = a.events[i];
    if (e.offer_id != id) {
      return base::InvalidArgument("append to offer " + id + ": event " + std::to_string(i) +
                                   " belongs to offer " + e.offer_id);
    }
    if (e.seq != a.expected_version + static_cast<int64_t>(i) + 1) {
      return base::InvalidArgument("append to offer " + id + ": event " + std::to_string(i) +
                                   " has seq " + std::to_string(e.seq));
    }
  }
  if (a.after.version != a.expected_version + static_cast<int64_t>(a.events.size())) {
    return base::InvalidArgument("append to offer " + id + ": the offer after has version " +
                                 std::to_string(a.after.version));
  }
  return Status::Ok();
}

Status WriteOfferAppend(Connection& db, const OfferAppend& a) {
  const std::string& id = a.after.id;
  int64_t current = 0;
  bool exists = false;
  {
    const std::string op = "reading the version of offer " + id;
    base::Result<Stmt> stmt = db.Prepare("SELECT version FROM offers WHERE id = ?1", op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, id);
    base::Result<bool> row = stmt->Step(op);
    if (!row.ok()) return row.status();
    if (*row) {
      exists = true;
      current = stmt->Int(0);
    }
  }
  if (a.expected_version == 0 && exists) {
    return base::Aborted("offer " + id + " already exists");
  }
  if (current != a.expected_version) {
    return base::Aborted("offer " + id + " was changed concurrently (version " +
                         std::to_string(current) + ", expected " +
                         std::to_string(a.expected_version) + ")");
  }
  const std::string op = "appending events of offer " + id;
  for (const domain::OfferEvent& e : a.events) {
    base::Result<Stmt> stmt = db.Prepare(
        "INSERT INTO offer_events (offer_id, seq, type, time, user, payload) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, e.offer_id)
        .Bind(2, e.seq)
        .Bind(3, std::string_view(domain::OfferEventTypeName(e.type)))
        .Bind(4, base::ToUnixMillis(e.time))
        .Bind(5, e.user)
        .BindBlob(6, codec::SerializeOfferEvent(e));
    TV_RETURN_IF_ERROR(stmt->Run(op));
  }
  return WriteOfferProjection(db, a.after, exists);
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
  const int page_size =
      f.page_size == 0 ? kDefaultPageSize : std::clamp(f.page_size, 1, kMaxPageSize);
  int64_t after_ms = 0;
  std::string after_id;
  const bool paged = !f.page_token.empty();
  if (paged && !DecodePageToken(f.page_token, &after_ms, &after_id)) {
    return base::InvalidField("pageToken", "not a token this server returned");
  }
  struct Param {
    bool is_int = false;
    int64_t i = 0;
    std::string s;
  };
  std::vector<Param> params;
  auto text = [&](std::string v) {
    params.push_back({false, 0, std::move(v)});
    return "?" + std::to_string(params.size());
  };
  auto number = [&](int64_t v) {
    params.push_back({true, v, {}});
    return "?" + std::to_string(params.size());
  };
  std::string sql = "SELECT o.body, o.create_time, o.id FROM offers o WHERE 1";
  auto equal = [&](const char* column, const std::string& value) {
    if (!value.empty()) sql += std::string(" AND o.") + column + " = " + text(value);
  };
  auto member = [&](const char* table, const char* column, const std::string& value) {
    if (value.empty()) return;
    sql += std::string(" AND o.id IN (SELECT offer_id FROM ") + table + " WHERE " + column + " = " +
           text(value) + ")";
  };
  equal("actor", f.actor);
  equal("level", f.level);
  equal("state", f.state);
  member("offer_recipients", "node", f.node);
  member("offer_recipients", "actor", f.recipient_actor);
  member("offer_needs", "need", f.need);
  member("offer_areas", "area", f.area);
  if (f.active_at) {
    const std::string t = number(base::ToUnixMillis(*f.active_at));
    sql += " AND o.state = 'PUBLISHED' AND (o.valid_from IS NULL OR o.valid_from <= " + t +
           ") AND (o.valid_until IS NULL OR o.valid_until > " + t + ")";
  }
  if (f.expired_at) {
    sql += " AND o.state = 'PUBLISHED' AND o.valid_until <= " +
           number(base::ToUnixMillis(*f.expired_at));
  }
  if (!f.q.empty()) {
    const std::string match = SearchQuery(f.q);
    if (match.empty()) return OfferPage{};  // no words: nothing matches
    sql += " AND o.rowid IN (SELECT rowid FROM offer_search WHERE offer_search MATCH " +
           text(match) + ")";
  }
  if (paged) {
    const std::string ms = number(after_ms);
    const std::string id = text(after_id);
    sql +=
        " AND (o.create_time < " + ms + " OR (o.create_time = " + ms + " AND o.id < " + id + "))";
  }
  sql += " ORDER BY o.create_time DESC, o.id DESC LIMIT " + number(int64_t{page_size} + 1);

  constexpr std::string_view kOp = "listing offers";
  base::Result<Stmt> stmt = db.Prepare(sql, kOp);
  if (!stmt.ok()) return stmt.status();
  for (size_t i = 0; i < params.size(); ++i) {
    const int index = static_cast<int>(i) + 1;
    if (params[i].is_int) {
      stmt->Bind(index, params[i].i);
    } else {
      stmt->Bind(index, params[i].s);
    }
  }
  OfferPage page;
  int64_t last_ms = 0;
  std::string last_id;
  while (true) {
    base::Result<bool> row = stmt->Step(kOp);
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.offers.size()) == page_size) {
      page.next_page_token = EncodePageToken(last_ms, last_id);
      break;
    }
    base::Result<domain::Offer> o = ParseOfferRow(stmt->Blob(0), kOp);
    if (!o.ok()) return o.status();
    last_ms = stmt->Int(1);
    last_id = stmt->Text(2);
    page.offers.push_back(std::move(o).value());
  }
  return page;
}

base::Result<std::vector<domain::OfferEvent>> ReadOfferEvents(Connection& db,
                                                              const std::string& id) {
  const std::string op = "reading the events of offer " + id;
  base::Result<Stmt> stmt =
      db.Prepare("SELECT payload FROM offer_events WHERE offer_id = ?1 ORDER BY seq", op);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id);
  std::vector<domain::OfferEvent> events;
  while (true) {
    base::Result<bool> row = stmt->Step(op);
    if (!row.ok()) return row.status();
    if (!*row) break;
    base::Result<domain::OfferEvent> e = codec::ParseOfferEvent(stmt->Blob(0));
    if (!e.ok()) return base::Internal(op + ": " + e.status().message());
    events.push_back(std::move(e).value());
  }
  if (events.empty()) return base::NotFound("offer '" + id + "' not found");
  return events;
}

Status RebuildOfferProjections(Connection& db) {
  constexpr std::string_view kOp = "rebuild: offers";
  TV_RETURN_IF_ERROR(
      db.Exec("DELETE FROM offer_recipients; DELETE FROM offer_needs; DELETE FROM offer_areas; "
              "DELETE FROM offer_search; DELETE FROM offers;",
              kOp));
  std::string after_offer;
  int64_t after_seq = 0;
  std::string current;
  std::vector<domain::OfferEvent> events;
  auto flush = [&]() -> Status {
    if (events.empty()) return Status::Ok();
    const domain::Offer o = domain::FoldOffer(events);
    events.clear();
    return WriteOfferProjection(db, o, false);
  };
  while (true) {
    std::vector<domain::OfferEvent> chunk;
    {
      base::Result<Stmt> stmt = db.Prepare(
          "SELECT payload FROM offer_events WHERE (offer_id, seq) > (?1, ?2) "
          "ORDER BY offer_id, seq LIMIT 1000",
          kOp);
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, after_offer).Bind(2, after_seq);
      while (true) {
        base::Result<bool> row = stmt->Step(kOp);
        if (!row.ok()) return row.status();
        if (!*row) break;
        base::Result<domain::OfferEvent> e = codec::ParseOfferEvent(stmt->Blob(0));
        if (!e.ok()) return base::Internal(std::string(kOp) + ": " + e.status().message());
        chunk.push_back(std::move(e).value());
      }
    }
    if (chunk.empty()) break;
    after_offer = chunk.back().offer_id;
    after_seq = chunk.back().seq;
    for (domain::OfferEvent& e : chunk) {
      if (e.offer_id != current) {
        TV_RETURN_IF_ERROR(flush());
        current = e.offer_id;
      }
      events.push_back(std::move(e));
    }
  }
  return flush();
}

}  // namespace tillvaxt::store::sqlite
