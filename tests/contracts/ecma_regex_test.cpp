// Tests of the ECMA-262 regex syntax check and its translation to RE2: the JSON-Schema-Test-Suite's
// regex cases (read at run time from the suite folder), then focused unit tests.
#include "validator/ecma_regex.h"

#include <gtest/gtest.h>
#include <re2/re2.h>

#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace {

using nlohmann::json;
using runmock::schema::ecma_to_re2;
using runmock::schema::is_valid_ecma_regex;
namespace fs = std::filesystem;

// --- JSON-Schema-Test-Suite ---------------------------------------------------------------------

fs::path suite_dir() {
  if (const char* env = std::getenv("RUNMOCK_JSTS_DIR"); env != nullptr && *env != '\0') return env;
#ifdef RUNMOCK_JSTS_DEFAULT_DIR
  return RUNMOCK_JSTS_DEFAULT_DIR;
#else
  return "../shared/jsts";
#endif
}

// Evaluates a schema with the few keywords that these suite files combine with `pattern`,
// `patternProperties` and `format: regex` (type, maximum, additionalProperties), so that every group
// in them is checked and none skipped. Patterns go through ecma_to_re2 and RE2::PartialMatch, the
// regex format through is_valid_ecma_regex. Any other keyword is recorded in `problems`, which
// fails the test: this is not the validator (its own test runs the whole suite), and a new keyword
// in these files should be a visible decision, not a silent skip.
class RegexKeywordEvaluator {
 public:
  std::vector<std::string> problems;

  bool valid(const json& schema, const json& instance) {
    if (schema.is_boolean()) return schema.get<bool>();
    bool ok = true;
    for (const auto& [keyword, value] : schema.items()) {
      if (keyword == "$schema") continue;
      if (keyword == "type") {
        ok = ok && has_type(instance, value.get<std::string>());
      } else if (keyword == "maximum") {
        ok = ok && (!instance.is_number() || instance.get<double>() <= value.get<double>());
      } else if (keyword == "pattern") {
        ok = ok && (!instance.is_string() || matches(value.get<std::string>(), instance.get<std::string>()));
      } else if (keyword == "format" && value == "regex") {
        ok = ok && (!instance.is_string() || is_valid_ecma_regex(instance.get<std::string>()));
      } else if (keyword == "patternProperties" || keyword == "additionalProperties") {
        ok = ok && properties_valid(schema, keyword, instance);
      } else {
        problems.push_back("keyword not evaluated by this test: " + keyword);
      }
    }
    return ok;
  }

 private:
  static bool has_type(const json& instance, const std::string& type) {
    if (type == "string") return instance.is_string();
    if (type == "object") return instance.is_object();
    if (type == "array") return instance.is_array();
    if (type == "boolean") return instance.is_boolean();
    if (type == "null") return instance.is_null();
    if (type == "number") return instance.is_number();
    if (type == "integer") return instance.is_number() && std::trunc(instance.get<double>()) == instance.get<double>();
    ADD_FAILURE() << "unknown type " << type;
    return false;
  }

  bool properties_valid(const json& schema, const std::string& keyword, const json& instance) {
    if (!instance.is_object()) return true;
    const json patterns = schema.value("patternProperties", json::object());
    for (const auto& [name, value] : instance.items()) {
      bool matched = false;
      for (const auto& [pattern, subschema] : patterns.items()) {
        if (!matches(pattern, name)) continue;
        matched = true;
        if (keyword == "patternProperties" && !valid(subschema, value)) return false;
      }
      if (keyword == "additionalProperties" && !matched && !valid(schema["additionalProperties"], value)) return false;
    }
    return true;
  }

  bool matches(const std::string& pattern, const std::string& text) {
    auto [it, inserted] = compiled_.try_emplace(pattern);
    if (inserted) {
      const runmock::schema::RegexTranslation t = ecma_to_re2(pattern);
      if (!t.ok()) {
        problems.push_back("cannot translate " + pattern + ": " + t.error);
      } else {
        it->second = std::make_unique<RE2>(t.re2_pattern);
        if (!it->second->ok()) problems.push_back("RE2 cannot compile " + t.re2_pattern + ": " + it->second->error());
      }
    }
    return it->second && it->second->ok() && RE2::PartialMatch(text, *it->second);
  }

