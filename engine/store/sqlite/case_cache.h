// The cases the store wrote last, each at its version, so a command's case is not read back and
// parsed from its row again: the service reads a case, decides, and appends, and the next
// command on the same case reads it again — both reads are answered from here while the row is
// still at the cached version.
//
// A case enters only after its append committed (never a version a failed batch wrote), and a
// lookup names the version the caller found in the row, so an entry that is behind the database
// (another writer, a rebuild in progress) is never answered. Bounded: when full, an arbitrary
// entry makes room.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "engine/base/thread_annotations.h"
#include "engine/domain/case.h"

namespace tillvaxt::store::sqlite {

class CaseCache {
 public:
  explicit CaseCache(size_t capacity) : capacity_(capacity) {}

  // The case `id` if it is cached at `version`.
  std::optional<domain::Case> Get(const std::string& id, int64_t version) const;
  // Remembers `c`, unless a later version of it is cached.
  void Put(const domain::Case& c);
  void Clear();

 private:
  const size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const domain::Case>> cases_ GUARDED_BY(mu_);
};

}  // namespace tillvaxt::store::sqlite
