#include "api_options.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "loader/api_contract.h"
#include "loader/yaml_bounds.h"

namespace runmock::cli {
namespace {

namespace fs = std::filesystem;

struct DeclaredFlag {
  std::string api, option, flag, help, type, default_text;
};

// The options with a flag in the bundled dialect files (a file that does not parse is left to the
// loader, which says what is wrong with it).
std::vector<DeclaredFlag> declared_flags() {
  std::vector<DeclaredFlag> out;
  std::error_code ec;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(contracts::default_contracts_dir(), ec)) {
    if (fs::exists(entry.path() / "dialect.yaml")) files.push_back(entry.path() / "dialect.yaml");
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    try {
      std::ifstream in(file, std::ios::binary);
      YAML::Node doc = contracts::load_yaml(std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>()));
      std::string api = doc["api"].as<std::string>();
      for (const auto& option : doc["options"]) {
        const YAML::Node& spec = option.second;
        if (!spec["flag"]) continue;
        out.push_back({api, option.first.as<std::string>(), spec["flag"].as<std::string>(), spec["help"] ? spec["help"].as<std::string>() : "",
                       spec["type"] ? spec["type"].as<std::string>() : "string", spec["default"] ? spec["default"].as<std::string>() : ""});
      }
    } catch (const std::exception&) {
      // YAML errors and bounds: the loader says what is wrong with the file.
    }
  }
  return out;
}

}  // namespace

void add_api_option_flags(CLI::App* cmd, ApiOptionFlags& flags) {
  for (const auto& d : declared_flags()) {
    std::string name = "--" + d.flag;
    if (d.type == "boolean") {
      cmd->add_flag_callback(name, [&flags, d] { flags.given[d.api][d.option] = "true"; }, d.help);
    } else {
      cmd->add_option_function<std::string>(name, [&flags, d](const std::string& value) { flags.given[d.api][d.option] = value; }, d.help)
          ->default_str(d.default_text);
    }
  }
  cmd->add_option("--set", flags.set, "an option of an API: API.OPTION=VALUE (repeatable; the options are in its dialect.yaml)");
}

std::map<std::string, std::string> options_given(const ApiOptionFlags& flags, const std::string& api) {
  std::map<std::string, std::string> out;
  if (auto it = flags.given.find(api); it != flags.given.end()) out = it->second;
  for (const auto& item : flags.set) {
    auto dot = item.find('.');
    auto eq = item.find('=');
    if (dot == std::string::npos || eq == std::string::npos || eq < dot) throw std::invalid_argument("--set " + item + ": write API.OPTION=VALUE");
    if (item.substr(0, dot) == api) out[item.substr(dot + 1, eq - dot - 1)] = item.substr(eq + 1);
  }
  return out;
}

}  // namespace runmock::cli
