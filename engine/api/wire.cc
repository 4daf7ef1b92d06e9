#include "engine/api/wire.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/util/json_util.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <charconv>

#include "engine/api/json_writer.h"
#include "engine/base/utf8.h"

namespace tillvaxt::api {
namespace {

constexpr std::string_view kProtobuf = "application/x-protobuf";

bool Mentions(std::string_view header, std::string_view media_type) {
  return header.find(media_type) != std::string_view::npos;
}

// "company.org_number" / "needs[0]" -> "company.orgNumber" / "needs[0]": the API's field names.
std::string CamelPath(std::string_view path) {
  std::string out;
  bool upper = false;
  for (char c : path) {
    if (c == '_') {
      upper = true;
    } else {
      out += upper && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
      upper = false;
    }
  }
  return out;
}

// protobuf's JSON parser reports "(company.org_number): invalid value 5 for type TYPE_STRING"
// or "(company) vatNumber: Cannot find field."; this names the field in API terms so the error
// carries details[].field like every other invalid field.
base::Status JsonError(std::string_view message) {
  message = message.substr(0, message.find('\n'));
  std::string path;
  std::string problem(message);
  if (!message.empty() && message.front() == '(') {
    size_t close = message.find(')');
    if (close != std::string_view::npos) {
      path = CamelPath(message.substr(1, close - 1));
      std::string_view rest = message.substr(close + 1);
      if (rest.substr(0, 2) == ": ") {
        problem = std::string(rest.substr(2));
      } else if (rest.substr(0, 1) == " ") {
        // "(parent) name: Cannot find field."
        rest.remove_prefix(1);
        size_t colon = rest.find(": ");
        if (colon != std::string_view::npos) {
          path += "." + std::string(rest.substr(0, colon));
          problem = std::string(rest.substr(colon + 2));
        }
      }
    }
  } else if (size_t colon = message.find(": ");
             colon != std::string_view::npos && colon > 0 &&
             message.substr(colon + 2).starts_with("Cannot find field")) {
    path = std::string(message.substr(0, colon));
    problem = std::string(message.substr(colon + 2));
  }
  if (problem.starts_with("Cannot find field")) problem = "unknown field";
  if (problem.find("Root element must be a message") != std::string::npos) {
    return base::InvalidArgument("invalid JSON body: the body must be a JSON object");
  }
  if (path.empty()) return base::InvalidArgument("invalid JSON body: " + problem);
  return base::InvalidArgument("invalid JSON body: field '" + path + "': " + problem,
                               {{path, problem}});
}

// protobuf's parser takes a lone value where a list belongs ("needs": "financing"); the API's
// lists are JSON arrays, so that is a wrong type, named like the others.
base::Status CheckLists(const boost::json::value& value, const google::protobuf::Descriptor& type,
                        const std::string& prefix) {
  if (!value.is_object()) return base::Status::Ok();
  for (const auto& [key, item] : value.as_object()) {
    std::string name(key);
    const google::protobuf::FieldDescriptor* field = type.FindFieldByName(name);
    for (int i = 0; field == nullptr && i < type.field_count(); ++i) {
      if (type.field(i)->json_name() == name) field = type.field(i);
    }
    if (field == nullptr || field->is_map()) continue;  // unknown fields: protobuf names them
    std::string path = prefix.empty() ? field->json_name() : prefix + "." + field->json_name();
    if (field->is_repeated() && !item.is_array() && !item.is_null()) {
      return base::InvalidArgument("invalid JSON body: field '" + path + "' must be a list",
                                   {{path, "must be a list (a JSON array)"}});
    }
    if (field->type() != google::protobuf::FieldDescriptor::TYPE_MESSAGE) continue;
    if (item.is_array()) {
      for (size_t i = 0; i < item.as_array().size(); ++i) {
        TV_RETURN_IF_ERROR(CheckLists(item.as_array()[i], *field->message_type(),
                                      path + "[" + std::to_string(i) + "]"));
      }
    } else {
      TV_RETURN_IF_ERROR(CheckLists(item, *field->message_type(), path));
    }
  }
  return base::Status::Ok();
}

}  // namespace

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
  if (!base::IsValidUtf8(request.body)) return base::InvalidArgument("body is not valid UTF-8");
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  auto status = google::protobuf::util::JsonStringToMessage(request.body, message, options);
  if (!status.ok()) {
    return JsonError(std::string(status.message()));
  }
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(request.body, ec);
  if (!ec) TV_RETURN_IF_ERROR(CheckLists(parsed, *message->GetDescriptor(), ""));
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
  base::Result<std::string> json = ToJson(message);
  if (!json.ok()) return ReplyError(json.status());
  return http::Response::Json(status, std::move(json).value());
}

base::Result<std::string> ToJson(const google::protobuf::Message& message) {
  std::string json;
  if (AppendJson(message, &json)) return json;
  google::protobuf::util::JsonPrintOptions options;  // a type json_writer.h does not write
  options.always_print_primitive_fields = true;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return base::Internal("cannot print the response");
  }
  return json;
}

base::Result<int> PageSize(const http::Request& request, int fallback) {
  auto size = request.query.Get("pageSize");
  if (!size) return fallback;
  int n = 0;
  auto r = std::from_chars(size->data(), size->data() + size->size(), n);
  if (r.ec != std::errc() || r.ptr != size->data() + size->size() || n < 1 || n > 1000) {
    return base::InvalidField("pageSize", "must be a whole number from 1 to 1000");
  }
  return n;
}

http::Response ReplyError(const base::Status& status) { return http::JsonError(status); }

}  // namespace tillvaxt::api