  std::map<std::string, std::unique_ptr<RE2>> compiled_;
};

struct SuiteFile {
  std::string draft;
  std::string path;  // under tests/<draft>/
};

void PrintTo(const SuiteFile& file, std::ostream* out) { *out << file.draft << "/" << file.path; }

class EcmaRegexSuite : public testing::TestWithParam<SuiteFile> {};

// Every group of these files is a pattern, patternProperties or format: regex group. No exceptions:
// all cases must pass.
TEST_P(EcmaRegexSuite, AllCasesPass) {
  const fs::path dir = suite_dir();
  ASSERT_TRUE(fs::is_directory(dir)) << "JSON-Schema-Test-Suite not found at " << dir
                                     << " (set RUNMOCK_JSTS_DIR to the folder holding tests/)";
  const fs::path file = dir / "tests" / GetParam().draft / GetParam().path;
  std::ifstream in(file);
  ASSERT_TRUE(in) << "cannot read " << file;
  const json groups = json::parse(in);

  RegexKeywordEvaluator evaluator;
  int total = 0;
  int passed = 0;
  for (const json& group : groups) {
    for (const json& test : group.at("tests")) {
      ++total;
      const bool expected = test.at("valid").get<bool>();
      const bool actual = evaluator.valid(group.at("schema"), test.at("data"));
      passed += actual == expected;
      EXPECT_EQ(actual, expected) << file.string() << ": " << group.at("description").get<std::string>() << " / "
                                  << test.at("description").get<std::string>()
                                  << "\n  schema: " << group.at("schema").dump()
                                  << "\n  data: " << test.at("data").dump();
    }
  }
  EXPECT_EQ(evaluator.problems, std::vector<std::string>{}) << file;
  EXPECT_GT(total, 0) << file;
  std::cout << "[ suite    ] " << GetParam().draft << "/" << GetParam().path << ": " << passed << "/" << total
            << " passed\n";
}

std::vector<SuiteFile> suite_files() {
  std::vector<SuiteFile> files;
  for (const char* draft : {"draft2020-12", "draft7"}) {
    for (const char* path :
         {"pattern.json", "patternProperties.json", "optional/ecmascript-regex.json", "optional/non-bmp-regex.json",
          "optional/format/regex.json", "optional/format/ecmascript-regex.json"}) {
      files.push_back({draft, path});
    }
  }
  return files;
}

INSTANTIATE_TEST_SUITE_P(Jsts, EcmaRegexSuite, testing::ValuesIn(suite_files()),
                         [](const testing::TestParamInfo<SuiteFile>& info) {
                           std::string name = info.param.draft + "_" + info.param.path;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name;
                         });

// --- Unit tests ---------------------------------------------------------------------------------

std::string translate(const std::string& ecma) {
  const runmock::schema::RegexTranslation t = ecma_to_re2(ecma);
  EXPECT_TRUE(t.ok()) << ecma << ": " << t.error;
  return t.re2_pattern;
}

bool search(const std::string& ecma, const std::string& text) {
  const RE2 re(translate(ecma));
  EXPECT_TRUE(re.ok()) << ecma << ": " << re.error();
  return RE2::PartialMatch(text, re);
}

const std::string kWhiteSpaceClass =
    "\\x{9}-\\x{D} \\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}-\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\x{FEFF}";

TEST(EcmaToRe2, TranslatesContractPatterns) {
  EXPECT_EQ(translate("^cg-[A-Za-z0-9]+$"), "^cg-[A-Za-z0-9]+$");
  EXPECT_EQ(translate("^proj:[a-z0-9-]+$"), "^proj:[a-z0-9\\-]+$");
  const std::string uuid = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";
  EXPECT_EQ(translate(uuid), uuid);
  EXPECT_EQ(translate("^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$"),
            "^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}$");
  EXPECT_EQ(translate("^v\\d+\\.\\d+\\.\\d+$"), "^v[0-9]+\\.[0-9]+\\.[0-9]+$");
  EXPECT_EQ(translate("^\\/api\\/v1\\/"), "^/api/v1/");

  EXPECT_TRUE(search("^cg-[A-Za-z0-9]+$", "cg-Ab12"));
  EXPECT_FALSE(search("^cg-[A-Za-z0-9]+$", "cg-Ab_12"));
  EXPECT_TRUE(search("^proj:[a-z0-9-]+$", "proj:my-project-2"));
  EXPECT_FALSE(search("^proj:[a-z0-9-]+$", "proj:My-project"));
  EXPECT_TRUE(search(uuid, "123e4567-e89b-12d3-a456-426614174000"));
  EXPECT_FALSE(search(uuid, "123e4567-e89b-12d3-a456-42661417400"));
}

