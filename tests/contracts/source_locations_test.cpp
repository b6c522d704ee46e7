#include <gtest/gtest.h>

#include "loader/source_locations.h"

using runmock::contracts::locate_pointer;

TEST(SourceLocations, FindsNestedMembersAndItems) {
  const std::string text = "{\n  \"a\": {\"b\": [10, {\"c\": true}]},\n  \"d~e/f\": 1\n}\n";
  auto root = locate_pointer(text, "");
  ASSERT_TRUE(root);
  EXPECT_EQ(root->line, 1u);
  auto c = locate_pointer(text, "/a/b/1/c");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->line, 2u);
  EXPECT_EQ(c->column, 25u);
  auto escaped = locate_pointer(text, "/d~0e~1f");
  ASSERT_TRUE(escaped);
  EXPECT_EQ(escaped->line, 3u);
  EXPECT_EQ(escaped->column, 12u);
}

TEST(SourceLocations, StopsAtTheDeepestExistingValue) {
  const std::string text = "{\"a\": {\"b\": 1}}";
  auto where = locate_pointer(text, "/a/zzz");
  ASSERT_TRUE(where);
  EXPECT_EQ(where->column, 7u);
}
