// The validator's own behaviour beyond the official suite: messages and locations people read,
// hostile schemas and instances, the registry, and concurrent use.
#include <gtest/gtest.h>

#include <thread>

#include "validator/validator.h"

using nlohmann::json;
using runmock::schema::CompileOptions;
using runmock::schema::Draft;
using runmock::schema::SchemaError;
using runmock::schema::SchemaRegistry;
using runmock::schema::ValidationError;

namespace {

std::vector<ValidationError> errors_of(const json& schema, const json& instance, CompileOptions options = {}) {
  SchemaRegistry registry;
  auto compiled = registry.compile_document(schema, options);
  std::vector<ValidationError> errors;
  bool valid = compiled.validate(instance, errors);
  EXPECT_EQ(valid, compiled.validate(instance)) << "fast and full validation disagree";
  EXPECT_EQ(valid, errors.empty());
  return errors;
}

json deep_array(std::size_t depth) {
  std::string text(depth, '[');
  text.append(depth, ']');
  return json::parse(text);
}

}  // namespace

TEST(ValidatorMessages, TypeMismatchSaysWhatWasExpectedAndFound) {
  auto errors = errors_of({{"properties", {{"status", {{"type", "string"}}}}}}, {{"status", 3}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_location, "/status");
  EXPECT_EQ(errors[0].message, "expected string, got integer");
  EXPECT_NE(errors[0].schema_location.find("#/properties/status/type"), std::string::npos);
}

TEST(ValidatorMessages, MissingRequiredPropertyIsNamed) {
  auto errors = errors_of({{"required", {"id", "status"}}}, {{"id", "x"}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_location, "");
  EXPECT_EQ(errors[0].message, "missing required property 'status'");
}

TEST(ValidatorMessages, LongEnumCountsTheAllowedValues) {
  json values = json::array();
  for (int i = 0; i < 15; ++i) values.push_back("type-" + std::to_string(i));
  auto errors = errors_of({{"enum", values}}, "generate-foo");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "'generate-foo' is not one of the 15 allowed values");
}

TEST(ValidatorMessages, ShortEnumListsTheAllowedValues) {
  auto errors = errors_of({{"enum", {"source", "refresh", "full"}}}, "fast");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "'fast' is not one of the allowed values: \"source\", \"refresh\", \"full\"");
}

TEST(ValidatorMessages, NullableAlternativesReadAsOneSentence) {
  auto errors = errors_of({{"anyOf", {{{"type", "string"}}, {{"type", "null"}}}}}, 42);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "expected string or null, got integer");
}

TEST(ValidatorMessages, UnknownPropertyIsNamed) {
  auto errors = errors_of({{"properties", {{"a", true}}}, {"additionalProperties", false}}, {{"a", 1}, {"zzz", 2}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_location, "/zzz");
  EXPECT_EQ(errors[0].message, "property 'zzz' is not allowed");
}

TEST(ValidatorMessages, OneOfShowsTheClosestBranch) {
  json schema = {{"oneOf",
                  {{{"type", "object"}, {"required", {"kind"}}, {"properties", {{"kind", {{"const", "a"}}}, {"size", {{"type", "integer"}}}}}},
                   {{"type", "object"}, {"required", {"kind", "name"}}, {"properties", {{"kind", {{"const", "b"}}}}}}}}};
  auto errors = errors_of(schema, {{"kind", "a"}, {"size", "big"}});
  ASSERT_GE(errors.size(), 2u);
  EXPECT_EQ(errors[0].message, "does not match exactly one of the 2 alternatives");
  bool names_size = false;
  for (const auto& e : errors) names_size = names_size || (e.instance_location == "/size" && e.message == "expected integer, got string");
  EXPECT_TRUE(names_size);
}

TEST(ValidatorMessages, EveryErrorIsCollected) {
  auto errors = errors_of({{"type", "object"}, {"required", {"a", "b"}}, {"properties", {{"c", {{"minimum", 5}}}}}}, {{"c", 1}});
  EXPECT_EQ(errors.size(), 3u);
}

TEST(ValidatorFormats, FormatAnnotatesByDefaultAndAssertsWhenAsked) {
  json schema = {{"type", "string"}, {"format", "date-time"}};
  EXPECT_TRUE(errors_of(schema, "yesterday").empty());
  CompileOptions asserting;
  asserting.format_assertion = true;
  auto errors = errors_of(schema, "yesterday", asserting);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "'yesterday' is not a valid date-time");
  EXPECT_TRUE(errors_of(schema, "2024-01-15T10:30:00Z", asserting).empty());
}

TEST(ValidatorHostile, SelfReferenceEndsInAClearError) {
  auto errors = errors_of({{"$ref", "#"}}, 1);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].message.find("nested more than"), std::string::npos);
}

TEST(ValidatorHostile, MutualReferenceCycleEndsInAClearError) {
  json schema = {{"$defs", {{"a", {{"$ref", "#/$defs/b"}}}, {"b", {{"$ref", "#/$defs/a"}}}}}, {"$ref", "#/$defs/a"}};
  EXPECT_FALSE(errors_of(schema, "x").empty());
}

TEST(ValidatorHostile, HundredThousandDeepInstanceIsRefusedNotCrashed) {
  json instance = deep_array(100000);
  auto errors = errors_of({{"items", {{"$ref", "#"}}}}, instance);
  ASSERT_FALSE(errors.empty());
  EXPECT_NE(errors.back().message.find("nested more than"), std::string::npos);
  EXPECT_TRUE(errors_of(true, instance).empty());
  EXPECT_TRUE(errors_of({{"type", "array"}}, instance).empty());
}

