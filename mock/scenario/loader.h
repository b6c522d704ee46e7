// Loading scenario files (format: docs/engine-and-scenarios.md, schema:
// scenarios/scenario.schema.json).
//
// Every *.yaml / *.yml file under each given path (a folder, searched recursively in name order,
// hidden entries skipped; or a single file) is read in order. A file is refused with
// `file:line:col: what is wrong` when it is not YAML, breaks the scenario schema (unknown key,
// wrong type…), names an unknown API, state word or part, scripts a transition the API's
// lifecycle forbids (between consecutive phases, or into an action's branch), repeats a name, or
// scripts a payload fragment that breaks the contract (FragmentChecker).
//
// Paths are layers: the bundled scenarios first, then each --scenarios folder. Within one layer
// names must be unique; a later layer's scenario (or configuration) with the name (id) of an
// earlier one replaces it, keeping its place in the selection order; the last layer that marks a
// `default: true` scenario for an API decides that API's default.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "loader/api_contract.h"
#include "scenario/checker.h"
#include "scenario/scenario.h"

namespace runmock::scenario {

struct LoadOptions {
  // The contracts of the APIs scenarios may name (contracts::load_all). Must outlive the load.
  const std::map<std::string, contracts::ApiContract>* contracts = nullptr;
  // Payload checkers by API; an API without one gets contract_checker(its contract).
  std::map<std::string, FragmentChecker> checkers;
};

struct LoadResult {
  std::shared_ptr<const ScenarioSet> set;  // null unless everything loaded cleanly
  std::vector<Diagnostic> errors;
  std::vector<std::filesystem::path> files;  // the files read
  bool io_error = false;                     // a path or file could not be read
  bool ok() const { return errors.empty() && set != nullptr; }
  // Every error as "file:line:col: message", one per line.
  std::string report() const;
};

// Loads the paths in order (see above).
LoadResult load_scenarios(const std::vector<std::filesystem::path>& paths, const LoadOptions& options);

// Loads one document given as text, reported under `file_name` (for tests and tools).
LoadResult load_scenario_text(const std::string& file_name, const std::string& text, const LoadOptions& options);

// The bundled scenarios: $RUNMOCK_SCENARIOS_DIR, else the source tree's scenarios/ folder
// recorded at build time.
std::filesystem::path default_scenarios_dir();

// The scenario file schema (scenarios/scenario.schema.json, built into the library).
std::string_view scenario_schema_text();

// The scenario set in force, and reloads that never take it down: a reload builds a new set and
// swaps it in only when it loaded cleanly; otherwise the old set stays and the errors are
// returned. Thread-safe.
class ScenarioRegistry {
 public:
  ScenarioRegistry(std::vector<std::filesystem::path> paths, LoadOptions options);

  // Loads from the paths again (the first call is the initial load).
  LoadResult reload();
  // The set in force (empty before the first clean load). Never null.
  std::shared_ptr<const ScenarioSet> current() const;
  const std::vector<std::filesystem::path>& paths() const { return paths_; }

 private:
  std::vector<std::filesystem::path> paths_;
  LoadOptions options_;
  mutable std::mutex mutex_;
  std::mutex reload_mutex_;
  std::shared_ptr<const ScenarioSet> current_;
};

}  // namespace runmock::scenario
