// Closing the loop over real sockets against the real `tillvaxt serve`: the timers reach people
// through the configured notifiers, and each user's to-do list (GET /v1/todo).
//
// The server runs the Sörmland configuration with NEW's SLA shortened to two seconds and
// CLAIMED's to three, a public address for links, and both shipped notifiers: the webhook
// (POSTing to a receiver thread in this test that checks the signature) and the e-mail one
// (to Postfix's smtp-sink on a loopback port). Users are made with `tillvaxt user add`; no demo
// data, so the only timers are this test's. The effect reminders come months after closing:
// tests/unit/service (notifications_test, todo_service_test) prove them on a fake clock.
// No fixed sleeps: the tests poll for what they expect, with bounded deadlines.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/wait.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <set>

#include "tests/integration/api_harness.h"

namespace {

using namespace tillvaxt::apitest;
using namespace std::chrono_literals;

constexpr char kPassword[] = "reminders-test-password";
constexpr char kSecret[] = "webhook-hemlighet";
constexpr char kPublicUrl[] = "https://tillvaxt.example.se";
constexpr char kSmtpSink[] = "/usr/sbin/smtp-sink";

// The personal data of the test's cases and users: none of it may leave by webhook.
const std::vector<std::string> kPersonal = {
    "Verkstad Karlsson", "Karlsson AB", "Ove Karlsson", "ove@verkstad", "070-123",
    "Karin Ödman",       "karin@",      "Pelle Mitc",   "pelle@",       "lån",
    "Företaget ringde"};

std::string Hmac(const std::string& key, const std::string& body) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(body.data()), body.size(), digest, &length);
  std::string hex;
  char buf[3];
  for (unsigned i = 0; i < length; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", digest[i]);
    hex += buf;
  }
  return hex;
}

// A loopback port nobody listens on now.
uint16_t FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

template <typename F>
bool Eventually(F done, std::chrono::milliseconds limit = 20s) {
  auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(50ms);
  }
  return done();
}

// The webhook's receiver: answers every POST 204 and keeps each body with whether its
// X-Tillvaxt-Signature verified.
class WebhookReceiver {
 public:
  struct Post {
    std::string body;
    bool signed_ok = false;
  };

  WebhookReceiver() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    REQUIRE(::listen(fd_, 16) == 0);
    thread_ = std::thread([this] { Loop(); });
  }
  ~WebhookReceiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }
  std::vector<Post> posts() {
    std::lock_guard lock(mu_);
    return posts_;
  }

 private:
  void Loop() {
    while (!stop_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      Handle(c);
      ::close(c);
    }
  }
  static std::string HeaderValue(const std::string& head, const std::string& name) {
    auto pos = head.find("\r\n" + name + ": ");
    if (pos == std::string::npos) return "";
    pos += name.size() + 4;
    return head.substr(pos, head.find("\r\n", pos) - pos);
  }
  void Handle(int c) {
    std::string data;
    char buf[8192];
    size_t head_end = std::string::npos, need = 0;
    while (true) {
      long n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
      if (head_end == std::string::npos) {
        head_end = data.find("\r\n\r\n");
        if (head_end == std::string::npos) continue;
        need = head_end + 4 + std::stoul(HeaderValue(data.substr(0, head_end), "Content-Length"));
      }
      if (data.size() >= need) break;
    }
    Post p;
    p.body = data.substr(head_end + 4, need - head_end - 4);
    p.signed_ok = HeaderValue(data.substr(0, head_end), "X-Tillvaxt-Signature") ==
                  "sha256=" + Hmac(kSecret, p.body);
    {
      std::lock_guard lock(mu_);
      posts_.push_back(std::move(p));
    }
    const std::string reply = "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n";
    ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Post> posts_;
  std::thread thread_;
};

