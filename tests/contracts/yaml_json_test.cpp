// YAML → JSON: the core schema's scalars, and the bounds on what aliases may expand to
// (yaml_bounds.h): recursive aliases, alias bombs and deep nesting are refused, with where.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

#include "loader/yaml_bounds.h"
#include "loader/yaml_json.h"

using nlohmann::json;
using namespace runmock::contracts;

namespace {

const std::filesystem::path kCorpus = std::filesystem::path(RUNMOCK_SOURCE_DIR) / "fuzz" / "corpus" / "scenario_yaml";

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Counts the values a walk hands to its visitor.
class CountingVisitor : public YamlVisitor {
 public:
  bool enter(const YAML::Node&, const YamlStep&) override {
    ++entered;
    return true;
  }
  void leave() override {}
  std::size_t entered = 0;
};

// The refusal of `text` (its message, "line:col: " first, 1-based); "" when it converts.
std::string refusal(const std::string& text, bool with_source = true) {
  try {
    yaml_to_json(YAML::Load(text), with_source ? text : std::string());
  } catch (const YamlBoundsError& e) {
    return std::to_string(e.mark().line + 1) + ":" + std::to_string(e.mark().column + 1) + ": " + e.what();
  }
  return "";
}

// `levels` sequences, one inside the other, around a scalar.
std::string nested(std::size_t levels) { return std::string(levels, '[') + "x" + std::string(levels, ']'); }

// A flow sequence of `count` one-byte scalars.
std::string flat_sequence(std::size_t count) {
  std::string text = "[";
  for (std::size_t i = 0; i < count; ++i) text += i ? ",1" : "1";
  return text + "]";
}

}  // namespace

TEST(YamlJson, ConvertsScalarsByTheCoreSchema) {
  json doc = yaml_to_json(YAML::Load("a: 1\nb: 1.5\nc: true\nd: ~\ne: '1'\nf: text\ng: [x, {h: null}]\n"));
  EXPECT_EQ(doc, json::parse(R"({"a": 1, "b": 1.5, "c": true, "d": null, "e": "1", "f": "text", "g": ["x", {"h": null}]})"));
}

TEST(YamlJson, ExpandsLegitimateAliases) {
  const std::string text =
      "defaults: &d {state: pending, after: 1s}\n"
      "phases: [*d, *d, {<<: *d, state: running}]\n"
      "names: &n [a, b]\n"
      "again: {first: *n, second: *n}\n";
  json doc = yaml_to_json(YAML::Load(text), text);
  EXPECT_EQ(doc["phases"][0], json::parse(R"({"state": "pending", "after": "1s"})"));
  EXPECT_EQ(doc["phases"][1], doc["phases"][0]);
  EXPECT_EQ(doc["phases"][2]["<<"], doc["phases"][0]);  // yaml-cpp 0.7 keeps '<<' as a plain key
  EXPECT_EQ(doc["again"], json::parse(R"({"first": ["a", "b"], "second": ["a", "b"]})"));
}

TEST(YamlJson, RefusesARecursiveSequenceAndNamesItsAnchor) {
  const std::string text = read_text(kCorpus / "recursive-sequence.yaml");
  ASSERT_EQ(text, "api: emergence\nscenarios: &a [*a]\n");
  EXPECT_EQ(refusal(text), "2:12: recursive alias '*a': the value anchored here contains itself, so it never ends");
  EXPECT_EQ(refusal(text, false), "2:12: recursive alias: the value anchored here contains itself, so it never ends");
}

TEST(YamlJson, RefusesARecursiveMergeKey) {
  const std::string text = read_text(kCorpus / "recursive-merge.yaml");
  ASSERT_EQ(text, "api: emergence\nx: &a {<<: *a}\n");
  EXPECT_EQ(refusal(text), "2:4: recursive alias '*a': the value anchored here contains itself, so it never ends");
}

