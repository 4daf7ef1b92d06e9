// A small JSON reader for the notification the engine hands to the notifiers (email, webhook):
// enough of RFC 8259 to read objects, arrays, strings (with \u escapes to UTF-8), numbers, true,
// false and null into a tree. Value types; thread-compatible.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tillvaxt_plugins::json {

struct Value {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };
  Kind kind = Kind::kNull;
  bool boolean = false;
  std::string text;  // kString: the string; kNumber: its text
  std::vector<Value> items;
  std::map<std::string, Value> members;

  // Member `key` of an object, or nullptr.
  const Value* Find(const std::string& key) const;
  // The string member `key`, or "" when absent or not a string.
  std::string String(const std::string& key) const;
};

// Parses a whole document; nullopt (and *error) when it is not valid JSON.
std::optional<Value> Parse(std::string_view text, std::string* error);

}  // namespace tillvaxt_plugins::json
