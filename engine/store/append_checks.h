// The checks every store makes of an append before it writes anything (CaseLog::Append,
// OfferLog::AppendOffer): one definition, so every store refuses the same appends with the same
// words.
//
// INVALID_ARGUMENT when the subject after the events has no id, the expected version is
// negative, there are no events, an event belongs to another subject, the seqs are not
// expected_version + 1, + 2, ..., or the subject after is not at the last seq.
//
// Thread-safety: pure functions.
#pragma once

#include "engine/base/status.h"
#include "engine/store/case_log.h"
#include "engine/store/offer_log.h"

namespace tillvaxt::store {

base::Status ValidateCaseAppend(const CaseAppend& append);
base::Status ValidateOfferAppend(const OfferAppend& append);

}  // namespace tillvaxt::store
