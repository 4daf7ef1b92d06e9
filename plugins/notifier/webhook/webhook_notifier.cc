// The webhook notifier: each notification POSTed to a configured URL as JSON, signed, with its
// ids only: what leaves Tillväxt by webhook carries no personal data (IdsOnly below).
//
// Settings: url (required; http://host[:port]/path), secret (required; the HMAC-SHA256 key),
// max_tries (5), backoff_base_ms (1000; waits base, 2*base, 4*base, ... between tries),
// backoff_max_ms (60000; the longest wait), timeout_ms (10000; per connect/read/write),
// dead_letter (a file; after the last failed try one JSON line is appended to it; absolute, or
// relative to the server's working directory; empty = log only).
// Headers: Content-Type: application/json, X-Tillvaxt-Signature: sha256=<hex HMAC-SHA256 of the
// body with the secret>, X-Tillvaxt-Delivery: the notification id, X-Tillvaxt-Attempt: 1, 2...
// A 2xx answer is success; anything else (or no answer) is retried. Single-threaded per
// instance, as the ABI promises; retries sleep on the plugin's own worker thread.
#include <fcntl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <string>
#include <thread>

#include "plugins/abi/tillvaxt_plugin.h"
#include "plugins/notifier/common/json_reader.h"
#include "plugins/notifier/common/net.h"

namespace {

using tillvaxt_plugins::net::Connection;

struct Webhook {
  std::string url;
  std::string host;
  std::string port = "80";
  std::string path = "/";
  std::string secret;
  int max_tries = 5;
  std::chrono::milliseconds backoff_base{1000};
  std::chrono::milliseconds backoff_max{60000};
  std::chrono::milliseconds timeout{10000};
  std::string dead_letter;
  const tv_host_v1* engine = nullptr;

  void Log(int level, const std::string& message) const {
    if (engine && engine->log) engine->log(engine->ctx, level, message.c_str());
  }
};

void SetError(char* error, size_t size, const std::string& message) {
  if (error == nullptr || size == 0) return;
  std::snprintf(error, size, "%s", message.c_str());
}

bool ParseNumber(const std::string& s, long min, long max, long* out) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  *out = std::stol(s);
  return *out >= min && *out <= max;
}

// http://host[:port][/path]; false when it is anything else.
bool ParseUrl(const std::string& url, Webhook* w) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) return false;
  std::string rest = url.substr(scheme.size());
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  w->path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string::npos) return false;
  if (authority.front() == '[') {  // [v6]:port
    auto close = authority.find(']');
    if (close == std::string::npos) return false;
    w->host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return false;
      w->port = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.rfind(':');
    w->host = authority.substr(0, colon);
    if (colon != std::string::npos) w->port = authority.substr(colon + 1);
  }
  long port = 0;
  if (w->host.empty() || !ParseNumber(w->port, 1, 65535, &port)) return false;
  for (char c : url) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7F) return false;  // no header injection
  }
  return true;
}

std::string HexHmacSha256(const std::string& key, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out.push_back(kHex[digest[i] >> 4]);
    out.push_back(kHex[digest[i] & 15]);
  }
  return out;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(ch);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out.push_back(ch);
    }
  }
  return out + "\"";
}

