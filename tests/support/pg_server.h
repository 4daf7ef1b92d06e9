// A real, throwaway PostgreSQL server for tests, started once per test process: initdb into a
// temporary folder, pg_ctl start on a free loopback port (listen_addresses=127.0.0.1, the Unix
// socket in the temporary folder too), and stopped and removed when the process
// exits — also when tests failed, and on SIGINT, SIGTERM, SIGABRT and SIGSEGV.
//
// initdb and pg_ctl are looked for on PATH, then in /usr/lib/postgresql/*/bin (Debian's
// `postgresql` package). A machine without them is a failure with a message saying what to
// install, never a skip: the PostgreSQL store is part of the product.
//
// PostgreSQL refuses to run as root. When the tests run as root (CI containers), the server
// runs as the `postgres` user that Debian's package creates (runuser -u postgres), and the
// temporary folder is handed to it (chown); otherwise as the calling user. Authentication is
// `trust` on loopback only: the server serves this process and dies with it.
//
// fsync stays on, but commits do not wait for their WAL flush (synchronous_commit=off): the
// tests are about what the store does, not about surviving a power loss of a server that dies
// with the test, and thousands of commits share two cores with other builds.
//
// Thread-safety: Shared() may be called from any thread; the server object is immutable after.
#pragma once

#include <string>

#include "engine/base/status.h"

namespace tillvaxt::testing {

class PgServer {
 public:
  // The process's server, started at the first call. The error says why it could not start
  // (no initdb, initdb or pg_ctl failed: their log is quoted).
  static base::Result<PgServer*> Shared();

  // A libpq connection string for database `db` on the server (user postgres, no password).
  std::string ConnInfo(const std::string& db = "postgres") const;
  // A postgresql:// URL for database `db`.
  std::string Url(const std::string& db = "postgres") const;
  int port() const { return port_; }

  // Creates database `name` if it does not exist.
  base::Status CreateDatabase(const std::string& name) const;
  // Empties database `name` (created when missing): drops and recreates its public schema, so
  // the next store opened on it migrates a fresh schema.
  base::Status ResetDatabase(const std::string& name) const;

  // Stops the server and removes its folder (runs at exit; idempotent).
  void Stop();

  ~PgServer() { Stop(); }

 private:
  PgServer() = default;
  base::Status Start();

  std::string dir_;     // the temporary folder: data/, the socket, logs
  std::string bin_;     // the folder of initdb and pg_ctl
  std::string run_as_;  // "runuser -u postgres -- " when root, else ""
  int port_ = 0;
  bool running_ = false;
};

}  // namespace tillvaxt::testing
