// The APIs runmock knows, one row each, built from their folders: an API is exactly a folder that
// holds a dialect.yaml (with its openapi.yaml, lifecycle.json and schemas/). The bundled ones are
// the folders of contracts/ (their scenarios in scenarios/<api>/); `--api-dir DIR` adds one more
// (its scenarios in DIR/scenarios/). The same rows feed serve, proxy, verify, CORS and lint:
// nothing else in runmock names an API.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dialect/spec.h"
#include "loader/api_contract.h"

namespace runmock::registry {

class RegistryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ApiEntry {
  std::string name;
  std::filesystem::path dir;
  std::filesystem::path scenarios_dir;  // its own scenarios (may not exist)
  bool bundled = true;
  const contracts::ApiContract* contract = nullptr;
  dialect::DialectSpec dialect;
};

class ApiRegistry {
 public:
  // Loads the API folders of `contracts_dir` and each of `api_dirs`. Throws RegistryError: a
  // broken file (file:line:col and what is wrong), or two APIs with the same name or clashing
  // routes (naming both).
  static ApiRegistry load(const std::filesystem::path& contracts_dir, const std::vector<std::filesystem::path>& api_dirs = {});

  const std::vector<std::unique_ptr<ApiEntry>>& entries() const { return entries_; }
  const ApiEntry* find(const std::string& name) const;
  std::vector<std::string> names() const;
  // Every contract by API name (for the scenario loader and the engine).
  const std::map<std::string, contracts::ApiContract>& contracts() const { return *contracts_; }
  // The request headers a browser must be allowed to send to the APIs (CORS preflights): each
  // dialect's tenant, version and matching headers.
  std::vector<std::string> cors_headers() const;

 private:
  std::unique_ptr<std::map<std::string, contracts::ApiContract>> contracts_ = std::make_unique<std::map<std::string, contracts::ApiContract>>();
  std::vector<std::unique_ptr<ApiEntry>> entries_;
};

// The scenario folders of the registry's APIs: the bundled ones' (when `bundled`) and every
// --api-dir's.
std::vector<std::filesystem::path> scenario_dirs(const ApiRegistry& registry, bool bundled);

}  // namespace runmock::registry