// The body a webhook receives: the notification's ids and codes, never its personal data. The
// engine's notification also holds the subject, texts and HTML (they name the case and may name
// the company or a contact person), the recipients' e-mail addresses and names, and the event's
// free-text reason; none of that is sent. A whitelist, so a field the engine adds later stays
// inside until it is named here:
//   {"id","type","caseId","link","to":[{"username"}],
//    "event":{"type","caseId","seq","action","time","user","fromState","toState","level",
//             "fromLevel","actor","candidates","percent","monthsAfterClose",
//             "offerId","kind","publisher","from","to"}}   (the event's members that are present)
// Returns false (and *error) when `json` is not a notification.
bool IdsOnly(const std::string& json, std::string* body, std::string* error) {
  namespace json_reader = tillvaxt_plugins::json;
  using Kind = json_reader::Value::Kind;
  auto parsed = json_reader::Parse(json, error);
  if (!parsed) return false;
  if (parsed->kind != Kind::kObject) {
    *error = "the notification is not a JSON object";
    return false;
  }
  const json_reader::Value& n = *parsed;
  std::string out = "{\"id\":" + JsonString(n.String("id")) +
                    ",\"type\":" + JsonString(n.String("type")) +
                    ",\"caseId\":" + JsonString(n.String("caseId")) +
                    ",\"link\":" + JsonString(n.String("link")) + ",\"to\":[";
  if (const json_reader::Value* to = n.Find("to"); to != nullptr && to->kind == Kind::kArray) {
    bool first = true;
    for (const json_reader::Value& r : to->items) {
      if (r.kind != Kind::kObject) continue;
      out +=
          std::string(first ? "" : ",") + "{\"username\":" + JsonString(r.String("username")) + "}";
      first = false;
    }
  }
  out += "],\"event\":{";
  if (const json_reader::Value* e = n.Find("event"); e != nullptr && e->kind == Kind::kObject) {
    static const char* const kStrings[] = {
        "type",      "caseId", "action",  "time", "user",      "fromState", "toState", "level",
        "fromLevel", "actor",  "offerId", "kind", "publisher", "from",      "to"};
    static const char* const kNumbers[] = {"seq", "percent", "monthsAfterClose"};
    bool first = true;
    auto member = [&](const char* key, const std::string& value) {
      out += std::string(first ? "" : ",") + JsonString(key) + ":" + value;
      first = false;
    };
    for (const char* key : kStrings) {
      const json_reader::Value* v = e->Find(key);
      if (v != nullptr && v->kind == Kind::kString) member(key, JsonString(v->text));
    }
    for (const char* key : kNumbers) {
      const json_reader::Value* v = e->Find(key);
      if (v != nullptr && v->kind == Kind::kNumber) member(key, v->text);
    }
    if (const json_reader::Value* c = e->Find("candidates");
        c != nullptr && c->kind == Kind::kArray) {
      std::string list = "[";
      for (const json_reader::Value& item : c->items) {
        if (item.kind != Kind::kString) continue;
        list += std::string(list.size() > 1 ? "," : "") + JsonString(item.text);
      }
      member("candidates", list + "]");
    }
  }
  *body = out + "}}";
  return true;
}

// The "id" of the notification, found without a full parse (only for a header and logs).
std::string NotificationId(const std::string& body) {
  const std::string key = "{\"id\":\"";
  if (body.compare(0, key.size(), key) != 0) return "";
  auto end = body.find('"', key.size());
  if (end == std::string::npos || end - key.size() > 200) return "";
  std::string id = body.substr(key.size(), end - key.size());
  for (char c : id) {
    if (static_cast<unsigned char>(c) < 0x21 || c == '\\') return "";
  }
  return id;
}

// One POST; returns the HTTP status, or -1 with *error.
int Post(const Webhook& w, const std::string& body, const std::string& signature,
         const std::string& id, int attempt, std::string* error) {
  Connection c;
  if (!c.Connect(w.host, w.port, w.timeout, error)) return -1;
  std::string host_header = w.host.find(':') != std::string::npos ? "[" + w.host + "]" : w.host;
  if (w.port != "80") host_header += ":" + w.port;
  std::string request = "POST " + w.path +
                        " HTTP/1.1\r\n"
                        "Host: " +
                        host_header +
                        "\r\n"
                        "User-Agent: tillvaxt-webhook/1\r\n"
                        "Content-Type: application/json; charset=utf-8\r\n"
                        "Content-Length: " +
                        std::to_string(body.size()) +
                        "\r\n"
                        "X-Tillvaxt-Signature: sha256=" +
                        signature + "\r\n" +
                        (id.empty() ? "" : "X-Tillvaxt-Delivery: " + id + "\r\n") +
                        "X-Tillvaxt-Attempt: " + std::to_string(attempt) +
                        "\r\n"
                        "Connection: close\r\n\r\n" +
                        body;
  if (!c.WriteAll(request, error)) return -1;
  std::string status_line;
  if (!c.ReadLine(&status_line, error)) return -1;
  // "HTTP/1.1 204 No Content"
  if (status_line.compare(0, 5, "HTTP/") != 0 || status_line.size() < 12) {
    *error = "not an HTTP answer: '" + status_line.substr(0, 80) + "'";
    return -1;
  }
  long status = 0;
  if (!ParseNumber(status_line.substr(9, 3), 100, 599, &status)) {
    *error = "bad HTTP status line '" + status_line.substr(0, 80) + "'";
    return -1;
  }
  if (status < 200 || status > 299) *error = "HTTP " + status_line.substr(9);
  return static_cast<int>(status);
}