TEST(EcmaToRe2, TranslatesEscapesAndClasses) {
  EXPECT_EQ(translate("\\d"), "[0-9]");
  EXPECT_EQ(translate("\\D"), "[^0-9]");
  EXPECT_EQ(translate("\\w"), "[0-9A-Z_a-z]");
  EXPECT_EQ(translate("\\W"), "[^0-9A-Z_a-z]");
  EXPECT_EQ(translate("\\s"), "[" + kWhiteSpaceClass + "]");
  EXPECT_EQ(translate("\\S"), "[^" + kWhiteSpaceClass + "]");
  EXPECT_EQ(translate("[\\d\\s_]"), "[0-9" + kWhiteSpaceClass + "_]");
  EXPECT_EQ(translate("."), "[^\\x{A}\\x{D}\\x{2028}\\x{2029}]");
  EXPECT_EQ(translate("[]"), "[^\\x{0}-\\x{10FFFF}]");
  EXPECT_EQ(translate("[^]"), "(?s:.)");
  EXPECT_EQ(translate("[^a-c]"), "[^a-c]");
  EXPECT_EQ(translate("\\cJ\\ca\\0\\x41\\u0042\\u{43}\\t\\n\\v\\f\\r"),
            "\\x{A}\\x{1}\\x{0}ABC\\x{9}\\x{A}\\x{B}\\x{C}\\x{D}");
  EXPECT_EQ(translate("\\u{1F600}"), "\\x{1F600}");
  EXPECT_EQ(translate("\\uD83D\\uDE00"), "\\x{1F600}");  // a surrogate pair is one code point
  EXPECT_EQ(translate("[\\uD83D\\uDE00-\\uD83D\\uDE02]"), "[\\x{1F600}-\\x{1F602}]");
  EXPECT_EQ(translate("\\^\\$\\\\\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\/"),
            "\\^\\$\\\\\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|/");
  EXPECT_EQ(translate("[\\b\\-\\]]"), "[\\x{8}\\-\\]]");
}

