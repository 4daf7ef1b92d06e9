// Blocking TCP with timeouts for the notifier plugins (POSIX sockets only).
//
// A Connection is one connected socket with a read buffer; every operation is bounded by the
// timeout given at Connect. Not thread-safe: one connection per call of a plugin.
#pragma once

#include <chrono>
#include <string>

namespace tillvaxt_plugins::net {

class Connection {
 public:
  Connection() = default;
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Resolves host and connects to the first address that answers within `timeout`; every later
  // read and write is bounded by `timeout` too. On failure returns false and sets *error.
  bool Connect(const std::string& host, const std::string& port, std::chrono::milliseconds timeout,
               std::string* error);
  // Sends all of `data`.
  bool WriteAll(const std::string& data, std::string* error);
  // Reads one line ending in "\n" (the line is returned without "\r\n").
  bool ReadLine(std::string* line, std::string* error);
  void Close();

 private:
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace tillvaxt_plugins::net
