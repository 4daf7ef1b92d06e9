// A tiny blocking HTTP/1.1 client over POSIX sockets (and OpenSSL for TLS), for the server
// tests: it sends raw bytes, so tests can send exactly the malformed, slow or oversized input
// they mean to. Not thread-safe; one per connection.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "engine/http/request.h"

namespace tillvaxt::http::testing {

struct Reply {
  int status = 0;
  Headers headers;
  std::string body;
};

class Conn {
 public:
  // Connects to 127.0.0.1:port; with `tls`, handshakes too. nullptr when refused.
  static std::unique_ptr<Conn> Open(uint16_t port, SSL_CTX* tls = nullptr) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return nullptr;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      ::close(fd);
      return nullptr;
    }
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    auto conn = std::unique_ptr<Conn>(new Conn(fd));
    conn->SetTimeout(std::chrono::milliseconds(5000));
    if (tls) {
      conn->ssl_ = SSL_new(tls);
      SSL_set_fd(conn->ssl_, fd);
      if (SSL_connect(conn->ssl_) != 1) return nullptr;
    }
    return conn;
  }

  ~Conn() {
    if (ssl_) SSL_free(ssl_);
    if (fd_ >= 0) ::close(fd_);
  }

  void SetTimeout(std::chrono::milliseconds t) {
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(t.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((t.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      long n = ssl_ ? SSL_write(ssl_, data.data(), static_cast<int>(data.size()))
                    : ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // Reads the status line and headers of one response.
  std::optional<Reply> ReadHead() {
    size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    std::string head = buf_.substr(0, end);
    buf_.erase(0, end + 4);
    Reply reply;
    size_t line_end = head.find("\r\n");
    std::string status_line = head.substr(0, line_end);
    if (status_line.size() < 12 || status_line.compare(0, 5, "HTTP/") != 0) return std::nullopt;
    reply.status = std::atoi(status_line.c_str() + 9);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t next = head.find("\r\n", pos);
      if (next == std::string::npos) next = head.size();
      std::string line = head.substr(pos, next - pos);
      size_t colon = line.find(':');
      if (colon != std::string::npos) {
        size_t v = colon + 1;
        while (v < line.size() && line[v] == ' ') ++v;
        reply.headers.Add(line.substr(0, colon), line.substr(v));
      }
      pos = next + 2;
    }
    return reply;
  }

  // Reads one chunk of a chunked body; "" for the last chunk, nullopt on error.
  std::optional<std::string> ReadChunk() {
    size_t end;
    while ((end = buf_.find("\r\n")) == std::string::npos) {
      if (!Fill()) return std::nullopt;
    }
    size_t size = std::strtoul(buf_.substr(0, end).c_str(), nullptr, 16);
    buf_.erase(0, end + 2);
    while (buf_.size() < size + 2) {
      if (!Fill()) return std::nullopt;
    }
    std::string data = buf_.substr(0, size);
    buf_.erase(0, size + 2);
    return data;
  }

  // Reads one complete response. `head_request`: the response has no body.
  std::optional<Reply> Read(bool head_request = false) {
    auto reply = ReadHead();
    if (!reply) return std::nullopt;
    if (head_request || reply->status == 204 || reply->status == 304 || reply->status < 200) {
      return reply;
    }
    if (auto te = reply->headers.Get("Transfer-Encoding"); te && *te == "chunked") {
      while (true) {
        auto chunk = ReadChunk();
        if (!chunk) return std::nullopt;
        if (chunk->empty()) break;
        reply->body += *chunk;
      }
      return reply;
    }
    if (auto cl = reply->headers.Get("Content-Length")) {
      size_t n = std::strtoul(std::string(*cl).c_str(), nullptr, 10);
      while (buf_.size() < n) {
        if (!Fill()) return std::nullopt;
      }
      reply->body = buf_.substr(0, n);
      buf_.erase(0, n);
      return reply;
    }
    while (Fill()) {
    }
    reply->body = std::move(buf_);
    buf_.clear();
    return reply;
  }

  // Sends a request and reads its response.
  std::optional<Reply> Roundtrip(std::string_view method, std::string_view target,
                                 std::string_view body = {}, std::string_view extra_headers = {}) {
    std::string req = std::string(method) + " " + std::string(target) +
                      " HTTP/1.1\r\nHost: localhost\r\n" + std::string(extra_headers);
    if (!body.empty() || method == "POST") req += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    req += "\r\n";
    req += body;
    if (!Send(req)) return std::nullopt;
    return Read(method == "HEAD");
  }

  // True when the server closes the connection (EOF or reset) within `timeout`.
  bool ClosedWithin(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd_, POLLIN, 0};
      int left = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                      deadline - std::chrono::steady_clock::now())
                                      .count());
      if (::poll(&p, 1, left > 0 ? left : 0) <= 0) continue;
      char c[4096];
      long n = ssl_ ? SSL_read(ssl_, c, sizeof(c)) : ::recv(fd_, c, sizeof(c), 0);
      if (n <= 0) return true;
      buf_.append(c, static_cast<size_t>(n));
    }
    return false;
  }

  int fd() const { return fd_; }
  std::string& buffered() { return buf_; }

 private:
  explicit Conn(int fd) : fd_(fd) {}

  bool Fill() {
    char c[16384];
    long n = ssl_ ? SSL_read(ssl_, c, sizeof(c)) : ::recv(fd_, c, sizeof(c), 0);
    if (n <= 0) return false;
    buf_.append(c, static_cast<size_t>(n));
    return true;
  }

  int fd_ = -1;
  SSL* ssl_ = nullptr;
  std::string buf_;
};

}  // namespace tillvaxt::http::testing