TEST(EcmaToRe2, TranslatesUnicodeProperties) {
  EXPECT_EQ(translate("\\p{Letter}"), "\\p{L}");
  EXPECT_EQ(translate("\\p{L}"), "\\p{L}");
  EXPECT_EQ(translate("\\p{General_Category=Letter}"), "\\p{L}");
  EXPECT_EQ(translate("\\p{gc=Lowercase_Letter}"), "\\p{Ll}");
  EXPECT_EQ(translate("\\p{digit}"), "\\p{Nd}");
  EXPECT_EQ(translate("\\P{Uppercase_Letter}"), "\\P{Lu}");
  EXPECT_EQ(translate("\\p{Script=Greek}"), "\\p{Greek}");
  EXPECT_EQ(translate("\\p{sc=Greek}"), "\\p{Greek}");
  EXPECT_EQ(translate("\\p{sc=Grek}"), "\\p{Greek}");
  EXPECT_EQ(translate("\\P{Script=Latn}"), "\\P{Latin}");
  EXPECT_EQ(translate("[\\p{L}\\p{N}_-]"), "[_\\-\\p{L}\\p{N}]");
  EXPECT_EQ(translate("\\p{LC}"), "[\\p{Ll}\\p{Lt}\\p{Lu}]");
  EXPECT_EQ(translate("\\p{ASCII}"), "[\\x{0}-\\x{7F}]");

  EXPECT_TRUE(search("^\\p{sc=Greek}+$", "αβγ"));
  EXPECT_FALSE(search("^\\p{sc=Greek}+$", "abc"));
  EXPECT_TRUE(search("^\\p{Lu}\\p{Ll}+$", "Élan"));
  EXPECT_TRUE(search("^\\p{LC}$", "a"));
  EXPECT_FALSE(search("^\\p{LC}$", "\u00AA"));  // FEMININE ORDINAL INDICATOR is Lo
  // Cn (unassigned) and C, which includes it, have no RE2 table; they are spelled as complements.
  EXPECT_TRUE(search("^\\p{Cn}$", "\u0378"));
  EXPECT_FALSE(search("^\\p{Cn}$", "a"));
  EXPECT_TRUE(search("^\\P{Cn}$", "a"));
  EXPECT_TRUE(search("^\\p{Other}$", "\u0378"));
  EXPECT_TRUE(search("^\\p{C}$", "\x01"));
  EXPECT_FALSE(search("^\\p{C}$", "a"));
  EXPECT_TRUE(search("^\\P{C}$", "a"));
  EXPECT_FALSE(search("^\\P{C}$", "\u0378"));
  EXPECT_TRUE(search("^[^\\p{Cn}]$", "a"));
  EXPECT_TRUE(search("^\\p{Assigned}$", "a"));
  EXPECT_FALSE(search("^\\P{Assigned}$", "a"));
  EXPECT_TRUE(search("^\\p{Any}$", "\U0010FFFF"));
  EXPECT_TRUE(search("^\\p{AHex}+$", "c0ffee"));
  EXPECT_FALSE(search("^\\p{ASCII}+$", "café"));
  EXPECT_TRUE(search("^\\p{White_Space}$", "\u0085"));
  EXPECT_FALSE(search("^\\s$", "\u0085"));  // NEL is White_Space but not ECMA whitespace
}

TEST(EcmaToRe2, TranslatesGroupsQuantifiersAndAssertions) {
  EXPECT_EQ(translate("a*?b+?c??d{2,5}?e{3,}f{4}g{0}"), "a*?b+?c??d{2,5}?e{3,}f{4}g{0}");
  EXPECT_EQ(translate("a{007,0010}"), "a{7,10}");
  EXPECT_EQ(translate("(?:ab)+|(cd)"), "(?:ab)+|(cd)");
  EXPECT_EQ(translate("(?<year>\\d{4})-(?<month>\\d{2})"), "(?P<year>[0-9]{4})-(?P<month>[0-9]{2})");
  // RE2 names groups with ASCII word characters only, once each; the others stay plain captures.
  EXPECT_EQ(translate("(?<a>x)|(?<a>y)"), "(?P<a>x)|(y)");
  EXPECT_EQ(translate("(?<π>x)"), "(x)");
  EXPECT_EQ(translate("\\bfoo\\B"), "\\bfoo\\B");
  EXPECT_EQ(translate("^a$"), "^a$");
  EXPECT_EQ(translate("(?i:ab(?-i:c))"), "(?i:ab(?-i:c))");
  EXPECT_EQ(translate("(?s:.)"), "(?:(?s:.))");
  EXPECT_EQ(translate("(?m:a)"), "(?:a)");  // m only changes ^ and $
  EXPECT_EQ(translate(""), "");
}

