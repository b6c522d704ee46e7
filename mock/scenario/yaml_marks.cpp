#include "scenario/yaml_marks.h"

#include <set>

#include "validator/json_value.h"

namespace runmock::scenario {

namespace {

void walk(const YAML::Node& node, const std::string& pointer, YamlMarks& marks, std::size_t depth) {
  marks.values.emplace(pointer, node.Mark());
  if (depth > 256) return;
  if (node.IsSequence()) {
    std::size_t i = 0;
    for (const auto& item : node) walk(item, pointer + "/" + std::to_string(i++), marks, depth + 1);
  } else if (node.IsMap()) {
    std::set<std::string> seen;
    for (const auto& member : node) {
      std::string key = member.first.IsScalar() ? member.first.Scalar() : std::string();
      std::string child = pointer + "/" + schema::pointer_escape(key);
      if (!seen.insert(key).second) {
        marks.duplicate_keys.emplace_back(child, member.first.Mark());
        continue;
      }
      marks.keys.emplace(child, member.first.Mark());
      walk(member.second, child, marks, depth + 1);
    }
  }
}

}  // namespace

YamlMarks collect_marks(const YAML::Node& root) {
  YamlMarks marks;
  walk(root, "", marks, 0);
  return marks;
}

YAML::Mark YamlMarks::find(std::string pointer, bool key) const {
  if (key) {
    if (auto it = keys.find(pointer); it != keys.end()) return it->second;
  }
  while (true) {
    if (auto it = values.find(pointer); it != values.end() && !it->second.is_null()) return it->second;
    if (pointer.empty()) return YAML::Mark();
    pointer = pointer.substr(0, pointer.rfind('/'));
  }
}

std::vector<std::string> pointer_tokens(const std::string& pointer) {
  std::vector<std::string> tokens;
  if (pointer.empty()) return tokens;
  std::size_t start = 1;
  while (true) {
    std::size_t end = pointer.find('/', start);
    std::string raw = pointer.substr(start, end == std::string::npos ? std::string::npos : end - start);
    std::string token;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size()) {
        token.push_back(raw[i + 1] == '1' ? '/' : '~');
        ++i;
      } else {
        token.push_back(raw[i]);
      }
    }
    tokens.push_back(token);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return tokens;
}

std::string readable_path(const std::string& pointer) {
  std::string out;
  for (const auto& token : pointer_tokens(pointer)) {
    bool index = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
    if (index) {
      out += "[" + token + "]";
    } else {
      out += (out.empty() ? "" : ".") + token;
    }
  }
  return out;
}

}  // namespace runmock::scenario
