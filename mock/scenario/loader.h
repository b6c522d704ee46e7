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

#include <chrono>
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
//
// Runtime documents (POST /__runmock/scenarios) are layers after the paths, in the order they
// came: they override the files' scenarios of the same API and name, and every reload keeps them.
class ScenarioRegistry {
 public:
  ScenarioRegistry(std::vector<std::filesystem::path> paths, LoadOptions options);

  // Loads from the paths (and the runtime documents) again (the first call is the initial load).
  LoadResult reload();
  // The set in force (empty before the first clean load). Never null.
  std::shared_ptr<const ScenarioSet> current() const;
  const std::vector<std::filesystem::path>& paths() const { return paths_; }

  // The outcome of the last reload(), for the admin API and --watch.
  struct ReloadStatus {
    bool ok = true;
    std::string error;  // every error as "file:line:col: message", one per line; empty when ok
    std::chrono::system_clock::time_point time;
    std::size_t files = 0;  // files read
  };
  ReloadStatus last_reload() const;

  // A scenario document given as text, reported as `name`: loaded exactly like a file, as a new
  // last layer. The set in force changes only when everything (the paths, the earlier runtime
  // documents and this one) loads cleanly; `added` then lists the API and name of each of its
  // scenarios.
  struct AddResult {
    LoadResult load;
    std::vector<std::pair<std::string, std::string>> added;
  };
  AddResult add_runtime(const std::string& name, const std::string& text);
  // Drops every runtime document that defines scenario `name` of `api` and loads again. Returns the
  // scenarios (API, name) of the dropped documents, each once; empty when none defined it. When the rest no
  // longer loads the documents stay and `load` says why.
  struct RemoveResult {
    LoadResult load;
    std::vector<std::pair<std::string, std::string>> removed;
  };
  RemoveResult remove_runtime(const std::string& api, const std::string& name);
  // True when the scenario of `api` named `name` in force came from a runtime document.
  bool is_runtime(const std::string& api, const std::string& name) const;

 private:
  struct RuntimeDocument {
    std::string name;
    std::string text;
    std::vector<std::pair<std::string, std::string>> scenarios;
  };
  LoadResult load(const std::vector<RuntimeDocument>& documents) const;
  void install(const LoadResult& result, std::vector<RuntimeDocument> documents);

  std::vector<std::filesystem::path> paths_;
  LoadOptions options_;
  mutable std::mutex mutex_;
  std::mutex reload_mutex_;  // one load at a time (reload, add, remove)
  std::shared_ptr<const ScenarioSet> current_;
  std::vector<RuntimeDocument> runtime_;
  std::map<std::pair<std::string, std::string>, std::string> runtime_sources_;  // (api, name) → document name, of the set in force
  ReloadStatus last_reload_;
};

}  // namespace runmock::scenario
