#include "engine/store/sqlite/text_search.h"

#include <catch2/catch.hpp>
#include <string>
#include <thread>
#include <vector>

#include "engine/store/swedish_terms.h"

namespace tillvaxt::store::sqlite {
namespace {

using Strings = std::vector<std::string>;

TEST_CASE("Swedish stemming joins the forms of a word") {
  CHECK(SwedishTerms("finansieringen") == SwedishTerms("finansiering"));
  CHECK(SwedishTerms("företagen") == SwedishTerms("företag"));
  CHECK(SwedishTerms("innovationer") == SwedishTerms("innovation"));
  CHECK(SwedishTerms("hundarna") == Strings{"hund"});
  CHECK(SwedishTerms("finansiering") != SwedishTerms("företag"));
}

TEST_CASE("words are lower-cased with Å, Ä and Ö, split on anything but letters and digits") {
  CHECK(SwedishTerms("ÅÄÖ åäö") == SwedishTerms("åäö ÅÄÖ"));
  CHECK(SwedishTerms("FÖRETAGEN") == SwedishTerms("företag"));
  CHECK(SwedishTerms("Växa, på nya marknader!") == SwedishTerms("växa på nya marknader"));
  CHECK(SwedishTerms("e-post 2026").size() == 3);
  CHECK(SwedishTerms("  ,;:-  ").empty());
  CHECK(SwedishTerms("").empty());
  // Broken UTF-8 splits words rather than failing.
  CHECK(SwedishTerms("abc\xff"
                     "def")
            .size() == 2);
  CHECK(SwedishTerms("abc\xc3").size() == 1);
}

TEST_CASE("queries quote every word, so FTS5 syntax in them is inert") {
  CHECK(SearchQuery("Finansieringen AND NOT \"x\"") ==
        "\"" + SwedishTerms("finansieringen")[0] + "\" \"and\" \"not\" \"x\"");
  CHECK(SearchQuery("*:^()").empty());
  CHECK(SearchDocument("Företagen", "växer") ==
        SwedishTerms("Företagen")[0] + " " + SwedishTerms("växer")[0]);
}

TEST_CASE("each thread stems with its own stemmer") {
  std::vector<std::thread> threads;
  std::vector<int> ok(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&ok, t] {
      for (int i = 0; i < 2000; ++i) {
        if (SwedishTerms("finansieringen företagen") == SwedishTerms("finansiering företag")) {
          ++ok[static_cast<size_t>(t)];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == std::vector<int>(4, 2000));
}

}  // namespace
}  // namespace tillvaxt::store::sqlite
