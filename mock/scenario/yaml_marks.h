// Internal: where each value (and each mapping key) of a YAML document sits, by the JSON Pointer
// the value gets in contracts::yaml_to_json's JSON, so a JSON-level error can name file:line:col.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace runmock::scenario {

class YamlMarks {
 public:
  // The mark of the value at `pointer` (or of its key when `key` and it has one); the deepest
  // ancestor that has a mark when the pointer goes further than the document.
  YAML::Mark find(const std::string& pointer, bool key = false) const;

  // The key and mark of each repeat of a mapping key (the first one counts, the repeats are not
  // walked).
  std::vector<std::pair<std::string, YAML::Mark>> duplicate_keys;

 private:
  friend class MarkCollector;
  // A tree of the document's values, not a map from whole pointers: a pointer repeats every key
  // above it, so storing one per value would grow with depth times key length.
  struct Place {
    YAML::Mark value;
    YAML::Mark key;                                            // null for the root and sequence items
    std::map<std::string, std::size_t, std::less<>> children;  // token → index in places_
  };
  std::vector<Place> places_;  // [0] is the root
};

// Walks the document with contracts::walk_yaml, so it has yaml_to_json's bounds (and throws its
// contracts::YamlBoundsError); `source` is the document's text.
YamlMarks collect_marks(const YAML::Node& root, std::string_view source = {});

// "/scenarios/0/phases/1/after" → "scenarios[0].phases[1].after".
std::string readable_path(const std::string& pointer);

}  // namespace runmock::scenario
