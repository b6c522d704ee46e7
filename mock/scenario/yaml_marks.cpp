#include "scenario/yaml_marks.h"

#include "loader/json_pointer.h"
#include "loader/yaml_bounds.h"

namespace runmock::scenario {

// Adds a place per value as the walk enters it; a repeated key is recorded and not walked.
class MarkCollector : public contracts::YamlVisitor {
 public:
  explicit MarkCollector(YamlMarks& marks) : marks_(marks) {}

  bool enter(const YAML::Node& value, const contracts::YamlStep& step) override {
    if (open_.empty()) {
      open_.push_back(add(value, YAML::Mark::null_mark()));
      return true;
    }
    std::string token = step.key ? (step.key->IsScalar() ? step.key->Scalar() : std::string()) : std::to_string(step.index);
    auto& siblings = marks_.places_[open_.back()].children;
    if (siblings.count(token)) {
      marks_.duplicate_keys.emplace_back(std::move(token), step.key->Mark());
      open_.push_back(kSkipped);
      return false;
    }
    const std::size_t place = add(value, step.key ? step.key->Mark() : YAML::Mark::null_mark());
    marks_.places_[open_.back()].children.emplace(std::move(token), place);
    open_.push_back(place);
    return true;
  }
  void leave() override { open_.pop_back(); }

 private:
  static constexpr std::size_t kSkipped = static_cast<std::size_t>(-1);

  std::size_t add(const YAML::Node& value, const YAML::Mark& key) {
    marks_.places_.push_back({value.Mark(), key, {}});
    return marks_.places_.size() - 1;
  }

  YamlMarks& marks_;
  std::vector<std::size_t> open_;  // the places of the values entered and not yet left
};

YamlMarks collect_marks(const YAML::Node& root, std::string_view source) {
  YamlMarks marks;
  MarkCollector collector(marks);
  contracts::walk_yaml(root, collector, source);
  return marks;
}

YAML::Mark YamlMarks::find(const std::string& pointer, bool key) const {
  if (places_.empty()) return YAML::Mark();
  std::size_t at = 0;
  YAML::Mark deepest = places_[0].value.is_null() ? YAML::Mark() : places_[0].value;
  bool whole = true;
  for (const auto& token : contracts::pointer_tokens(pointer)) {
    auto child = places_[at].children.find(token);
    if (child == places_[at].children.end()) {
      whole = false;
      break;
    }
    at = child->second;
    if (!places_[at].value.is_null()) deepest = places_[at].value;
  }
  if (key && whole && !places_[at].key.is_null()) return places_[at].key;
  return deepest;
}

std::string readable_path(const std::string& pointer) {
  std::string out;
  for (const auto& token : contracts::pointer_tokens(pointer)) {
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
