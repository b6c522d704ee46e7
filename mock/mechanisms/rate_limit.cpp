#include "mechanisms/rate_limit.h"

#include <chrono>
#include <utility>

namespace runmock::mechanisms {

std::int64_t RateLimiter::steady_second() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

RateLimiter::RateLimiter(int per_second, SecondClock clock) : per_second_(per_second), clock_(std::move(clock)) {}

bool RateLimiter::admit(const std::string& key) {
  if (per_second_ <= 0) return true;
  std::int64_t second = clock_();
  std::lock_guard lock(mutex_);
  if (windows_.size() > kMaxKeys) windows_.clear();
  Window& window = windows_[key];
  if (window.second != second) window = {second, 0};
  return ++window.count <= per_second_;
}

}  // namespace runmock::mechanisms
