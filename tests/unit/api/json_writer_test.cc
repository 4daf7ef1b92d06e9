// The API's JSON writer against protobuf's own printer: random messages of every type of the
// public API (every field kind, nesting, maps, oneofs, Timestamps and Durations, strings with
// every character JSON must escape) are written by both, and the parsed answers must be equal.
#include "engine/api/json_writer.h"

#include <google/protobuf/util/json_util.h>

#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "tillvaxt/api/v1/cases.pb.h"
#include "tillvaxt/api/v1/offers.pb.h"
#include "tillvaxt/api/v1/platform.pb.h"
#include "tillvaxt/api/v1/stats.pb.h"

namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

const std::vector<std::string>& Strings() {
  static const std::vector<std::string> kStrings = {
      "",
      "Eskilstuna",
      "Sjörobotik AB växer på nya marknader: ÅÄÖ åäö é",
      "<script>alert('x')</script> & <b>",
      "quote \" and back\\slash / solidus",
      "tab\tnew\nline\rreturn\bback\fform",
      std::string("\x01\x02\x1f\x7f nul:") + std::string(1, '\0') + "end",
      "emoji \xF0\x9F\x98\x80 and \xE2\x80\xA8 line \xE2\x80\xA9 para",
      "soft\xC2\xADhyphen zero\xE2\x80\x8Bwidth bom\xEF\xBB\xBF rtl\xE2\x80\xAE",
      "556036-0793",
  };
  return kStrings;
}

double RandomDouble(std::mt19937_64& rng) {
  static const std::vector<double> kDoubles = {0.0,
                                               -0.0,
                                               1.5,
                                               96.2,
                                               1e-7,
                                               1e21,
                                               -3.25,
                                               123456789.123456789,
                                               0.1 + 0.2,
                                               std::numeric_limits<double>::max(),
                                               std::numeric_limits<double>::denorm_min(),
                                               std::nan(""),
                                               std::numeric_limits<double>::infinity(),
                                               -std::numeric_limits<double>::infinity()};
  if (rng() % 3 == 0) return std::uniform_real_distribution<double>(-1e6, 1e6)(rng);
  return kDoubles[rng() % kDoubles.size()];
}

int64_t RandomInt(std::mt19937_64& rng, int64_t lo, int64_t hi) {
  switch (rng() % 4) {
    case 0:
      return 0;
    case 1:
      return rng() % 2 ? lo : hi;
    default:
      return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  }
}

void Fill(Message* m, std::mt19937_64& rng, int depth);

