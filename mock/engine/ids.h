// Deterministic identifiers: a seeded PRNG (std::mt19937_64, whose output the standard fixes), so
// the same seed and the same sequence of calls give the same ids on every machine. Thread-safe.
// A dialect that wants ids in its own shape (amperity's "wf-20240603-12345-MNabc") builds them
// from next(), digits() and letters().
#pragma once

#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>

namespace runmock::engine {

class IdGenerator {
 public:
  static constexpr std::uint64_t kDefaultSeed = 20240115;

  explicit IdGenerator(std::uint64_t seed = kDefaultSeed) : seed_(seed), prng_(seed) {}

  std::uint64_t seed() const { return seed_; }
  // Back to the first id of the seed (the admin API's reset).
  void reset();

  std::uint64_t next();
  // A version 4 UUID (random bits from the PRNG), lower case.
  std::string uuid();
  // `count` characters drawn from `alphabet`.
  std::string pick(std::size_t count, std::string_view alphabet);
  std::string digits(std::size_t count) { return pick(count, "0123456789"); }
  std::string letters(std::size_t count) { return pick(count, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"); }
  std::string alphanumerics(std::size_t count) {
    return pick(count, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
  }

 private:
  std::uint64_t seed_;
  std::mutex mutex_;
  std::mt19937_64 prng_;
};

}  // namespace runmock::engine
