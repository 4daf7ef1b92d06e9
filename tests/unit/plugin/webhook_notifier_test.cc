// The webhook notifier against a local receiver: a tiny HTTP server thread on a loopback port
// that checks the X-Tillvaxt-Signature header with its own copy of the secret.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/socket.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "engine/plugin/notifier_host.h"
#include "tests/unit/plugin/test_util.h"

using namespace tillvaxt;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr char kSecret[] = "hemligt-nyckelord-åäö";

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

struct Received {
  std::string body;
  std::string signature;
  std::string attempt;
  bool signature_ok = false;
  std::chrono::steady_clock::time_point at;
};

// Answers each POST with the next status of `script` (then 200), 401 when the signature is
// wrong. One connection at a time, as the notifier sends them.
class Receiver {
 public:
  explicit Receiver(std::vector<int> script, std::string secret = kSecret)
      : script_(std::move(script)), secret_(std::move(secret)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    REQUIRE(::listen(fd_, 8) == 0);
    thread_ = std::thread([this] { Loop(); });
  }
  ~Receiver() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  int port() const { return port_; }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
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
    char buf[4096];
    size_t header_end = std::string::npos;
    size_t need = 0;
    while (true) {
      ssize_t n = ::recv(c, buf, sizeof buf, 0);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
      if (header_end == std::string::npos) {
        header_end = data.find("\r\n\r\n");
        if (header_end == std::string::npos) continue;
        need =
            header_end + 4 + std::stoul(HeaderValue(data.substr(0, header_end), "Content-Length"));
      }
      if (data.size() >= need) break;
    }
    std::string head = data.substr(0, header_end);
    Received r;
    r.body = data.substr(header_end + 4, need - header_end - 4);
    r.signature = HeaderValue(head, "X-Tillvaxt-Signature");
    r.attempt = HeaderValue(head, "X-Tillvaxt-Attempt");
    r.signature_ok = head.rfind("POST /hooks/tillvaxt HTTP/1.1\r\n", 0) == 0 &&
                     r.signature == "sha256=" + Hmac(secret_, r.body);
    r.at = std::chrono::steady_clock::now();
    int status = 200;
    {
      std::lock_guard lock(mu_);
      size_t i = received_.size();
      received_.push_back(r);
      if (i < script_.size()) status = script_[i];
    }
    if (!r.signature_ok) status = 401;
    std::string reply = "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Length: 0\r\n" +
                        "Connection: close\r\n\r\n";
    ::send(c, reply.data(), reply.size(), MSG_NOSIGNAL);
  }

  std::vector<int> script_;
  std::string secret_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::vector<Received> received_;
  std::thread thread_;
};

