// Internal: where each value (and each mapping key) of a YAML document sits, by the JSON Pointer
// the value gets in contracts::yaml_to_json's JSON, so a JSON-level error can name file:line:col.
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace runmock::scenario {

struct YamlMarks {
  std::unordered_map<std::string, YAML::Mark> values;  // pointer → where the value starts
  std::unordered_map<std::string, YAML::Mark> keys;    // pointer → where its mapping key starts
  std::vector<std::pair<std::string, YAML::Mark>> duplicate_keys;  // pointer and mark of each repeat

  // The mark of the value at `pointer` (or of its key when `key` and it has one); the deepest
  // ancestor that has a mark when the pointer goes further than the document.
  YAML::Mark find(std::string pointer, bool key = false) const;
};

YamlMarks collect_marks(const YAML::Node& root);

// "/scenarios/0/phases/1/after" → "scenarios[0].phases[1].after".
std::string readable_path(const std::string& pointer);

// Splits a JSON Pointer into unescaped tokens.
std::vector<std::string> pointer_tokens(const std::string& pointer);

}  // namespace runmock::scenario
