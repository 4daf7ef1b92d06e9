// The event log of one kind of subject in the PostgreSQL store, written once for cases and
// offers, as sqlite/event_log.h is for the SQLite store: an append-only events table
// (position, <subject>_id, seq, type, time, user_name, payload) with UNIQUE (<subject>_id, seq),
// and a projection table whose `version` is the subject's last seq.
//
// The version check locks the subject's projection row (SELECT ... FOR UPDATE), so of two
// transactions appending to one subject the second waits for the first and then sees its new
// version: optimistic concurrency answers ABORTED, never a unique violation, for an existing
// subject. For a new subject the UNIQUE (<subject>_id, seq) constraint refuses the second
// insert; that is ABORTED too (pg.cc maps SQLSTATE 23505).
//
// A Kind names the tables and knows its types and codec:
//   struct Kind {
//     using Event = ...;  using Append = ...;
//     static constexpr const char* kNoun, kEventTable, kIdColumn, kProjection;
//     static const std::string& SubjectId(const Event&);
//     static std::string_view TypeName(const Event&);
//     static std::string Serialize(const Event&);
//     static base::Result<Event> Parse(std::string_view bytes);
//   };
//
// Thread-safety: each function uses only the connection it is given, inside the caller's
// transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/store/postgres/pg.h"

namespace tillvaxt::store::postgres {

// Checks the subject's version and inserts the events; `first_position` numbers them when not
// null (cases: positions in commit order, case_log.h), else the table numbers them itself
// (offers). Returns whether the subject existed before.
template <class Kind>
base::Result<bool> AppendEvents(Connection& db, const typename Kind::Append& a,
                                const int64_t* first_position) {
  static const std::string version_sql =
      std::string("SELECT version FROM ") + Kind::kProjection + " WHERE id = $1 FOR UPDATE";
  static const std::string numbered_sql = std::string("INSERT INTO ") + Kind::kEventTable +
                                          " (position, " + Kind::kIdColumn +
                                          ", seq, type, time, user_name, payload) "
                                          "VALUES ($1, $2, $3, $4, $5, $6, $7)";
  static const std::string unnumbered_sql = std::string("INSERT INTO ") + Kind::kEventTable + " (" +
                                            Kind::kIdColumn +
                                            ", seq, type, time, user_name, payload) "
                                            "VALUES ($1, $2, $3, $4, $5, $6)";
  const std::string& insert_sql = first_position != nullptr ? numbered_sql : unnumbered_sql;
  const std::string subject = std::string(Kind::kNoun) + " " + a.after.id;
  Params p;
  p.Text(a.after.id);
  base::Result<Result> version = db.Query(version_sql, p, "reading the version of " + subject);
  if (!version.ok()) return version.status();
  const bool exists = version->rows() > 0;
  const int64_t current = exists ? version->Int(0, 0) : 0;
  if (a.expected_version == 0 && exists) {
    return base::Aborted(subject + " already exists (version " + std::to_string(current) + ")");
  }
  if (current != a.expected_version) {
    return base::Aborted(subject + " was changed concurrently (version " + std::to_string(current) +
                         ", expected " + std::to_string(a.expected_version) + ")");
  }
  const std::string op = "appending events of " + subject;
  int64_t position = first_position != nullptr ? *first_position : 0;
  for (const auto& e : a.events) {
    Params ep;
    if (first_position != nullptr) ep.Int(position++);
    ep.Text(Kind::SubjectId(e))
        .Int(e.seq)
        .Text(Kind::TypeName(e))
        .Int(base::ToUnixMillis(e.time))
        .Text(e.user)
        .Bytes(Kind::Serialize(e));
    base::Result<Result> r = db.Query(insert_sql, ep, op);
    if (!r.ok()) {
      if (r.status().code() == base::Code::kAborted && !exists) {
        return base::Aborted(subject + " already exists (created concurrently)");
      }
      return r.status();
    }
  }
  return exists;
}

// The subject's events by seq; NOT_FOUND "<noun> 'x' not found" when it has none.
template <class Kind>
base::Result<std::vector<typename Kind::Event>> ReadEvents(Connection& db, const std::string& id) {
  static const std::string sql = std::string("SELECT payload FROM ") + Kind::kEventTable +
                                 " WHERE " + Kind::kIdColumn + " = $1 ORDER BY seq";
  const std::string op = std::string("reading the events of ") + Kind::kNoun + " " + id;
  Params p;
  p.Text(id);
  base::Result<Result> r = db.Query(sql, p, op);
  if (!r.ok()) return r.status();
  std::vector<typename Kind::Event> events;
  for (int i = 0; i < r->rows(); ++i) {
    base::Result<typename Kind::Event> e = Kind::Parse(r->Bytes(i, 0));
    if (!e.ok()) return base::Internal(op + ": " + e.status().message());
    events.push_back(std::move(e).value());
  }
  if (events.empty()) return base::NotFound(std::string(Kind::kNoun) + " '" + id + "' not found");
  return events;
}

// Calls `write` with every subject's whole history, one subject at a time in id order, reading
// in chunks by keyset over (<subject>_id, seq); `read(n)` after each chunk of n events.
template <class Kind>
base::Status RefoldAll(
    Connection& db,
    const std::function<base::Status(const std::vector<typename Kind::Event>&)>& write,
    const std::function<void(int64_t)>& read = {}) {
  static const std::string sql = std::string("SELECT payload FROM ") + Kind::kEventTable +
                                 " WHERE (" + Kind::kIdColumn + ", seq) > ($1, $2) ORDER BY " +
                                 Kind::kIdColumn + ", seq LIMIT 1000";
  const std::string op = std::string("rebuild: reading the events of every ") + Kind::kNoun;
  std::string after_id;
  int64_t after_seq = 0;
  std::vector<typename Kind::Event> history;
  while (true) {
    Params p;
    p.Text(after_id).Int(after_seq);
    base::Result<Result> r = db.Query(sql, p, op);
    if (!r.ok()) return r.status();
    if (r->rows() == 0) break;
    for (int i = 0; i < r->rows(); ++i) {
      base::Result<typename Kind::Event> e = Kind::Parse(r->Bytes(i, 0));
      if (!e.ok()) return base::Internal(op + ": " + e.status().message());
      if (!history.empty() && Kind::SubjectId(history.back()) != Kind::SubjectId(*e)) {
        TV_RETURN_IF_ERROR(write(history));
        history.clear();
      }
      history.push_back(std::move(e).value());
    }
    after_id = Kind::SubjectId(history.back());
    after_seq = history.back().seq;
    if (read) read(r->rows());
  }
  return history.empty() ? base::Status::Ok() : write(history);
}

}  // namespace tillvaxt::store::postgres
