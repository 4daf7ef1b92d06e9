#include "engine/store/postgres/pool.h"

#include <utility>

namespace tillvaxt::store::postgres {

Pool::Lease::~Lease() {
  if (conn_ != nullptr) pool_->Return(std::move(conn_));
}

base::Result<Pool::Lease> Pool::Get() {
  {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !free_.empty() || open_ < size_; });
    if (!free_.empty()) {
      std::unique_ptr<Connection> conn = std::move(free_.back());
      free_.pop_back();
      return Lease(this, std::move(conn));
    }
    ++open_;  // reserve a place, then connect without holding the lock
  }
  base::Result<std::unique_ptr<Connection>> conn = Connection::Open(conninfo_);
  if (!conn.ok()) {
    {
      std::lock_guard lock(mu_);
      --open_;
    }
    cv_.notify_one();
    return conn.status();
  }
  return Lease(this, std::move(conn).value());
}

void Pool::Return(std::unique_ptr<Connection> conn) {
  // A connection left inside a transaction (a caller's bug or a lost COMMIT) or broken is not
  // handed out again.
  const bool reusable = conn->Healthy() && !conn->InTransaction();
  {
    std::lock_guard lock(mu_);
    if (reusable) {
      free_.push_back(std::move(conn));
    } else {
      --open_;
    }
  }
  if (!reusable) conn.reset();
  cv_.notify_one();
}

}  // namespace tillvaxt::store::postgres
