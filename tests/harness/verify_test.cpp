// runmock verify's pieces: negative cases derived from the real contracts, the report formats
// (check lines, JUnit XML and its escaping) and the target's URL and header handling.
#include <gtest/gtest.h>

#include <stdexcept>

#include "loader/api_contract.h"
#include "verify/negative_cases.h"
#include "verify/report.h"
#include "verify/target.h"

namespace runmock::verify {
namespace {

using nlohmann::json;

const contracts::ApiContract& contract(const std::string& api) {
  static const auto all = contracts::load_all(contracts::default_contracts_dir());
  return all.at(api);
}

std::vector<std::string> names(const std::vector<BodyCase>& cases) {
  std::vector<std::string> out;
  for (const auto& c : cases) out.push_back(c.name);
  return out;
}

TEST(VerifyNegativeCasesTest, EachRequiredFieldWrongTypeAndEnumOfABody) {
  const auto& amperity = contract("amperity");
  const auto& start = *amperity.find("startWorkflowRun");
  json valid = {{"config_id", "cg-123ABc4DE"}, {"run_mode", "full"}};
  ASSERT_TRUE(amperity.check_request_body(start, valid).empty());
  auto cases = derive_body_cases(amperity, start, valid, "");
  EXPECT_EQ(names(cases), (std::vector<std::string>{"required field /config_id missing", "field /config_id of the wrong type",
                                                    "field /run_mode of the wrong type", "field /run_mode out of its enum"}));
  EXPECT_EQ(cases[0].body, json({{"run_mode", "full"}}));
  EXPECT_EQ(cases[1].body, json({{"config_id", 12345}, {"run_mode", "full"}}));
  EXPECT_EQ(cases[3].body["run_mode"], "runmock-not-an-allowed-value");
  // Every case is one the contract refuses, at its pointer, with its keyword.
  for (const auto& c : cases) {
    auto errors = amperity.check_request_body(start, c.body);
    EXPECT_FALSE(errors.empty()) << c.name;
    EXPECT_TRUE(c.keyword == "required" || c.keyword == "type" || c.keyword == "enum") << c.name;
  }
}

TEST(VerifyNegativeCasesTest, NestedFieldsAndRequestVariants) {
  const auto& emergence = contract("emergence");
  const auto& create = *emergence.find("createWorkflowRun");
  json valid = {{"asset_fqn", "PostgreSQL.dvdrental.public"}, {"parameters", {{"include", {"PostgreSQL.dvdrental.public.actor"}}}}, {"save_all", true}};
  ASSERT_TRUE(emergence.check_request_body(create, valid, "application/json", "generate-table-description").empty());
  auto found = names(derive_body_cases(emergence, create, valid, "generate-table-description"));
  EXPECT_NE(std::find(found.begin(), found.end(), "field /save_all of the wrong type"), found.end());
  EXPECT_NE(std::find(found.begin(), found.end(), "field /parameters/include of the wrong type"), found.end());
  // A field the contract lets go missing or take any word is no negative case.
  EXPECT_EQ(std::find(found.begin(), found.end(), "required field /save_all missing"), found.end());
  EXPECT_TRUE(derive_body_cases(emergence, create, json::array(), "generate-table-description").empty());
}

TEST(VerifyNegativeCasesTest, QueryParametersOutOfTypeAndEnum) {
  const auto& emergence = contract("emergence");
  auto cases = derive_query_cases(emergence, *emergence.find("listWorkflowRuns"), {});
  std::vector<std::string> found;
  for (const auto& c : cases) found.push_back(c.name + " = " + c.query.at(c.parameter));
  EXPECT_EQ(found, (std::vector<std::string>{"query parameter status out of its enum = runmock-wrong-type",
                                             "query parameter limit of the wrong type = runmock-wrong-type",
                                             "query parameter offset of the wrong type = runmock-wrong-type"}));
}

TEST(VerifyReportTest, CheckLines) {
  Check failed{"emergence", "getWorkflowRun", "lifecycle", "", Outcome::fail, {{"/status", "bad", "s.json#/enum"}, {"", "missing", ""}}, "", {}, 0};
  EXPECT_EQ(check_line(failed), "FAIL emergence getWorkflowRun: lifecycle: /status: bad [s.json#/enum]; missing");
  Check skipped{"emergence", "getWorkflowRun", "isolation", "", Outcome::skip, {}, "no second tenant", {}, 0};
  EXPECT_EQ(check_line(skipped), "SKIP emergence getWorkflowRun: isolation: no second tenant");
  Check passed{"emergence", "getWorkflowRun", "lifecycle", "pending -> completed, 2 polls", Outcome::pass, {}, "", {}, 0};
  EXPECT_EQ(check_line(passed), "PASS emergence getWorkflowRun: lifecycle (pending -> completed, 2 polls)");
  EXPECT_EQ(summary_line(summarize({failed, skipped, skipped}), 1.25), "0 passed, 1 failed, 2 skipped in 1.2 s");
}

TEST(VerifyReportTest, XmlEscapeKeepsTextSafe) {
  EXPECT_EQ(xml_escape("a<b>&\"'"), "a&lt;b&gt;&amp;&quot;&apos;");
  EXPECT_EQ(xml_escape("line\nnext\ttab"), "line&#10;next&#9;tab");
  EXPECT_EQ(xml_escape("caf\xC3\xA9"), "caf\xC3\xA9");
  // Control characters XML 1.0 cannot carry, and bytes that are not UTF-8, become U+FFFD.
  EXPECT_EQ(xml_escape(std::string("a\x01" "b\xFF" "c\xC3", 6)), "a\xEF\xBF\xBD" "b\xEF\xBF\xBD" "c\xEF\xBF\xBD");
}

TEST(VerifyReportTest, JunitGroupsChecksByOperation) {
  Check passed{"emergence", "createWorkflowRun", "documented <request>", "", Outcome::pass, {}, "", {}, 0.5};
  Check followed{"emergence", "createWorkflowRun", "lifecycle", "pending -> completed", Outcome::pass, {}, "", {}, 0.5};
  Check failed{"emergence", "getWorkflowRun", "lifecycle & more", "", Outcome::fail, {{"/a", "expected \"x\"", "s.json#/type"}},
               "", {"GET", "http://h/x?a=1&b=2", "{\"k\": \"<v>\"}"}, 0.25};
  Check skipped{"emergence", "getWorkflowRun", "isolation", "", Outcome::skip, {}, "no <tenant>", {}, 0};
  std::string xml = junit_xml("emergence", {passed, followed, failed, skipped}, 2);
  EXPECT_NE(xml.find("<testsuites name=\"runmock verify emergence\" tests=\"4\" failures=\"1\" errors=\"0\" skipped=\"1\" time=\"2.000\">"), std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"emergence.createWorkflowRun\" tests=\"2\" failures=\"0\""), std::string::npos);
  EXPECT_NE(xml.find("<testcase classname=\"emergence.createWorkflowRun\" name=\"lifecycle\" time=\"0.500\">\n"
                     "      <system-out>pending -&gt; completed</system-out>\n    </testcase>"),
            std::string::npos);
  EXPECT_NE(xml.find("<testcase classname=\"emergence.createWorkflowRun\" name=\"documented &lt;request&gt;\" time=\"0.500\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<testsuite name=\"emergence.getWorkflowRun\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\""), std::string::npos);
  EXPECT_NE(xml.find("<failure type=\"contract\" message=\"/a: expected &quot;x&quot; [s.json#/type]\">request: GET http://h/x?a=1&amp;b=2&#10;"
                     "body: {&quot;k&quot;: &quot;&lt;v&gt;&quot;}&#10;pointer: /a&#10;message: expected &quot;x&quot;&#10;"
                     "schema location: s.json#/type&#10;</failure>"),
            std::string::npos)
      << xml;
  EXPECT_NE(xml.find("<skipped message=\"no &lt;tenant&gt;\"/>"), std::string::npos);
}

TEST(VerifyTargetTest, UrlsAndHeaders) {
  EXPECT_THROW(Target("ftp://127.0.0.1:1", std::chrono::seconds(1)), std::invalid_argument);
  EXPECT_THROW(Target("127.0.0.1:8089", std::chrono::seconds(1)), std::invalid_argument);
  Target target("http://127.0.0.1:1/base/", std::chrono::seconds(1));
  EXPECT_EQ(target.url({"GET", "/runs", {{"a", "b c"}, {"d", "e&f"}}, {}, "", ""}), "http://127.0.0.1:1/base/runs?a=b%20c&d=e%26f");
  HeaderList merged = merge_headers({{"authorization", "Bearer a"}, {"X-Keep", "1"}}, {{"Authorization", "Bearer b"}});
  EXPECT_EQ(merged, (HeaderList{{"X-Keep", "1"}, {"Authorization", "Bearer b"}}));
  EXPECT_EQ(without_header(merged, "x-keep"), (HeaderList{{"Authorization", "Bearer b"}}));
  EXPECT_TRUE(same_header_name("Amperity-Tenant", "amperity-tenant"));
  EXPECT_EQ(percent_encode("a b&c=d:é"), "a%20b%26c%3Dd:%C3%A9");
}

}  // namespace
}  // namespace runmock::verify
