#include "engine/ids.h"

#include <cstdio>

namespace runmock::engine {

void IdGenerator::reset() {
  std::lock_guard lock(mutex_);
  prng_.seed(seed_);
}

std::uint64_t IdGenerator::next() {
  std::lock_guard lock(mutex_);
  return prng_();
}

std::string IdGenerator::uuid() {
  std::uint64_t hi, lo;
  {
    std::lock_guard lock(mutex_);
    hi = prng_();
    lo = prng_();
  }
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  char buffer[40];
  std::snprintf(buffer, sizeof buffer, "%08llx-%04llx-%04llx-%04llx-%012llx", static_cast<unsigned long long>(hi >> 32),
                static_cast<unsigned long long>((hi >> 16) & 0xFFFF), static_cast<unsigned long long>(hi & 0xFFFF),
                static_cast<unsigned long long>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
  return buffer;
}

std::string IdGenerator::pick(std::size_t count, std::string_view alphabet) {
  std::string out;
  out.reserve(count);
  std::lock_guard lock(mutex_);
  for (std::size_t i = 0; i < count; ++i) out.push_back(alphabet[prng_() % alphabet.size()]);
  return out;
}

}  // namespace runmock::engine
