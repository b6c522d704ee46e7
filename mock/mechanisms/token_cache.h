// Bearer tokens already verified, with their claims: a client sends the same token on every
// poll, and verifying a signature each time costs more than the poll itself. Each entry keeps the
// token's exp and is a miss once the clock (the engine's, so a manual clock expires tokens too)
// reaches it; the token is then verified again, and refused.
//
// Configuration: the capacity (default 1024 tokens). When a token is stored into a full cache
// every entry is dropped at once: a bound on memory, cheap, and the tokens in use come back with
// their next request.
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>

namespace runmock::mechanisms {

// The exp claim of verified claims, in seconds since the epoch: nullopt when absent or not a
// number; a number outside the range of int64 is clamped to it.
std::optional<std::int64_t> expiry_of(const nlohmann::json& claims);

class TokenCache {
 public:
  static constexpr std::size_t kDefaultCapacity = 1024;

  explicit TokenCache(std::size_t capacity = kDefaultCapacity);

  // The claims stored under `authorization` (the Authorization header's value, as sent) when
  // they have not expired at `now_seconds`; nullopt otherwise.
  std::optional<nlohmann::json> find(const std::string& authorization, std::int64_t now_seconds) const;

  // Stores `claims` under `authorization`, valid while now < `exp` (forever without one). A full
  // cache is emptied first.
  void store(const std::string& authorization, nlohmann::json claims, std::optional<std::int64_t> exp);

  std::size_t size() const;

 private:
  struct Entry {
    nlohmann::json claims;
    std::optional<std::int64_t> exp;
  };

  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace runmock::mechanisms
