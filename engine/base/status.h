// Status and Result<T>: errors as values, used across every layer.
//
// A Status carries a Code (the small set of API.md), a message for people and optional field
// violations naming what was wrong in a request. Thread-compatible value types.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace tillvaxt::base {

enum class Code {
  kOk,
  kInvalidArgument,
  kNotFound,
  kFailedPrecondition,
  kUnauthenticated,
  kPermissionDenied,
  kAborted,
  kResourceExhausted,
  kUnavailable,
  kInternal,
};

// The API name of a code: "INVALID_ARGUMENT", "NOT_FOUND", ...
const char* CodeName(Code code);

struct FieldViolation {
  std::string field;
  std::string description;
  bool operator==(const FieldViolation&) const = default;
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message, std::vector<FieldViolation> details = {})
      : code_(code), message_(std::move(message)), details_(std::move(details)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldViolation>& details() const { return details_; }

  // "NOT_FOUND: case 'x' not found"
  std::string ToString() const;

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::vector<FieldViolation> details_;
};

inline Status InvalidArgument(std::string message, std::vector<FieldViolation> details = {}) {
  return Status(Code::kInvalidArgument, std::move(message), std::move(details));
}
// An invalid field: the message names the field and the details carry it.
inline Status InvalidField(const std::string& field, const std::string& description) {
  return Status(Code::kInvalidArgument, field + ": " + description, {{field, description}});
}
inline Status NotFound(std::string message) { return Status(Code::kNotFound, std::move(message)); }
inline Status FailedPrecondition(std::string message) {
  return Status(Code::kFailedPrecondition, std::move(message));
}
inline Status Unauthenticated(std::string message) {
  return Status(Code::kUnauthenticated, std::move(message));
}
inline Status PermissionDenied(std::string message) {
  return Status(Code::kPermissionDenied, std::move(message));
}
inline Status Aborted(std::string message) { return Status(Code::kAborted, std::move(message)); }
inline Status ResourceExhausted(std::string message) {
  return Status(Code::kResourceExhausted, std::move(message));
}
inline Status Unavailable(std::string message) {
  return Status(Code::kUnavailable, std::move(message));
}
inline Status Internal(std::string message) { return Status(Code::kInternal, std::move(message)); }

// A value or the Status explaining why there is none.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: REQUIRES: !status.ok()

  bool ok() const { return v_.index() == 0; }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<1>(v_);
  }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace tillvaxt::base

// Returns early from the enclosing function when `expr` (a Status) is not ok.
#define TV_RETURN_IF_ERROR(expr)                          \
  do {                                                    \
    ::tillvaxt::base::Status tv_status_ = (expr);         \
    if (!tv_status_.ok()) return tv_status_;              \
  } while (false)
