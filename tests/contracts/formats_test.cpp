// Tests of the `format` checks (validator/formats.h): every string test of the official
// JSON-Schema-Test-Suite's optional/format files, draft 2020-12 and draft-07, for every format we
// check (one GoogleTest test per draft and format), then focused cases of our own. The suite is
// read at run time from RUNMOCK_JSTS_DIR (see support/jsts.h); a missing suite fails the tests.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <iostream>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "support/jsts.h"
#include "validator/formats.h"

namespace fs = std::filesystem;
using nlohmann::json;
using runmock::schema::check_format;
using runmock::schema::format_is_known;

namespace {

// Every format check_format() checks: those runmock requires, then the optional ones of the suite
// (iri, iri-reference, idn-hostname, idn-email, uri-template), which pass it in full.
const std::vector<std::string> kCheckedFormats = {
    "date-time", "date", "time", "duration", "email", "hostname", "ipv4", "ipv6", "uri", "uri-reference",
    "uuid", "json-pointer", "relative-json-pointer", "regex",
    "iri", "iri-reference", "idn-hostname", "idn-email", "uri-template",
};

// Formats the draft-07 suite has no tests of: they came with draft 2019-09.
const std::set<std::string> kNotInDraft7 = {"duration", "uuid"};

// Suite tests we knowingly fail, "<draft>|<format>|<data>" → reason. None: every test passes. An
// exception that starts passing fails, so the list cannot go stale.
const std::map<std::string, std::string> kExceptions = {};

struct SuiteCase {
  std::string where;  // "<file>: <group> / <test>", to tell a failure apart
  std::string data;
  bool valid;
};

struct DraftSuite {
  std::map<std::string, std::vector<SuiteCase>> by_format;  // string data only
  std::vector<std::string> problems;  // groups whose shape the checks below do not expect
};

fs::path format_dir(const std::string& draft) {
  return runmock::testing::jsts_dir() / "tests" / draft / "optional" / "format";
}

// The format tests of one draft, read once. Groups are matched by their schema's "format", not by
// file name, so ecmascript-regex.json counts towards "regex".
const DraftSuite& draft_suite(const std::string& draft) {
  static std::map<std::string, DraftSuite> cache;
  if (auto found = cache.find(draft); found != cache.end()) return found->second;
  DraftSuite suite;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(format_dir(draft))) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    for (const auto& group : runmock::testing::read_json_file(file)) {
      const json& schema = group.at("schema");
      const std::string group_name = file.filename().string() + ": " + group.at("description").get<std::string>();
      const auto format_or_dialect = [](const auto& item) { return item.key() == "format" || item.key() == "$schema"; };
      const bool only_format = schema.is_object() && schema.contains("format") &&
                               std::all_of(schema.items().begin(), schema.items().end(), format_or_dialect);
      if (!only_format) {
        suite.problems.push_back(group_name + ": schema is not {\"format\": ...}");
        continue;
      }
      const std::string format = schema.at("format").get<std::string>();
      for (const auto& test : group.at("tests")) {
        // The keyword ignores anything but strings, which the suite always expects to be valid.
        if (!test.at("data").is_string()) {
          if (!test.at("valid").get<bool>()) suite.problems.push_back(group_name + ": a non-string is invalid");
          continue;
        }
        suite.by_format[format].push_back({group_name + " / " + test.at("description").get<std::string>(),
                                           test.at("data").get<std::string>(), test.at("valid").get<bool>()});
      }
    }
  }
  return cache.emplace(draft, std::move(suite)).first->second;
}

class SuiteFormatTest : public ::testing::TestWithParam<std::pair<std::string, std::string>> {};

