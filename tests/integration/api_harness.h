// Test harness for the over-the-wire API tests: starts the real `tillvaxt serve` binary as a
// child process on a temporary data folder, and talks HTTP/1.1 to it over real sockets with a
// small blocking client (keep-alive; raw bytes when a test needs malformed or slow input).
//
// Thread-safety: a ServerProcess is controlled from one thread; a Client is one connection and
// is used by one thread at a time; TokenCache is thread-safe.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace tillvaxt::apitest {

namespace fs = std::filesystem;
namespace json = boost::json;

inline constexpr char kDemoPassword[] = "demo-password-for-tests";

// ---------------------------------------------------------------------------------------------
// Replies

struct Reply {
  int status = 0;  // 0: no response (connection failed or closed)
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;

  std::optional<std::string> Header(std::string_view name) const {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const auto& [n, v] : headers) {
      if (n == lower) return v;
    }
    return std::nullopt;
  }
  std::vector<std::string> Headers(std::string_view name) const {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    std::vector<std::string> out;
    for (const auto& [n, v] : headers) {
      if (n == lower) out.push_back(v);
    }
    return out;
  }
  // The body as JSON; null when it is not JSON.
  json::value Json() const {
    boost::system::error_code ec;
    json::value v = json::parse(body, ec);
    return ec ? json::value() : v;
  }
  // "<status> <body>" for failure messages.
  std::string Describe() const {
    return std::to_string(status) + " " + (body.size() > 600 ? body.substr(0, 600) + "…" : body);
  }
};

// The value at a dotted path ("error.details"), or null.
inline json::value At(const json::value& v, std::string_view path) {
  const json::value* cur = &v;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    if (!cur->is_object()) return nullptr;
    const json::object& o = cur->as_object();
    auto it = o.find(key);
    if (it == o.end()) return nullptr;
    cur = &it->value();
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  return *cur;
}

// The string at `path` ("" when absent or not a string).
inline std::string Str(const json::value& v, std::string_view path) {
  json::value x = At(v, path);
  return x.is_string() ? std::string(x.as_string()) : std::string();
}

inline std::vector<std::string> Strs(const json::value& v, std::string_view path) {
  json::value x = At(v, path);
  std::vector<std::string> out;
  if (!x.is_array()) return out;
  for (const auto& item : x.as_array()) {
    if (item.is_string()) out.emplace_back(item.as_string());
  }
  return out;
}

inline json::array Arr(const json::value& v, std::string_view path) {
  json::value x = At(v, path);
  return x.is_array() ? x.as_array() : json::array();
}

