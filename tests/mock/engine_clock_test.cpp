// The clock (manual and real, scaled), timestamps and durations, and the id generator.
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <thread>

#include "engine/clock.h"
#include "engine/ids.h"
#include "engine/time.h"

using namespace runmock::engine;
using namespace std::chrono_literals;

TEST(Clock, ManualStartsAtTheDefaultInstantAndStandsStill) {
  auto clock = Clock::manual();
  EXPECT_TRUE(clock->is_manual());
  EXPECT_EQ(format_timestamp(clock->now()), "2024-01-15T10:30:00Z");
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(format_timestamp(clock->now()), "2024-01-15T10:30:00Z");
  EXPECT_FALSE(clock->real_delay_until(clock->now() + 1s).has_value());
}

TEST(Clock, ManualMovesOnlyWhenAdvanced) {
  auto clock = Clock::manual(*parse_timestamp("2030-06-01T00:00:00Z"));
  EXPECT_EQ(format_timestamp(clock->advance(2500ms)), "2030-06-01T00:00:02.500Z");
  EXPECT_EQ(format_timestamp(clock->advance(1min)), "2030-06-01T00:01:02.500Z");
  EXPECT_THROW(clock->advance(Duration{-1}), std::invalid_argument);
  clock->reset();
  EXPECT_EQ(format_timestamp(clock->now()), "2030-06-01T00:00:00Z");
}

TEST(Clock, RealClockRunsScaled) {
  Instant start = default_start();
  auto clock = Clock::real(1000.0, start);
  EXPECT_FALSE(clock->is_manual());
  EXPECT_THROW(clock->advance(1s), std::logic_error);
  std::this_thread::sleep_for(20ms);
  auto elapsed = clock->now() - start;
  EXPECT_GE(elapsed, 20s);   // 20 ms of real time at 1000x
  EXPECT_LT(elapsed, 1h);
  // Ten clock seconds ahead is about 10 ms of real time.
  auto delay = clock->real_delay_until(clock->now() + 10s);
  ASSERT_TRUE(delay.has_value());
  EXPECT_LE(*delay, 10ms + 1ms);
  EXPECT_GE(*delay, 5ms);
  EXPECT_EQ(*clock->real_delay_until(start), std::chrono::steady_clock::duration::zero());
}

TEST(Clock, RealClockWithoutStartFollowsTheSystem) {
  auto clock = Clock::real();
  auto system = std::chrono::time_point_cast<Duration>(std::chrono::system_clock::now());
  EXPECT_LT(std::chrono::abs(clock->now() - system), 5s);
  EXPECT_THROW(Clock::real(0.0), std::invalid_argument);
  EXPECT_THROW(Clock::real(-2.0), std::invalid_argument);
}

TEST(Time, TimestampsRoundTrip) {
  auto t = parse_timestamp("2024-01-15T10:30:00Z");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, default_start());
  EXPECT_EQ(format_timestamp(*t + 123456us), "2024-01-15T10:30:00.123456Z");
  EXPECT_EQ(format_timestamp(*t + 120ms), "2024-01-15T10:30:00.120Z");
  EXPECT_EQ(format_timestamp(*t, 6), "2024-01-15T10:30:00.000000Z");
  EXPECT_EQ(format_timestamp(*t + 1ms, 0), "2024-01-15T10:30:00Z");
  EXPECT_EQ(*parse_timestamp("2024-01-15T12:30:00+02:00"), *t);
  EXPECT_EQ(*parse_timestamp("2024-01-15T10:30:00.5Z"), *t + 500ms);
  EXPECT_EQ(format_timestamp(*parse_timestamp("2024-02-29T23:59:59Z") + 1s), "2024-03-01T00:00:00Z");
  for (const char* bad : {"2024-01-15", "2024-01-15T10:30:00", "2024-13-01T00:00:00Z", "2024-01-15T10:30:00Zx", "2024-01-15 10:30:00Z", ""}) {
    EXPECT_FALSE(parse_timestamp(bad)) << bad;
  }
}

// Found by fuzz/partial_timestamp_fuzz.cpp: these named instants outside years 0000-9999 in UTC,
// which format_timestamp wrote as "10000-01-01T00:00:00Z" and "-001-12-31T23:30:00Z".
TEST(Time, TimestampsOutsideYears0000To9999InUtcAreRefused) {
  EXPECT_FALSE(parse_timestamp("9999-12-31T23:59:60Z"));
  EXPECT_FALSE(parse_timestamp("9999-12-31T23:30:00-01:00"));
  EXPECT_FALSE(parse_timestamp("0000-01-01T00:30:00+01:00"));
  auto first = parse_timestamp("0000-01-01T00:00:00Z");
  auto last = parse_timestamp("9999-12-31T23:59:59.999999Z");
  ASSERT_TRUE(first && last);
  EXPECT_EQ(parse_timestamp(format_timestamp(*first)), first);
  EXPECT_EQ(format_timestamp(*last), "9999-12-31T23:59:59.999999Z");
}

TEST(Time, BasicTimestampsAreToTheSecondInUtc) {
  EXPECT_EQ(format_basic_timestamp(default_start()), "20240115T103000Z");
  EXPECT_EQ(format_basic_timestamp(*parse_timestamp("2024-01-15T10:30:59.999999+01:00")), "20240115T093059Z");
}

TEST(Time, Durations) {
  EXPECT_EQ(*parse_duration("2s"), 2s);
  EXPECT_EQ(*parse_duration("500ms"), 500ms);
  EXPECT_EQ(*parse_duration("1m"), 1min);
  EXPECT_EQ(*parse_duration("1h30m"), 90min);
  EXPECT_EQ(*parse_duration("1m30s"), 90s);
  EXPECT_EQ(*parse_duration("1.5s"), 1500ms);
  EXPECT_EQ(*parse_duration("0s"), 0s);
  for (const char* bad : {"", "2", "s", "-1s", "2 s", "1.s", "2d", "1m30", "ms"}) EXPECT_FALSE(parse_duration(bad)) << bad;
  EXPECT_EQ(format_duration(90s), "1m30s");
  EXPECT_EQ(format_duration(1500ms), "1500ms");
  EXPECT_EQ(format_duration(0s), "0s");
  EXPECT_DOUBLE_EQ(to_seconds(1500ms), 1.5);
}

TEST(Ids, DeterministicFromTheSeed) {
  IdGenerator a(42), b(42), c(43);
  std::string first = a.uuid();
  EXPECT_EQ(first, b.uuid());
  EXPECT_NE(first, c.uuid());
  EXPECT_EQ(first.size(), 36u);
  EXPECT_EQ(first[14], '4');  // version 4
  EXPECT_NE(std::string("89ab").find(first[19]), std::string::npos);
  a.reset();
  EXPECT_EQ(a.uuid(), first);
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) EXPECT_TRUE(seen.insert(a.uuid()).second);
  std::string shaped = "wf-" + a.digits(8) + "-" + a.digits(5) + "-" + a.alphanumerics(6);
  EXPECT_EQ(shaped.size(), 3u + 8 + 1 + 5 + 1 + 6);
}
