// Page tokens of the newest-first keyset pages (CaseQueries::ListCases, OfferLog::ListOffers),
// shared by the stores whose pages are keyed by (create_time, id) in a database: the SQLite
// store and the PostgreSQL store. A token is hex of "<create_time ms>,<id>", a dot and a check
// of that key for one listing (FNV-1a over the listing's name and the key), so an altered or
// made-up token, or one of another listing, is refused rather than misread. Not a secret: a
// token only says where a page starts, and visibility is applied to every row whatever the
// token. It carries no per-process key, so a token from one instance works on another instance
// over the same database.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tillvaxt::store {

std::string EncodePageToken(std::string_view listing, int64_t create_ms, const std::string& id);
// The page size a listing uses for a requested `page_size`: 0 means 50; others are clamped to
// 1..1000 (CaseQueries::ListCases).
int PageSize(int page_size);

// False when `token` is not one EncodePageToken made for `listing`.
bool DecodePageToken(std::string_view listing, const std::string& token, int64_t* create_ms,
                     std::string* id);

}  // namespace tillvaxt::store
