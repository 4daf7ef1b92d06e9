// Swedish organisation numbers (organisationsnummer): NNNNNN-NNNN, the tenth digit a Luhn check
// digit over the first nine. Accepts the 10 digits with or without the hyphen, and the 12-digit
// form with a century prefix (16NNNNNN-NNNN); normalises to NNNNNN-NNNN.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tillvaxt::domain {

// Nullopt with a reason in *why when invalid.
std::optional<std::string> NormalizeOrgNumber(std::string_view text, std::string* why = nullptr);

}  // namespace tillvaxt::domain
