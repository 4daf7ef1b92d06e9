// The email notifier: each notification as one SMTP transaction to the configured server.
//
// Settings: host (required), port (25), from (required, the envelope and From: address),
// from_name ("Tillväxt"), helo (this host's name), timeout_ms (10000, per connect/read/write).
// Recipients are the notification's `to[].email`; those without a usable address are skipped
// (and logged). Plain SMTP without TLS or AUTH: point it at a local relay (postfix, ...) that
// does those. Single-threaded per instance, as the ABI promises; no global state.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "plugins/abi/tillvaxt_plugin.h"
#include "plugins/notifier/common/json_reader.h"
#include "plugins/notifier/common/net.h"
#include "plugins/notifier/email/mime.h"

namespace {

using tillvaxt_plugins::net::Connection;

struct Email {
  std::string host;
  std::string port = "25";
  std::string from;
  std::string from_name = "Tillväxt";
  std::string helo;
  std::chrono::milliseconds timeout{10000};
  const tv_host_v1* engine = nullptr;
  std::mt19937_64 random{std::random_device{}()};

  void Log(int level, const std::string& message) const {
    if (engine && engine->log) engine->log(engine->ctx, level, message.c_str());
  }
};

void SetError(char* error, size_t size, const std::string& message) {
  if (error == nullptr || size == 0) return;
  std::snprintf(error, size, "%s", message.c_str());
}

bool AllDigits(const std::string& s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Reads one (possibly multi-line) SMTP reply; returns its code, or -1 with *error.
int ReadReply(Connection& c, std::string* text, std::string* error) {
  text->clear();
  std::string line;
  while (true) {
    if (!c.ReadLine(&line, error)) return -1;
    if (line.size() < 3 || !AllDigits(line.substr(0, 3))) {
      *error = "malformed SMTP reply '" + line + "'";
      return -1;
    }
    *text += line + " ";
    if (line.size() == 3 || line[3] == ' ') return std::stoi(line.substr(0, 3));
  }
}

// Sends `command` (without CRLF) and expects a reply code in [lo, hi].
bool Command(Connection& c, const std::string& command, int lo, int hi, std::string* error,
             int* code = nullptr) {
  if (!command.empty() && !c.WriteAll(command + "\r\n", error)) return false;
  std::string text;
  int rc = ReadReply(c, &text, error);
  if (code) *code = rc;
  if (rc < 0) return false;
  if (rc < lo || rc > hi) {
    std::string shown = command.empty() ? "greeting" : command.substr(0, command.find(':'));
    *error = shown + " answered " + text;
    return false;
  }
  return true;
}

std::string RfcDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  static const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", kDays[tm.tm_wday],
                tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                tm.tm_sec);
  return buf;
}

