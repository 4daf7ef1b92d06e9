#include "plugins/notifier/email/mime.h"

namespace tillvaxt_plugins::mime {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool IsPrintableAscii(const std::string& s) {
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) return false;
  }
  return true;
}

// "\n" or "\r\n" -> "\r\n".
std::string Crlf(const std::string& s) {
  std::string out;
  out.reserve(s.size() + s.size() / 40);
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') continue;
    if (s[i] == '\n') out += "\r\n";
    else out.push_back(s[i]);
  }
  return out;
}

}  // namespace

std::string Base64(const std::string& data, size_t line_length) {
  std::string out;
  size_t column = 0;
  auto put = [&](char c) {
    if (line_length && column == line_length) {
      out += "\r\n";
      column = 0;
    }
    out.push_back(c);
    ++column;
  };
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    unsigned v = (static_cast<unsigned char>(data[i]) << 16) |
                 (static_cast<unsigned char>(data[i + 1]) << 8) |
                 static_cast<unsigned char>(data[i + 2]);
    put(kAlphabet[(v >> 18) & 63]);
    put(kAlphabet[(v >> 12) & 63]);
    put(kAlphabet[(v >> 6) & 63]);
    put(kAlphabet[v & 63]);
  }
  if (i < data.size()) {
    unsigned v = static_cast<unsigned char>(data[i]) << 16;
    if (i + 1 < data.size()) v |= static_cast<unsigned char>(data[i + 1]) << 8;
    put(kAlphabet[(v >> 18) & 63]);
    put(kAlphabet[(v >> 12) & 63]);
    put(i + 1 < data.size() ? kAlphabet[(v >> 6) & 63] : '=');
    put('=');
  }
  return out;
}

std::string EncodeHeader(const std::string& utf8) {
  if (IsPrintableAscii(utf8) && utf8.size() <= 900) return utf8;
  // 45 bytes -> 60 base64 characters; with "=?UTF-8?B?" and "?=" 72 <= 75.
  constexpr size_t kChunk = 45;
  std::string out;
  size_t pos = 0;
  while (pos < utf8.size()) {
    size_t end = std::min(utf8.size(), pos + kChunk);
    // Back off to a character boundary: never end before a continuation byte.
    while (end < utf8.size() && end > pos + 1 &&
           (static_cast<unsigned char>(utf8[end]) & 0xC0) == 0x80) {
      --end;
    }
    std::string chunk;
    for (char c : utf8.substr(pos, end - pos)) {
      // Control characters (CR, LF) never reach a header.
      chunk.push_back(static_cast<unsigned char>(c) < 0x20 ? ' ' : c);
    }
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + Base64(chunk, 0) + "?=";
    pos = end;
  }
  return out;
}

bool IsPlainAddress(const std::string& address) {
  if (address.empty() || address.size() > 254) return false;
  auto at = address.find('@');
  if (at == std::string::npos || at == 0 || at + 1 == address.size()) return false;
  for (char c : address) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7F || c == '<' || c == '>' || c == ',' || c == ';' || c == '"' ||
        c == '(' || c == ')' || c == '\\') {
      return false;
    }
  }
  return true;
}

std::string Build(const Message& m) {
  std::string out;
  std::string from_name = m.from_name.empty() ? "" : EncodeHeader(m.from_name) + " ";
  out += "From: " + from_name + "<" + m.from_address + ">\r\n";
  if (m.to.size() == 1) {
    out += "To: " + (m.to_name.empty() ? "" : EncodeHeader(m.to_name) + " ") + "<" + m.to[0] +
           ">\r\n";
  } else {
    // Several people at once (a node's coordinators): none sees the others' addresses.
    out += "To: undisclosed-recipients:;\r\n";
  }
  out += "Subject: " + EncodeHeader(m.subject) + "\r\n";
  out += "Date: " + m.date + "\r\n";
  out += "Message-ID: <" + m.message_id + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Auto-Submitted: auto-generated\r\n";
  out += "Content-Type: multipart/alternative; boundary=\"" + m.boundary + "\"\r\n";
  out += "\r\n";
  out += "--" + m.boundary + "\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n\r\n";
  out += Base64(Crlf(m.text)) + "\r\n";
  out += "--" + m.boundary + "\r\n";
  out += "Content-Type: text/html; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: base64\r\n\r\n";
  out += Base64(Crlf(m.html)) + "\r\n";
  out += "--" + m.boundary + "--\r\n";
  return out;
}

std::string DotStuff(const std::string& data) {
  std::string out;
  out.reserve(data.size() + 16);
  bool line_start = true;
  for (char c : data) {
    if (line_start && c == '.') out.push_back('.');
    out.push_back(c);
    line_start = c == '\n';
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";
  out += ".\r\n";
  return out;
}

}  // namespace tillvaxt_plugins::mime