inline bool Has(const std::vector<std::string>& items, std::string_view item) {
  for (const auto& i : items) {
    if (i == item) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// One HTTP/1.1 connection

class Client {
 public:
  explicit Client(uint16_t port) : port_(port) {}
  ~Client() { Close(); }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  uint16_t port() const { return port_; }

  // Connect from this loopback address ("127.0.0.2", ...) instead of 127.0.0.1, to be another
  // client address to the server.
  void BindTo(std::string source) { source_ = std::move(source); }

  bool Connect() {
    Close();
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) return false;
    if (!source_.empty()) {
      sockaddr_in local{};
      local.sin_family = AF_INET;
      if (::inet_pton(AF_INET, source_.c_str(), &local.sin_addr) != 1 ||
          ::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
        Close();
        return false;
      }
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      Close();
      return false;
    }
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    SetTimeout(timeout_);
    used_ = false;
    return true;
  }

  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    buf_.clear();
  }

  bool connected() const { return fd_ >= 0; }

  void SetTimeout(std::chrono::milliseconds t) {
    timeout_ = t;
    if (fd_ < 0) return;
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(t.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  }

  // Sends raw bytes (connecting first when needed).
  bool SendRaw(std::string_view data) {
    if (fd_ < 0 && !Connect()) return false;
    while (!data.empty()) {
      long n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads one response; status 0 when the connection closed or timed out first.
  Reply ReadReply(bool head = false) {
    Reply reply;
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return Reply{};
    }
    std::string head_text = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    size_t line_end = head_text.find("\r\n");
    std::string status_line = head_text.substr(0, line_end);
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return Reply{};
    reply.status = std::atoi(status_line.c_str() + 9);
    size_t pos = line_end == std::string::npos ? head_text.size() : line_end + 2;
    while (pos < head_text.size()) {
      size_t next = head_text.find("\r\n", pos);
      if (next == std::string::npos) next = head_text.size();
      std::string line = head_text.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t v = colon + 1;
        while (v < line.size() && line[v] == ' ') ++v;
        reply.headers.emplace_back(name, line.substr(v));
      }
      pos = next + 2;
    }
    if (!head && reply.status != 204 && reply.status != 304 && reply.status >= 200) {
      if (auto te = reply.Header("transfer-encoding"); te && *te == "chunked") {
        while (true) {
          size_t e;
          while ((e = buf_.find("\r\n")) == std::string::npos) {
            if (!Fill()) return Reply{};
          }
          size_t size = std::strtoul(buf_.substr(0, e).c_str(), nullptr, 16);
          buf_.erase(0, e + 2);
          while (buf_.size() < size + 2) {
            if (!Fill()) return Reply{};
          }
          reply.body += buf_.substr(0, size);
          buf_.erase(0, size + 2);
          if (size == 0) break;
        }
      } else if (auto cl = reply.Header("content-length")) {
        size_t n = std::strtoul(cl->c_str(), nullptr, 10);
        while (buf_.size() < n) {
          if (!Fill()) return Reply{};
        }
        reply.body = buf_.substr(0, n);
        buf_.erase(0, n);
      } else {
        while (Fill()) {
        }
        reply.body = std::move(buf_);
        buf_.clear();
      }
    }
    if (auto c = reply.Header("connection"); c && *c == "close") Close();
    return reply;
  }

  // One request and its response, on the kept-alive connection. A connection the server closed
  // while idle is reopened once (nothing of the request was answered then).
  Reply Send(std::string_view method, std::string_view target, std::string_view body = {},
             const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    std::string req = std::string(method) + " " + std::string(target) +
                      " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port_) + "\r\n";
    bool has_type = false;
    for (const auto& [n, v] : headers) {
      req += n + ": " + v + "\r\n";
      if (strcasecmp(n.c_str(), "Content-Type") == 0) has_type = true;
    }
    if (!body.empty() && !has_type) req += "Content-Type: application/json\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n";
    req += body;
    for (int attempt = 0; attempt < 2; ++attempt) {
      bool reused = fd_ >= 0 && used_;
      if (fd_ < 0 && !Connect()) return Reply{};
      used_ = true;
      if (!SendRaw(req)) {
        Close();
        if (reused) continue;
        return Reply{};
      }
      bool nothing_read = buf_.empty();
      Reply r = ReadReply(method == "HEAD");
      if (r.status == 0) {
        bool retry = reused && nothing_read && buf_.empty();
        Close();
        if (retry) continue;
      }
      return r;
    }
    return Reply{};
  }

  // True when the server closes the connection within `timeout` (bytes received meanwhile are
  // kept in the buffer).
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    if (fd_ < 0) return true;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline - std::chrono::steady_clock::now())
                      .count();
      if (::poll(&p, 1, left > 0 ? static_cast<int>(left) : 0) <= 0) continue;
      char c[4096];
      long n = ::recv(fd_, c, sizeof(c), 0);
      if (n <= 0) return true;
      buf_.append(c, static_cast<size_t>(n));
    }
    return false;
  }

  const std::string& buffered() const { return buf_; }

  // Reads what has arrived (waiting up to the timeout) onto buffered(); false at the end of
  // the stream, on an error or the timeout.
  bool Fill() {
    if (fd_ < 0) return false;
    char c[16384];
    long n = ::recv(fd_, c, sizeof(c), 0);
    if (n <= 0) return false;
    buf_.append(c, static_cast<size_t>(n));
    return true;
  }

 private:
  uint16_t port_;
  std::string source_;
  int fd_ = -1;
  bool used_ = false;
  std::chrono::milliseconds timeout_{20'000};
  std::string buf_;
};

// ---------------------------------------------------------------------------------------------
// The server as a child process

class ServerProcess {
 public:
  // Starts `tillvaxt serve --demo --data <data_dir> --listen 127.0.0.1:0 <extra...>`, waits
  // until it prints where it listens and /readyz answers 200. Throws on failure (with the log).
  // With `launcher` (an absolute path and its arguments), runs `launcher... tillvaxt serve ...`
  // instead, e.g. to serve from a small filesystem of its own; pid() is then the launcher's.
  static std::unique_ptr<ServerProcess> Start(const fs::path& data_dir,
                                              std::vector<std::string> extra = {},
                                              std::vector<std::string> launcher = {}) {
    auto p = std::unique_ptr<ServerProcess>(new ServerProcess());
    p->data_dir_ = data_dir;
    fs::create_directories(data_dir);
    p->log_path_ = data_dir.string() + ".log." + std::to_string(++Counter());
    int log_fd = ::open(p->log_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd < 0) throw std::runtime_error("cannot open " + p->log_path_);
    std::vector<std::string> args = {TV_TILLVAXT_BINARY, "serve",    "--demo",      "--data",
                                     data_dir.string(),  "--listen", "127.0.0.1:0", "--web="};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.begin(), launcher.begin(), launcher.end());
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) _exit(127);
      ::dup2(log_fd, 1);
      ::dup2(log_fd, 2);
      ::setenv("TILLVAXT_DEMO_PASSWORD", kDemoPassword, 1);
      ::unsetenv("TILLVAXT_WEB");
      ::unsetenv("TILLVAXT_DATA");
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      _exit(127);
    }
    ::close(log_fd);
    p->pid_ = pid;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    constexpr std::string_view kMarker = "listening on http://127.0.0.1:";
    while (p->port_ == 0) {
      std::string log = p->Log();
      if (auto at = log.find(kMarker); at != std::string::npos) {
        p->port_ = static_cast<uint16_t>(std::atoi(log.c_str() + at + kMarker.size()));
        break;
      }
      int status = 0;
      if (::waitpid(pid, &status, WNOHANG) == pid) {
        p->pid_ = -1;
        throw std::runtime_error("tillvaxt serve exited early:\n" + log);
      }
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("tillvaxt serve did not start:\n" + log);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    Client c(p->port_);
    while (c.Send("GET", "/readyz").status != 200) {
      if (std::chrono::steady_clock::now() > deadline) {
        throw std::runtime_error("/readyz never answered 200:\n" + p->Log());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return p;
  }

  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
  }

  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  const fs::path& data_dir() const { return data_dir_; }

  std::string Log() const {
    std::ifstream in(log_path_, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  void Signal(int sig) const {
    if (pid_ > 0) ::kill(pid_, sig);
  }

  // Waits for the process to exit (up to `timeout`; then SIGKILL) and returns its exit code,
  // or 128 + signal.
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
    if (pid_ <= 0) return -1;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) != pid_) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
  }

 private:
  ServerProcess() = default;
  static int& Counter() {
    static int n = 0;
    return n;
  }

  fs::path data_dir_;
  std::string log_path_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// Runs `tillvaxt ARGS...` with `env` added; its exit code and everything it printed.
