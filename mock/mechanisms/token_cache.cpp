#include "mechanisms/token_cache.h"

#include <limits>
#include <utility>

namespace runmock::mechanisms {

std::optional<std::int64_t> expiry_of(const nlohmann::json& claims) {
  auto it = claims.find("exp");
  if (it == claims.end() || !it->is_number()) return std::nullopt;
  constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
  constexpr auto kMin = std::numeric_limits<std::int64_t>::min();
  // Read as the JWT verifier reads it (http/jwt.cpp): clamped, since converting a double or an
  // unsigned out of range is undefined.
  if (it->is_number_unsigned()) {
    auto value = it->get<std::uint64_t>();
    return value > static_cast<std::uint64_t>(kMax) ? kMax : static_cast<std::int64_t>(value);
  }
  if (it->is_number_float()) {
    double value = it->get<double>();
    if (value >= 9.2e18) return kMax;
    if (value <= -9.2e18) return kMin;
    return static_cast<std::int64_t>(value);
  }
  return it->get<std::int64_t>();
}

TokenCache::TokenCache(std::size_t capacity) : capacity_(capacity) {}

std::optional<nlohmann::json> TokenCache::find(const std::string& authorization, std::int64_t now_seconds) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(authorization);
  if (it == entries_.end() || (it->second.exp && now_seconds >= *it->second.exp)) return std::nullopt;
  return it->second.claims;
}

void TokenCache::store(const std::string& authorization, nlohmann::json claims, std::optional<std::int64_t> exp) {
  std::lock_guard lock(mutex_);
  if (entries_.size() >= capacity_) entries_.clear();
  entries_[authorization] = {std::move(claims), exp};
}

std::size_t TokenCache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace runmock::mechanisms
