// Fuzz target: the page-token decoder of the database stores (engine/store/page_token.h), which
// reads a client's `pageToken` query parameter. The input is the token as sent; it is decoded
// for the cases and the offers listing.
//
// A finding: a sanitizer report, an exception, or a broken promise: a token that decodes must
// be exactly the one EncodePageToken makes of what it decoded to (so no second spelling of a
// position is accepted), and must not decode for the other listing. Also, for each input, the
// token made of (a number from the input, the input as id) must decode back to them.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "engine/store/page_token.h"
#include "tests/fuzz/fuzz_check.h"

using tillvaxt::store::DecodePageToken;
using tillvaxt::store::EncodePageToken;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view token(reinterpret_cast<const char*>(data), size);
  constexpr std::string_view kListings[2] = {"cases", "offers"};
  for (int i = 0; i < 2; ++i) {
    int64_t ms = 0;
    std::string id;
    if (!DecodePageToken(kListings[i], std::string(token), &ms, &id)) continue;
    FUZZ_CHECK(EncodePageToken(kListings[i], ms, id) == token,
               "decoded, but is not the token of what it decoded to: " + std::string(token));
    int64_t other_ms = 0;
    std::string other_id;
    FUZZ_CHECK(!DecodePageToken(kListings[1 - i], std::string(token), &other_ms, &other_id),
               "a token of one listing decodes for the other: " + std::string(token));
  }

  int64_t ms = 0;
  std::memcpy(&ms, data, size < sizeof(ms) ? size : sizeof(ms));
  const std::string made = EncodePageToken("cases", ms, std::string(token));
  int64_t back_ms = 0;
  std::string back_id;
  FUZZ_CHECK(DecodePageToken("cases", made, &back_ms, &back_id),
             "a token the store made does not decode: " + made);
  FUZZ_CHECK(back_ms == ms && back_id == token, "a token decodes to another row: " + made);
  return 0;
}
