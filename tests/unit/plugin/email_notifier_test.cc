// The email notifier against a real SMTP server: Postfix's smtp-sink on a loopback port, dumping
// each received message to a file that the test decodes.
#include <signal.h>
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "engine/plugin/notifier_host.h"
#include "tests/unit/plugin/test_util.h"

using namespace tillvaxt;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

constexpr char kSmtpSink[] = "/usr/sbin/smtp-sink";

// smtp-sink in a child process; killed in the destructor.
class SmtpSink {
 public:
  explicit SmtpSink(const fs::path& dir) : dir_(dir) {
    // The test command installs every tool a test needs: a missing one is a failure, not a skip.
    if (!fs::exists(kSmtpSink)) {
      FAIL(kSmtpSink << " (smtp-sink) not found: install the Debian package postfix"
                        " (scripts/deps.sh TV_TEST_PACKAGES)");
    }
    fs::create_directories(dir_);
    // smtp-sink drops root privileges to -u; that user writes the dumps.
    fs::permissions(dir_, fs::perms::all);
    for (int attempt = 0; attempt < 5 && pid_ <= 0; ++attempt) {
      port_ = tv_test::FreePort();
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
      if (!tv_test::Eventually([&] { return tv_test::CanConnect(port_); }, 5s)) {
        Kill();  // the port was taken meanwhile, or it did not start: try another
      }
    }
    REQUIRE(pid_ > 0);
  }
  ~SmtpSink() { Kill(); }

  int port() const { return port_; }

  // The dumped messages (complete ones: ending in the closing MIME boundary).
  std::vector<std::string> Messages() const {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(dir_)) {
      std::ifstream in(entry.path(), std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      std::string m = ss.str();
      while (!m.empty() && (m.back() == '\n' || m.back() == '\r')) m.pop_back();
      if (m.size() > 2 && m.compare(m.size() - 2, 2, "--") == 0) out.push_back(ss.str());
    }
    return out;
  }

 private:
  void Kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    pid_ = -1;
  }
  fs::path dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

std::vector<std::string> Lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    out.push_back(line);
  }
  return out;
}

// The unfolded value of header `name`.
std::string Header(const std::string& message, const std::string& name) {
  auto lines = Lines(message);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].empty()) break;
    if (lines[i].rfind(name + ": ", 0) == 0) {
      std::string value = lines[i].substr(name.size() + 2);
      while (i + 1 < lines.size() && !lines[i + 1].empty() &&
             (lines[i + 1][0] == ' ' || lines[i + 1][0] == '\t')) {
        value += lines[++i];
      }
      return value;
    }
  }
  return "";
}

std::vector<std::string> AllHeaders(const std::string& message, const std::string& name) {
  std::vector<std::string> out;
  for (const auto& line : Lines(message)) {
    if (line.empty()) break;
    if (line.rfind(name + ": ", 0) == 0) out.push_back(line.substr(name.size() + 2));
  }
  return out;
}

// RFC 2047 B-encoded words (whitespace between adjacent words dropped).
std::string DecodeWords(const std::string& value) {
  std::string out;
  size_t pos = 0;
  while (true) {
    auto start = value.find("=?UTF-8?B?", pos);
    if (start == std::string::npos) {
      out += value.substr(pos);
      return out;
    }
    std::string between = value.substr(pos, start - pos);
    if (between.find_first_not_of(" \t") != std::string::npos) out += between;
    auto end = value.find("?=", start + 10);
    out += tv_test::DecodeBase64(value.substr(start + 10, end - start - 10));
    pos = end + 2;
  }
}

// The decoded body of the MIME part with this content type.
std::string Part(const std::string& message, const std::string& content_type) {
  auto lines = Lines(message);
  std::string body;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].rfind("Content-Type: " + content_type, 0) != 0) continue;
    size_t j = i;
    while (j < lines.size() && !lines[j].empty()) ++j;
    for (++j; j < lines.size() && lines[j].rfind("--", 0) != 0; ++j) body += lines[j];
    return tv_test::DecodeBase64(body);
  }
  return "";
}

service::Notification SwedishNotification() {
  service::Notification n;
  n.id = "c-17-4";
  n.type = "CASE_RESOLVED";
  n.to = {{"coord.eskilstuna", "anna.coord@eskilstuna.example.se", "Anna Åkesson"},
          {"coord2.eskilstuna", "bo@eskilstuna.example.se", "Bo Öhman"},
          {"nomail", "", "Utan E-post"}};
  n.subject =
      "Ärendet ”Växthus söker kapital” är löst – åäö ÅÄÖ och en lång rubrik som måste "
      "delas upp i flera kodade ord";
  n.text =
      "Hej!\n\nÄrendet ”Växthus söker kapital” från Eskilstuna har lösts av Almi.\n"
      "Utfall: Finansiering.\n.\nStäng ärendet när företaget har bekräftat resultatet.\n";
  n.html =
      "<!DOCTYPE html><html lang=\"sv\"><body><p>Ärendet är löst – grönsaksodling "
      "i Sörmland.</p></body></html>";
  n.case_id = "c-17";
  return n;
}

