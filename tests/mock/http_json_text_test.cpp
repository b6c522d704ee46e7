#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "http/json_text.h"

namespace runmock::http {
namespace {

TEST(JsonText, ParsesValidJson) {
  JsonText t = parse_json_text(R"({"a": [1, {"b": "ü"}], "s": "[[[{{{"})", 64);
  ASSERT_TRUE(t.ok()) << t.error;
  EXPECT_EQ(t.value["a"][1]["b"], "ü");
  EXPECT_EQ(t.value["s"], "[[[{{{") << "brackets inside strings are not nesting";
}

TEST(JsonText, MalformedJsonSaysWhere) {
  JsonText t = parse_json_text("{\"a\": }", 64);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error.rfind("not valid JSON: ", 0), 0u) << t.error;
  EXPECT_NE(t.error.find("line 1, column 7"), std::string::npos) << t.error;
  EXPECT_EQ(t.error.find("[json.exception"), std::string::npos) << "nlohmann's prefix is dropped: " << t.error;
  EXPECT_FALSE(parse_json_text("", 64).ok());
  EXPECT_FALSE(parse_json_text("{\"a\": 1} trailing", 64).ok());
  EXPECT_FALSE(parse_json_text("[1, 2", 64).ok());
}

// Found by fuzz/percent_decoding_fuzz.cpp: nlohmann reports a number too large for a double as an
// out_of_range exception, not a parse_error, and it escaped parse_json_text.
TEST(JsonText, NumberTooLargeIsRefusedNotThrown) {
  JsonText t;
  ASSERT_NO_THROW(t = parse_json_text(R"({"c": 1e400})", 64));
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error.rfind("not valid JSON: ", 0), 0u) << t.error;
  EXPECT_NE(t.error.find("1e400"), std::string::npos) << t.error;
  EXPECT_EQ(t.error.find("[json.exception"), std::string::npos) << t.error;
}

TEST(JsonText, RefusesInvalidUtf8) {
  for (std::string bad : {std::string("{\"a\": \"\xff\"}"), std::string("{\"a\": \"\xc3\"}"), std::string("\"\xed\xa0\x80\""),
                          std::string("\"\xc0\xaf\""), std::string("\"\xf4\x90\x80\x80\"")}) {
    JsonText t = parse_json_text(bad, 64);
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error.rfind("not valid UTF-8", 0), 0u) << t.error;
  }
  JsonText t = parse_json_text("{\"a\":\n \"\xff\"}", 64);
  EXPECT_NE(t.error.find("0xFF at line 2, column 3"), std::string::npos) << t.error;
}

TEST(JsonText, FindInvalidUtf8) {
  EXPECT_EQ(find_invalid_utf8("plain ascii"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("é 中 𝄞"), std::string_view::npos);
  EXPECT_EQ(find_invalid_utf8("ab\x80"), 2u);
  EXPECT_EQ(find_invalid_utf8("ab\xe4\xb8"), 2u) << "truncated sequence";
  EXPECT_EQ(find_invalid_utf8("\xe0\x80\x80"), 0u) << "overlong";
}

TEST(JsonText, DepthLimit) {
  auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  EXPECT_TRUE(parse_json_text(nested(64), 64).ok());
  JsonText t = parse_json_text(nested(65), 64);
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.error.rfind("nested deeper than 64 levels", 0), 0u) << t.error;
  EXPECT_FALSE(parse_json_text(R"({"a": {"b": {"c": 1}}})", 2).ok());
  EXPECT_TRUE(parse_json_text(R"({"a": {"b": "{{{{"}})", 2).ok());
  EXPECT_TRUE(parse_json_text(R"({"a": "\"{{", "b": {}})", 2).ok()) << "escaped quotes do not end a string";
}

TEST(JsonText, HundredThousandLevelsAreRefusedQuickly) {
  std::string hostile(100000, '[');
  auto start = std::chrono::steady_clock::now();
  JsonText t = parse_json_text(hostile, 64);
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error.find("nested deeper"), std::string::npos);
  EXPECT_LT(took, std::chrono::milliseconds(500));
  std::string objects;
  for (int i = 0; i < 100000; ++i) objects += "{\"a\":";
  EXPECT_FALSE(parse_json_text(objects, 64).ok());
}

TEST(JsonText, MediaType) {
  EXPECT_EQ(media_type("Application/JSON; charset=UTF-8"), "application/json");
  EXPECT_EQ(media_type("  text/plain  "), "text/plain");
  EXPECT_EQ(media_type(""), "");
  EXPECT_TRUE(is_json_media_type("application/json"));
  EXPECT_TRUE(is_json_media_type("application/merge-patch+json"));
  EXPECT_FALSE(is_json_media_type("text/json5"));
}

TEST(JsonText, QueryStrings) {
  auto q = parse_query("a=1&b=x%20y&a=2&flag&c=a+b&&d=%zz");
  EXPECT_EQ(q.count("a"), 2u);
  EXPECT_EQ(q.find("b")->second, "x y");
  EXPECT_EQ(q.find("flag")->second, "");
  EXPECT_EQ(q.find("c")->second, "a b");
  EXPECT_EQ(q.find("d")->second, "%zz");
  EXPECT_EQ(percent_decode("%41%2", false), "A%2");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
}

TEST(JsonText, DumpNeverThrowsOnBytesFromTheWire) {
  nlohmann::json j = {{"path", std::string("/x\xff")}};
  EXPECT_NO_THROW(dump_json(j));
  EXPECT_NE(dump_json(j).find("\xef\xbf\xbd"), std::string::npos);
}

}  // namespace
}  // namespace runmock::http