void WriteDeadLetter(const Webhook& w, const std::string& body, int tries,
                     const std::string& last_error) {
  if (w.dead_letter.empty()) return;
  char time_buf[32];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(time_buf, sizeof time_buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string line = "{\"time\":\"" + std::string(time_buf) + "\",\"url\":" + JsonString(w.url) +
                     ",\"tries\":" + std::to_string(tries) +
                     ",\"error\":" + JsonString(last_error) + ",\"notification\":" + body + "}\n";
  // One write() with O_APPEND: lines from several processes never interleave.
  int fd = ::open(w.dead_letter.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd < 0) {
    w.Log(TV_LOG_ERROR, "cannot open dead-letter file " + w.dead_letter);
    return;
  }
  ssize_t n = ::write(fd, line.data(), line.size());
  if (n != static_cast<ssize_t>(line.size())) {
    w.Log(TV_LOG_ERROR, "cannot write dead-letter file " + w.dead_letter);
  }
  ::fsync(fd);
  ::close(fd);
}

int Deliver(const Webhook& w, const char* json, size_t len) {
  std::string body, error;
  if (!IdsOnly(std::string(json, len), &body, &error)) {
    w.Log(TV_LOG_ERROR, "not a notification: " + error);
    return TV_ERR_INVALID;
  }
  std::string signature = HexHmacSha256(w.secret, body);
  std::string id = NotificationId(body);
  auto wait = w.backoff_base;
  for (int attempt = 1; attempt <= w.max_tries; ++attempt) {
    int status = Post(w, body, signature, id, attempt, &error);
    if (status >= 200 && status <= 299) return TV_OK;
    w.Log(TV_LOG_WARNING, "POST " + w.url + " (" + id + ") try " + std::to_string(attempt) +
                              " of " + std::to_string(w.max_tries) + " failed: " + error);
    if (attempt < w.max_tries) {
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, w.backoff_max);
    }
  }
  WriteDeadLetter(w, body, w.max_tries, error);
  w.Log(TV_LOG_ERROR, "gave up on " + id + " after " + std::to_string(w.max_tries) + " tries; " +
                          (w.dead_letter.empty() ? "dropped" : "dead letter in " + w.dead_letter));
  return TV_ERR_UNAVAILABLE;
}

void* CreateOrThrow(const char* const* keys, const char* const* values, size_t count,
                    const tv_host_v1* host, char* error, size_t error_size) {
  auto w = std::make_unique<Webhook>();
  w->engine = host;
  for (size_t i = 0; i < count; ++i) {
    std::string k = keys[i] ? keys[i] : "";
    std::string v = values[i] ? values[i] : "";
    long n = 0;
    if (k == "url") {
      w->url = v;
      if (!ParseUrl(v, w.get())) {
        SetError(error, error_size, "url must be http://HOST[:PORT]/PATH, not '" + v + "'");
        return nullptr;
      }
    } else if (k == "secret") {
      w->secret = v;
    } else if (k == "max_tries" || k == "backoff_base_ms" || k == "backoff_max_ms" ||
               k == "timeout_ms") {
      long min = k == "backoff_base_ms" ? 0 : 1;
      long max = k == "max_tries" ? 100 : 86'400'000;
      if (!ParseNumber(v, min, max, &n)) {
        SetError(error, error_size,
                 k + " must be a number from " + std::to_string(min) + " to " +
                     std::to_string(max) + ", not '" + v + "'");
        return nullptr;
      }
      if (k == "max_tries") w->max_tries = static_cast<int>(n);
      if (k == "backoff_base_ms") w->backoff_base = std::chrono::milliseconds(n);
      if (k == "backoff_max_ms") w->backoff_max = std::chrono::milliseconds(n);
      if (k == "timeout_ms") w->timeout = std::chrono::milliseconds(n);
    } else if (k == "dead_letter") {
      w->dead_letter = v;
    } else {
      SetError(error, error_size,
               "unknown setting '" + k +
                   "' (known: url, secret, max_tries, backoff_base_ms, backoff_max_ms, "
                   "timeout_ms, dead_letter)");
      return nullptr;
    }
  }
  if (w->url.empty()) {
    SetError(error, error_size, "setting 'url' is required");
    return nullptr;
  }
  if (w->secret.empty()) {
    SetError(error, error_size, "setting 'secret' (the signing key) is required");
    return nullptr;
  }
  return w.release();
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
    return Deliver(*static_cast<Webhook*>(instance), json, len);
  } catch (...) {
    return TV_ERR_INTERNAL;  // no exception crosses the C ABI
  }
}

void Destroy(void* instance) { delete static_cast<Webhook*>(instance); }

const tv_plugin_v1 kPlugin = {
    TV_PLUGIN_ABI_VERSION,
    TV_PLUGIN_KIND_NOTIFIER,
    "webhook",
    &Create,
    &OnNotification,
    nullptr,
    &Destroy,
};

}  // namespace

extern "C" TV_PLUGIN_EXPORT const tv_plugin_v1* tillvaxt_plugin_entry(uint32_t host_abi_version) {
  return host_abi_version == TV_PLUGIN_ABI_VERSION ? &kPlugin : nullptr;
}
