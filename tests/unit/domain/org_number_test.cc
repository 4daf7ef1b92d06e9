#include "engine/domain/org_number.h"

#include <catch2/catch.hpp>

#include <string>

namespace {

using tillvaxt::domain::NormalizeOrgNumber;

// The normalised number, or "invalid: <reason>".
std::string Check(std::string_view text) {
  std::string why;
  auto n = NormalizeOrgNumber(text, &why);
  if (!n) return "invalid: " + why;
  CHECK(why.empty());
  return *n;
}

}  // namespace

TEST_CASE("Valid organisation numbers normalise to NNNNNN-NNNN", "[org_number]") {
  // Limited companies (third digit >= 2), a municipality, a region, an association.
  CHECK(Check("556036-0793") == "556036-0793");
  CHECK(Check("202100-5489") == "202100-5489");
  CHECK(Check("556016-0680") == "556016-0680");
  CHECK(Check("212000-0142") == "212000-0142");
  CHECK(Check("556547-5489") == "556547-5489");
  // Without the hyphen.
  CHECK(Check("5560360793") == "556036-0793");
  // Twelve digits with a century prefix, with and without the hyphen.
  CHECK(Check("16556036-0793") == "556036-0793");
  CHECK(Check("165560360793") == "556036-0793");
  // Sole traders use the owner's personal identity number (third digit a month).
  CHECK(Check("811218-9876") == "811218-9876");
  CHECK(Check("19811218-9876") == "811218-9876");
  CHECK(Check("198112189876") == "811218-9876");
  CHECK(Check("20811218-9876") == "811218-9876");
  // Surrounding white space is trimmed.
  CHECK(Check("  556036-0793 ") == "556036-0793");
  CHECK(Check("\t5560360793\n") == "556036-0793");
}

TEST_CASE("Without a reason pointer the result alone tells", "[org_number]") {
  CHECK(NormalizeOrgNumber("556036-0793") == std::optional<std::string>("556036-0793"));
  CHECK_FALSE(NormalizeOrgNumber("556036-0794").has_value());
}

TEST_CASE("Wrong check digits are named with the expected digit", "[org_number]") {
  CHECK(Check("556036-0794") == "invalid: check digit is wrong: expected 3");
  CHECK(Check("556036-0790") == "invalid: check digit is wrong: expected 3");
  CHECK(Check("202100-5480") == "invalid: check digit is wrong: expected 9");
  CHECK(Check("5020651234") == "invalid: check digit is wrong: expected 7");
  CHECK(Check("16556016-0681") == "invalid: check digit is wrong: expected 0");
  // Two swapped digits change the Luhn sum.
  CHECK(Check("550636-0793").rfind("invalid: check digit is wrong", 0) == 0);
  // Every single-digit change of a valid number is caught.
  const std::string valid = "5560360793";
  for (size_t i = 0; i < valid.size(); ++i) {
    for (char c = '0'; c <= '9'; ++c) {
      if (c == valid[i]) continue;
      std::string changed = valid;
      changed[i] = c;
      INFO(changed);
      CHECK_FALSE(NormalizeOrgNumber(changed).has_value());
    }
  }
}

TEST_CASE("Malformed organisation numbers are refused with the problem named",
          "[org_number]") {
  CHECK(Check("") == "invalid: is empty: must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("   ") == "invalid: is empty: must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("55603A-0793") == "invalid: contains 'A': must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("556036 0793") == "invalid: contains ' ': must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("556036+0793") == "invalid: contains '+': must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("SE556036079301") == "invalid: contains 'S': must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("556036\x01-0793") ==
        "invalid: contains a non-digit character: must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("556036-079") ==
        "invalid: must be 10 digits as NNNNNN-NNNN (found 9 digits)");
  CHECK(Check("556036-07931") ==
        "invalid: must be 10 digits as NNNNNN-NNNN (found 11 digits)");
  CHECK(Check("1") == "invalid: must be 10 digits as NNNNNN-NNNN (found 1 digit)");
  CHECK(Check("-") == "invalid: must be 10 digits as NNNNNN-NNNN (found 0 digits)");
  CHECK(Check("1655603607931") ==
        "invalid: must be 10 digits as NNNNNN-NNNN (found 13 digits)");
  CHECK(Check("55603-60793") ==
        "invalid: hyphen must come before the last 4 digits: must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("5560360-793") ==
        "invalid: hyphen must come before the last 4 digits: must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("5560360793-") ==
        "invalid: hyphen must come before the last 4 digits: must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("16-5560360793") ==
        "invalid: hyphen must come before the last 4 digits: must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("556036--0793") ==
        "invalid: has more than one hyphen: must be 10 digits as NNNNNN-NNNN");
  CHECK(Check("18556036-0793") == "invalid: century prefix must be 16, 19 or 20, not 18");
  CHECK(Check("555560360793") == "invalid: century prefix must be 16, 19 or 20, not 55");
  // A space inside the number is not trimmed away.
  CHECK(Check("556036- 0793").rfind("invalid: contains ' '", 0) == 0);
}
