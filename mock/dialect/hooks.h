// The C++ a dialect file may name: what truly is one API's own logic and no data can say (pennsieve's
// checks of a create against its workflow definition, its execution budget; emergence's asset FQN
// parts). Every hook is registered in one table (mock/hooks/hooks.cpp) under "<module>.<name>";
// a dialect file names it in `hooks:` (create, observe, seed) or in a representation's `hooks:`.
// Hooks of one module are made together for each server (HookModule::make), so they can share state.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dialect/template.h"
#include "engine/engine.h"
#include "http/context.h"
#include "loader/api_contract.h"
#include "scenario/loader.h"

namespace runmock::dialect {

struct HookEnv {
  engine::Engine& engine;
  scenario::ScenarioRegistry& scenarios;
  const contracts::ApiContract& contract;
  std::string api;
  int fraction_digits = -1;
};

// A create on its way: what validate_create and resolve_create see and fill.
struct CreateDraft {
  http::RequestContext& ctx;
  const nlohmann::json& body;
  std::shared_ptr<const scenario::ScenarioSet> set;
  std::string tenant;
  engine::Instant now;
  // Filled by the hooks: the run's data and part items, the configuration fields scenario
  // selection looks at, and whatever validate_create hands resolve_create.
  nlohmann::json data;
  std::map<std::string, std::vector<nlohmann::json>> parts;
  std::optional<nlohmann::json> selection_configuration;
  nlohmann::json state = nlohmann::json::object();
};

// A refusal to answer (nullopt: go on).
using CreateHook = std::function<std::optional<http::Response>(CreateDraft& draft)>;
// The run as observed, after the API's own rules (it may move the run on and return the new one).
using ObserveHook = std::function<engine::RunSnapshot(engine::RunSnapshot run)>;
// A seeded run built as the API's create would build it; throws std::invalid_argument naming the field.
using SeedHook = std::function<engine::CreateRequest(const engine::SeedSpec& spec)>;

struct HookSet {
  std::map<std::string, CreateHook> create;
  std::map<std::string, ObserveHook> observe;
  std::map<std::string, SeedHook> seed;
};

struct HookModule {
  std::string name;                                   // "pennsieve": its hooks are "pennsieve.<name>"
  std::map<std::string, RepresentHook> represent;     // stateless: compiled into representations
  std::set<std::string> stateful;                     // the names make() gives
  std::function<HookSet(const HookEnv& env)> make;    // null when the module has only represent hooks
};

// A representation hook of `modules` by its full name; throws TemplateError for an unknown one.
RepresentHook represent_hook(const std::vector<HookModule>& modules, const std::string& name);
// Every stateful hook's full name.
std::set<std::string> stateful_hook_names(const std::vector<HookModule>& modules);
// The stateful hooks of the modules that `names` belong to, made for one server.
HookSet make_hooks(const std::vector<HookModule>& modules, const std::set<std::string>& names, const HookEnv& env);

}  // namespace runmock::dialect