void SetOne(Message* m, const FieldDescriptor* f, std::mt19937_64& rng, int depth) {
  const Reflection* r = m->GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32: {
      const auto v = static_cast<int32_t>(RandomInt(rng, INT32_MIN, INT32_MAX));
      rep ? r->AddInt32(m, f, v) : r->SetInt32(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT32: {
      const auto v = static_cast<uint32_t>(RandomInt(rng, 0, UINT32_MAX));
      rep ? r->AddUInt32(m, f, v) : r->SetUInt32(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_INT64: {
      const int64_t v = RandomInt(rng, INT64_MIN, INT64_MAX);
      rep ? r->AddInt64(m, f, v) : r->SetInt64(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_UINT64: {
      const auto v = static_cast<uint64_t>(RandomInt(rng, 0, INT64_MAX)) * (rng() % 2 + 1);
      rep ? r->AddUInt64(m, f, v) : r->SetUInt64(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_DOUBLE: {
      const double v = RandomDouble(rng);
      rep ? r->AddDouble(m, f, v) : r->SetDouble(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_FLOAT: {
      const auto v = static_cast<float>(rng() % 1000) / 8.0f;  // exact in binary
      rep ? r->AddFloat(m, f, v) : r->SetFloat(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_BOOL: {
      const bool v = rng() % 2 == 0;
      rep ? r->AddBool(m, f, v) : r->SetBool(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_ENUM: {
      const auto* type = f->enum_type();
      const int v = type->value(static_cast<int>(rng() % type->value_count()))->number();
      rep ? r->AddEnumValue(m, f, v) : r->SetEnumValue(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string v = Strings()[rng() % Strings().size()];
      if (f->type() == FieldDescriptor::TYPE_BYTES) v.resize(rng() % 7, 'x');
      rep ? r->AddString(m, f, v) : r->SetString(m, f, v);
      break;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      Fill(rep ? r->AddMessage(m, f) : r->MutableMessage(m, f), rng, depth + 1);
      break;
  }
}

void Fill(Message* m, std::mt19937_64& rng, int depth) {
  const Descriptor* d = m->GetDescriptor();
  const Reflection* r = m->GetReflection();
  if (d->full_name() == "google.protobuf.Timestamp") {
    r->SetInt64(m, d->FindFieldByNumber(1), RandomInt(rng, -62135596800, 253402300799));
    const int32_t nanos[] = {0, 123000000, 120000000, 123456000, 123456789, 999999999};
    r->SetInt32(m, d->FindFieldByNumber(2), nanos[rng() % 6]);
    return;
  }
  if (d->full_name() == "google.protobuf.Duration") {
    const int64_t seconds = RandomInt(rng, -315576000000, 315576000000);
    const int32_t nanos[] = {0, 500000000, 1000000, 1000, 1};
    int32_t n = nanos[rng() % 5];
    if (seconds < 0 || (seconds == 0 && rng() % 2)) n = -n;
    r->SetInt64(m, d->FindFieldByNumber(1), seconds);
    r->SetInt32(m, d->FindFieldByNumber(2), n);
    return;
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE && depth > 3) continue;
    if (rng() % 10 < 3) continue;  // left unset
    if (f->is_repeated()) {
      const int n = static_cast<int>(rng() % 4);
      for (int j = 0; j < n; ++j) SetOne(m, f, rng, depth);
    } else {
      SetOne(m, f, rng, depth);
    }
  }
}

std::vector<const Descriptor*> ApiMessageTypes() {
  std::vector<const Descriptor*> out;
  std::vector<const Descriptor*> todo;
  for (const auto* file : {tillvaxt::api::v1::Company::descriptor()->file(),
                           tillvaxt::api::v1::OfferRecipients::descriptor()->file(),
                           tillvaxt::api::v1::User::descriptor()->file(),
                           tillvaxt::api::v1::Percentiles::descriptor()->file()}) {
    for (int i = 0; i < file->message_type_count(); ++i) todo.push_back(file->message_type(i));
  }
  while (!todo.empty()) {
    const Descriptor* d = todo.back();
    todo.pop_back();
    if (d->map_key() != nullptr) continue;  // a map entry
    out.push_back(d);
    for (int i = 0; i < d->nested_type_count(); ++i) todo.push_back(d->nested_type(i));
  }
  return out;
}

std::string Protobufs(const Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  REQUIRE(google::protobuf::util::MessageToJsonString(m, &json, options).ok());
  return json;
}

}  // namespace

TEST_CASE("the JSON writer answers what protobuf's printer answers, for every API message",
          "[api][json]") {
  const std::vector<const Descriptor*> types = ApiMessageTypes();
  REQUIRE(types.size() > 30);
  std::mt19937_64 rng(20261203);
  int compared = 0;
  for (const Descriptor* d : types) {
    for (int round = 0; round < 40; ++round) {
      std::unique_ptr<Message> m(
          google::protobuf::MessageFactory::generated_factory()->GetPrototype(d)->New());
      if (round > 0) Fill(m.get(), rng, 0);  // round 0: the empty message
      std::string mine;
      REQUIRE(tillvaxt::api::AppendJson(*m, &mine));
      const std::string theirs = Protobufs(*m);
      INFO(d->full_name() << "\n mine:   " << mine << "\n theirs: " << theirs);
      boost::system::error_code ec;
      const boost::json::value parsed = boost::json::parse(mine, ec);
      REQUIRE_FALSE(ec);
      CHECK(parsed == boost::json::parse(theirs));
      ++compared;
    }
  }
  CHECK(compared == static_cast<int>(types.size()) * 40);
}

TEST_CASE("the JSON writer escapes what HTML and JavaScript must not see raw", "[api][json]") {
  tillvaxt::api::v1::Company c;
  c.set_name("<a>&\xE2\x80\xA8\"\\\n\x01");
  std::string out;
  REQUIRE(tillvaxt::api::AppendJson(c, &out));
  CHECK(out.find("\\u003ca\\u003e\\u0026\\u2028\\\"\\\\\\n\\u0001") != std::string::npos);
  CHECK(out.find('<') == std::string::npos);
}
