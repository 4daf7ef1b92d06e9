#include "engine/store/append_checks.h"

#include <string>

namespace tillvaxt::store {
namespace {

template <class Append, class SubjectIdOf>
base::Status Validate(const Append& a, const std::string& noun, SubjectIdOf subject_id_of) {
  const std::string& id = a.after.id;
  if (id.empty()) {
    return base::InvalidArgument("append: the " + noun + " after the events has no id");
  }
  const std::string what = "append to " + noun + " " + id;
  if (a.expected_version < 0) return base::InvalidArgument(what + ": negative expected version");
  if (a.events.empty()) return base::InvalidArgument(what + ": no events");
  for (size_t i = 0; i < a.events.size(); ++i) {
    const auto& e = a.events[i];
    const int64_t want = a.expected_version + static_cast<int64_t>(i) + 1;
    if (subject_id_of(e) != id) {
      return base::InvalidArgument(what + ": event " + std::to_string(i) + " belongs to " + noun +
                                   " " + subject_id_of(e));
    }
    if (e.seq != want) {
      return base::InvalidArgument(what + ": event " + std::to_string(i) + " has seq " +
                                   std::to_string(e.seq) + ", expected " + std::to_string(want));
    }
  }
  const int64_t after_version = a.expected_version + static_cast<int64_t>(a.events.size());
  if (a.after.version != after_version) {
    return base::InvalidArgument(what + ": the " + noun + " after has version " +
                                 std::to_string(a.after.version) + ", expected " +
                                 std::to_string(after_version));
  }
  return base::Status::Ok();
}

}  // namespace

base::Status ValidateCaseAppend(const CaseAppend& append) {
  return Validate(append, "case", [](const domain::Event& e) { return e.case_id; });
}

base::Status ValidateOfferAppend(const OfferAppend& append) {
  return Validate(append, "offer", [](const domain::OfferEvent& e) { return e.offer_id; });
}

}  // namespace tillvaxt::store
