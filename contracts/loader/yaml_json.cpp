#include "yaml_json.h"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "source_locations.h"
#include "yaml_bounds.h"

namespace runmock::contracts {
namespace {

using nlohmann::json;

json plain_scalar(const std::string& text) {
  // YAML 1.2 core schema, the tags a plain scalar resolves to.
  if (text.empty() || text == "~" || text == "null" || text == "Null" || text == "NULL") return nullptr;
  if (text == "true" || text == "True" || text == "TRUE") return true;
  if (text == "false" || text == "False" || text == "FALSE") return false;
  static const std::regex integer(R"([-+]?[0-9]+)");
  static const std::regex floating(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
  if (std::regex_match(text, integer)) {
    errno = 0;
    char* end = nullptr;
    long long value = std::strtoll(text.c_str(), &end, 10);
    if (errno == 0) return value;
    return std::strtod(text.c_str(), nullptr);
  }
  if (std::regex_match(text, floating)) return std::strtod(text.c_str(), nullptr);
  if (text == ".inf" || text == "+.inf" || text == "-.inf" || text == ".nan") return text;  // JSON has no such numbers
  return text;
}

// Builds the JSON value by value as the walk enters them.
class JsonBuilder : public YamlVisitor {
 public:
  bool enter(const YAML::Node& value, const YamlStep& step) override {
    json& slot = slot_for(step);
    slot = leaf(value);
    open_.push_back(&slot);
    return true;
  }
  void leave() override { open_.pop_back(); }
  json take() { return std::move(root_); }

 private:
  // Only the innermost open value grows, so the pointers to the values around it stay valid.
  json& slot_for(const YamlStep& step) {
    if (open_.empty()) return root_;
    json& parent = *open_.back();
    if (parent.is_array()) return parent.emplace_back();
    return parent[step.key->Scalar()];
  }

  static json leaf(const YAML::Node& value) {
    switch (value.Type()) {
      case YAML::NodeType::Scalar:
        return value.Tag() == "!" ? json(value.Scalar()) : plain_scalar(value.Scalar());
      case YAML::NodeType::Sequence:
        return json::array();
      case YAML::NodeType::Map:
        return json::object();
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        break;
    }
    return nullptr;
  }

  json root_;
  std::vector<json*> open_;
};

std::string location(const std::filesystem::path& file, const YAML::Mark& mark) {
  return file.string() + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

}  // namespace

json yaml_to_json(const YAML::Node& node, std::string_view source) {
  JsonBuilder builder;
  walk_yaml(node, builder, source);
  return builder.take();
}

json read_document(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw std::runtime_error(file.string() + ": cannot read the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  auto ext = file.extension().string();
  if (ext == ".yaml" || ext == ".yml") {
    try {
      return yaml_to_json(load_yaml(text), text);
    } catch (const YAML::Exception& e) {
      throw std::runtime_error(location(file, e.mark) + ": " + e.msg);
    } catch (const YamlBoundsError& e) {
      throw std::runtime_error(location(file, e.mark()) + ": " + e.what());
    }
  }
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    auto [line, column] = line_column_of_offset(text, e.byte == 0 ? 0 : e.byte - 1);
    std::string message = e.what();
    if (auto colon = message.find(": "); colon != std::string::npos) message = message.substr(colon + 2);
    throw std::runtime_error(file.string() + ":" + std::to_string(line) + ":" + std::to_string(column) + ": " + message);
  }
}

}  // namespace runmock::contracts
