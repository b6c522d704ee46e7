#include <gtest/gtest.h>

#include "validator/uri.h"

using runmock::schema::percent_decode;
using runmock::schema::resolve_uri;
using runmock::schema::split_fragment;

TEST(Uri, ResolvesRelativeReferencesPerRfc3986) {
  const std::string base = "http://a/b/c/d;p?q";
  EXPECT_EQ(resolve_uri(base, "g"), "http://a/b/c/g");
  EXPECT_EQ(resolve_uri(base, "./g"), "http://a/b/c/g");
  EXPECT_EQ(resolve_uri(base, "g/"), "http://a/b/c/g/");
  EXPECT_EQ(resolve_uri(base, "/g"), "http://a/g");
  EXPECT_EQ(resolve_uri(base, "//g"), "http://g");
  EXPECT_EQ(resolve_uri(base, "?y"), "http://a/b/c/d;p?y");
  EXPECT_EQ(resolve_uri(base, "#s"), "http://a/b/c/d;p?q#s");
  EXPECT_EQ(resolve_uri(base, "../g"), "http://a/b/g");
  EXPECT_EQ(resolve_uri(base, "../../g"), "http://a/g");
  EXPECT_EQ(resolve_uri(base, "../../../g"), "http://a/g");
  EXPECT_EQ(resolve_uri(base, "g;x=1/../y"), "http://a/b/c/y");
}

TEST(Uri, KeepsUrnsAndDropsEmptyFragments) {
  EXPECT_EQ(resolve_uri("urn:uuid:deadbeef-1234-0000-0000-4321feebdaed", "#/$defs/bar"),
            "urn:uuid:deadbeef-1234-0000-0000-4321feebdaed#/$defs/bar");
  EXPECT_EQ(resolve_uri("https://x.test/a.json", "b.json#"), "https://x.test/b.json");
}

TEST(Uri, SplitsAndDecodesFragments) {
  auto parts = split_fragment("https://x.test/a.json#/$defs/a%25b");
  EXPECT_EQ(parts.resource, "https://x.test/a.json");
  EXPECT_EQ(percent_decode(parts.fragment), "/$defs/a%b");
}