TEST(EcmaToRe2, MatchesLikeEcma262) {
  // RE2's $ without multi-line is the end of the text, not before a final newline.
  EXPECT_FALSE(search("^abc$", "abc\n"));
  EXPECT_TRUE(search("^abc$", "abc"));
  EXPECT_FALSE(search("^abc", "x\nabc"));
  // '.' is one code point but no line terminator.
  for (const char* terminator : {"\n", "\r", "\u2028", "\u2029"}) EXPECT_FALSE(search("^.$", terminator)) << terminator;
  EXPECT_TRUE(search("^.$", "\U0001F432"));
  EXPECT_TRUE(search("^(?s:.)$", "\n"));
  EXPECT_TRUE(search("^[^]$", "\n"));
  EXPECT_FALSE(search("a[]", "a"));
  // \s is ECMA's WhiteSpace plus LineTerminator.
  for (const char* space : {" ", "\t", "\v", "\f", "\n", "\r", "\u00A0", "\u1680", "\u2000", "\u200A", "\u2028",
                            "\u2029", "\u202F", "\u205F", "\u3000", "\uFEFF"}) {
    EXPECT_TRUE(search("^\\s$", space)) << space;
    EXPECT_FALSE(search("^\\S$", space)) << space;
  }
  for (const char* other : {"\u180E", "\u200B", "\x01", "a"}) EXPECT_FALSE(search("^\\s$", other)) << other;
  EXPECT_FALSE(search("^\\d$", "\u0660"));  // ARABIC-INDIC DIGIT ZERO
  EXPECT_FALSE(search("^\\w$", "é"));
  EXPECT_TRUE(search("^\\cj$", "\n"));
  EXPECT_TRUE(search("^[\\b]$", "\b"));
  EXPECT_TRUE(search("^[\\w-]+$", "a-b_c"));
  EXPECT_TRUE(search("^[^\\W\\d]+$", "abc_"));
  EXPECT_FALSE(search("^[^\\W\\d]+$", "ab1"));
  EXPECT_TRUE(search("^[😀-😂]$", "😁"));
  EXPECT_TRUE(search("^\\uD83D\\uDE00$", "😀"));
  EXPECT_FALSE(search("\\uD83D", "😀"));  // a lone surrogate matches nothing in UTF-8 text
  EXPECT_TRUE(search("^a{2,3}$", "aaa"));
  EXPECT_FALSE(search("^a{2,3}$", "aaaa"));
  EXPECT_TRUE(search("\\bfoo\\b", "a foo."));
  EXPECT_FALSE(search("\\bfoo\\b", "afoo"));
  // Case-insensitive modifier groups (ES2025), with u-flag case folding.
  EXPECT_TRUE(search("^(?i:abc)$", "AbC"));
  EXPECT_TRUE(search("^(?i:a(?-i:b))$", "Ab"));
  EXPECT_FALSE(search("^(?i:a(?-i:b))$", "AB"));
  EXPECT_TRUE(search("^(?i:\\w)$", "\u017F"));  // LATIN SMALL LETTER LONG S folds to s
  EXPECT_TRUE(search("^(?i:\\w)$", "\u212A"));  // KELVIN SIGN folds to k
  EXPECT_FALSE(search("^(?i:\\W)$", "\u017F"));
  EXPECT_FALSE(search("^(?i:[^a])$", "A"));
  EXPECT_TRUE(search("^(?i:\\P{ASCII})$", "s"));  // the complement holds U+017F, which folds to s
  EXPECT_TRUE(search("^(?i:\\p{Lu})$", "a"));
}

TEST(EcmaToRe2, RejectsWhatRe2CannotDoWithAClearMessage) {
  const std::pair<std::string, std::string> cases[] = {
      {"^(?=.*\\d)\\w+$", "lookahead (?=...) at index 1 is not supported: RE2 has no lookaround assertions"},
      {"^(?!x)", "negative lookahead (?!...) at index 1 is not supported"},
      {"(?<=a)b", "lookbehind (?<=...) at index 0 is not supported"},
      {"(?<!a)b", "negative lookbehind (?<!...) at index 0 is not supported"},
      {"(a)\\1", "backreference \\1 at index 3 is not supported: RE2 has no backreferences"},
      {"(?<n>a)\\k<n>", "backreference \\k<n> at index 7 is not supported"},
      {"(?m:^a)", "^ in an m modifier group at index 4 is not supported"},
      {"(?i:\\bx)", "\\b in an i modifier group at index 4 is not supported"},
      {"(?i:\\P{Lu})", "\\P{Lu} in an i modifier group at index 4 is not supported"},
      {"\\p{scx=Greek}", "\\p{scx=Greek} at index 0 is not supported: RE2 has no Script_Extensions tables"},
      {"\\p{Emoji}", "\\p{Emoji} at index 0 is not supported: RE2 has no table for the Unicode property Emoji"},
      {"\\p{sc=Zzzz}", "this RE2 build has no table for the script Unknown"},
      {"[^\\p{Cn}a]", "negated class containing \\p{Cn}"},
      {"a{1001}", "RE2 rejects the translation a{1001}"},
  };
  for (const auto& [pattern, message] : cases) {
    const runmock::schema::RegexTranslation t = ecma_to_re2(pattern);
    EXPECT_FALSE(t.ok()) << pattern;
    EXPECT_TRUE(t.re2_pattern.empty()) << pattern;
    EXPECT_NE(t.error.find(message), std::string::npos) << pattern << ": " << t.error;
    EXPECT_TRUE(is_valid_ecma_regex(pattern)) << pattern << " is valid ECMA-262 even though RE2 cannot run it";
  }
  // A syntax error is reported even when an unsupported construct comes first.
  EXPECT_EQ(ecma_to_re2("(?=a)\\a").error.rfind("invalid ECMA-262 regular expression: ", 0), 0u);
}

