#include "golden/script.h"

#include <fstream>
#include <set>
#include <sstream>

#include "support/unsigned_token.h"

namespace runmock::golden {
namespace {

std::string& script_file() {
  static std::string file = "script.yaml";
  return file;
}

}  // namespace

void set_script_file(const std::string& file) { script_file() = file; }

void fail_at(const YAML::Node& node, const std::string& message) {
  YAML::Mark mark = node.IsDefined() ? node.Mark() : YAML::Mark::null_mark();
  std::string where = script_file();
  if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  throw ScriptError(where + ": " + message);
}

std::string scalar(const YAML::Node& node, const std::string& what) {
  if (!node.IsDefined() || !node.IsScalar()) fail_at(node, what + " must be a scalar");
  return node.Scalar();
}

nlohmann::json::json_pointer pointer_of(const YAML::Node& node) {
  std::string text = scalar(node, "a JSON pointer");
  try {
    return nlohmann::json::json_pointer(text);
  } catch (const nlohmann::json::exception&) {
    fail_at(node, "'" + text + "' is not a JSON pointer");
  }
}

int integer(const YAML::Node& node, const std::string& what) {
  std::string text = scalar(node, what);
  if (text.empty() || text.size() > 9 || text.find_first_not_of("0123456789") != std::string::npos) fail_at(node, what + " must be a non-negative integer");
  return std::stoi(text);
}

std::string text_of(const nlohmann::json& value) { return value.is_string() ? value.get<std::string>() : value.dump(); }

void check_keys(const YAML::Node& step, std::initializer_list<const char*> allowed) {
  std::set<std::string> names(allowed.begin(), allowed.end());
  for (const auto& item : step) {
    std::string key = item.first.Scalar();
    if (!names.count(key)) {
      std::string list;
      for (const auto& name : names) list += (list.empty() ? "" : ", ") + name;
      fail_at(item.first, "unknown key '" + key + "' here (allowed: " + list + ")");
    }
  }
}

std::string read_source_file(const std::filesystem::path& source_dir, const std::string& relative, const YAML::Node& where) {
  std::ifstream in(source_dir / relative, std::ios::binary);
  if (!in) fail_at(where, "cannot read " + (source_dir / relative).string());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Vars::lookup(const std::string& name, const YAML::Node& where) const {
  const std::string jwt = "jwt:";
  if (name.rfind(jwt, 0) == 0) {
    auto claims = nlohmann::json::parse(read_source_file(source_dir_, name.substr(jwt.size()), where), nullptr, false);
    if (claims.is_discarded()) fail_at(where, name.substr(jwt.size()) + " is not JSON");
    return testing::unsigned_token(claims);
  }
  auto found = values_.find(name);
  if (found == values_.end()) fail_at(where, "no variable '" + name + "' (set it with vars, capture or a built-in)");
  return found->second;
}

std::string Vars::expand(const std::string& text, const YAML::Node& where) const {
  std::string out;
  std::size_t at = 0;
  while (true) {
    std::size_t open = text.find("${", at);
    if (open == std::string::npos) break;
    std::size_t close = text.find('}', open);
    if (close == std::string::npos) fail_at(where, "unclosed ${ in '" + text + "'");
    out += text.substr(at, open - at);
    out += lookup(text.substr(open + 2, close - open - 2), where);
    at = close + 1;
  }
  return out + text.substr(at);
}

nlohmann::json Vars::expand(const nlohmann::json& value, const YAML::Node& where) const {
  if (value.is_string()) return expand(value.get<std::string>(), where);
  if (value.is_object()) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& [key, item] : value.items()) out[expand(key, where)] = expand(item, where);
    return out;
  }
  if (value.is_array()) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : value) out.push_back(expand(item, where));
    return out;
  }
  return value;
}

}  // namespace runmock::golden
