#include "plugins/notifier/common/net.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace tillvaxt_plugins::net {
namespace {

constexpr size_t kMaxLine = 64 * 1024;

std::string Errno(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

}  // namespace

Connection::~Connection() { Close(); }

void Connection::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool Connection::Connect(const std::string& host, const std::string& port,
                         std::chrono::milliseconds timeout, std::string* error) {
  Close();
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* result = nullptr;
  int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &result);
  if (rc != 0) {
    *error = "cannot resolve " + host + ": " + gai_strerror(rc);
    return false;
  }
  *error = "no address for " + host;
  for (addrinfo* ai = result; ai != nullptr; ai = ai->ai_next) {
    int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      *error = Errno("socket");
      continue;
    }
    int flags = ::fcntl(fd, F_GETFL, 0);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    rc = ::connect(fd, ai->ai_addr, ai->ai_addrlen);
    if (rc != 0 && errno == EINPROGRESS) {
      pollfd p{fd, POLLOUT, 0};
      rc = ::poll(&p, 1, static_cast<int>(timeout.count()));
      if (rc == 0) {
        *error = "connect to " + host + ":" + port + " timed out";
        ::close(fd);
        continue;
      }
      int so_error = 0;
      socklen_t len = sizeof so_error;
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &so_error, &len);
      if (rc < 0 || so_error != 0) {
        errno = rc < 0 ? errno : so_error;
        *error = Errno(("connect to " + host + ":" + port).c_str());
        ::close(fd);
        continue;
      }
    } else if (rc != 0) {
      *error = Errno(("connect to " + host + ":" + port).c_str());
      ::close(fd);
      continue;
    }
    ::fcntl(fd, F_SETFL, flags);
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    fd_ = fd;
    error->clear();
    break;
  }
  ::freeaddrinfo(result);
  return fd_ >= 0;
}

bool Connection::WriteAll(const std::string& data, std::string* error) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = errno == EAGAIN || errno == EWOULDBLOCK ? "write timed out" : Errno("write");
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return true;
}

bool Connection::ReadLine(std::string* line, std::string* error) {
  while (true) {
    auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      *line = buffer_.substr(0, nl);
      if (!line->empty() && line->back() == '\r') line->pop_back();
      buffer_.erase(0, nl + 1);
      return true;
    }
    if (buffer_.size() > kMaxLine) {
      *error = "line too long";
      return false;
    }
    char chunk[4096];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      *error = errno == EAGAIN || errno == EWOULDBLOCK ? "read timed out" : Errno("read");
      return false;
    }
    if (n == 0) {
      *error = "connection closed by the server";
      return false;
    }
    buffer_.append(chunk, static_cast<size_t>(n));
  }
}

}  // namespace tillvaxt_plugins::net
