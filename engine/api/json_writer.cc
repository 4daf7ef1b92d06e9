#include "engine/api/json_writer.h"

#include <google/protobuf/descriptor.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string_view>

namespace tillvaxt::api {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

// Decodes one UTF-8 sequence at s[i] (advancing i); U+FFFD for a malformed one.
char32_t NextCodePoint(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int extra = 0;
  char32_t cp = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) {
    extra = 1;
    cp = b0 & 0x1F;
    min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    extra = 2;
    cp = b0 & 0x0F;
    min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    extra = 3;
    cp = b0 & 0x07;
    min = 0x10000;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + static_cast<size_t>(extra) >= s.size()) {  // truncated
    i = s.size();
    return 0xFFFD;
  }
  for (int k = 1; k <= extra; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  i += static_cast<size_t>(extra) + 1;
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0xFFFD;
  return cp;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void AppendEscape(char32_t cp, std::string* out) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(cp));
  out->append(buf);
}

void AppendString(std::string_view s, std::string* out) {
  out->push_back('"');
  size_t i = 0;
  while (i < s.size()) {
    const size_t start = i;
    const char32_t cp = NextCodePoint(s, i);
    switch (cp) {
      case '"':
        out->append("\\\"");
        continue;
      case '\\':
        out->append("\\\\");
        continue;
      case '\b':
        out->append("\\b");
        continue;
      case '\f':
        out->append("\\f");
        continue;
      case '\n':
        out->append("\\n");
        continue;
      case '\r':
        out->append("\\r");
        continue;
      case '\t':
        out->append("\\t");
        continue;
      default:
        break;
    }
    if (cp < 0x20 || cp == '<' || cp == '>' || cp == '&' || cp == 0x7F || cp == 0x2028 ||
        cp == 0x2029) {
      AppendEscape(cp, out);
    } else if (cp == 0xFFFD) {
      AppendUtf8(cp, out);  // a malformed sequence is written as U+FFFD
    } else {
      out->append(s.substr(start, i - start));
    }
  }
  out->push_back('"');
}

// Finite floats as protobuf writes them: the shorter of 15 (float: 6) significant digits when
// that reads back to the same value, else 17 (float: 9), which always does.
template <class Float>
void AppendFloat(Float v, std::string* out) {
  if (std::isnan(v)) {
    out->append("\"NaN\"");
    return;
  }
  if (std::isinf(v)) {
    out->append(v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return;
  }
  constexpr bool kDouble = sizeof(Float) == sizeof(double);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*g", kDouble ? 15 : 6, static_cast<double>(v));
  const bool exact = kDouble ? std::strtod(buf, nullptr) == static_cast<double>(v)
                             : std::strtof(buf, nullptr) == static_cast<float>(v);
  if (!exact) std::snprintf(buf, sizeof buf, "%.*g", kDouble ? 17 : 9, static_cast<double>(v));
  out->append(buf);
}

template <class Int>
void AppendInt(Int v, bool quoted, std::string* out) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  if (quoted) out->push_back('"');
  out->append(buf, r.ptr);
  if (quoted) out->push_back('"');
}