TEST(ValidatorHostile, DeepValuesCompareWithoutOverflow) {
  json pair = json::array({deep_array(100000), deep_array(100000)});
  EXPECT_FALSE(errors_of({{"uniqueItems", true}}, pair).empty());
  EXPECT_FALSE(errors_of({{"items", {{"const", json::array({1})}}}}, pair).empty());
  EXPECT_FALSE(errors_of({{"items", {{"enum", {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}}}}, pair).empty());
}

TEST(ValidatorHostile, HundredThousandDeepSchemaIsRefused) {
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "{\"not\":";
  text += "true";
  text.append(100000, '}');
  SchemaRegistry registry;
  try {
    registry.compile_document(json::parse(text));
    FAIL() << "expected a SchemaError";
  } catch (const SchemaError& e) {
    EXPECT_NE(std::string(e.what()).find("nested deeper than"), std::string::npos);
  }
}

// A count no instance can reach is clamped, not converted out of range (UBSan found the conversion).
TEST(ValidatorHostile, HugeCountsMeanWhatTheySay) {
  EXPECT_FALSE(errors_of({{"minLength", 1e300}}, "abc").empty());
  EXPECT_TRUE(errors_of({{"maxLength", 1e300}}, "abc").empty());
  EXPECT_FALSE(errors_of({{"minItems", 18446744073709551615u}}, json::array({1})).empty());
  EXPECT_FALSE(errors_of({{"contains", true}, {"minContains", 1e30}}, json::array({1})).empty());
  EXPECT_TRUE(errors_of({{"maxProperties", 1e19}}, {{"a", 1}}).empty());
}

TEST(ValidatorRegistry, UnresolvableReferenceNamesWhere) {
  SchemaRegistry registry;
  try {
    registry.compile_document({{"properties", {{"a", {{"$ref", "other.json#/x"}}}}}});
    FAIL() << "expected a SchemaError";
  } catch (const SchemaError& e) {
    EXPECT_NE(e.schema_location().find("#/properties/a"), std::string::npos);
    EXPECT_NE(e.detail().find("cannot resolve reference 'other.json#/x'"), std::string::npos);
  }
}

TEST(ValidatorRegistry, SchemasReferenceEachOtherByRelativeId) {
  SchemaRegistry registry;
  registry.add(json{{"$id", "https://example.test/api/error.schema.json"}, {"type", "object"}, {"required", {"message"}}});
  registry.add(json{{"$id", "https://example.test/api/list.schema.json"}, {"items", {{"$ref", "error.schema.json"}}}});
  auto list = registry.compile("https://example.test/api/list.schema.json");
  EXPECT_TRUE(list.validate(json::array({{{"message", "x"}}})));
  std::vector<ValidationError> errors;
  EXPECT_FALSE(list.validate(json::array({json::object()}), errors));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_location, "/0");
  EXPECT_EQ(errors[0].schema_location, "https://example.test/api/error.schema.json#/required");
}

TEST(ValidatorRegistry, DuplicateUriIsRefused) {
  SchemaRegistry registry;
  registry.add("https://example.test/a.json", json::object());
  EXPECT_THROW(registry.add("https://example.test/a.json", json::object()), SchemaError);
}

// Found by fuzz/schema_fuzz.cpp: a document that is no schema escaped as std::out_of_range.
TEST(ValidatorRegistry, DocumentThatIsNoSchemaIsRefused) {
  SchemaRegistry registry;
  try {
    registry.compile_document(json(184463720368547));
    FAIL() << "expected a SchemaError";
  } catch (const SchemaError& e) {
    EXPECT_NE(e.detail().find("must be an object or a boolean, not integer"), std::string::npos) << e.what();
  }
  EXPECT_THROW(registry.add("https://example.test/list.json", json::array({json::object()})), SchemaError);
  EXPECT_FALSE(registry.contains("https://example.test/list.json"));
}

TEST(ValidatorRegistry, CompilesAFragmentOfADocument) {
  SchemaRegistry registry;
  registry.add("https://example.test/p.json", {{"$defs", {{"id", {{"type", "string"}, {"minLength", 3}}}}}});
  auto id = registry.compile("https://example.test/p.json#/$defs/id");
  EXPECT_TRUE(id.validate("abc"));
  EXPECT_FALSE(id.validate("ab"));
}

TEST(ValidatorDrafts, Draft7IgnoresSiblingsOfRef) {
  SchemaRegistry registry(Draft::draft7);
  auto schema = registry.compile_document({{"definitions", {{"s", {{"type", "string"}}}}}, {"properties", {{"a", {{"$ref", "#/definitions/s"}, {"maxLength", 1}}}}}});
  EXPECT_TRUE(schema.validate({{"a", "long string"}}));
  EXPECT_FALSE(schema.validate({{"a", 1}}));
}

TEST(ValidatorConcurrency, OneSchemaServesManyThreads) {
  SchemaRegistry registry;
  auto schema = registry.compile_document({{"type", "object"},
                                  {"properties", {{"id", {{"type", "string"}, {"pattern", "^[a-z]+$"}}}, {"n", {{"type", "integer"}}}}},
                                  {"unevaluatedProperties", false}});
  std::vector<std::thread> threads;
  std::atomic<int> wrong{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 2000; ++i) {
        std::vector<ValidationError> errors;
        if (!schema.validate({{"id", "abc"}, {"n", i}})) ++wrong;
        if (schema.validate({{"id", "ABC"}, {"x", 1}}, errors) || errors.size() != 2) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}
