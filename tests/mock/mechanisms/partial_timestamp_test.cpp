// Partial ISO 8601 timestamps: each prefix form names the first instant of its period.
#include "mechanisms/partial_timestamp.h"

#include <gtest/gtest.h>

namespace {

using runmock::mechanisms::parse_partial_timestamp;
namespace engine = runmock::engine;

engine::Instant at(const char* rfc3339) { return *engine::parse_timestamp(rfc3339); }

TEST(PartialTimestamp, EachPrefixIsTheFirstInstantOfItsPeriod) {
  EXPECT_EQ(parse_partial_timestamp("2024"), at("2024-01-01T00:00:00Z"));
  EXPECT_EQ(parse_partial_timestamp("2024-06"), at("2024-06-01T00:00:00Z"));
  EXPECT_EQ(parse_partial_timestamp("2024-06-03"), at("2024-06-03T00:00:00Z"));
  EXPECT_EQ(parse_partial_timestamp("2024-06-03T10"), at("2024-06-03T10:00:00Z"));
  EXPECT_EQ(parse_partial_timestamp("2024-06-03T10:30"), at("2024-06-03T10:30:00Z"));
  EXPECT_EQ(parse_partial_timestamp("2024-06-03T10:30:15"), at("2024-06-03T10:30:15Z"));
  EXPECT_EQ(parse_partial_timestamp("2024-06-03T10:30:15.25"), at("2024-06-03T10:30:15.25Z"));
}

TEST(PartialTimestamp, TakesOneUtcDesignator) {
  for (const char* text : {"2024-06-03Z", "2024-06-03+00:00", "2024-06-03+0000"}) {
    EXPECT_EQ(parse_partial_timestamp(text), at("2024-06-03T00:00:00Z")) << text;
  }
  EXPECT_EQ(parse_partial_timestamp("2024-06-03T10:30:15.5Z"), at("2024-06-03T10:30:15.5Z"));
  EXPECT_EQ(parse_partial_timestamp("2024-06-03T10:30:15+00:00"), at("2024-06-03T10:30:15Z"));
}

TEST(PartialTimestamp, RefusesOtherShapes) {
  for (const char* text : {"", "Z", "202", "2024-", "2024-6", "2024-06-3", "2024-06-03T1", "2024-06-03T10:3", "2024-06-03T10:30:1",
                           "2024-06-03ZZ", "2024-06-03+01:00", "2024-06-03T10:30:15+01:00", "2024/06/03", "2024-13", "2024-02-30",
                           "2024-06-03T24", "abcd", " 2024"}) {
    EXPECT_EQ(parse_partial_timestamp(text), std::nullopt) << "'" << text << "'";
  }
}

}  // namespace