TEST_P(SuiteFormatTest, MatchesTheSuite) {
  const auto& [draft, format] = GetParam();
  ASSERT_TRUE(fs::is_directory(format_dir(draft)))
      << "JSON-Schema-Test-Suite not found at " << format_dir(draft) << " (set RUNMOCK_JSTS_DIR)";
  EXPECT_TRUE(format_is_known(format));
  const auto& by_format = draft_suite(draft).by_format;
  const auto found = by_format.find(format);
  ASSERT_NE(found, by_format.end()) << "the suite has no " << draft << " tests of " << format;
  std::size_t passed = 0;
  for (const SuiteCase& test : found->second) {
    const bool actual = check_format(format, test.data);
    const auto exception = kExceptions.find(draft + "|" + format + "|" + test.data);
    if (exception != kExceptions.end()) {
      EXPECT_NE(actual, test.valid) << test.where << ": listed as an exception (" << exception->second
                                    << ") but passes now; remove it from kExceptions";
      continue;
    }
    EXPECT_EQ(actual, test.valid) << test.where << "\n  data: " << json(test.data).dump();
    passed += actual == test.valid ? 1 : 0;
  }
  RecordProperty("passed", static_cast<int>(passed));
  std::cout << "[ counts   ] " << draft << " " << format << ": " << passed << "/" << found->second.size()
            << " passed\n";
}

std::vector<std::pair<std::string, std::string>> suite_params() {
  std::vector<std::pair<std::string, std::string>> params;
  for (const auto& format : kCheckedFormats) params.emplace_back("draft2020-12", format);
  for (const auto& format : kCheckedFormats) {
    if (kNotInDraft7.count(format) == 0) params.emplace_back("draft7", format);
  }
  return params;
}

INSTANTIATE_TEST_SUITE_P(Jsts, SuiteFormatTest, ::testing::ValuesIn(suite_params()),
                         [](const ::testing::TestParamInfo<std::pair<std::string, std::string>>& info) {
                           std::string name = info.param.first + "_" + info.param.second;
                           const auto not_alnum = [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); };
                           std::replace_if(name.begin(), name.end(), not_alnum, '_');
                           return name;
                         });

// Every group of the suite is of a shape the test above understands, and names either a format we
// check or one we leave unknown (which must then be valid for everything).
TEST(SuiteFormatCoverage, EveryGroupIsAccountedFor) {
  for (const std::string draft : {"draft2020-12", "draft7"}) {
    ASSERT_TRUE(fs::is_directory(format_dir(draft))) << "JSON-Schema-Test-Suite not found at " << format_dir(draft);
    const DraftSuite& suite = draft_suite(draft);
    EXPECT_TRUE(suite.problems.empty()) << draft << ": " << ::testing::PrintToString(suite.problems);
    for (const auto& [format, cases] : suite.by_format) {
      if (std::find(kCheckedFormats.begin(), kCheckedFormats.end(), format) != kCheckedFormats.end()) {
        EXPECT_FALSE(draft == "draft7" && kNotInDraft7.count(format) > 0) << "draft7 now tests " << format;
        continue;
      }
      EXPECT_FALSE(format_is_known(format)) << format;
      for (const SuiteCase& test : cases) {
        EXPECT_TRUE(test.valid) << draft << " " << test.where << ": an unknown format can only annotate";
        EXPECT_TRUE(check_format(format, test.data)) << draft << " " << test.where;
      }
    }
  }
}

// ---- Our own cases -----------------------------------------------------------------------------

TEST(Formats, KnowsExactlyTheCheckedFormats) {
  for (const auto& format : kCheckedFormats) EXPECT_TRUE(format_is_known(format)) << format;
  for (const char* format : {"", "unknown", "int32", "float", "byte", "password", "Date-Time", "date-time "}) {
    EXPECT_FALSE(format_is_known(format)) << format;
    EXPECT_TRUE(check_format(format, "anything at all")) << format;
  }
}

TEST(Formats, RunmockContractValues) {
  EXPECT_TRUE(check_format("date-time", "2024-01-15T10:30:00Z"));
  EXPECT_TRUE(check_format("date-time", "2024-01-15T10:30:00.123456+05:30"));
  EXPECT_TRUE(check_format("date", "2024-01-15"));
  EXPECT_TRUE(check_format("uuid", "123e4567-e89b-12d3-a456-426614174002"));
  EXPECT_TRUE(check_format("uri", "https://runmock.dev/contracts/emergence/schemas/run.schema.json"));
  EXPECT_TRUE(check_format("email", "ops@runmock.dev"));
  EXPECT_FALSE(check_format("date-time", "2024-01-15 10:30:00Z"));
  EXPECT_FALSE(check_format("date-time", "2024-01-15T10:30:00"));
  EXPECT_FALSE(check_format("uuid", "{123e4567-e89b-12d3-a456-426614174002}"));
}

