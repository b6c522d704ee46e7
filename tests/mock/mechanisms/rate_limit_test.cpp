// The fixed-window rate limiter, on a clock the test moves (no sleeps), and under threads.
#include "mechanisms/rate_limit.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

namespace {

using runmock::mechanisms::RateLimiter;

struct ManualSeconds {
  std::shared_ptr<std::int64_t> now = std::make_shared<std::int64_t>(1000);
  RateLimiter::SecondClock clock() const {
    return [now = now] { return *now; };
  }
};

int admitted(RateLimiter& limiter, const std::string& key, int requests) {
  int count = 0;
  for (int i = 0; i < requests; ++i) count += limiter.admit(key) ? 1 : 0;
  return count;
}

TEST(RateLimiter, AdmitsNPerSecondPerKey) {
  ManualSeconds seconds;
  RateLimiter limiter(3, seconds.clock());
  EXPECT_EQ(admitted(limiter, "tenant-a", 5), 3);
  EXPECT_EQ(admitted(limiter, "tenant-b", 5), 3);
  ++*seconds.now;
  EXPECT_EQ(admitted(limiter, "tenant-a", 5), 3);
}

TEST(RateLimiter, ARefusedRequestStillCountsInItsWindow) {
  ManualSeconds seconds;
  RateLimiter limiter(1, seconds.clock());
  EXPECT_TRUE(limiter.admit("k"));
  EXPECT_FALSE(limiter.admit("k"));
  EXPECT_FALSE(limiter.admit("k"));
  *seconds.now += 5;
  EXPECT_TRUE(limiter.admit("k"));
}

TEST(RateLimiter, ZeroOrLessIsUnlimited) {
  ManualSeconds seconds;
  RateLimiter unlimited(0, seconds.clock());
  RateLimiter negative(-1, seconds.clock());
  EXPECT_EQ(admitted(unlimited, "k", 1000), 1000);
  EXPECT_EQ(admitted(negative, "k", 1000), 1000);
}

TEST(RateLimiter, PastTheKeyBoundEveryWindowIsForgotten) {
  ManualSeconds seconds;
  RateLimiter limiter(1, seconds.clock());
  EXPECT_TRUE(limiter.admit("full"));
  EXPECT_FALSE(limiter.admit("full"));
  // "full" and kMaxKeys others: the map is over the bound, and the next request empties it.
  for (std::size_t i = 0; i < RateLimiter::kMaxKeys; ++i) EXPECT_TRUE(limiter.admit("key-" + std::to_string(i)));
  EXPECT_TRUE(limiter.admit("full"));
  EXPECT_FALSE(limiter.admit("full"));
}

TEST(RateLimiter, TheBoundIsNotReachedAtExactlyMaxKeys) {
  ManualSeconds seconds;
  RateLimiter limiter(1, seconds.clock());
  EXPECT_TRUE(limiter.admit("full"));
  for (std::size_t i = 1; i < RateLimiter::kMaxKeys; ++i) limiter.admit("key-" + std::to_string(i));
  EXPECT_FALSE(limiter.admit("full"));  // kMaxKeys keys: still remembered
}

TEST(RateLimiter, CountsExactlyUnderConcurrentRequests) {
  ManualSeconds seconds;
  RateLimiter limiter(100, seconds.clock());
  std::atomic<int> total{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] { total += admitted(limiter, "shared", 200); });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(total.load(), 100);
}

TEST(RateLimiter, TheDefaultClockIsTheSteadyClocksSeconds) {
  std::int64_t before = RateLimiter::steady_second();
  RateLimiter limiter(2);
  EXPECT_EQ(limiter.per_second(), 2);
  int count = admitted(limiter, "k", 10);  // 2, or up to 4 when a second boundary falls in between
  EXPECT_TRUE(count >= 2 && count <= 4) << count;
  EXPECT_GE(RateLimiter::steady_second(), before);
}

}  // namespace