// Postfix's smtp-sink on a loopback port, dumping each message into a folder.
class SmtpSink {
 public:
  explicit SmtpSink(const fs::path& dir) : dir_(dir) {
    // A missing tool is a failure, not a skip (scripts/deps.sh installs postfix for the tests).
    if (!fs::exists(kSmtpSink)) FAIL(kSmtpSink << " not found: install the Debian package postfix");
    fs::create_directories(dir_);
    // smtp-sink writes as -u nobody when run as root: the folder is everyone's, and its parent
    // (a mkdtemp folder, 0700) lets everyone through.
    fs::permissions(dir_, fs::perms::all);
    fs::permissions(dir_.parent_path(), fs::perms::others_exec | fs::perms::group_exec,
                    fs::perm_options::add);
    for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) {
      port_ = FreePort();
      std::string listen = "127.0.0.1:" + std::to_string(port_);
      std::string dump = (dir_ / "%M.").string();
      pid_ = ::fork();
      if (pid_ == 0) {
        if (::geteuid() == 0) {
          ::execl(kSmtpSink, kSmtpSink, "-u", "nobody", "-d", dump.c_str(), listen.c_str(), "10",
                  static_cast<char*>(nullptr));
        } else {
          ::execl(kSmtpSink, kSmtpSink, "-d", dump.c_str(), listen.c_str(), "10",
                  static_cast<char*>(nullptr));
        }
        ::_exit(127);
      }
      Client probe(port_);
      if (!Eventually([&] { return probe.Connect(); }, 5s)) Kill();
    }
    REQUIRE(pid_ > 0);
  }
  ~SmtpSink() { Kill(); }
  uint16_t port() const { return port_; }

  // The text parts of every complete message, decoded (base64, UTF-8), with the raw message.
  std::vector<std::string> Texts() const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string m = ss.str();
      if (m.find("text/html") == std::string::npos || m.rfind("--") == std::string::npos) continue;
      out.push_back(DecodeParts(m));
    }
    return out;
  }

 private:
  static std::string DecodeBase64(const std::string& in) {
    auto value = [](char c) -> int {
      if (c >= 'A' && c <= 'Z') return c - 'A';
      if (c >= 'a' && c <= 'z') return c - 'a' + 26;
      if (c >= '0' && c <= '9') return c - '0' + 52;
      if (c == '+') return 62;
      if (c == '/') return 63;
      return -1;
    };
    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : in) {
      int v = value(c);
      if (v < 0) continue;
      buffer = (buffer << 6) | static_cast<unsigned>(v);
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
      }
    }
    return out;
  }
  // Each base64 part (after its "Content-Transfer-Encoding: base64" and blank line, up to the
  // next boundary), decoded and joined.
  static std::string DecodeParts(const std::string& m) {
    std::string out;
    size_t at = 0;
    while ((at = m.find("Content-Transfer-Encoding: base64", at)) != std::string::npos) {
      size_t start = m.find("\n\n", at);
      size_t crlf = m.find("\r\n\r\n", at);
      if (crlf != std::string::npos && (start == std::string::npos || crlf < start)) start = crlf;
      if (start == std::string::npos) break;
      size_t end = m.find("\n--", start);
      out += DecodeBase64(m.substr(start, end == std::string::npos ? end : end - start)) + "\n";
      at = start;
    }
    return out;
  }
  void Kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }
  fs::path dir_;
  uint16_t port_ = 0;
  pid_t pid_ = -1;
};

// The shipped Sörmland configuration with short SLAs and the given additions.
std::string Config(const std::string& extra) {
  std::ifstream in(std::string(TV_SOURCE_DIR) + "/config/sormland.textproto");
  std::stringstream text;
  text << in.rdbuf();
  std::string config = text.str();
  auto shorten = [&](const std::string& from, const std::string& to) {
    size_t at = config.find(from);
    REQUIRE(at != std::string::npos);
    config.replace(at, from.size(), to);
  };
  shorten("business_days: 2  # the node triages within two days", "duration: \"2s\"");
  shorten("business_days: 3  # claimed but not started", "duration: \"3s\"  #");
  return config + "\nnotifications { public_url: \"" + kPublicUrl + "\" }\n" + extra;
}