TEST(YamlJson, RefusesRecursionDeeperDownAndInBlockStyle) {
  EXPECT_EQ(refusal("top:\n  outer: &o\n    - inner: [1, *o]\n"),
            "2:10: recursive alias '*o': the value anchored here contains itself, so it never ends");
  EXPECT_EQ(refusal("- &a\n  - &b\n    - *a\n"), "1:3: recursive alias '*a': the value anchored here contains itself, so it never ends");
}

TEST(YamlJson, RefusesAliasBombsBeforeExpandingThem) {
  for (const char* name : {"alias-bomb-5.yaml", "alias-bomb-6.yaml"}) {
    const std::string text = read_text(kCorpus / name);
    ASSERT_FALSE(text.empty()) << name;
    const YAML::Node root = YAML::Load(text);
    CountingVisitor visitor;
    const auto start = std::chrono::steady_clock::now();
    try {
      walk_yaml(root, visitor, text);
      ADD_FAILURE() << name << " was walked";
    } catch (const YamlBoundsError& e) {
      EXPECT_EQ(std::string(e.what()), "the document expands to more than 100000 values (an alias bomb?)") << name;
      EXPECT_EQ(e.mark().line + 1, 7) << name;  // a value of the list every alias leads back to
    }
    EXPECT_EQ(visitor.entered, 0u) << name << ": nothing is visited before the whole document is measured";
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << name;
  }
}

TEST(YamlJson, CapsValuesAndScalarBytesExactlyAtTheLimits) {
  EXPECT_EQ(refusal(flat_sequence(kMaxYamlValues - 1)), "");  // the sequence itself is a value
  EXPECT_EQ(refusal(flat_sequence(kMaxYamlValues)),
            "1:" + std::to_string(2 * kMaxYamlValues) + ": the document expands to more than 100000 values (an alias bomb?)");
  EXPECT_EQ(refusal("k: " + std::string(kMaxYamlScalarBytes - 1, 'x')), "");  // the key's byte counts
  const std::string long_text(1u << 20, 'x');
  EXPECT_EQ(refusal("a: &a " + long_text + "\nb: [*a, *a]\n"), "");
  EXPECT_EQ(refusal("a: &a " + long_text + "\nb: [*a, *a, *a]\n"),  // four copies, and the keys
            "1:4: the document's scalars expand to more than 4194304 bytes (an alias bomb?)");
}

TEST(YamlJson, RefusesNestingDeeperThanTheLimit) {
  EXPECT_EQ(refusal(nested(kMaxYamlDepth)), "");
  EXPECT_EQ(refusal(nested(kMaxYamlDepth + 1)), "1:129: nested more than 128 levels deep (written out or through aliases)");
  const std::string chain = read_text(kCorpus / "deep-alias-chain.yaml");
  EXPECT_EQ(refusal(chain), "2:5: nested more than 128 levels deep (written out or through aliases)");
}

TEST(YamlJson, ReadDocumentNamesTheFileLineAndColumn) {
  const auto file = std::filesystem::temp_directory_path() / ("runmock-yaml-json-test-" + std::to_string(::getpid()) + ".yaml");
  std::ofstream(file, std::ios::binary) << "openapi: 3.1.0\npaths: &p {/x: *p}\n";
  try {
    read_document(file);
    ADD_FAILURE() << "a recursive document was read";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), file.string() + ":2:8: recursive alias '*p': the value anchored here contains itself, so it never ends");
  }
  std::filesystem::remove(file);
}

// yaml-cpp 0.7 emits parse events forever on a stray ',' (found by the scenario_yaml fuzzer): the
// bounded first pass refuses such a text instead of exhausting memory.
TEST(YamlBounds, AStrayCommaIsRefusedNotLoadedForever) {
  for (const char* text : {",", "a: 1\n,\n"}) {
    try {
      runmock::contracts::load_yaml_documents(text);
      ADD_FAILURE() << "loaded '" << text << "'";
    } catch (const runmock::contracts::YamlBoundsError& e) {
      EXPECT_NE(std::string(e.what()).find("finite YAML document"), std::string::npos) << e.what();
    } catch (const YAML::Exception&) {
    }
  }
  EXPECT_EQ(runmock::contracts::load_yaml_documents("a: 1\n---\nb: 2\n").size(), 2u);
}
