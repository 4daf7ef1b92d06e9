// The words of a Swedish text as every store's full-text search compares them: CaseQueries and
// OfferLog promise that every word of a query `q` must be a word of the title or description,
// and "word" means a term made here, so every store (and the conformance suite that checks
// them) finds the same cases for the same query.
//
// Terms are runs of letters and digits in UTF-8 (any character from U+00C0 up counts as a
// letter, so å, ä, ö, é and the rest stay inside words), lower-cased (ASCII and Latin-1: Å Ä Ö
// become å ä ö) and stemmed with Snowball's Swedish stemmer (libstemmer), so "finansieringen"
// and "finansiering" give the same term, as do "företagen" and "företag".
//
// Thread-safety: one stemmer per thread (libstemmer objects keep per-call state); callable from
// any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tillvaxt::store {

// The lower-cased, stemmed words of `text`, in order.
std::vector<std::string> SwedishTerms(std::string_view text);

// The document indexed for a title and a description: their terms joined by spaces.
std::string SearchDocument(std::string_view title, std::string_view description);

// The distinct terms of a title and a description, sorted: the set a store keeps for matching
// (the PostgreSQL store's text[] column), equal as a set to the words of SearchDocument.
std::vector<std::string> SearchTerms(std::string_view title, std::string_view description);

}  // namespace tillvaxt::store
