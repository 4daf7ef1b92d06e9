// Fuzz target: request bodies into every request message of the API, through api::ParseBody,
// the one decoder the handlers use (JSON by protobuf's canonical mapping plus our own list
// checks, or binary protobuf). The first byte picks the message (modulo the number of request
// messages, in name order: ActionRequest, CreateCaseRequest, LoginRequest, PublishOfferRequest,
// WithdrawOfferRequest) and, with its bit 0x80, binary protobuf instead of JSON; the rest is the
// body.
//
// The request messages are every message named *Request in the proto files of tillvaxt.api.v1,
// found through their file descriptors, so a new one is fuzzed without editing this file (a new
// API proto file is added to kApiFiles).
//
// A finding: a sanitizer report, an exception, or a body that decodes but whose message the
// API's JSON writer (api::ToJson) cannot write, or writes as JSON that does not decode back to
// an equal message.
#include <google/protobuf/descriptor.h>
#include <google/protobuf/dynamic_message.h>
#include <google/protobuf/message.h>
#include <google/protobuf/util/message_differencer.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/api/wire.h"
#include "tests/fuzz/fuzz_check.h"
#include "tillvaxt/api/v1/cases.pb.h"
#include "tillvaxt/api/v1/offers.pb.h"
#include "tillvaxt/api/v1/platform.pb.h"
#include "tillvaxt/api/v1/stats.pb.h"
#include "tillvaxt/api/v1/todo.pb.h"

namespace {

namespace pb = google::protobuf;

// One message of each API proto file: naming it links the file's generated code (a static
// library's object is linked only when something names it) and gives its file descriptor.
const pb::FileDescriptor* const kApiFiles[] = {
    tillvaxt::api::v1::CreateCaseRequest::descriptor()->file(),
    tillvaxt::api::v1::PublishOfferRequest::descriptor()->file(),
    tillvaxt::api::v1::LoginRequest::descriptor()->file(),
    tillvaxt::api::v1::Percentiles::descriptor()->file(),
    tillvaxt::api::v1::TodoCase::descriptor()->file(),
};

std::vector<const pb::Message*> FindRequestMessages() {
  std::vector<const pb::Descriptor*> found;
  for (const pb::FileDescriptor* file : kApiFiles) {
    for (int i = 0; i < file->message_type_count(); ++i) {
      const std::string& type = file->message_type(i)->name();
      if (type.size() > 7 && type.compare(type.size() - 7, 7, "Request") == 0) {
        found.push_back(file->message_type(i));
      }
    }
  }
  std::sort(found.begin(), found.end(),
            [](const pb::Descriptor* a, const pb::Descriptor* b) { return a->name() < b->name(); });
  FUZZ_CHECK(found.size() >= 5, "expected at least the five request messages");
  std::vector<const pb::Message*> prototypes;
  for (const pb::Descriptor* d : found) {
    prototypes.push_back(pb::MessageFactory::generated_factory()->GetPrototype(d));
  }
  return prototypes;
}

tillvaxt::http::Request BodyRequest(std::string body, bool binary) {
  tillvaxt::http::Request request;
  request.method = "POST";
  request.headers.Add("Content-Type", binary ? "application/x-protobuf" : "application/json");
  request.body = std::move(body);
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::vector<const pb::Message*> kRequests = FindRequestMessages();
  if (size == 0) return 0;
  const pb::Message& prototype = *kRequests[(data[0] & 0x7f) % kRequests.size()];
  const bool binary = (data[0] & 0x80) != 0;
  tillvaxt::http::Request request =
      BodyRequest(std::string(reinterpret_cast<const char*>(data) + 1, size - 1), binary);

  std::unique_ptr<pb::Message> message(prototype.New());
  if (!tillvaxt::api::ParseBody(request, message.get()).ok()) return 0;

  // What decodes must be writable, and what the API writes must decode to the same message.
  // Binary protobuf keeps fields it does not know (protobuf's rule, so older servers read newer
  // clients); JSON has no place for them and refuses unknown names, so they are not compared.
  message->DiscardUnknownFields();
  const std::string type = prototype.GetTypeName();
  tillvaxt::base::Result<std::string> json = tillvaxt::api::ToJson(*message);
  FUZZ_CHECK(json.ok(), type + ": a decoded message the JSON writer refuses: " +
                            json.status().ToString() + "\n  " + message->ShortDebugString());
  std::unique_ptr<pb::Message> again(prototype.New());
  tillvaxt::base::Status reread = tillvaxt::api::ParseBody(BodyRequest(*json, false), again.get());
  FUZZ_CHECK(reread.ok(),
             type + ": the writer's JSON does not decode: " + reread.ToString() + "\n  " + *json);
  FUZZ_CHECK(pb::util::MessageDifferencer::Equals(*message, *again),
             type + ": the writer's JSON decodes to another message\n  in:  " +
                 message->ShortDebugString() + "\n  out: " + again->ShortDebugString());
  return 0;
}
