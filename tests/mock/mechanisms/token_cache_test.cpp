// The verified-token cache: hits, expiry at exp, the capacity bound, exp as claims carry it.
#include "mechanisms/token_cache.h"

#include <gtest/gtest.h>

#include <limits>
#include <thread>
#include <vector>

namespace {

using nlohmann::json;
using runmock::mechanisms::expiry_of;
using runmock::mechanisms::TokenCache;

TEST(TokenCache, FindsWhatWasStored) {
  TokenCache cache;
  EXPECT_EQ(cache.find("Bearer a", 100), std::nullopt);
  cache.store("Bearer a", {{"client_id", "c"}}, std::nullopt);
  EXPECT_EQ(cache.find("Bearer a", 100), json({{"client_id", "c"}}));
  EXPECT_EQ(cache.find("Bearer a", std::numeric_limits<std::int64_t>::max()), json({{"client_id", "c"}}));  // no exp: forever
  EXPECT_EQ(cache.find("bearer a", 100), std::nullopt);  // the header as sent is the key
}

TEST(TokenCache, AnEntryIsAMissFromItsExpOn) {
  TokenCache cache;
  cache.store("Bearer a", {{"exp", 200}}, 200);
  EXPECT_TRUE(cache.find("Bearer a", 199));
  EXPECT_FALSE(cache.find("Bearer a", 200));
  EXPECT_FALSE(cache.find("Bearer a", 201));
  EXPECT_TRUE(cache.find("Bearer a", 0));  // a clock set back finds it again, as before
}

TEST(TokenCache, StoringAgainReplaces) {
  TokenCache cache;
  cache.store("Bearer a", {{"v", 1}}, 100);
  cache.store("Bearer a", {{"v", 2}}, 300);
  EXPECT_EQ(cache.find("Bearer a", 150), json({{"v", 2}}));
  EXPECT_EQ(cache.size(), 1u);
}

TEST(TokenCache, AFullCacheIsEmptiedBeforeTheNextStore) {
  TokenCache cache(3);
  for (const char* key : {"a", "b", "c"}) cache.store(key, json::object(), std::nullopt);
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.find("a", 0));
  cache.store("d", json::object(), std::nullopt);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_FALSE(cache.find("a", 0));
  EXPECT_TRUE(cache.find("d", 0));
}

TEST(TokenCache, TheDefaultCapacityIs1024) {
  TokenCache cache;
  for (std::size_t i = 0; i < TokenCache::kDefaultCapacity; ++i) cache.store(std::to_string(i), json::object(), std::nullopt);
  EXPECT_EQ(cache.size(), 1024u);
  cache.store("one more", json::object(), std::nullopt);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(TokenCache, ServesConcurrentCallers) {
  TokenCache cache(64);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 500; ++i) {
        std::string key = std::to_string(t) + "-" + std::to_string(i % 50);
        cache.store(key, {{"i", i}}, 1000);
        auto found = cache.find(key, 10);
        EXPECT_TRUE(!found || found->contains("i"));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_LE(cache.size(), 64u);
}

TEST(TokenCache, ExpiryOfClaims) {
  EXPECT_EQ(expiry_of(json::object()), std::nullopt);
  EXPECT_EQ(expiry_of({{"exp", "1700000000"}}), std::nullopt);
  EXPECT_EQ(expiry_of({{"exp", nullptr}}), std::nullopt);
  EXPECT_EQ(expiry_of({{"exp", 1700000000}}), 1700000000);
  EXPECT_EQ(expiry_of({{"exp", -5}}), -5);
  EXPECT_EQ(expiry_of({{"exp", 1700000000.9}}), 1700000000);
  EXPECT_EQ(expiry_of({{"exp", -2.5}}), -2);
  EXPECT_EQ(expiry_of({{"exp", 1e300}}), std::numeric_limits<std::int64_t>::max());
  EXPECT_EQ(expiry_of({{"exp", -1e300}}), std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(expiry_of({{"exp", std::numeric_limits<std::uint64_t>::max()}}), std::numeric_limits<std::int64_t>::max());
}

}  // namespace
