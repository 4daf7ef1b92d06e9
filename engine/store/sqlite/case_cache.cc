#include "engine/store/sqlite/case_cache.h"

namespace tillvaxt::store::sqlite {

std::optional<domain::Case> CaseCache::Get(const std::string& id, int64_t version) const {
  std::shared_ptr<const domain::Case> c;
  {
    std::lock_guard lock(mu_);
    auto it = cases_.find(id);
    if (it == cases_.end() || it->second->version != version) return std::nullopt;
    c = it->second;
  }
  return *c;  // copied outside the lock
}

void CaseCache::Put(const domain::Case& c) {
  auto entry = std::make_shared<const domain::Case>(c);
  std::lock_guard lock(mu_);
  auto it = cases_.find(c.id);
  if (it != cases_.end()) {
    if (it->second->version < c.version) it->second = std::move(entry);
    return;
  }
  if (capacity_ == 0) return;
  if (cases_.size() >= capacity_) cases_.erase(cases_.begin());
  cases_.emplace(c.id, std::move(entry));
}

void CaseCache::Clear() {
  std::lock_guard lock(mu_);
  cases_.clear();
}

}  // namespace tillvaxt::store::sqlite