TEST(Formats, DatesAndTimes) {
  EXPECT_TRUE(check_format("date", "2024-02-29"));
  EXPECT_FALSE(check_format("date", "2023-02-29"));
  EXPECT_TRUE(check_format("date", "2000-02-29"));
  EXPECT_FALSE(check_format("date", "1900-02-29"));
  // A leap second is only valid at 23:59:60 UTC, whatever the offset says.
  EXPECT_TRUE(check_format("time", "23:59:60Z"));
  EXPECT_TRUE(check_format("time", "05:29:60+05:30"));
  EXPECT_TRUE(check_format("time", "18:59:60-05:00"));
  EXPECT_FALSE(check_format("time", "23:59:60+05:30"));
  EXPECT_FALSE(check_format("time", "23:59:60.5-00:01"));
  EXPECT_TRUE(check_format("time", "23:59:60.999z"));
  EXPECT_FALSE(check_format("time", "10:30:00."));
  EXPECT_FALSE(check_format("time", "10:30:00+0530"));
  EXPECT_FALSE(check_format("date-time", "2024-01-15T"));
  EXPECT_FALSE(check_format("date-time", "2024-01-15"));
}

TEST(Formats, Durations) {
  EXPECT_TRUE(check_format("duration", "P3Y6M4DT12H30M5S"));
  EXPECT_TRUE(check_format("duration", "P2M3D"));
  EXPECT_TRUE(check_format("duration", "PT5M6S"));
  EXPECT_TRUE(check_format("duration", "P52W"));
  EXPECT_FALSE(check_format("duration", "P1Y3D"));    // skips the month
  EXPECT_FALSE(check_format("duration", "PT1H2S"));   // skips the minute
  EXPECT_FALSE(check_format("duration", "P1M1Y"));    // out of order
  EXPECT_FALSE(check_format("duration", "P1DT"));     // "T" with no time unit
  EXPECT_FALSE(check_format("duration", "PW"));
  EXPECT_FALSE(check_format("duration", "P1W2W"));
}

TEST(Formats, EmailAddresses) {
  const std::string local64(64, 'a');
  EXPECT_TRUE(check_format("email", local64 + "@example.com"));
  EXPECT_FALSE(check_format("email", local64 + "a@example.com"));
  EXPECT_TRUE(check_format("email", "\"a\\\"b\"@example.com"));  // quoted-pair
  EXPECT_FALSE(check_format("email", "\"ab@example.com"));       // unterminated quote
  EXPECT_TRUE(check_format("email", "a@[IPV6:2001:db8::1]"));
  EXPECT_FALSE(check_format("email", "a@[2001:db8::1]"));        // IPv6 needs its tag
  EXPECT_FALSE(check_format("email", "a@[x-tag:anything]"));     // no other tag is registered
  EXPECT_FALSE(check_format("email", "a@example..com"));
  EXPECT_FALSE(check_format("email", "δοκιμή@example.com"));
  EXPECT_TRUE(check_format("idn-email", "δοκιμή@παράδειγμα.δοκιμή"));
  EXPECT_FALSE(check_format("idn-email", "a@b@example.com"));
  EXPECT_FALSE(check_format("idn-email", std::string("a\xC3@example.com")));  // truncated UTF-8
}

TEST(Formats, HostNames) {
  const std::string label63(63, 'a');
  const std::string name253 = label63 + "." + label63 + "." + label63 + "." + std::string(61, 'a');
  EXPECT_TRUE(check_format("hostname", name253));
  EXPECT_FALSE(check_format("hostname", name253 + "a"));
  EXPECT_TRUE(check_format("hostname", "XN--4DB.example"));  // A-labels are case-insensitive
  EXPECT_FALSE(check_format("hostname", "xn--4db..example"));
  // Once any label is right-to-left, every label must meet the Bidi rule: "1a" starts with a digit.
  EXPECT_TRUE(check_format("hostname", "a1.xn--4db"));
  EXPECT_FALSE(check_format("hostname", "1a.xn--4db"));
  EXPECT_TRUE(check_format("hostname", "1a.example"));
  EXPECT_TRUE(check_format("idn-hostname", "\u05D0\u0660"));           // R then AN
  EXPECT_FALSE(check_format("idn-hostname", "\u05D00\u0660"));         // EN and AN together
  EXPECT_FALSE(check_format("idn-hostname", "\u05D0a"));               // L in a right-to-left label
  EXPECT_TRUE(check_format("idn-hostname", "bücher.example"));
  EXPECT_FALSE(check_format("idn-hostname", "Bücher.example"));        // upper case is not PVALID
  EXPECT_FALSE(check_format("idn-hostname", "bu\u0308cher.example"));  // not NFC
  EXPECT_TRUE(check_format("idn-email", "a@bu\u0308cher.example"));    // which e-mail normalises
  EXPECT_FALSE(check_format("idn-hostname", std::string("b\xC3\xBC\0a", 4)));  // a NUL inside
  EXPECT_FALSE(check_format("hostname", "bücher.example"));
}

