// Thread-safety annotations: which mutex guards a member, which a function needs or must not
// hold. Under clang they are clang's thread-safety attributes, checked by -Wthread-safety; under
// GCC (the build's compiler) they expand to nothing, so they are documentation the compiler
// parses. The names follow clang's documentation ("Thread Safety Analysis") and Abseil.
//
//   std::mutex mu_;
//   std::deque<Item> pending_ GUARDED_BY(mu_);   // read or written only with mu_ held
//   void DrainLocked() REQUIRES(mu_);            // the caller holds mu_
//   void Push(Item item) EXCLUDES(mu_);          // takes mu_ itself: the caller must not hold it
//
// The analysis needs a mutex type that is annotated as a capability. libstdc++'s std::mutex is
// not: with clang on libstdc++, GUARDED_BY(a std::mutex) is reported as an attribute on a
// non-capability (-Wthread-safety-attributes) and nothing is checked. A clang build that checks
// the annotations on std::mutex uses libc++ with -D_LIBCPP_ENABLE_THREAD_SAFETY_ANNOTATIONS
// (std::mutex and std::lock_guard are annotated there; std::unique_lock is not, so a function
// that waits on a condition variable holds its lock where the analysis cannot see it).
// tests/checks/thread_annotations_check.cc proves, with an annotated mutex of its own, that the
// macros are the real attributes under clang and nothing under GCC.
//
// Thread-safety: macros only.
#pragma once

#if defined(__clang__)
#define TV_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define TV_THREAD_ANNOTATION(x)  // GCC has no thread-safety analysis
#endif

// A type that is a lock (a mutex class), and an RAII type that holds one for its scope.
#define CAPABILITY(name) TV_THREAD_ANNOTATION(capability(name))
#define SCOPED_CAPABILITY TV_THREAD_ANNOTATION(scoped_lockable)

// A member read or written only with the mutex held; a pointer whose pointee is.
#define GUARDED_BY(mu) TV_THREAD_ANNOTATION(guarded_by(mu))
#define PT_GUARDED_BY(mu) TV_THREAD_ANNOTATION(pt_guarded_by(mu))

// A function the caller calls with the mutex(es) held (exclusively, or at least shared).
#define REQUIRES(...) TV_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#define REQUIRES_SHARED(...) TV_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))

// A function that takes the mutex(es) itself: the caller must not hold them.
#define EXCLUDES(...) TV_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))

// Functions that lock or unlock (on a CAPABILITY or SCOPED_CAPABILITY type).
#define ACQUIRE(...) TV_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#define RELEASE(...) TV_THREAD_ANNOTATION(release_capability(__VA_ARGS__))

// A function the analysis does not look into (say why beside it).
#define NO_THREAD_SAFETY_ANALYSIS TV_THREAD_ANNOTATION(no_thread_safety_analysis)
