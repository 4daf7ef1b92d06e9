// A bounded pool of PostgreSQL connections. Lease() hands out a free connection, opening one
// when fewer than `size` are open, or waits for one to be returned. A connection found broken
// when it comes back (the server restarted, the network dropped) is closed rather than reused,
// so the next lease opens a fresh one: the store reconnects by itself once the database is back.
//
// Thread-safety: every method may be called from any thread; a Lease is used by one thread.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/base/status.h"
#include "engine/base/thread_annotations.h"
#include "engine/store/postgres/pg.h"

namespace tillvaxt::store::postgres {

class Pool {
 public:
  // REQUIRES: size >= 1.
  Pool(std::string conninfo, int size) : conninfo_(std::move(conninfo)), size_(size) {}
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease();
    Connection& operator*() { return *conn_; }
    Connection* operator->() { return conn_.get(); }

   private:
    friend class Pool;
    Lease(Pool* pool, std::unique_ptr<Connection> conn) : pool_(pool), conn_(std::move(conn)) {}
    Pool* pool_;
    std::unique_ptr<Connection> conn_;
  };

  // A connection, or UNAVAILABLE when none can be opened (the message names the server).
  base::Result<Lease> Get();

  const std::string& conninfo() const { return conninfo_; }

 private:
  void Return(std::unique_ptr<Connection> conn);

  const std::string conninfo_;
  const int size_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Connection>> free_ GUARDED_BY(mu_);
  int open_ GUARDED_BY(mu_) = 0;  // connections open, leased or free
};

}  // namespace tillvaxt::store::postgres