TEST(IsValidEcmaRegex, RejectsInvalidSyntax) {
  const std::string cases[] = {
      "\\a",
      "^(abc]",
      "(?P<name>x)",
      "(?P<n>a)(?P=n)",
      "(?#comment)a",
      "(?i)abc",
      "(?ims)abc",
      "\\1",
      "(a)\\2",
      "\\8",
      "a{2,1}",
      "a{99999999999999999999,9999999999999999999}",
      "a**",
      "a+*",
      "*a",
      "+",
      "?",
      "a|*",
      "{1}",
      "a{",
      "a{1",
      "a{,1}",
      "a{1,2",
      "]",
      "}",
      "x{",
      "(",
      ")",
      "a)",
      "(?<n>a",
      "[a",
      "[z-a]",
      "[\\d-z]",
      "[a-\\w]",
      "\\c",
      "\\c1",
      "[\\c_]",
      "\\01",
      "[\\01]",
      "\\x4",
      "\\xg0",
      "\\u12",
      "\\u{110000}",
      "\\u{}",
      "\\u{12",
      "\\p{Foo}",
      "\\p{Greek}",
      "\\p{Script}",
      "\\p{sc=Foo}",
      "\\p{gc=Greek}",
      "\\p{Letter",
      "\\pL",
      "\\p{Digit}",
      "\\p{ letter}",
      "\\p{=Letter}",
      "\\p{General_Category}",
      "\\k<n>",
      "\\k",
      "\\kn",
      "(?<a>x)(?<a>y)",
      "(?<a>(?<a>x))",
      "(?<1a>x)",
      "(?<>x)",
      "(?<a-b>x)",
      "(?ii:a)",
      "(?i-i:a)",
      "(?-:a)",
      "(?x:a)",
      "(?",
      "(?<",
      "^*",
      "$+",
      "\\b*",
      "\\B{2}",
      "(?=a)*",
      "(?!a)+",
      "(?<=a)?",
      "(?<!a){1}",
      "\\-",
      "[\\B]",
      "[\\1]",
      "[\\k]",
      "\\_",
      "\\ ",
      "\\e",
      "\\z",
      "\\Z",
      "\\A",
      "\\h",
      "\\",
      "[\\",
      "a\\",
  };
  for (const std::string& pattern : cases) {
    std::string error;
    EXPECT_FALSE(is_valid_ecma_regex(pattern, &error)) << pattern;
    EXPECT_FALSE(error.empty()) << pattern;
    const runmock::schema::RegexTranslation t = ecma_to_re2(pattern);
    EXPECT_EQ(t.error, "invalid ECMA-262 regular expression: " + error) << pattern;
  }
  std::string error;
  EXPECT_FALSE(is_valid_ecma_regex("\\a", &error));
  EXPECT_EQ(error, "invalid escape \\a (with the u flag only syntax characters and / may be escaped) at index 0");
  EXPECT_FALSE(is_valid_ecma_regex("^(abc]", &error));
  EXPECT_EQ(error, "lone ']' (with the u flag it must be escaped) at index 5");
  EXPECT_FALSE(is_valid_ecma_regex("a\xff", &error));
  EXPECT_EQ(error, "pattern is not valid UTF-8 at byte 1");
  EXPECT_FALSE(is_valid_ecma_regex("\xed\xa0\x80", &error));  // an encoded surrogate
}

