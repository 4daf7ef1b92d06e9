#include "engine/service/ids.h"

namespace tillvaxt::service {
namespace {
constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";
constexpr int kLength = 10;
}  // namespace

IdGenerator::IdGenerator() : rng_(std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32)) {}
IdGenerator::IdGenerator(uint64_t seed) : rng_(seed) {}

std::string IdGenerator::Next() {
  uint64_t bits;
  {
    std::lock_guard lock(mu_);
    bits = rng_();
  }
  std::string id(kLength, '0');
  for (int i = 0; i < kLength; ++i) {
    id[i] = kAlphabet[bits & 31];
    bits >>= 5;
  }
  return id;
}

}  // namespace tillvaxt::service
