// Building the email: a multipart/alternative message (text/plain and text/html, UTF-8,
// base64) with RFC 2047 encoded-word headers, and SMTP dot-stuffing. Pure functions.
#pragma once

#include <string>
#include <vector>

namespace tillvaxt_plugins::mime {

// Base64 (RFC 4648), lines of at most `line_length` characters joined by CRLF (0 = one line).
std::string Base64(const std::string& data, size_t line_length = 76);

// A header value: as is when it is printable ASCII, else RFC 2047 "=?UTF-8?B?...?=" words of at
// most 75 characters each, never splitting a UTF-8 character, folded with CRLF + space.
std::string EncodeHeader(const std::string& utf8);

// True when `address` is a plain addr-spec we can put in MAIL FROM/RCPT TO and headers.
bool IsPlainAddress(const std::string& address);

struct Message {
  std::string from_name;
  std::string from_address;
  std::vector<std::string> to;  // shown in To: only when there is one (else undisclosed)
  std::string to_name;          // display name when there is one recipient
  std::string subject;
  std::string text;
  std::string html;
  std::string message_id;  // without <>
  std::string date;        // RFC 5322 date
  std::string boundary;
};

// The whole message with CRLF line ends, ready for DATA (before dot-stuffing).
std::string Build(const Message& m);

// Doubles a leading "." on every line and ends the data with CRLF "." CRLF.
std::string DotStuff(const std::string& data);

}  // namespace tillvaxt_plugins::mime