TEST(IsValidEcmaRegex, AcceptsValidSyntax) {
  const std::string cases[] = {
      "",
      "[]",
      "[^]",
      "\\cA",
      "\\cz",
      "(?<name>x)",
      "(?<n>a)\\k<n>",
      "\\k<n>(?<n>a)",
      "(?<=a+)b",
      "(?<!a)b",
      "(?=a)",
      "(?!a)",
      "\\1(a)",
      "(a)\\1",
      "(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10",
      "(?<a>x)|(?<a>y)",
      "(?:(?<a>x)|(?<a>y))\\k<a>",
      "(?:(?<a>x)|y)|(?<a>z)",
      "(?i:a)",
      "(?-i:a)",
      "(?i-s:a)",
      "(?ims:a)",
      "(?s-im:a)",
      "(?m:^$)",
      "\\p{L}",
      "\\p{gc=L}",
      "\\p{General_Category=Decimal_Number}",
      "\\p{Script=Latin}",
      "\\p{Script_Extensions=Latn}",
      "\\p{scx=Zyyy}",
      "\\p{sc=Qaac}",
      "\\p{ASCII_Hex_Digit}",
      "\\p{Emoji_Presentation}",
      "\\P{Any}",
      "\\p{punct}",
      "\\p{cntrl}",
      "[\\-]",
      "[a-]",
      "[-a]",
      "[a-b-c]",
      "[--a]",
      "[\\d-]",
      "\\/",
      "/",
      "[{}()|[]",
      "[\\[]",
      "\\u{0}",
      "\\u{00000000041}",
      "\\u{10FFFF}",
      "\\uD800",
      "[\\uD800-\\uDFFF]",
      "a{0}",
      "a{1,}",
      "a{99999999999999999999}",
      "\\0",
      "[\\0]",
      "[\\b]",
      "\\$",
      "\\^",
      "(?<$_>a)",
      "(?<\\u0061>a)",
      "(?<\\u{1d4d1}>a)",
      "(?<\\uD835\\uDCD1>a)",
      "(?<π>a)",
      "(?<a\u200C>a)",
      "$^",
      "a|",
      "|",
      "()",
      "(?:)",
      "a*?",
      "a+?",
      "a??",
      "a{2}?",
      "a{2,}?",
      "a{2,3}?",
      "^\\d+(?:\\.\\d+)?$",
      "\\bword\\B",
      "[\\s\\S]",
      "[^\\W\\d]",
      "\xF0\x9F\x90\xB2",
      "\\p{Lu}\\P{Ll}",
  };
  for (const std::string& pattern : cases) {
    std::string error;
    EXPECT_TRUE(is_valid_ecma_regex(pattern, &error)) << pattern << ": " << error;
    EXPECT_EQ(error, "") << pattern;
  }
  // Nesting is not limited by the parser's stack: groups are kept on an explicit one.
  std::string deep;
  for (int i = 0; i < 100000; ++i) deep += "(?:";
  deep += "a" + std::string(100000, ')');
  EXPECT_TRUE(is_valid_ecma_regex(deep));
  EXPECT_TRUE(is_valid_ecma_regex("(?=" + deep + ")"));
  std::string error;
  EXPECT_FALSE(is_valid_ecma_regex(deep + ")", &error));
  EXPECT_EQ(error, "unmatched ')' at index 400001");
  EXPECT_FALSE(is_valid_ecma_regex("(" + deep, &error));
  EXPECT_EQ(error, "missing ')' at index 0");
}

TEST(EcmaToRe2, PathologicalPatternsRunInLinearTime) {
  const std::string input = std::string(40, 'a') + "!";
  for (const char* pattern : {"^(a+)+$", "^(a|a)*$", "^(a|aa)+$", "^(.*a){20}$"}) {
    const RE2 re(translate(pattern));
    ASSERT_TRUE(re.ok()) << pattern;
    const auto start = std::chrono::steady_clock::now();
    EXPECT_FALSE(RE2::PartialMatch(input, re)) << pattern;
    EXPECT_FALSE(RE2::PartialMatch(std::string(100000, 'a') + "!", re)) << pattern;
    // A backtracking engine needs about 2^40 steps for the first input; RE2 needs microseconds.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << pattern;
  }
}

}  // namespace