void AppendBase64(std::string_view bytes, std::string* out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out->push_back('"');
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                       uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    for (int shift : {18, 12, 6, 0}) out->push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i + 1 == bytes.size()) {
    const uint32_t n = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    out->push_back(kAlphabet[(n >> 18) & 63]);
    out->push_back(kAlphabet[(n >> 12) & 63]);
    out->append("==");
  } else if (i + 2 == bytes.size()) {
    const uint32_t n = (uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                       (uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
    out->push_back(kAlphabet[(n >> 18) & 63]);
    out->push_back(kAlphabet[(n >> 12) & 63]);
    out->push_back(kAlphabet[(n >> 6) & 63]);
    out->push_back('=');
  }
  out->push_back('"');
}

// The fraction of a second as protobuf writes it: nothing, or 3, 6 or 9 digits.
void AppendNanos(int32_t nanos, std::string* out) {
  if (nanos == 0) return;
  char buf[16];
  if (nanos % 1'000'000 == 0) {
    std::snprintf(buf, sizeof buf, ".%03d", nanos / 1'000'000);
  } else if (nanos % 1'000 == 0) {
    std::snprintf(buf, sizeof buf, ".%06d", nanos / 1'000);
  } else {
    std::snprintf(buf, sizeof buf, ".%09d", nanos);
  }
  out->append(buf);
}

// Timestamp and Duration: the two well-known types the API uses.
bool AppendWellKnown(const Message& m, const Descriptor* d, std::string* out) {
  const Reflection* r = m.GetReflection();
  const int64_t seconds = r->GetInt64(m, d->FindFieldByNumber(1));
  const int32_t nanos = r->GetInt32(m, d->FindFieldByNumber(2));
  if (d->full_name() == "google.protobuf.Timestamp") {
    // 0001-01-01 .. 9999-12-31, as protobuf requires.
    if (seconds < -62135596800 || seconds > 253402300799 || nanos < 0 || nanos > 999999999) {
      return false;
    }
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[80];
    std::snprintf(buf, sizeof buf, "\"%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    out->append(buf);
    AppendNanos(nanos, out);
    out->append("Z\"");
    return true;
  }
  // Duration: the sign once, then |seconds| and |nanos| (which share the sign).
  if (seconds < -315576000000 || seconds > 315576000000 || nanos < -999999999 ||
      nanos > 999999999 || (seconds > 0 && nanos < 0) || (seconds < 0 && nanos > 0)) {
    return false;
  }
  out->push_back('"');
  if (seconds < 0 || nanos < 0) out->push_back('-');
  AppendInt(seconds < 0 ? -seconds : seconds, false, out);
  AppendNanos(nanos < 0 ? -nanos : nanos, out);
  out->append("s\"");
  return true;
}

bool AppendMessage(const Message& m, std::string* out);

// One value of field `f` (element `index` when repeated).
bool AppendValue(const Message& m, const FieldDescriptor* f, int index, std::string* out) {
  const Reflection* r = m.GetReflection();
  const bool rep = f->is_repeated();
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_INT32:
      AppendInt(rep ? r->GetRepeatedInt32(m, f, index) : r->GetInt32(m, f), false, out);
      return true;
    case FieldDescriptor::CPPTYPE_UINT32:
      AppendInt(rep ? r->GetRepeatedUInt32(m, f, index) : r->GetUInt32(m, f), false, out);
      return true;
    case FieldDescriptor::CPPTYPE_INT64:
      AppendInt(rep ? r->GetRepeatedInt64(m, f, index) : r->GetInt64(m, f), true, out);
      return true;
    case FieldDescriptor::CPPTYPE_UINT64:
      AppendInt(rep ? r->GetRepeatedUInt64(m, f, index) : r->GetUInt64(m, f), true, out);
      return true;
    case FieldDescriptor::CPPTYPE_DOUBLE:
      AppendFloat(rep ? r->GetRepeatedDouble(m, f, index) : r->GetDouble(m, f), out);
      return true;
    case FieldDescriptor::CPPTYPE_FLOAT:
      AppendFloat(rep ? r->GetRepeatedFloat(m, f, index) : r->GetFloat(m, f), out);
      return true;
    case FieldDescriptor::CPPTYPE_BOOL:
      out->append((rep ? r->GetRepeatedBool(m, f, index) : r->GetBool(m, f)) ? "true" : "false");
      return true;
    case FieldDescriptor::CPPTYPE_ENUM: {
      const int number = rep ? r->GetRepeatedEnumValue(m, f, index) : r->GetEnumValue(m, f);
      if (f->enum_type()->full_name() == "google.protobuf.NullValue") return false;
      if (const auto* value = f->enum_type()->FindValueByNumber(number)) {
        AppendString(value->name(), out);
      } else {
        AppendInt(number, false, out);
      }
      return true;
    }
    case FieldDescriptor::CPPTYPE_STRING: {
      std::string scratch;
      const std::string& s = rep ? r->GetRepeatedStringReference(m, f, index, &scratch)
                                 : r->GetStringReference(m, f, &scratch);
      if (f->type() == FieldDescriptor::TYPE_BYTES) {
        AppendBase64(s, out);
      } else {
        AppendString(s, out);
      }
      return true;
    }
    case FieldDescriptor::CPPTYPE_MESSAGE:
      return AppendMessage(rep ? r->GetRepeatedMessage(m, f, index) : r->GetMessage(m, f), out);
  }
  return false;
}

// A map field: an object keyed by each entry's key as text.
bool AppendMap(const Message& m, const FieldDescriptor* f, std::string* out) {
  const Reflection* r = m.GetReflection();
  const FieldDescriptor* key = f->message_type()->map_key();
  const FieldDescriptor* value = f->message_type()->map_value();
  out->push_back('{');
  const int n = r->FieldSize(m, f);
  for (int i = 0; i < n; ++i) {
    const Message& entry = r->GetRepeatedMessage(m, f, i);
    if (i > 0) out->push_back(',');
    std::string k;
    if (key->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
      if (!AppendValue(entry, key, 0, &k)) return false;
      out->append(k);
    } else if (key->cpp_type() == FieldDescriptor::CPPTYPE_BOOL) {
      out->append(entry.GetReflection()->GetBool(entry, key) ? "\"true\"" : "\"false\"");
    } else {
      if (!AppendValue(entry, key, 0, &k)) return false;
      if (k.front() != '"') k = '"' + k + '"';  // 32-bit keys are numbers as values
      out->append(k);
    }
    out->push_back(':');
    if (!AppendValue(entry, value, 0, out)) return false;
  }
  out->push_back('}');
  return true;
}

bool AppendMessage(const Message& m, std::string* out) {
  const Descriptor* d = m.GetDescriptor();
  if (d->file()->name().rfind("google/protobuf/", 0) == 0) {
    if (d->full_name() == "google.protobuf.Timestamp" ||
        d->full_name() == "google.protobuf.Duration") {
      return AppendWellKnown(m, d, out);
    }
    return false;  // Any, Struct, wrappers, FieldMask, ...: protobuf's printer writes them
  }
  const Reflection* r = m.GetReflection();
  out->push_back('{');
  bool first = true;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (!f->is_repeated() &&
        (f->containing_oneof() != nullptr || f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE)) {
      if (!r->HasField(m, f)) continue;  // messages and oneof members only when set
    }
    if (!first) out->push_back(',');
    first = false;
    AppendString(f->json_name(), out);
    out->push_back(':');
    if (f->is_map()) {
      if (!AppendMap(m, f, out)) return false;
    } else if (f->is_repeated()) {
      out->push_back('[');
      const int n = r->FieldSize(m, f);
      for (int j = 0; j < n; ++j) {
        if (j > 0) out->push_back(',');
        if (!AppendValue(m, f, j, out)) return false;
      }
      out->push_back(']');
    } else if (!AppendValue(m, f, 0, out)) {
      return false;
    }
  }
  out->push_back('}');
  return true;
}

}  // namespace

bool AppendJson(const google::protobuf::Message& message, std::string* out) {
  const size_t size = out->size();
  if (AppendMessage(message, out)) return true;
  out->resize(size);
  return false;
}

}  // namespace tillvaxt::api
