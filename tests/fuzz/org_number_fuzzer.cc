// Fuzz target: domain::NormalizeOrgNumber, the validator of every organisation number a client
// sends (cases, company lookups). The input is the text as sent.
//
// A finding: a sanitizer report, an exception, or a broken promise of org_number.h: a number
// accepted must normalise to NNNNNN-NNNN with a correct Luhn digit, normalising it again must
// give itself, and a refusal must say why.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/domain/org_number.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

bool HasShape(const std::string& n) {
  if (n.size() != 11 || n[6] != '-') return false;
  for (size_t i = 0; i < n.size(); ++i) {
    if (i != 6 && (n[i] < '0' || n[i] > '9')) return false;
  }
  return true;
}

// Luhn over all ten digits: the sum is a multiple of ten when the last digit checks the rest.
bool LuhnHolds(const std::string& n) {
  int sum = 0;
  int position = 0;
  for (char c : n) {
    if (c == '-') continue;
    int v = (c - '0') * (position % 2 == 0 ? 2 : 1);
    sum += v > 9 ? v - 9 : v;
    ++position;
  }
  return sum % 10 == 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string why;
  std::optional<std::string> normal = tillvaxt::domain::NormalizeOrgNumber(text, &why);
  if (!normal) {
    FUZZ_CHECK(!why.empty(), "refused without a reason: '" + std::string(text) + "'");
    return 0;
  }
  FUZZ_CHECK(HasShape(*normal), "accepted as '" + *normal + "', not NNNNNN-NNNN");
  FUZZ_CHECK(LuhnHolds(*normal), "accepted '" + *normal + "' with a wrong check digit");
  std::optional<std::string> again = tillvaxt::domain::NormalizeOrgNumber(*normal);
  FUZZ_CHECK(again && *again == *normal, "'" + *normal + "' does not normalise to itself");
  return 0;
}