struct Setup {
  Setup() {
    dir = fs::temp_directory_path() /
          ("tv_webhook_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Setup() { fs::remove_all(dir); }

  std::unique_ptr<plugin::NotifierHost> Host(int port, int max_tries, int backoff_ms = 50) {
    auto lib = plugin::PluginLibrary::Open(TV_WEBHOOK_PLUGIN);
    REQUIRE(lib.ok());
    auto host = plugin::NotifierHost::Create(
        std::move(*lib),
        {{"url", "http://127.0.0.1:" + std::to_string(port) + "/hooks/tillvaxt"},
         {"secret", kSecret},
         {"max_tries", std::to_string(max_tries)},
         {"backoff_base_ms", std::to_string(backoff_ms)},
         {"timeout_ms", "5000"},
         {"dead_letter", dead_letter().string()}},
        {}, [this](const std::string& line) {
          std::lock_guard lock(mu);
          log.push_back(line);
        });
    REQUIRE(host.ok());
    return std::move(*host);
  }
  fs::path dead_letter() const { return dir / "dead-letter.jsonl"; }
  std::vector<std::string> DeadLetters() const {
    std::vector<std::string> lines;
    std::ifstream in(dead_letter());
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    return lines;
  }

  static inline int counter = 0;
  fs::path dir;
  std::mutex mu;
  std::vector<std::string> log;
};

service::Notification Sample() {
  service::Notification n;
  n.id = "c-42-3";
  n.type = "CASE_CLAIMED";
  n.to = {{"coord.nykoping", "karin@nykoping.example.se", "Karin Ödman"}};
  n.subject = "Almi har tagit ärendet ”Växa på export”";
  n.text = "Hej!";
  n.html = "<p>Hej!</p>";
  n.case_id = "c-42";
  return n;
}

// What the receiver gets for Sample(): its ids, nothing else.
constexpr char kSampleIds[] = R"({"id":"c-42-3","type":"CASE_CLAIMED","caseId":"c-42","link":"",)"
                              R"("to":[{"username":"coord.nykoping"}],"event":{}})";

}  // namespace

TEST_CASE("The webhook POSTs the notification's ids with a signature the receiver verifies") {
  Setup s;
  Receiver receiver({});
  auto host = s.Host(receiver.port(), 3);
  host->Send(Sample());
  REQUIRE(host->WaitIdle(15s));
  CHECK(host->counters().delivered == 1);
  auto got = receiver.received();
  REQUIRE(got.size() == 1);
  CHECK(got[0].signature_ok);
  CHECK(got[0].body == kSampleIds);
  CHECK(got[0].attempt == "1");
  CHECK_FALSE(fs::exists(s.dead_letter()));
}

TEST_CASE("A webhook carries ids only: no titles, texts, names, e-mail addresses or reasons") {
  Setup s;
  Receiver receiver({});
  auto host = s.Host(receiver.port(), 1);
  // A notification as the engine makes it, with personal data in every place it can be.
  service::Notification n;
  n.id = "c-7-12";
  n.type = "CASE_SLA_WARNING";
  n.to = {{"coord.eskilstuna", "anna.andersson@eskilstuna.example.se", "Anna Andersson"},
          {"actor.almi", "", "Örjan Öst"}};
  n.subject = "Tidsgränsen närmar sig för ärendet ”Verkstad Karlsson AB behöver lån”";
  n.text = "Hej!\n\nÄrendet ”Verkstad Karlsson AB behöver lån” ... kontakt: 070-123 45 67";
  n.html = "<p>Verkstad Karlsson AB</p>";
  n.case_id = "c-7";
  n.link = "https://tillvaxt.example.se/cases/c-7";
  n.event_json = R"({"type":"SLA_WARNING","caseId":"c-7","seq":12,"action":"sla",)"
                 R"("time":"2026-03-03T09:00:00Z","user":"system","fromState":"CLAIMED",)"
                 R"("toState":"CLAIMED","level":"LOCAL","fromLevel":"",)"
                 R"("reason":"Företaget Verkstad Karlsson AB ringde, Anna är sjuk","actor":"",)"
                 R"("candidates":["almi","mitc"],"percent":75,"monthsAfterClose":0,)"
                 R"("contact":{"email":"ove@verkstad.example.se"}})";
  host->Send(n);
  REQUIRE(host->WaitIdle(15s));
  auto got = receiver.received();
  REQUIRE(got.size() == 1);
  CHECK(got[0].signature_ok);
  CHECK(got[0].body == R"({"id":"c-7-12","type":"CASE_SLA_WARNING","caseId":"c-7",)"
                       R"("link":"https://tillvaxt.example.se/cases/c-7",)"
                       R"("to":[{"username":"coord.eskilstuna"},{"username":"actor.almi"}],)"
                       R"("event":{"type":"SLA_WARNING","caseId":"c-7","action":"sla",)"
                       R"("time":"2026-03-03T09:00:00Z","user":"system","fromState":"CLAIMED",)"
                       R"("toState":"CLAIMED","level":"LOCAL","fromLevel":"","actor":"","seq":12,)"
                       R"("percent":75,"monthsAfterClose":0,"candidates":["almi","mitc"]}})");
  for (const char* personal : {"Karlsson", "Andersson", "Örjan", "@", "070", "Hej", "subject",
                               "text", "html", "email", "displayName", "reason", "contact"}) {
    INFO(personal);
    CHECK(got[0].body.find(personal) == std::string::npos);
  }
}

TEST_CASE("A notification that is not JSON is refused, not posted") {
  Setup s;
  Receiver receiver({});
  auto host = s.Host(receiver.port(), 1);
  service::Notification n = Sample();
  n.event_json = "{not json";
  host->Send(n);
  REQUIRE(host->WaitIdle(15s));
  CHECK(host->counters().failed == 1);
  CHECK(receiver.received().empty());
}

TEST_CASE("A receiver that fails twice gets the notification once, after backing off") {
  Setup s;
  Receiver receiver({500, 503});
  auto host = s.Host(receiver.port(), 5, 100);
  host->Send(Sample());
  REQUIRE(host->WaitIdle(15s));
  CHECK(host->counters().delivered == 1);
  CHECK(host->counters().failed == 0);
  auto got = receiver.received();
  REQUIRE(got.size() == 3);  // two failures, one success, and nothing after it
  for (const auto& r : got) CHECK(r.signature_ok);
  CHECK(got[0].attempt == "1");
  CHECK(got[2].attempt == "3");
  CHECK(got[2].body == got[0].body);
  // Exponential: about 100 ms, then about 200 ms.
  CHECK(got[1].at - got[0].at >= 100ms);
  CHECK(got[2].at - got[1].at >= 200ms);
  CHECK_FALSE(fs::exists(s.dead_letter()));
  std::lock_guard lock(s.mu);
  REQUIRE(s.log.size() == 2);
  CHECK(s.log[0].find("try 1 of 5 failed: HTTP 500") != std::string::npos);
}

TEST_CASE("After the last failed try the notification goes to the dead-letter file") {
  Setup s;
  Receiver receiver({503, 503, 503, 503});
  auto host = s.Host(receiver.port(), 3, 10);
  host->Send(Sample());
  REQUIRE(host->WaitIdle(15s));
  CHECK(host->counters().failed == 1);
  CHECK(receiver.received().size() == 3);
  auto lines = s.DeadLetters();
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("\"tries\":3") != std::string::npos);
  CHECK(lines[0].find("\"error\":\"HTTP 503 X\"") != std::string::npos);
  CHECK(lines[0].find(",\"notification\":" + std::string(kSampleIds) + "}") != std::string::npos);
  CHECK(lines[0].find("\"url\":\"http://127.0.0.1:" + std::to_string(receiver.port()) +
                      "/hooks/tillvaxt\"") != std::string::npos);

