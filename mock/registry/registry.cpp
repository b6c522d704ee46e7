#include "registry/registry.h"

#include <algorithm>
#include <future>

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <iterator>

#include "hooks/hooks.h"
#include "loader/yaml_bounds.h"
#include "scenario/loader.h"

namespace runmock::registry {

namespace fs = std::filesystem;

namespace {

std::vector<fs::path> bundled_dirs(const fs::path& contracts_dir) {
  std::vector<fs::path> dirs;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(contracts_dir, ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "dialect.yaml")) dirs.push_back(entry.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

// The `api:` of a folder's dialect file (an --api-dir's folder name need not be its API's name).
std::string declared_name(const fs::path& dir) {
  const fs::path file = dir / "dialect.yaml";
  auto where = [&file](const YAML::Mark& mark) { return file.string() + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1); };
  try {
    std::ifstream in(file, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    YAML::Node doc = contracts::load_yaml(text);
    if (doc.IsMap() && doc["api"] && doc["api"].IsScalar()) return doc["api"].as<std::string>();
  } catch (const YAML::Exception& e) {
    throw RegistryError(where(e.mark) + ": not valid YAML: " + e.msg);
  } catch (const contracts::YamlBoundsError& e) {
    throw RegistryError(where(e.mark()) + ": " + e.what());
  }
  throw RegistryError((dir / "dialect.yaml").string() + ":1:1: the dialect file names no api ('api: <name>')");
}

dialect::DialectSpec load_spec(const fs::path& dir, const fs::path& schema_file, const contracts::ApiContract& contract) {
  const auto& modules = hooks::builtin();
  auto represent = [&modules](const std::string& name) { return dialect::represent_hook(modules, name); };
  try {
    return dialect::load_dialect(dir / "dialect.yaml", schema_file, contract, represent, dialect::stateful_hook_names(modules));
  } catch (const dialect::DialectError& e) {
    throw RegistryError(e.what());
  }
}

// Two APIs whose routes could take each other's requests (the same method and path shape).
void check_clashes(const std::vector<std::unique_ptr<ApiEntry>>& entries) {
  std::map<std::string, std::string> owner;  // "GET /runs/{}" → api
  for (const auto& e : entries) {
    for (const auto& op : e->contract->operations()) {
      std::string shape = op.method + " ";
      bool in_param = false;
      for (char c : op.path) {
        if (c == '{') in_param = true, shape += "{}";
        else if (c == '}') in_param = false;
        else if (!in_param) shape += c;
      }
      auto [it, fresh] = owner.emplace(shape, e->name);
      if (!fresh && it->second != e->name) {
        throw RegistryError("the API " + e->name + " (" + e->dir.string() + ") has a route that clashes with the API " + it->second + "'s: " + op.method + " " + op.path);
      }
    }
  }
}

}  // namespace

ApiRegistry ApiRegistry::load(const fs::path& contracts_dir, const std::vector<fs::path>& api_dirs) {
  ApiRegistry registry;
  std::vector<std::pair<fs::path, bool>> dirs;
  for (const auto& dir : bundled_dirs(contracts_dir)) dirs.emplace_back(dir, true);
  for (const auto& dir : api_dirs) {
    if (!fs::exists(dir / "dialect.yaml")) throw RegistryError(dir.string() + ": not an API folder (it has no dialect.yaml; runmock import-openapi makes one)");
    dirs.emplace_back(dir, false);
  }
  // Each API is independent: parse them side by side (their YAML is most of start-up).
  std::vector<std::future<contracts::ApiContract>> loading;
  for (const auto& [dir, bundled] : dirs) {
    std::string name = bundled ? "" : declared_name(dir);
    loading.push_back(std::async(std::launch::async, [dir = dir, name, contracts_dir] { return contracts::ApiContract::load(dir, name, contracts_dir); }));
  }
  const fs::path schema_file = contracts_dir / "dialect.schema.json";
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    contracts::ApiContract contract = [&] {
      try {
        return loading[i].get();
      } catch (const contracts::ContractError& e) {
        throw RegistryError(e.what());
      }
    }();
    std::string name = contract.name();
    if (registry.contracts_->count(name)) {
      throw RegistryError("two APIs are named " + name + ": " + registry.find(name)->dir.string() + " and " + dirs[i].first.string() + " (import under another --api name)");
    }
    auto& stored = registry.contracts_->emplace(name, std::move(contract)).first->second;
    auto entry = std::make_unique<ApiEntry>();
    entry->name = name;
    entry->dir = dirs[i].first;
    entry->bundled = dirs[i].second;
    entry->scenarios_dir = entry->bundled ? scenario::default_scenarios_dir() / name : entry->dir / "scenarios";
    entry->contract = &stored;
    entry->dialect = load_spec(entry->dir, schema_file, stored);
    registry.entries_.push_back(std::move(entry));
  }
  check_clashes(registry.entries_);
  return registry;
}

const ApiEntry* ApiRegistry::find(const std::string& name) const {
  for (const auto& e : entries_) {
    if (e->name == name) return e.get();
  }
  return nullptr;
}

std::vector<std::string> ApiRegistry::names() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e->name);
  return out;
}

std::vector<std::string> ApiRegistry::cors_headers() const {
  std::vector<std::string> out;
  auto add = [&out](const std::string& h) {
    if (!h.empty() && std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
  };
  for (const auto& e : entries_) {
    for (const auto& m : e->dialect.tenancy.match_headers) add(m.header);
    add(e->dialect.tenancy.header);
    if (e->dialect.version) add(e->dialect.version->header);
    add(e->dialect.auth.header);
  }
  std::sort(out.begin(), out.end());  // byte order: stable whatever order the folders load in
  return out;
}

std::vector<fs::path> scenario_dirs(const ApiRegistry& registry, bool bundled) {
  std::vector<fs::path> out;
  if (bundled) out.push_back(scenario::default_scenarios_dir());
  for (const auto& e : registry.entries()) {
    if (!e->bundled && fs::exists(e->scenarios_dir)) out.push_back(e->scenarios_dir);
  }
  return out;
}

}  // namespace runmock::registry
