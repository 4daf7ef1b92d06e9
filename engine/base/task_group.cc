#include "engine/base/task_group.h"

#include <utility>
#include <vector>

namespace tillvaxt::base {

void TaskGroup::ReapFinished() {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->done->load()) {
      it->thread.join();
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

bool TaskGroup::Run(Task task) {
  std::lock_guard lock(mu_);
  if (stopped_) return false;
  ReapFinished();
  if (entries_.size() >= max_tasks_) return false;
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread thread([this, task = std::move(task), done] {
    task(stopping_);
    done->store(true);
  });
  entries_.push_back({std::move(thread), std::move(done)});
  return true;
}

void TaskGroup::Stop() {
  std::list<Entry> entries;
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
    stopping_ = true;
    entries.swap(entries_);
  }
  for (Entry& e : entries) e.thread.join();
}

size_t TaskGroup::running() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const Entry& e : entries_) n += e.done->load() ? 0 : 1;
  return n;
}

}  // namespace tillvaxt::base