// `tillvaxt serve` without demo data on `data` with the configuration file `config`.
class Server {
 public:
  Server(const fs::path& data, const fs::path& config) {
    log_ = data.string() + ".log";
    int log_fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    REQUIRE(log_fd >= 0);
    std::vector<std::string> args = {TV_TILLVAXT_BINARY, "serve",       "--data",
                                     data.string(),      "--config",    config.string(),
                                     "--listen",         "127.0.0.1:0", "--web="};
    pid_ = ::fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    ::close(log_fd);
    constexpr std::string_view kMarker = "listening on http://127.0.0.1:";
    REQUIRE(Eventually(
        [&] {
          std::string log = Log();
          auto at = log.find(kMarker);
          if (at != std::string::npos)
            port_ = static_cast<uint16_t>(std::atoi(log.c_str() + at + kMarker.size()));
          return port_ != 0;
        },
        60s));
  }
  ~Server() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  uint16_t port() const { return port_; }
  std::string Log() const {
    std::ifstream in(log_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

 private:
  std::string log_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

void AddUser(const fs::path& data, const fs::path& config, const std::string& args) {
  const std::string command = std::string("echo ") + kPassword + " | " + TV_TILLVAXT_BINARY +
                              " user add " + args + " --password-stdin --data " + data.string() +
                              " --config " + config.string() + " > /dev/null";
  REQUIRE(std::system(command.c_str()) == 0);
}

// A signed-in caller.
Api SignIn(uint16_t port, const std::string& username) {
  Client c(port);
  Reply r = c.Send("POST", "/v1/sessions",
                   json::serialize(json::object{{"username", username}, {"password", kPassword}}));
  REQUIRE(r.status == 200);
  return Api(port, Str(r.Json(), "token"));
}

// The body of a case only this test's personal data is in.
json::object CaseBody(const std::string& title) {
  return {{"title", title},
          {"description", "Företaget ringde och vill växa."},
          {"company", json::object{{"name", "Verkstad Karlsson AB"}, {"orgNumber", OrgNumber(7)}}},
          {"contact", json::object{{"name", "Ove Karlsson"},
                                   {"email", "ove@verkstad.example.se"},
                                   {"phone", "070-123 45 67"}}}};
}

std::string NewCase(Api& coord, const std::string& title) {
  Reply r = coord.Post("/v1/cases", CaseBody(title));
  REQUIRE(r.status == 201);
  return Str(r.Json(), "id");
}

std::vector<std::string> Usernames(const json::value& webhook) {
  std::vector<std::string> out;
  for (const auto& r : Arr(webhook, "to")) out.push_back(Str(r, "username"));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("Timers reach people by webhook (ids only) and e-mail, with a link to the case",
          "[reminders]") {
  TempDir dir;
  WebhookReceiver hooks;
  SmtpSink smtp(dir.path() / "mail");
  const fs::path config = dir.path() / "short.textproto";
  std::ofstream(config) << Config(
      "plugins { kind: \"notifier\" path: \"" + std::string(TV_WEBHOOK_PLUGIN) +
      "\" settings { key: \"url\" value: \"http://127.0.0.1:" + std::to_string(hooks.port()) +
      "/hooks\" } settings { key: \"secret\" value: \"" + kSecret +
      "\" } settings { key: \"backoff_base_ms\" value: \"50\" } }\n"
      "plugins { kind: \"notifier\" path: \"" +
      std::string(TV_EMAIL_PLUGIN) +
      "\" settings { key: \"host\" value: \"127.0.0.1\" } settings { key: \"port\" value: \"" +
      std::to_string(smtp.port()) +
      "\" } settings { key: \"from\" value: \"tillvaxt@example.se\" } }\n");
  const fs::path data = dir.path() / "data";
  AddUser(data, config,
          "coord.eskilstuna --role coordinator --node eskilstuna --name 'Karin Ödman' "
          "--email karin@eskilstuna.example.se");
  AddUser(data, config, "coord2.eskilstuna --role coordinator --node eskilstuna");
  AddUser(data, config, "coord.nykoping --role coordinator --node nykoping");
  AddUser(data, config,
          "actor.mitc --role actor --actor mitc --name 'Pelle Mitc' --email pelle@mitc.example.se");
  Server server(data, config);
  Api coord = SignIn(server.port(), "coord.eskilstuna");
  Api mitc = SignIn(server.port(), "actor.mitc");

  // A: left NEW past its two seconds. B: claimed by MITC and left untouched past three.
  const std::string a = NewCase(coord, "Verkstad Karlsson AB behöver lån");
  const std::string b = NewCase(coord, "Verkstad Karlsson AB vill automatisera");
  Reply triaged = coord.Post(
      "/v1/cases/" + b + ":triage",
      json::object{{"needs", json::array{"innovation"}}, {"areas", json::array{"smart-industri"}}});
  REQUIRE(triaged.status == 200);
  REQUIRE(Has(Strs(triaged.Json(), "candidates"), "mitc"));
  REQUIRE(mitc.Post("/v1/cases/" + b + ":claim", json::object{}).status == 200);

  // The webhook posts of one type for one case.
  auto of = [&](const std::string& type, const std::string& id) {
    std::vector<json::value> out;
    for (const auto& p : hooks.posts()) {
      json::value v = json::parse(p.body);
      if (Str(v, "type") == type && Str(v, "caseId") == id) out.push_back(v);
    }
    return out;
  };
  INFO(server.Log());
  REQUIRE(Eventually([&] { return !of("CASE_OVERDUE", a).empty(); }));
  REQUIRE(Eventually([&] { return !of("CASE_CLAIM_EXPIRED", b).empty(); }));

  const std::vector<std::string> coordinators{"coord.eskilstuna", "coord2.eskilstuna"};
  auto warned_a = of("CASE_SLA_WARNING", a);
  REQUIRE_FALSE(warned_a.empty());
  CHECK(Usernames(warned_a[0]) == coordinators);  // not Nyköping's, nobody assigned
  CHECK(Str(warned_a[0], "link") == std::string(kPublicUrl) + "/cases/" + a);
  CHECK(Str(warned_a[0], "event.type") == "SLA_WARNING");
  CHECK(At(warned_a[0], "event.percent").as_int64() >= 50);
  auto overdue_a = of("CASE_OVERDUE", a);
  REQUIRE(overdue_a.size() == 1);  // once
  CHECK(Usernames(overdue_a[0]) == coordinators);
  CHECK(Str(overdue_a[0], "event.toState") == "NEW");

  auto warned_b = of("CASE_SLA_WARNING", b);
  REQUIRE_FALSE(warned_b.empty());
  CHECK(Usernames(warned_b[0]) ==
        std::vector<std::string>{"actor.mitc", "coord.eskilstuna", "coord2.eskilstuna"});
  auto lapsed = of("CASE_CLAIM_EXPIRED", b);
  REQUIRE(lapsed.size() == 1);
  CHECK(Usernames(lapsed[0]) == std::vector<std::string>{"actor.mitc"});
  CHECK(Str(lapsed[0], "event.type") == "RELEASED");
  CHECK(Str(lapsed[0], "event.actor") == "mitc");
  CHECK(Str(lapsed[0], "event.user") == "system");
  CHECK(Str(lapsed[0], "link") == std::string(kPublicUrl) + "/cases/" + b);

  // What left by webhook: signed, the ids only, none of the cases' or users' personal data.
  const auto posts = hooks.posts();
  REQUIRE_FALSE(posts.empty());
  for (const auto& p : posts) {
    INFO(p.body);
    CHECK(p.signed_ok);
    const json::value body = json::parse(p.body);
    std::set<std::string> keys;
    for (const auto& member : body.as_object()) keys.insert(member.key());
    CHECK(keys == std::set<std::string>{"id", "type", "caseId", "link", "to", "event"});
    for (const auto& r : Arr(body, "to")) CHECK(r.as_object().size() == 1);
    CHECK(At(body, "event.reason").is_null());
    for (const auto& personal : kPersonal) CHECK(p.body.find(personal) == std::string::npos);
  }

  // The same notifications by e-mail: Swedish, with the link. (Only users with an address.)
  auto mail_with = [&](const std::string& needle) {
    for (const auto& text : smtp.Texts()) {
      if (text.find(needle) != std::string::npos) return text;
    }
    return std::string();
  };
  REQUIRE(Eventually([&] { return !mail_with("har lämnats tillbaka").empty(); }));
  REQUIRE(Eventually([&] { return !mail_with("har passerat tidsgränsen").empty(); }));
  const std::string lapse_mail = mail_with("har lämnats tillbaka");
  CHECK(lapse_mail.find("tiden för att komma igång gick ut") != std::string::npos);
  CHECK(lapse_mail.find(std::string(kPublicUrl) + "/cases/" + b) != std::string::npos);
  const std::string overdue_mail = mail_with("har passerat tidsgränsen");
  CHECK(overdue_mail.find("”Verkstad Karlsson AB behöver lån”") != std::string::npos);
  CHECK(overdue_mail.find(std::string(kPublicUrl) + "/cases/" + a) != std::string::npos);
}

TEST_CASE("GET /v1/todo: each caller's lists, as they may see the cases", "[reminders]") {
  TempDir dir;
  const fs::path config = dir.path() / "short.textproto";
  // A claim window of ten days: every MATCHED case (five business days) is about to lapse.
  std::ofstream(config) << Config("todo { claim_warning: \"864000s\" }\n");
  const fs::path data = dir.path() / "data";
  AddUser(data, config, "coord.eskilstuna --role coordinator --node eskilstuna");
  AddUser(data, config, "coord.nykoping --role coordinator --node nykoping");
  AddUser(data, config, "actor.mitc --role actor --actor mitc");
  AddUser(data, config, "manager --role manager");
  Server server(data, config);
  Api coord = SignIn(server.port(), "coord.eskilstuna");
  Api mitc = SignIn(server.port(), "actor.mitc");

  const std::string fresh = NewCase(coord, "Verkstad Karlsson AB behöver lån");
  const std::string matched = NewCase(coord, "Verkstad Karlsson AB vill automatisera");
  REQUIRE(coord
              .Post("/v1/cases/" + matched + ":triage",
                    json::object{{"needs", json::array{"innovation"}},
                                 {"areas", json::array{"smart-industri"}}})
              .status == 200);

  // The coordinator: the NEW case waits on them; after its first SLA warning it is at risk.
  Reply r = coord.Get("/v1/todo");
  REQUIRE(r.status == 200);
  json::value t = r.Json();
  CHECK(At(t, "waitingOnMe.count").as_int64() == 1);
  CHECK(Str(Arr(t, "waitingOnMe.cases").at(0), "id") == fresh);
  CHECK(Str(Arr(t, "waitingOnMe.cases").at(0), "state") == "NEW");
  CHECK_FALSE(Str(Arr(t, "waitingOnMe.cases").at(0), "deadline").empty());
  CHECK(At(t, "followUpsDue.count").as_int64() == 0);
  CHECK(Arr(t, "followUpsDue.cases").empty());
  CHECK(At(t, "claimsLapsing.count").as_int64() == 0);
  REQUIRE(Eventually(
      [&] {
        json::value now = coord.Get("/v1/todo").Json();
        auto risk = Arr(now, "slaAtRisk.cases");
        return !risk.empty() && Str(risk.at(0), "id") == fresh &&
               At(risk.at(0), "percent").as_int64() >= 50;
      },
      10s));
  // Past its deadline it is no longer "at risk" but still waits on the coordinator.
  REQUIRE(Eventually(
      [&] {
        json::value now = coord.Get("/v1/todo").Json();
        return At(now, "slaAtRisk.count").as_int64() == 0 &&
               At(now, "waitingOnMe.count").as_int64() == 1;
      },
      10s));

  // The candidate actor: the matched case is about to lapse, shown as a candidate sees it.
  Reply lapsing = mitc.Get("/v1/todo");
  REQUIRE(lapsing.status == 200);
  t = lapsing.Json();
  REQUIRE(At(t, "claimsLapsing.count").as_int64() == 1);
  json::value item = Arr(t, "claimsLapsing.cases").at(0);
  CHECK(Str(item, "id") == matched);
  CHECK(Str(item, "title") == "Verkstad Karlsson AB vill automatisera");
  CHECK(At(item, "anonymised").as_bool());
  CHECK(Str(item, "level") == "LOCAL");
  CHECK(lapsing.body.find("ove@") == std::string::npos);  // a list carries no contact data
  CHECK(lapsing.body.find("Ove Karlsson") == std::string::npos);
  CHECK(At(t, "total").as_int64() == 1);
  // Claimed: it waits on the actor instead.
  REQUIRE(mitc.Post("/v1/cases/" + matched + ":claim", json::object{}).status == 200);
  t = mitc.Get("/v1/todo").Json();
  CHECK(At(t, "claimsLapsing.count").as_int64() == 0);
  REQUIRE(At(t, "waitingOnMe.count").as_int64() == 1);
  CHECK_FALSE(At(Arr(t, "waitingOnMe.cases").at(0), "anonymised").as_bool());

  // Nothing for another node's coordinator or the manager; every list is there, empty.
  for (const char* who : {"coord.nykoping", "manager"}) {
    Api other = SignIn(server.port(), who);
    json::value v = other.Get("/v1/todo").Json();
    CHECK(At(v, "total").as_int64() == 0);
    for (const char* list : {"followUpsDue", "waitingOnMe", "slaAtRisk", "claimsLapsing"}) {
      CHECK(At(v, std::string(list) + ".count").as_int64() == 0);
    }
  }

  // Refusals: without credentials, with a query parameter.
  Client anonymous(server.port());
  CHECK(anonymous.Send("GET", "/v1/todo").status == 401);
  Reply bad = coord.Get("/v1/todo?state=NEW");
  CHECK(bad.status == 400);
  CHECK(Str(Arr(bad.Json(), "error.details").at(0), "field") == "state");
  CHECK(coord.Call("POST", "/v1/todo", "{}").status == 405);
}