std::unique_ptr<plugin::NotifierHost> EmailHost(int port, std::vector<std::string>* log) {
  auto lib = plugin::PluginLibrary::Open(TV_EMAIL_PLUGIN);
  REQUIRE(lib.ok());
  auto host =
      plugin::NotifierHost::Create(std::move(*lib),
                                   {{"host", "127.0.0.1"},
                                    {"port", std::to_string(port)},
                                    {"from", "tillvaxt@regionsormland.example.se"},
                                    {"from_name", "Tillväxt – Region Sörmland"},
                                    {"timeout_ms", "5000"}},
                                   {}, [log](const std::string& line) { log->push_back(line); });
  REQUIRE(host.ok());
  return std::move(*host);
}

}  // namespace

TEST_CASE("Email reaches a real SMTP server with the right recipients and Swedish text") {
  fs::path dir = fs::temp_directory_path() / ("tv_smtp_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  {
    SmtpSink sink(dir);
    std::vector<std::string> log;
    auto host = EmailHost(sink.port(), &log);
    host->Send(SwedishNotification());
    REQUIRE(host->WaitIdle(15s));
    INFO((log.empty() ? std::string() : log.back()));
    CHECK(host->counters().delivered == 1);
    REQUIRE(tv_test::Eventually([&] { return sink.Messages().size() == 1; }));
    std::string m = sink.Messages()[0];

    CHECK(AllHeaders(m, "X-Mail-Args") ==
          std::vector<std::string>{"<tillvaxt@regionsormland.example.se>"});
    // One RCPT TO per recipient with an address; the one without is skipped.
    CHECK(AllHeaders(m, "X-Rcpt-Args") ==
          std::vector<std::string>{"<anna.coord@eskilstuna.example.se>",
                                   "<bo@eskilstuna.example.se>"});
    // Several recipients never see each other's addresses.
    CHECK(Header(m, "To") == "undisclosed-recipients:;");
    CHECK(DecodeWords(Header(m, "From")) ==
          "Tillväxt – Region Sörmland <tillvaxt@regionsormland.example.se>");
    std::string raw_subject = Header(m, "Subject");
    CHECK(raw_subject.find("=?UTF-8?B?") == 0);
    CHECK(DecodeWords(raw_subject) == SwedishNotification().subject);
    CHECK(Header(m, "MIME-Version") == "1.0");
    CHECK(Header(m, "Content-Type").rfind("multipart/alternative; boundary=", 0) == 0);
    for (const auto& line : Lines(m)) CHECK(line.size() <= 998);

    std::string text = Part(m, "text/plain; charset=UTF-8");
    CHECK(text.find("Ärendet ”Växthus söker kapital” från Eskilstuna har lösts av Almi.\r\n") !=
          std::string::npos);
    CHECK(text.find("\r\n.\r\nStäng ärendet") != std::string::npos);  // a lone dot survives
    std::string html = Part(m, "text/html; charset=UTF-8");
    CHECK(html.find("<p>Ärendet är löst – grönsaksodling i Sörmland.</p>") != std::string::npos);

    // One recipient: named in To:.
    auto one = SwedishNotification();
    one.id = "c-17-5";
    one.to.resize(1);
    host->Send(one);
    REQUIRE(host->WaitIdle(15s));
    REQUIRE(tv_test::Eventually([&] { return sink.Messages().size() == 2; }));
    bool found = false;
    for (const auto& msg : sink.Messages()) {
      if (AllHeaders(msg, "X-Rcpt-Args").size() != 1) continue;
      found = true;
      CHECK(DecodeWords(Header(msg, "To")) == "Anna Åkesson <anna.coord@eskilstuna.example.se>");
    }
    CHECK(found);
  }
  fs::remove_all(dir);
}

TEST_CASE("An unreachable SMTP server is a counted, logged failure") {
  std::vector<std::string> log;
  auto host = EmailHost(tv_test::FreePort(), &log);
  host->Send(SwedishNotification());
  REQUIRE(host->WaitIdle(15s));
  CHECK(host->counters().failed == 1);
  REQUIRE_FALSE(log.empty());
  CHECK(log[0].find("plugin email: error: SMTP 127.0.0.1:") == 0);
}

TEST_CASE("The email notifier refuses bad settings by name") {
  auto make = [](std::vector<std::pair<std::string, std::string>> settings) {
    auto lib = plugin::PluginLibrary::Open(TV_EMAIL_PLUGIN);
    REQUIRE(lib.ok());
    auto host =
        plugin::NotifierHost::Create(std::move(*lib), settings, {}, [](const std::string&) {});
    return host.ok() ? std::string() : host.status().message();
  };
  CHECK(make({{"host", "h"}, {"from", "a@b.se"}}).empty());
  CHECK(make({{"from", "a@b.se"}}).find("setting 'host'") != std::string::npos);
  CHECK(make({{"host", "h"}, {"from", "not an address"}}).find("setting 'from'") !=
        std::string::npos);
  CHECK(make({{"host", "h"}, {"from", "a@b.se"}, {"port", "99999"}}).find("port must be") !=
        std::string::npos);
  CHECK(make({{"host", "h"}, {"from", "a@b.se"}, {"colour", "blue"}})
            .find("unknown setting 'colour'") != std::string::npos);
}
