#include "yaml_json.h"

#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

#include "source_locations.h"

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

}  // namespace

json yaml_to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar:
      return node.Tag() == "!" ? json(node.Scalar()) : plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& item : node) out.push_back(yaml_to_json(item));
      return out;
    }
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& member : node) out[member.first.Scalar()] = yaml_to_json(member.second);
      return out;
    }
  }
  return nullptr;
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
      return yaml_to_json(YAML::Load(text));
    } catch (const YAML::Exception& e) {
      throw std::runtime_error(file.string() + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1) + ": " + e.msg);
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
