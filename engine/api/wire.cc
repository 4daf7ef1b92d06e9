#include "engine/api/wire.h"

#include <google/protobuf/util/json_util.h>

namespace tillvaxt::api {
namespace {

constexpr std::string_view kProtobuf = "application/x-protobuf";

bool Mentions(std::string_view header, std::string_view media_type) {
  return header.find(media_type) != std::string_view::npos;
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (len == 0 || i + static_cast<size_t>(len) > s.size()) return false;
    uint32_t cp = len == 1 ? c : len == 2 ? (c & 0x1F) : len == 3 ? (c & 0x0F) : (c & 0x07);
    for (int k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
      if ((cc >> 6) != 0x2) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += static_cast<size_t>(len);
  }
  return true;
}

base::Status ParseBody(const http::Request& request, google::protobuf::Message* message) {
  std::string_view type = request.headers.GetOr("Content-Type", "application/json");
  if (Mentions(type, kProtobuf)) {
    if (!message->ParseFromString(request.body)) {
      return base::InvalidArgument("body is not a valid " + message->GetTypeName() + " message");
    }
    return base::Status::Ok();
  }
  if (!Mentions(type, "application/json")) {
    return base::InvalidArgument("unsupported Content-Type '" + std::string(type) +
                                 "': send application/json or application/x-protobuf");
  }
  if (request.body.empty()) return base::Status::Ok();
  if (!IsValidUtf8(request.body)) return base::InvalidArgument("body is not valid UTF-8");
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(request.body, message, options);
  if (!status.ok()) {
    return base::InvalidArgument("invalid JSON body: " + std::string(status.message()));
  }
  return base::Status::Ok();
}

http::Response Reply(const http::Request& request, int status,
                     const google::protobuf::Message& message) {
  if (Mentions(request.headers.GetOr("Accept", ""), kProtobuf)) {
    http::Response r;
    r.status = status;
    r.content_type = std::string(kProtobuf);
    r.body = message.SerializeAsString();
    return r;
  }
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  auto printed = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!printed.ok()) return ReplyError(base::Internal("cannot print the response"));
  return http::Response::Json(status, std::move(json));
}

http::Response ReplyError(const base::Status& status) { return http::JsonError(status); }

}  // namespace tillvaxt::api
