// The YAML import-openapi writes reads back, through runmock's own loader, as the JSON it was
// made from (harness/import/yaml_writer.h).
#include <gtest/gtest.h>

#include "import/yaml_writer.h"
#include "loader/yaml_bounds.h"
#include "loader/yaml_json.h"

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
using runmock::import::to_yaml;

json read_back(const std::string& text) { return runmock::contracts::yaml_to_json(runmock::contracts::load_yaml(text), text); }

TEST(ImportYaml, TrickyTextsReadBackAsTheyWere) {
  ordered_json value = {{"plain", "CreateTask"},
                        {"number_like", "200"},
                        {"float_like", "1.5e3"},
                        {"bools", {"true", "False", "yes", "no", "on", "null", "~", ""}},
                        {"indicators", {"- a", "a: b", "#x", "{id}", "[1]", "*alias", "&anchor", "!tag", "|", ">", "%", "@", "`", "'q'", "\"dq\""}},
                        {"spaces", {" lead", "trail ", "a  b"}},
                        {"pointer", "/status/phase"},
                        {"reference", "$state"},
                        {"unicode", "naïve → ✓"},
                        {"control", std::string("tab\there\x01")},
                        {"/tasks/{id}:cancel", {{"post", {{"operationId", "CancelTask"}}}}},
                        {"200", "a key that looks like a number"}};
  EXPECT_EQ(read_back(to_yaml(value)), json(value)) << to_yaml(value);
}

TEST(ImportYaml, MultiLineTextsReadBackAsTheyWere) {
  ordered_json value = {{"one_newline", "line one\nline two\n"},
                        {"no_newline", "line one\n  indented\n\nafter a blank"},
                        {"two_newlines", "ends\n\n"},
                        {"leading_space", " starts with a space\nsecond"},
                        {"hash", "# not a comment\n---\n..."},
                        {"in_a_list", {"first\nsecond\n", "x"}}};
  const std::string text = to_yaml(value);
  EXPECT_EQ(read_back(text), json(value)) << text;
  EXPECT_NE(text.find("one_newline: |\n  line one\n  line two\n"), std::string::npos) << text;
}

TEST(ImportYaml, NumbersBooleansNullsAndEmptyCollections) {
  ordered_json value = {{"int", 42}, {"negative", -7}, {"float", 8.5}, {"big", 1e100}, {"yes", true}, {"none", nullptr},
                        {"empty_object", ordered_json::object()}, {"empty_list", ordered_json::array()},
                        {"nested", {{{"a", {1, {{"b", ordered_json::array()}}}}}, ordered_json::array({ordered_json::array({1, 2})})}}};
  EXPECT_EQ(read_back(to_yaml(value)), json(value)) << to_yaml(value);
}

TEST(ImportYaml, CommentsHeadTheFile) {
  ordered_json value = {{"version", 1}, {"roles", {{"create", "CreateTask"}}}};
  const std::string text = to_yaml(value, {"generated", "", "second line"});
  EXPECT_EQ(text, "# generated\n#\n# second line\nversion: 1\nroles:\n  create: CreateTask\n") << text;
  EXPECT_EQ(read_back(text), json(value));
}

TEST(ImportYaml, KeyOrderIsKept) {
  ordered_json value = {{"version", 1}, {"api", "tes"}, {"roles", 1}};
  EXPECT_EQ(to_yaml(value), "version: 1\napi: tes\nroles: 1\n");
}

}  // namespace