std::string Hex(uint64_t v) {
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

int Deliver(Email& e, const char* json, size_t len) {
  std::string error;
  auto doc = tillvaxt_plugins::json::Parse(std::string_view(json, len), &error);
  if (!doc || doc->kind != tillvaxt_plugins::json::Value::Kind::kObject) {
    e.Log(TV_LOG_ERROR, "notification is not a JSON object: " + error);
    return TV_ERR_INVALID;
  }
  std::vector<std::string> to;
  std::string to_name;
  if (const auto* list = doc->Find("to")) {
    for (const auto& r : list->items) {
      std::string address = r.String("email");
      if (!tillvaxt_plugins::mime::IsPlainAddress(address)) {
        if (!address.empty()) e.Log(TV_LOG_WARNING, "skipping unusable address '" + address + "'");
        continue;
      }
      to.push_back(address);
      to_name = r.String("displayName");
    }
  }
  if (to.empty()) return TV_OK;  // nobody with an email address: nothing to do

  tillvaxt_plugins::mime::Message m;
  m.from_name = e.from_name;
  m.from_address = e.from;
  m.to = to;
  m.to_name = to.size() == 1 ? to_name : "";
  m.subject = doc->String("subject");
  m.text = doc->String("text");
  m.html = doc->String("html");
  m.date = RfcDate();
  std::string domain = e.from.substr(e.from.find('@') + 1);
  m.message_id = Hex(e.random()) + "." + doc->String("id").substr(0, 80) + "@" + domain;
  for (char& c : m.message_id) {
    if (c == ' ' || c == '<' || c == '>') c = '_';
  }
  m.boundary = "=_tillvaxt_" + Hex(e.random());
  std::string data = tillvaxt_plugins::mime::DotStuff(tillvaxt_plugins::mime::Build(m));

  Connection c;
  auto fail = [&](const std::string& what) {
    e.Log(TV_LOG_ERROR, "SMTP " + e.host + ":" + e.port + ": " + what);
    return TV_ERR_UNAVAILABLE;
  };
  if (!c.Connect(e.host, e.port, e.timeout, &error)) return fail(error);
  if (!Command(c, "", 220, 299, &error)) return fail(error);
  int code = 0;
  if (!Command(c, "EHLO " + e.helo, 250, 250, &error, &code)) {
    if (code < 500) return fail(error);
    if (!Command(c, "HELO " + e.helo, 250, 250, &error)) return fail(error);
  }
  if (!Command(c, "MAIL FROM:<" + e.from + ">", 250, 250, &error)) return fail(error);
  size_t accepted = 0;
  for (const auto& address : to) {
    if (Command(c, "RCPT TO:<" + address + ">", 250, 251, &error, &code)) {
      ++accepted;
    } else if (code > 0) {  // the server refused this one; the others may still get it
      e.Log(TV_LOG_WARNING, "recipient " + address + " refused: " + error);
    } else {
      return fail(error);
    }
  }
  if (accepted == 0) {
    Command(c, "QUIT", 200, 299, &error);
    return fail("no recipient accepted");
  }
  if (!Command(c, "DATA", 354, 354, &error)) return fail(error);
  if (!c.WriteAll(data, &error)) return fail(error);
  if (!Command(c, "", 250, 250, &error)) return fail(error);
  std::string ignored;
  Command(c, "QUIT", 200, 299, &ignored);  // the message is accepted; a rude close is fine
  return TV_OK;
}

void* CreateOrThrow(const char* const* keys, const char* const* values, size_t count,
                    const tv_host_v1* host, char* error, size_t error_size) {
  auto e = std::make_unique<Email>();
  e->engine = host;
  char hostname[256] = "localhost";
  if (gethostname(hostname, sizeof hostname - 1) != 0) std::strcpy(hostname, "localhost");
  e->helo = hostname;
  for (size_t i = 0; i < count; ++i) {
    std::string k = keys[i] ? keys[i] : "";
    std::string v = values[i] ? values[i] : "";
    if (k == "host") {
      e->host = v;
    } else if (k == "port") {
      if (!AllDigits(v) || std::stoi(v) < 1 || std::stoi(v) > 65535) {
        SetError(error, error_size, "port must be a number from 1 to 65535, not '" + v + "'");
        return nullptr;
      }
      e->port = v;
    } else if (k == "from") {
      e->from = v;
    } else if (k == "from_name") {
      e->from_name = v;
    } else if (k == "helo") {
      e->helo = v;
    } else if (k == "timeout_ms") {
      if (!AllDigits(v) || std::stol(v) < 1) {
        SetError(error, error_size, "timeout_ms must be a positive number, not '" + v + "'");
        return nullptr;
      }
      e->timeout = std::chrono::milliseconds(std::stol(v));
    } else {
      SetError(
          error, error_size,
          "unknown setting '" + k + "' (known: host, port, from, from_name, helo, timeout_ms)");
      return nullptr;
    }
  }
  if (e->host.empty()) {
    SetError(error, error_size, "setting 'host' (the SMTP server) is required");
    return nullptr;
  }
  if (!tillvaxt_plugins::mime::IsPlainAddress(e->from)) {
    SetError(error, error_size, "setting 'from' must be an email address, not '" + e->from + "'");
    return nullptr;
  }
  for (char ch : e->helo) {
    if (static_cast<unsigned char>(ch) <= 0x20) {
      SetError(error, error_size, "setting 'helo' must be one word");
      return nullptr;
    }
  }
  return e.release();
}

void* Create(const char* const* keys, const char* const* values, size_t count,
             const tv_host_v1* host, char* error, size_t error_size) {
  try {
    return CreateOrThrow(keys, values, count, host, error, error_size);
  } catch (...) {
    SetError(error, error_size, "out of memory");
    return nullptr;
  }
}

int OnNotification(void* instance, const char* json, size_t len) {
  try {
    return Deliver(*static_cast<Email*>(instance), json, len);
  } catch (...) {
    // No exception crosses the C ABI.
    return TV_ERR_INTERNAL;
  }
}

void Destroy(void* instance) { delete static_cast<Email*>(instance); }

const tv_plugin_v1 kPlugin = {
    TV_PLUGIN_ABI_VERSION,
    TV_PLUGIN_KIND_NOTIFIER,
    "email",
    &Create,
    &OnNotification,
    nullptr,
    &Destroy,
};

}  // namespace

extern "C" TV_PLUGIN_EXPORT const tv_plugin_v1* tillvaxt_plugin_entry(uint32_t host_abi_version) {
  return host_abi_version == TV_PLUGIN_ABI_VERSION ? &kPlugin : nullptr;
}
