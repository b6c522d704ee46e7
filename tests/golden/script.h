// The golden script's building blocks: where a node sits in script.yaml (for file:line:col
// errors), the variables a script sets and captures, and `${...}` interpolation.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

namespace runmock::golden {

// A mistake in the script itself (not an answer that differs): it stops the run.
class ScriptError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `file:line:col: message` for a node of the script.
[[noreturn]] void fail_at(const YAML::Node& node, const std::string& message);
// Sets the file name that fail_at() names.
void set_script_file(const std::string& file);

// A scalar's text, or a ScriptError naming the node.
std::string scalar(const YAML::Node& node, const std::string& what);
// A JSON pointer written in the script.
nlohmann::json::json_pointer pointer_of(const YAML::Node& node);
// A non-negative integer written in the script.
int integer(const YAML::Node& node, const std::string& what);
// A JSON value as text: a string as it is, anything else as its JSON.
std::string text_of(const nlohmann::json& value);

// Rejects keys of a step mapping that are not in `allowed` (a typo must not pass silently).
void check_keys(const YAML::Node& step, std::initializer_list<const char*> allowed);

// Variables: constants of the script (`vars`), values captured from answers, and the built-ins
// the runner sets (`token`, `hook`, `hook_port`). `${name}` is replaced by a variable, `${jwt:FILE}` by an
// unsigned JWT whose claims are FILE (relative to the source tree).
class Vars {
 public:
  explicit Vars(std::filesystem::path source_dir) : source_dir_(std::move(source_dir)) {}
  void set(const std::string& name, std::string value) { values_[name] = std::move(value); }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string expand(const std::string& text, const YAML::Node& where) const;
  // Every string inside `value` expanded.
  nlohmann::json expand(const nlohmann::json& value, const YAML::Node& where) const;
  const std::filesystem::path& source_dir() const { return source_dir_; }

 private:
  std::string lookup(const std::string& name, const YAML::Node& where) const;
  std::filesystem::path source_dir_;
  std::map<std::string, std::string> values_;
};

// The text of a file of the source tree (a ScriptError naming `where` when it cannot be read).
std::string read_source_file(const std::filesystem::path& source_dir, const std::string& relative, const YAML::Node& where);

}  // namespace runmock::golden
