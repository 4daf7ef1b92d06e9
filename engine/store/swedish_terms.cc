#include "engine/store/swedish_terms.h"

#include <libstemmer.h>

#include <algorithm>
#include <cstdint>
#include <memory>

namespace tillvaxt::store {
namespace {

struct StemmerDeleter {
  void operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }
};

// One stemmer per thread: libstemmer's objects keep per-call state.
sb_stemmer* Stemmer() {
  thread_local std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer(
      sb_stemmer_new("swedish", "UTF_8"));
  return stemmer.get();
}

// Decodes one UTF-8 sequence at text[i]; returns its code point (U+FFFD when malformed) and
// advances i.
char32_t Decode(std::string_view text, size_t& i) {
  const auto b0 = static_cast<unsigned char>(text[i]);
  int extra = 0;
  char32_t cp = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  } else if ((b0 & 0xE0) == 0xC0) {
    extra = 1;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3;
    cp = b0 & 0x07;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + static_cast<size_t>(extra) >= text.size()) {  // truncated sequence
    i = text.size();
    return 0xFFFD;
  }
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(text[i + static_cast<size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<size_t>(extra) + 1;
  return cp;
}

void Encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsWordChar(char32_t cp) {
  if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
    return true;
  }
  // Latin-1 letters (not × and ÷) and everything beyond: letters of other scripts.
  return cp >= 0xC0 && cp != 0xD7 && cp != 0xF7 && cp != 0xFFFD &&
         !(cp >= 0x2000 && cp <= 0x206F) && !(cp >= 0x3000 && cp <= 0x303F);
}

char32_t Lower(char32_t cp) {
  if (cp >= 'A' && cp <= 'Z') return cp + 32;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;  // À..Þ -> à..þ (Å Ä Ö)
  return cp;
}

std::string Stem(const std::string& word) {
  sb_stemmer* s = Stemmer();
  if (s == nullptr) return word;
  const sb_symbol* stemmed = sb_stemmer_stem(s, reinterpret_cast<const sb_symbol*>(word.data()),
                                             static_cast<int>(word.size()));
  if (stemmed == nullptr) return word;
  return std::string(reinterpret_cast<const char*>(stemmed),
                     static_cast<size_t>(sb_stemmer_length(s)));
}

}  // namespace

std::vector<std::string> SwedishTerms(std::string_view text) {
  std::vector<std::string> terms;
  std::string word;
  size_t i = 0;
  while (i < text.size()) {
    const char32_t cp = Decode(text, i);
    if (IsWordChar(cp)) {
      Encode(Lower(cp), word);
      continue;
    }
    if (!word.empty()) {
      terms.push_back(Stem(word));
      word.clear();
    }
  }
  if (!word.empty()) terms.push_back(Stem(word));
  return terms;
}

std::string SearchDocument(std::string_view title, std::string_view description) {
  std::string doc;
  for (std::string_view part : {title, description}) {
    for (const std::string& t : SwedishTerms(part)) {
      if (!doc.empty()) doc.push_back(' ');
      doc += t;
    }
  }
  return doc;
}

std::vector<std::string> SearchTerms(std::string_view title, std::string_view description) {
  std::vector<std::string> terms = SwedishTerms(title);
  std::vector<std::string> more = SwedishTerms(description);
  terms.insert(terms.end(), more.begin(), more.end());
  std::sort(terms.begin(), terms.end());
  terms.erase(std::unique(terms.begin(), terms.end()), terms.end());
  return terms;
}

}  // namespace tillvaxt::store
