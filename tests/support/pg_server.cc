#include "tests/support/pg_server.h"

#include <arpa/inet.h>
#include <glob.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

#include "engine/store/postgres/pg.h"

namespace tillvaxt::testing {
namespace {

namespace fs = std::filesystem;

bool Executable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0; }

// The folder holding initdb and pg_ctl: PATH first, then Debian's versioned folders.
std::string FindBin() {
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
      if (!dir.empty() && Executable(fs::path(dir) / "initdb") &&
          Executable(fs::path(dir) / "pg_ctl")) {
        return dir;
      }
    }
  }
  glob_t g{};
  std::string found;
  if (::glob("/usr/lib/postgresql/*/bin/initdb", 0, nullptr, &g) == 0 && g.gl_pathc > 0) {
    found = fs::path(g.gl_pathv[g.gl_pathc - 1]).parent_path();  // the newest version
  }
  ::globfree(&g);
  return found;
}

// A port the kernel says is free on 127.0.0.1 now (the server binds it a moment later; a lost
// race makes pg_ctl fail, and Start tries another).
int FreePort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return 0;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

std::string Quote(const std::string& s) { return "'" + s + "'"; }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

PgServer* g_server = nullptr;  // for the signal handlers

void StopOnSignal(int sig) {
  if (g_server != nullptr) g_server->Stop();
  std::signal(sig, SIG_DFL);
  std::raise(sig);
}

base::Status RunSql(const std::string& conninfo, const std::string& sql, std::string_view op) {
  base::Result<std::unique_ptr<store::postgres::Connection>> db =
      store::postgres::Connection::Open(conninfo);
  if (!db.ok()) return db.status();
  return (*db)->Exec(sql, op);
}

}  // namespace

base::Result<PgServer*> PgServer::Shared() {
  static std::mutex mu;
  static std::unique_ptr<PgServer> server;
  static base::Status failed;
  std::lock_guard lock(mu);
  if (server) return server.get();
  if (!failed.ok()) return failed;
  std::unique_ptr<PgServer> s(new PgServer());
  base::Status st = s->Start();
  if (!st.ok()) {
    s->Stop();
    failed = st;
    return st;
  }
  server = std::move(s);
  g_server = server.get();
  for (int sig : {SIGINT, SIGTERM, SIGABRT, SIGSEGV}) std::signal(sig, StopOnSignal);
  // The static unique_ptr's destructor stops the server at a normal exit.
  return server.get();
}

base::Status PgServer::Start() {
  bin_ = FindBin();
  if (bin_.empty()) {
    return base::FailedPrecondition(
        "PostgreSQL's initdb and pg_ctl were found neither on PATH nor in "
        "/usr/lib/postgresql/*/bin: install Debian's `postgresql` package (scripts/deps.sh)");
  }
  char tmpl[] = "/tmp/tv-pgtest.XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return base::Internal("cannot create a temporary folder");
  dir_ = tmpl;
  if (::geteuid() == 0) {
    const passwd* pw = ::getpwnam("postgres");
    if (pw == nullptr) {
      return base::FailedPrecondition(
          "the tests run as root and PostgreSQL refuses root, but there is no `postgres` user "
          "to run it as (Debian's postgresql package creates it)");
    }
    if (::chown(dir_.c_str(), pw->pw_uid, pw->pw_gid) != 0) {
      return base::Internal("cannot hand " + dir_ + " to the postgres user");
    }
    run_as_ = "runuser -u postgres -- ";
  }
  const std::string initdb = run_as_ + Quote(bin_ + "/initdb") + " -D " + Quote(dir_ + "/data") +
                             " -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync > " +
                             Quote(dir_ + "/initdb.log") + " 2>&1";
  if (std::system(initdb.c_str()) != 0) {
    return base::Internal("initdb failed: " + ReadFile(dir_ + "/initdb.log"));
  }
  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = FreePort();
    const std::string start =
        run_as_ + Quote(bin_ + "/pg_ctl") + " -D " + Quote(dir_ + "/data") + " -l " +
        Quote(dir_ + "/server.log") + " -w -t 60 -o " +
        Quote("-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k " + dir_ +
              " -c max_connections=200 -c shared_buffers=32MB -c synchronous_commit=off") +
        " start > " + Quote(dir_ + "/pg_ctl.log") + " 2>&1";
    if (std::system(start.c_str()) == 0) {
      running_ = true;
      return base::Status::Ok();
    }
  }
  return base::Internal("pg_ctl start failed: " + ReadFile(dir_ + "/pg_ctl.log") +
                        ReadFile(dir_ + "/server.log"));
}

void PgServer::Stop() {
  if (running_) {
    running_ = false;
    const std::string stop = run_as_ + Quote(bin_ + "/pg_ctl") + " -D " + Quote(dir_ + "/data") +
                             " -m fast -w stop > /dev/null 2>&1";
    (void)std::system(stop.c_str());
  }
  if (!dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
}

std::string PgServer::ConnInfo(const std::string& db) const {
  return "host=127.0.0.1 port=" + std::to_string(port_) + " user=postgres dbname=" + db;
}

std::string PgServer::Url(const std::string& db) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + db;
}

base::Status PgServer::CreateDatabase(const std::string& name) const {
  base::Result<std::unique_ptr<store::postgres::Connection>> db =
      store::postgres::Connection::Open(ConnInfo());
  if (!db.ok()) return db.status();
  store::postgres::Params p;
  p.Text(name);
  base::Result<store::postgres::Result> exists =
      (*db)->Query("SELECT 1 FROM pg_database WHERE datname = $1", p, "looking for a database");
  if (!exists.ok()) return exists.status();
  if (exists->rows() > 0) return base::Status::Ok();
  return (*db)->Exec("CREATE DATABASE \"" + name + "\"", "creating database " + name);
}

base::Status PgServer::ResetDatabase(const std::string& name) const {
  TV_RETURN_IF_ERROR(CreateDatabase(name));
  return RunSql(ConnInfo(name), "DROP SCHEMA public CASCADE; CREATE SCHEMA public",
                "emptying database " + name);
}

}  // namespace tillvaxt::testing
