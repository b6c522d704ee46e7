// Cursors bound to their listing's filters.
#include "mechanisms/cursor_tag.h"

#include <gtest/gtest.h>

#include "mechanisms/digest.h"

namespace {

using namespace runmock::mechanisms;

TEST(CursorTag, IsTheDigestOfTheFiltersJoinedByBars) {
  std::vector<std::string> filters = {"org-1", "", "RUNNING", "2024-01-01", ""};
  EXPECT_EQ(cursor_tag(filters), sha256_hex("org-1||RUNNING|2024-01-01|").substr(0, 12));
  EXPECT_EQ(cursor_tag(filters).size(), 12u);
  EXPECT_EQ(cursor_tag({}), sha256_hex("").substr(0, 12));
  EXPECT_EQ(cursor_tag({"a"}), sha256_hex("a").substr(0, 12));
}

TEST(CursorTag, OtherFiltersGiveAnotherTag) {
  EXPECT_NE(cursor_tag({"org-1", "", "RUNNING", "", ""}), cursor_tag({"org-1", "", "FAILED", "", ""}));
  // Joined as they are: filters holding '|' can give the same text, hence the same tag.
  EXPECT_EQ(cursor_tag({"a|b", ""}), cursor_tag({"a", "b|"}));
}

TEST(CursorTag, BindAndUnbind) {
  std::string tag = cursor_tag({"org-1", "", "", "", ""});
  std::string cursor = bind_cursor(tag, "eyJvZmZzZXQiOjI1fQ");
  EXPECT_EQ(cursor, tag + ".eyJvZmZzZXQiOjI1fQ");
  EXPECT_EQ(unbind_cursor(tag, cursor), "eyJvZmZzZXQiOjI1fQ");
  EXPECT_EQ(unbind_cursor(tag, tag + ".x"), "x");
  EXPECT_EQ(unbind_cursor(tag, tag + ".a.b"), "a.b");
}

TEST(CursorTag, UnbindRefusesOtherListingsAndMalformedText) {
  std::string tag = cursor_tag({"org-1", "", "", "", ""});
  std::string other = cursor_tag({"org-2", "", "", "", ""});
  EXPECT_EQ(unbind_cursor(tag, bind_cursor(other, "abc")), std::nullopt);
  EXPECT_EQ(unbind_cursor(tag, ""), std::nullopt);
  EXPECT_EQ(unbind_cursor(tag, tag), std::nullopt);
  EXPECT_EQ(unbind_cursor(tag, tag + "."), std::nullopt);  // no engine cursor
  EXPECT_EQ(unbind_cursor(tag, tag + "xabc"), std::nullopt);
  EXPECT_EQ(unbind_cursor(tag, tag.substr(0, 11) + ".abc"), std::nullopt);
  EXPECT_EQ(unbind_cursor(tag, "abc"), std::nullopt);
}

}  // namespace
