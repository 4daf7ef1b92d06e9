// Case ids: 10 characters of lower-case Crockford base32 (no i, l, o, u), random, so several
// instances can create cases without coordination and ids can be read aloud on the phone.
// Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>

namespace tillvaxt::service {

class IdGenerator {
 public:
  IdGenerator();                         // seeded from std::random_device
  explicit IdGenerator(uint64_t seed);   // reproducible (tillvaxt seed --seed)
  std::string Next();

 private:
  std::mutex mu_;
  std::mt19937_64 rng_;
};

}  // namespace tillvaxt::service
