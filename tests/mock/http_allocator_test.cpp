// mock/http/allocator.h: the policy trims on its period and stops promptly however long it is.
#include <gtest/gtest.h>

#include <chrono>
#include <vector>

#include "http/allocator.h"

namespace {

using runmock::http::AllocatorPolicy;

TEST(AllocatorPolicy, StopsAtOnceWhateverItsPeriod) {
  auto start = std::chrono::steady_clock::now();
  { AllocatorPolicy policy(2, std::chrono::hours(1)); }
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(AllocatorPolicy, MemoryStaysUsableWhileItTrims) {
  AllocatorPolicy policy(2, std::chrono::milliseconds(1));
  for (int round = 0; round < 50; ++round) {
    std::vector<std::vector<char>> blocks(200, std::vector<char>(4096, static_cast<char>(round)));
    for (const auto& block : blocks) ASSERT_EQ(block[4095], static_cast<char>(round));
  }
}

}  // namespace
