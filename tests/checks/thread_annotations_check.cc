// Compiled, never run, by tests/checks/thread_annotations_test.sh: with clang and
// -Wthread-safety -Werror it must compile as it is and fail with TV_PLANT_VIOLATION defined
// (a guarded member written without its mutex); with GCC -Wall -Wextra -Werror it must compile
// in both forms, the macros being nothing there. The mutex is annotated here because
// libstdc++'s std::mutex is not (engine/base/thread_annotations.h).
#include <mutex>

#include "engine/base/thread_annotations.h"

namespace {

class CAPABILITY("mutex") Mutex {
 public:
  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }

 private:
  std::mutex mu_;
};

class SCOPED_CAPABILITY Lock {
 public:
  explicit Lock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~Lock() RELEASE() { mu_->Unlock(); }
  Lock(const Lock&) = delete;
  Lock& operator=(const Lock&) = delete;

 private:
  Mutex* mu_;
};

class Counter {
 public:
  void Add(int n) EXCLUDES(mu_) {
    Lock lock(&mu_);
    AddLocked(n);
  }
  int Get() EXCLUDES(mu_) {
    Lock lock(&mu_);
    return *total_;
  }
#ifdef TV_PLANT_VIOLATION
  void AddUnlocked(int n) { value_ += n; }  // no lock: -Wthread-safety must refuse this
#endif

 private:
  void AddLocked(int n) REQUIRES(mu_) {
    value_ += n;
    *total_ += n;
  }
  Mutex mu_;
  int value_ GUARDED_BY(mu_) = 0;
  int sum_ = 0;
  int* total_ PT_GUARDED_BY(mu_) = &sum_;
};

}  // namespace

int ThreadAnnotationsCheck() {
  Counter c;
  c.Add(1);
  return c.Get();
}