TEST(Formats, IpAddresses) {
  EXPECT_TRUE(check_format("ipv6", "1:2:3:4:5:6:7::"));
  EXPECT_TRUE(check_format("ipv6", "::1.2.3.4"));
  EXPECT_TRUE(check_format("ipv6", "1:2:3:4:5:6:1.2.3.4"));
  EXPECT_FALSE(check_format("ipv6", "1:2:3:4:5:6:7:1.2.3.4"));
  EXPECT_FALSE(check_format("ipv6", "1.2.3.4::"));
  EXPECT_FALSE(check_format("ipv6", ":::"));
  EXPECT_FALSE(check_format("ipv4", "1.2.3.04"));
  EXPECT_FALSE(check_format("ipv4", "1.2.3.1000"));
}

TEST(Formats, UrisAndIris) {
  EXPECT_TRUE(check_format("uri", "http://user:pass@[v7.a:b]:8080/a/b?c=d#e"));
  EXPECT_FALSE(check_format("uri", "http://[v7.]/"));
  EXPECT_FALSE(check_format("uri", "http://[1::2::3]/"));
  EXPECT_TRUE(check_format("uri", "urn:uuid:123e4567-e89b-12d3-a456-426614174002"));
  EXPECT_FALSE(check_format("uri", "http://example.com/a#b#c"));
  EXPECT_TRUE(check_format("uri-reference", "#/$defs/run_id"));
  EXPECT_TRUE(check_format("uri-reference", "parameters.schema.json#/$defs/run_id"));
  EXPECT_FALSE(check_format("uri-reference", "a_b:c"));  // "a_b" would be a scheme, but is not one
  EXPECT_TRUE(check_format("iri", "http://例え.テスト/パス?\uE000"));
  EXPECT_FALSE(check_format("iri", "http://例え.テスト/\uE000"));  // private use only in the query
  EXPECT_FALSE(check_format("iri", "http://example.com/\xFF"));    // not UTF-8
}

TEST(Formats, PointersAndTemplates) {
  EXPECT_TRUE(check_format("json-pointer", "/paths/~1runs~1{id}/get"));
  EXPECT_FALSE(check_format("json-pointer", "paths"));
  EXPECT_TRUE(check_format("relative-json-pointer", "0+1/foo"));
  EXPECT_TRUE(check_format("relative-json-pointer", "2-1#"));
  EXPECT_FALSE(check_format("relative-json-pointer", "0+/foo"));
  EXPECT_FALSE(check_format("relative-json-pointer", "0+01"));
  EXPECT_TRUE(check_format("uri-template", "/runs/{run_id}/tasks{?limit,cursor}"));
  EXPECT_TRUE(check_format("uri-template", "{var:9999}{list*}{%7E.x}"));
  EXPECT_FALSE(check_format("uri-template", "{var"));
  EXPECT_FALSE(check_format("uri-template", "{var.}"));
  EXPECT_FALSE(check_format("uri-template", "{var:1*}"));
  EXPECT_FALSE(check_format("uri-template", "%4"));
}

TEST(Formats, Regex) {
  EXPECT_TRUE(check_format("regex", "^[a-z0-9_]+$"));
  EXPECT_TRUE(check_format("regex", "^\\p{L}+$"));
  EXPECT_FALSE(check_format("regex", "(unclosed"));
}

}  // namespace
