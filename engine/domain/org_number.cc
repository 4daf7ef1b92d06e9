// Swedish organisation numbers: format and Luhn check digit.
//
// Legal entities have a third digit >= 2 (the "month" digits are 20 or more), but a sole trader
// (enskild firma) uses the owner's personal identity number as organisation number, whose third
// and fourth digits are a birth month. Both kinds register cases, so the third digit is not
// checked: any 10 digits with a correct Luhn digit are accepted.
//
// The 12-digit form carries a century prefix: 16 is the conventional prefix for legal entities,
// 19 and 20 are the birth centuries in a sole trader's personal number.
#include "engine/domain/org_number.h"

#include <cctype>
#include <string>
#include <utility>

namespace tillvaxt::domain {
namespace {

constexpr char kFormat[] = "must be 10 digits as NNNNNN-NNNN";

bool Fail(std::string* why, std::string reason) {
  if (why != nullptr) *why = std::move(reason);
  return false;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

// Luhn over the first nine digits: weights 2,1,2,1,... from the left, digits of products summed.
int LuhnCheckDigit(std::string_view nine_digits) {
  int sum = 0;
  for (size_t i = 0; i < nine_digits.size(); ++i) {
    int v = (nine_digits[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += v > 9 ? v - 9 : v;
  }
  return (10 - sum % 10) % 10;
}

// Splits `s` into its digits, checking the characters and where the one optional hyphen sits.
bool ExtractDigits(std::string_view s, std::string* digits, std::string* why) {
  size_t hyphen = std::string_view::npos;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (IsDigit(c)) {
      digits->push_back(c);
    } else if (c == '-') {
      if (hyphen != std::string_view::npos) {
        return Fail(why, std::string("has more than one hyphen: ") + kFormat);
      }
      hyphen = i;
    } else {
      const bool printable = std::isprint(static_cast<unsigned char>(c)) != 0;
      return Fail(why, std::string("contains ") +
                           (printable ? "'" + std::string(1, c) + "'" : "a non-digit character") +
                           ": " + kFormat);
    }
  }
  if (digits->size() != 10 && digits->size() != 12) {
    return Fail(why, std::string(kFormat) + " (found " + std::to_string(digits->size()) +
                         " digit" + (digits->size() == 1 ? "" : "s") + ")");
  }
  if (hyphen != std::string_view::npos && hyphen != s.size() - 5) {
    return Fail(why, std::string("hyphen must come before the last 4 digits: ") + kFormat);
  }
  return true;
}

}  // namespace

std::optional<std::string> NormalizeOrgNumber(std::string_view text, std::string* why) {
  const std::string_view s = Trim(text);
  if (s.empty()) {
    Fail(why, std::string("is empty: ") + kFormat);
    return std::nullopt;
  }
  std::string digits;
  digits.reserve(12);
  if (!ExtractDigits(s, &digits, why)) return std::nullopt;
  if (digits.size() == 12) {
    const std::string_view century = std::string_view(digits).substr(0, 2);
    if (century != "16" && century != "19" && century != "20") {
      Fail(why, "century prefix must be 16, 19 or 20, not " + std::string(century));
      return std::nullopt;
    }
    digits.erase(0, 2);
  }
  const int expected = LuhnCheckDigit(std::string_view(digits).substr(0, 9));
  if (digits[9] - '0' != expected) {
    Fail(why, "check digit is wrong: expected " + std::to_string(expected));
    return std::nullopt;
  }
  return digits.substr(0, 6) + "-" + digits.substr(6);
}

}  // namespace tillvaxt::domain