inline std::pair<int, std::string> RunTillvaxt(
    const std::vector<std::string>& args,
    const std::vector<std::pair<std::string, std::string>>& env = {},
    unsigned timeout_seconds = 30) {
  int out[2];
  if (::pipe(out) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(out[1], 2);
    ::close(out[0]);
    ::alarm(timeout_seconds);  // a server that starts after all would otherwise run for ever
    ::unsetenv("TILLVAXT_TRUSTED_PROXY");
    ::unsetenv("TILLVAXT_DATA");
    for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
    std::vector<std::string> all = {TV_TILLVAXT_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : all) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    _exit(127);
  }
  ::close(out[1]);
  std::string output;
  char buf[4096];
  for (long n; (n = ::read(out[0], buf, sizeof buf)) > 0;) {
    output.append(buf, static_cast<size_t>(n));
  }
  ::close(out[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

// A temporary folder removed at destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "tillvaxt-apitest-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// ---------------------------------------------------------------------------------------------
// Signed-in callers

// Logs in once per user and server (argon2id makes each login cost ~0.1 s).
class TokenCache {
 public:
  explicit TokenCache(uint16_t port) : port_(port) {}
  std::string Token(const std::string& username) {
    std::lock_guard lock(mu_);
    if (auto it = tokens_.find(username); it != tokens_.end()) return it->second;
    Client c(port_);
    json::object body{{"username", username}, {"password", kDemoPassword}};
    Reply r = c.Send("POST", "/v1/sessions", json::serialize(body));
    if (r.status != 200) throw std::runtime_error("login of " + username + ": " + r.Describe());
    std::string token = Str(r.Json(), "token");
    tokens_[username] = token;
    return token;
  }

 private:
  uint16_t port_;
  std::mutex mu_;
  std::map<std::string, std::string> tokens_;
};

// A caller with a bearer token, on its own kept-alive connection.
class Api {
 public:
  Api(uint16_t port, std::string token) : client_(port), token_(std::move(token)) {}

  Reply Call(std::string_view method, std::string_view target, std::string_view body = {},
             std::vector<std::pair<std::string, std::string>> headers = {}) {
    if (!token_.empty()) headers.emplace_back("Authorization", "Bearer " + token_);
    return client_.Send(method, target, body, headers);
  }
  Reply Get(std::string_view target) { return Call("GET", target); }
  Reply Post(std::string_view target, const json::value& body) {
    return Call("POST", target, json::serialize(body));
  }
  Reply PostRaw(std::string_view target, std::string_view body,
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    return Call("POST", target, body, std::move(headers));
  }
  Client& client() { return client_; }
  const std::string& token() const { return token_; }

 private:
  Client client_;
  std::string token_;
};

// ---------------------------------------------------------------------------------------------
// Test data

// A valid Swedish organisation number (NNNNNN-NNNN with its Luhn digit) from `seed`.
inline std::string OrgNumber(uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string digits = "55";  // a legal entity: third digit >= 2 below
  digits += static_cast<char>('2' + rng() % 8);
  while (digits.size() < 9) digits += static_cast<char>('0' + rng() % 10);
  int sum = 0;
  for (size_t i = 0; i < 9; ++i) {
    int v = (digits[i] - '0') * (i % 2 == 0 ? 2 : 1);
    sum += v > 9 ? v - 9 : v;
  }
  digits += static_cast<char>('0' + (10 - sum % 10) % 10);
  return digits.substr(0, 6) + "-" + digits.substr(6);
}

}  // namespace tillvaxt::apitest
