// UTF-8 checks for text that crosses the API: request bodies must be UTF-8 (JSON is), and any
// text we write into a JSON answer must be too, including text a client sent us (a path, a
// query value, a header) that an error message repeats.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace tillvaxt::base {

// True when `text` is valid UTF-8: no stray continuation bytes, truncated sequences, overlong
// forms, surrogates or values past U+10FFFF.
bool IsValidUtf8(std::string_view text);

// The length of the longest prefix of `text` that is valid UTF-8 (where the first invalid byte
// is; text.size() when all is valid).
size_t ValidUtf8Prefix(std::string_view text);

// `text` with each byte that does not belong to a valid UTF-8 sequence replaced by U+FFFD (the
// replacement character); valid text is returned unchanged.
std::string ValidUtf8(std::string_view text);

}  // namespace tillvaxt::base
