// Protobuf messages as the API's JSON, written directly from the message by reflection.
//
// The answer equals protobuf's canonical JSON mapping as util::MessageToJsonString prints it with
// always_print_primitive_fields (the API's promise: every field is present), value for value:
// fields by their JSON names; singular scalars and enums always, also at their defaults; repeated
// fields and maps always ([] and {} when empty); messages and members of a oneof (proto3
// `optional` included) only when set; 64-bit integers as strings; enums by name (by number when
// unknown); non-finite floats as "NaN", "Infinity", "-Infinity"; bytes in base64; Timestamp as
// RFC 3339 in UTC and Duration as seconds with an "s", each with 0, 3, 6 or 9 fractional digits.
// Floats are written with 15 significant digits, or 17 when 15 do not read back to the same
// value, as protobuf writes them; '<', '>', '&', U+2028 and U+2029 are escaped so a response can
// be embedded in HTML. Key order and escaping may differ from protobuf's printer, never the
// parsed value (tests/unit/api/json_writer_test.cc compares the two on random messages of every
// API type).
//
// Why: protobuf's printer serialises the message, re-parses it through a type resolver and
// builds a tree of default values before writing; it took a sixth of the server's CPU per
// command. Messages holding other well-known types (Any, Struct, wrappers, FieldMask) are not
// written here: AppendJson returns false and writes nothing, and the caller uses protobuf's.
//
// Thread-safety: pure functions of their arguments.
#pragma once

#include <google/protobuf/message.h>

#include <string>

namespace tillvaxt::api {

// Appends `message` as JSON to `out`; false (and `out` unchanged) when it holds a type this
// writer does not write.
bool AppendJson(const google::protobuf::Message& message, std::string* out);

}  // namespace tillvaxt::api
