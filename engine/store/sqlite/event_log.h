// The event log of one kind of subject in the SQLite store, written once for cases and offers.
//
// Each kind has an append-only events table (position, <subject>_id, seq, type, time, user,
// payload), with `position` the commit order and UNIQUE (<subject>_id, seq), and a projection
// table (id TEXT PRIMARY KEY, version INTEGER, ...) whose `version` is the subject's last seq.
// Appending checks the version (optimistic concurrency) and inserts the events; what else the
// projection holds is the kind's own business (case_tables.h, offer_tables.h), written by the
// caller in the same transaction.
//
// A Kind names the tables and knows its types, codec and fold:
//
//   struct Kind {
//     using Event = ...;  using Subject = ...;  using Append = ...;  // CaseAppend, ...
//     static constexpr const char* kNoun = "case";            // in messages
//     static constexpr const char* kEventTable = "events";
//     static constexpr const char* kIdColumn = "case_id";
//     static constexpr const char* kProjection = "cases";
//     static const std::string& SubjectId(const Event&);
//     static std::string_view TypeName(const Event&);
//     static std::string Serialize(const Event&);
//     static base::Result<Event> Parse(std::string_view bytes);
//     static Subject Fold(const std::vector<Event>&);
//   };
//
// Thread-safety: each function uses only the connection it is given (the writer for appends
// and refolds, any reader for reads).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/time.h"
#include "engine/store/sqlite/db.h"

namespace tillvaxt::store::sqlite {

// Checks the subject's version and inserts the events (inside the caller's transaction); the
// append was validated before (store/append_checks.h).
// ABORTED when a new subject's id exists or an existing one is not at expected_version. Returns
// whether the subject existed before (its projection rows are then replaced).
template <class Kind>
base::Result<bool> AppendEvents(Connection& db, const typename Kind::Append& a) {
  static const std::string version_sql =
      std::string("SELECT version FROM ") + Kind::kProjection + " WHERE id = ?1";
  static const std::string insert_sql = std::string("INSERT INTO ") + Kind::kEventTable + " (" +
                                        Kind::kIdColumn +
                                        ", seq, type, time, user, payload) "
                                        "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
  const std::string subject = std::string(Kind::kNoun) + " " + a.after.id;
  int64_t current = 0;
  bool exists = false;
  {
    const std::string op = "reading the version of " + subject;
    base::Result<Stmt> stmt = db.Prepare(version_sql, op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, a.after.id);
    base::Result<bool> row = stmt->Step(op);
    if (!row.ok()) return row.status();
    if (*row) {
      exists = true;
      current = stmt->Int(0);
    }
  }
  if (a.expected_version == 0 && exists) {
    return base::Aborted(subject + " already exists (version " + std::to_string(current) + ")");
  }
  if (current != a.expected_version) {
    return base::Aborted(subject + " was changed concurrently (version " + std::to_string(current) +
                         ", expected " + std::to_string(a.expected_version) + ")");
  }
  const std::string op = "appending events of " + subject;
  for (const auto& e : a.events) {
    base::Result<Stmt> stmt = db.Prepare(insert_sql, op);
    if (!stmt.ok()) return stmt.status();
    stmt->Bind(1, Kind::SubjectId(e))
        .Bind(2, e.seq)
        .Bind(3, Kind::TypeName(e))
        .Bind(4, base::ToUnixMillis(e.time))
        .Bind(5, e.user)
        .BindBlob(6, Kind::Serialize(e));
    TV_RETURN_IF_ERROR(stmt->Run(op));
  }
  return exists;
}

// The subject's events by seq; NOT_FOUND "<noun> 'x' not found" when it has none.
template <class Kind>
base::Result<std::vector<typename Kind::Event>> ReadEvents(Connection& db, const std::string& id) {
  static const std::string sql = std::string("SELECT payload FROM ") + Kind::kEventTable +
                                 " WHERE " + Kind::kIdColumn + " = ?1 ORDER BY seq";
  const std::string op = std::string("reading the events of ") + Kind::kNoun + " " + id;
  base::Result<Stmt> stmt = db.Prepare(sql, op);
  if (!stmt.ok()) return stmt.status();
  stmt->Bind(1, id);
  std::vector<typename Kind::Event> events;
  while (true) {
    base::Result<bool> row = stmt->Step(op);
    if (!row.ok()) return row.status();
    if (!*row) break;
    base::Result<typename Kind::Event> e = Kind::Parse(stmt->Blob(0));
    if (!e.ok()) return base::Internal(op + ": " + e.status().message());
    events.push_back(std::move(e).value());
  }
  if (events.empty()) return base::NotFound(std::string(Kind::kNoun) + " '" + id + "' not found");
  return events;
}

// Folds every subject's history and hands the result to `write`, one subject at a time, in id
// order; `read(n)` after each chunk of n events. Reads in chunks by keyset over (id, seq), so no
// read cursor stays open across the writes `write` makes on the same connection.
template <class Kind>
base::Status RefoldAll(Connection& db,
                       const std::function<base::Status(const typename Kind::Subject&)>& write,
                       const std::function<void(int64_t)>& read = {}) {
  static const std::string sql = std::string("SELECT payload FROM ") + Kind::kEventTable +
                                 " WHERE (" + Kind::kIdColumn + ", seq) > (?1, ?2) ORDER BY " +
                                 Kind::kIdColumn + ", seq LIMIT 1000";
  const std::string op = std::string("rebuild: reading the events of every ") + Kind::kNoun;
  std::string current;
  std::vector<typename Kind::Event> history;
  auto flush = [&]() -> base::Status {
    if (history.empty()) return base::Status::Ok();
    const typename Kind::Subject subject = Kind::Fold(history);
    history.clear();
    return write(subject);
  };
  std::string after_id;
  int64_t after_seq = 0;
  while (true) {
    std::vector<typename Kind::Event> chunk;
    {
      base::Result<Stmt> stmt = db.Prepare(sql, op);
      if (!stmt.ok()) return stmt.status();
      stmt->Bind(1, after_id).Bind(2, after_seq);
      while (true) {
        base::Result<bool> row = stmt->Step(op);
        if (!row.ok()) return row.status();
        if (!*row) break;
        base::Result<typename Kind::Event> e = Kind::Parse(stmt->Blob(0));
        if (!e.ok()) return base::Internal(op + ": " + e.status().message());
        chunk.push_back(std::move(e).value());
      }
    }
    if (chunk.empty()) break;
    after_id = Kind::SubjectId(chunk.back());
    after_seq = chunk.back().seq;
    for (auto& e : chunk) {
      if (Kind::SubjectId(e) != current) {
        TV_RETURN_IF_ERROR(flush());
        current = Kind::SubjectId(e);
      }
      history.push_back(std::move(e));
    }
    if (read) read(static_cast<int64_t>(chunk.size()));
  }
  return flush();
}

}  // namespace tillvaxt::store::sqlite
