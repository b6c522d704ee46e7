// A fixed-window rate limiter: at most N requests per second of real time per key (amperity
// limits each tenant to 10 a second and answers the rest 429).
//
// Configuration: `per_second`, the requests admitted per key in each second (0 or less: no
// limit). The windows are whole seconds of a clock that only moves forward (by default the steady
// clock, so setting the system time or the engine's manual clock changes nothing); a request
// refused still counts in its window. The keys are bounded: past 10,000 distinct keys every window
// is forgotten at once (so a key at its limit may get a fresh window early: the memory bound
// matters more than the exactness).
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace runmock::mechanisms {

class RateLimiter {
 public:
  // The current second of the limiter's clock.
  using SecondClock = std::function<std::int64_t()>;
  static constexpr std::size_t kMaxKeys = 10000;

  // Whole seconds of std::chrono::steady_clock.
  static std::int64_t steady_second();

  explicit RateLimiter(int per_second, SecondClock clock = &RateLimiter::steady_second);

  // Counts one request of `key` in the current second; false when that makes more than
  // `per_second` of them. Always true when unlimited.
  bool admit(const std::string& key);

  int per_second() const { return per_second_; }

 private:
  struct Window {
    std::int64_t second = -1;
    int count = 0;
  };

  int per_second_;
  SecondClock clock_;
  std::mutex mutex_;
  std::unordered_map<std::string, Window> windows_;
};

}  // namespace runmock::mechanisms