  // A second failure appends a second line; a dead receiver port counts the same.
  Receiver wrong_key({}, "another secret");  // refuses the signature: 401 every time
  auto other = s.Host(wrong_key.port(), 2, 10);
  other->Send(Sample());
  REQUIRE(other->WaitIdle(15s));
  CHECK(other->counters().failed == 1);
  REQUIRE(wrong_key.received().size() == 2);
  CHECK_FALSE(wrong_key.received()[0].signature_ok);
  lines = s.DeadLetters();
  REQUIRE(lines.size() == 2);
  CHECK(lines[1].find("\"error\":\"HTTP 401 X\"") != std::string::npos);
}

TEST_CASE("The webhook notifier refuses bad settings by name") {
  auto make = [](std::vector<std::pair<std::string, std::string>> settings) {
    auto lib = plugin::PluginLibrary::Open(TV_WEBHOOK_PLUGIN);
    REQUIRE(lib.ok());
    auto host =
        plugin::NotifierHost::Create(std::move(*lib), settings, {}, [](const std::string&) {});
    return host.ok() ? std::string() : host.status().message();
  };
  CHECK(make({{"url", "http://127.0.0.1:8080/x"}, {"secret", "s"}}).empty());
  CHECK(make({{"url", "http://[::1]:8080/x"}, {"secret", "s"}}).empty());
  CHECK(make({{"secret", "s"}}).find("setting 'url' is required") != std::string::npos);
  CHECK(make({{"url", "http://h/x"}}).find("setting 'secret'") != std::string::npos);
  CHECK(make({{"url", "ftp://h/x"}, {"secret", "s"}}).find("url must be http://") !=
        std::string::npos);
  CHECK(make({{"url", "http://h:0/x"}, {"secret", "s"}}).find("url must be") != std::string::npos);
  CHECK(make({{"url", "http://h/x y"}, {"secret", "s"}}).find("url must be") != std::string::npos);
  CHECK(
      make({{"url", "http://h/"}, {"secret", "s"}, {"max_tries", "0"}}).find("max_tries must be") !=
      std::string::npos);
}
