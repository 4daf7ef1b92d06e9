// Request bodies in and response bodies out: protobuf's canonical JSON mapping of the proto/
// messages, or binary protobuf when the client sends or accepts application/x-protobuf.
//
// Parsing rejects invalid UTF-8, malformed JSON, unknown fields and wrong types with
// INVALID_ARGUMENT naming the problem; nothing here throws. Thread-safe.
#pragma once

#include <google/protobuf/message.h>

#include "engine/base/status.h"
#include "engine/http/request.h"
#include "engine/http/response.h"

namespace tillvaxt::api {

// Reads the request body into `message`. An empty body reads as an empty message.
base::Status ParseBody(const http::Request& request, google::protobuf::Message* message);

// `message` as JSON (fields with default values included, so clients see every field), or as
// binary protobuf when the request's Accept asks for application/x-protobuf.
http::Response Reply(const http::Request& request, int status,
                     const google::protobuf::Message& message);

// `message` as the API's JSON (json_writer.h; protobuf's printer for the types it does not write).
base::Result<std::string> ToJson(const google::protobuf::Message& message);

// The `pageSize` query parameter (1..1000), or `fallback` when absent; INVALID_ARGUMENT naming
// pageSize otherwise.
base::Result<int> PageSize(const http::Request& request, int fallback);

// The error response for `status`, with API.md's body.
http::Response ReplyError(const base::Status& status);

}  // namespace tillvaxt::api
