// OpenAPI 3.0 schemas as JSON Schema 2020-12 (harness/import/schema_translation.h), and the
// translated schemas judged by runmock's own validator.
#include <gtest/gtest.h>

#include "import/schema_translation.h"
#include "validator/validator.h"

namespace {

using nlohmann::json;
using runmock::import::SchemaDialect;
using runmock::import::translate_schema;

const runmock::import::RefRewriter kKeep = [](const std::string& ref) -> std::optional<std::string> { return ref; };

json from30(const json& schema) { return translate_schema(schema, SchemaDialect::openapi30, kKeep); }

bool accepts(const json& schema, const json& value) {
  runmock::schema::SchemaRegistry registry;
  return registry.compile_document(schema).validate(value);
}

TEST(SchemaTranslation, NullableAddsNullToTheType) {
  json out = from30({{"type", "string"}, {"nullable", true}});
  EXPECT_EQ(out, (json{{"type", {"string", "null"}}}));
  EXPECT_TRUE(accepts(out, nullptr));
  EXPECT_TRUE(accepts(out, "x"));
  EXPECT_FALSE(accepts(out, 3));
}

TEST(SchemaTranslation, NullableEnumTakesNullToo) {
  json out = from30({{"type", "string"}, {"enum", {"a", "b"}}, {"nullable", true}});
  EXPECT_EQ(out["enum"], (json{"a", "b", nullptr}));
  EXPECT_TRUE(accepts(out, nullptr));
  EXPECT_FALSE(accepts(out, "c"));
}

TEST(SchemaTranslation, NullableWithoutTypeBecomesAnyOf) {
  json out = from30({{"allOf", {{{"type", "integer"}}}}, {"nullable", true}});
  ASSERT_TRUE(out.contains("anyOf")) << out;
  EXPECT_TRUE(accepts(out, nullptr));
  EXPECT_TRUE(accepts(out, 4));
  EXPECT_FALSE(accepts(out, "4"));
}

TEST(SchemaTranslation, NullableFalseIsDropped) {
  EXPECT_EQ(from30({{"type", "string"}, {"nullable", false}}), (json{{"type", "string"}}));
}

TEST(SchemaTranslation, ReferenceSiblingsAreIgnoredAsIn30ButNullableIsKept) {
  EXPECT_EQ(from30({{"$ref", "#/components/schemas/A"}, {"description", "ignored in 3.0"}}), (json{{"$ref", "#/components/schemas/A"}}));
  json out = from30({{"$ref", "#/components/schemas/A"}, {"nullable", true}});
  EXPECT_EQ(out, (json{{"anyOf", {{{"$ref", "#/components/schemas/A"}}, {{"type", "null"}}}}}));
}

TEST(SchemaTranslation, BooleanExclusiveBoundsBecomeNumbers) {
  json out = from30({{"type", "number"}, {"minimum", 0}, {"exclusiveMinimum", true}, {"maximum", 10}, {"exclusiveMaximum", false}});
  EXPECT_EQ(out, (json{{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 10}}));
  EXPECT_FALSE(accepts(out, 0));
  EXPECT_TRUE(accepts(out, 0.5));
  EXPECT_TRUE(accepts(out, 10));
}

TEST(SchemaTranslation, ExampleBecomesExamples) {
  EXPECT_EQ(from30({{"type", "string"}, {"example", "job-1"}}), (json{{"type", "string"}, {"examples", {"job-1"}}}));
}

TEST(SchemaTranslation, EverySubschemaIsTranslated) {
  json in = {{"type", "object"},
             {"properties", {{"a", {{"type", "string"}, {"nullable", true}}}}},
             {"additionalProperties", {{"type", "integer"}, {"example", 3}}},
             {"items", {{"type", "integer"}, {"minimum", 1}, {"exclusiveMinimum", true}}},
             {"oneOf", {{{"type", "boolean"}, {"nullable", true}}}}};
  json out = from30(in);
  EXPECT_EQ(out["properties"]["a"]["type"], (json{"string", "null"}));
  EXPECT_EQ(out["additionalProperties"]["examples"], (json{3}));
  EXPECT_EQ(out["items"]["exclusiveMinimum"], 1);
  EXPECT_EQ(out["oneOf"][0]["type"], (json{"boolean", "null"}));
}

TEST(SchemaTranslation, AnExampleIsDataAndStaysAsWritten) {
  json in = {{"type", "object"}, {"example", {{"nullable", true}, {"$ref", "#/x"}}}};
  EXPECT_EQ(from30(in)["examples"][0], (json{{"nullable", true}, {"$ref", "#/x"}}));
}

TEST(SchemaTranslation, JsonSchemaIsLeftAloneButItsReferencesAreRewritten) {
  auto rewrite = [](const std::string& ref) -> std::optional<std::string> { return "schemas/" + ref; };
  json in = {{"type", {"string", "null"}}, {"properties", {{"a", {{"$ref", "a.json"}, {"description", "kept in 3.1"}}}}}, {"example", 1}};
  json out = translate_schema(in, SchemaDialect::json_schema, rewrite);
  EXPECT_EQ(out["properties"]["a"], (json{{"$ref", "schemas/a.json"}, {"description", "kept in 3.1"}}));
  EXPECT_EQ(out["example"], 1);
  EXPECT_EQ(out["type"], in["type"]);
}

TEST(SchemaTranslation, AnUnfollowedReferenceAcceptsAnything) {
  auto drop = [](const std::string&) -> std::optional<std::string> { return std::nullopt; };
  json out = translate_schema({{"$ref", "https://example.com/service-info.yaml#/Service"}}, SchemaDialect::openapi30, drop);
  EXPECT_FALSE(out.contains("$ref"));
  EXPECT_NE(out["description"].get<std::string>().find("https://example.com/service-info.yaml#/Service"), std::string::npos);
  EXPECT_TRUE(accepts(out, json{{"anything", 1}}));
}

}  // namespace
