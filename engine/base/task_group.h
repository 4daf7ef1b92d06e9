// TaskGroup: background tasks that stop as one, so none outlives what it uses.
//
// Each task runs on a thread of its own and is handed a `stopping` flag to check between
// steps. Stop() raises the flag and joins every thread; the owner stops the group before it
// destroys anything the tasks use (engine/app stops it after the HTTP listener and before the
// store). No thread is ever detached.
//
// Thread-safety: Run and Stop may be called from any thread; Stop is idempotent.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <thread>

namespace tillvaxt::base {

class TaskGroup {
 public:
  using Task = std::function<void(const std::atomic<bool>& stopping)>;

  // At most `max_tasks` run at once.
  explicit TaskGroup(size_t max_tasks = 16) : max_tasks_(max_tasks) {}
  ~TaskGroup() { Stop(); }
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Starts `task` on a new thread. False, and the task is not run, once Stop was called or
  // while max_tasks run.
  bool Run(Task task);
  // Raises `stopping` and waits for every task to return.
  void Stop();
  size_t running() const;

 private:
  struct Entry {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  void ReapFinished();  // REQUIRES: mu_ held

  const size_t max_tasks_;
  mutable std::mutex mu_;
  bool stopped_ = false;      // guarded by mu_
  std::list<Entry> entries_;  // guarded by mu_
  std::atomic<bool> stopping_{false};
};

}  // namespace tillvaxt::base
