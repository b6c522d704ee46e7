// Loaded scenarios and how a dialect picks one for a new run.
//
// Selection for a create request (ScenarioSet::select), in order:
//   1. `Prefer: scenario=<name>`: the API's scenario of that name;
//   2. else the scenarios whose `match` holds (every condition on path parameters, query
//      parameters, body fields, headers and the configuration's fields): the highest `priority`
//      wins, ties go to the one loaded first;
//   3. else the API's `default: true` scenario.
// A ScenarioSet never changes once built; hold it by shared_ptr (ScenarioRegistry::current()).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/script.h"

namespace runmock::scenario {

// Where something was written (1-based line and column).
struct SourceLocation {
  std::string file;
  std::size_t line = 0;
  std::size_t column = 0;
  std::string to_string() const;  // "file:line:col" ("file" alone when line is 0: a whole file or folder)
};

// One problem in a scenario file.
struct Diagnostic {
  SourceLocation where;
  std::string message;
  std::string to_string() const;  // "file:line:col: message"
};

struct CompiledPattern;  // an RE2 regex (kept out of this header)

// One condition of a scenario's `match`.
struct Condition {
  enum class Source { path, query, body, header, configuration };
  enum class Test { equals, present, absent, pattern };
  Source source = Source::path;
  std::string key;                  // as written (header names compare case-insensitively)
  std::vector<std::string> tokens;  // body/configuration: the path into the JSON (a.b.0 or /a/b/0)
  Test test = Test::equals;
  std::vector<nlohmann::json> values;  // equals: any of these
  std::string pattern_text;
  std::shared_ptr<const CompiledPattern> pattern;  // RE2, unanchored (use ^…$ to anchor)
};

// A workflow configuration the API knows (emergence: a configuration id with its workflow name
// and type). `fields` are everything but `id`, named as in the run's representation (emergence:
// workflow_name, workflow_type), so a dialect can copy them into each run.
struct Configuration {
  std::string api;
  std::string id;  // "*": any other id
  nlohmann::json fields = nlohmann::json::object();
  SourceLocation where;
};

// What selection looks at in a create request. Header names in any case.
struct Request {
  std::map<std::string, std::string> path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;
  const nlohmann::json* body = nullptr;
  const nlohmann::json* configuration = nullptr;  // the Configuration::fields the run is created under
};

struct Scenario {
  std::string name;
  std::string api;
  std::string description;
  SourceLocation where;
  bool is_default = false;
  int priority = 0;
  std::vector<Condition> match;  // empty: chosen only by name (Prefer) or as the default
  std::shared_ptr<const engine::Script> script;

  // True when every condition holds for the request (false when `match` is empty).
  bool matches(const Request& request) const;
};

struct Selection {
  enum class By { none, prefer, match, fallback };
  const Scenario* scenario = nullptr;
  By by = By::none;
  // A `Prefer: scenario=<name>` that names no scenario of the API (selection went on without it;
  // the dialect may refuse the request or just say so).
  std::string unknown_preference;
};

// The scenario a `Prefer` header asks for ("scenario=slow", "respond-async, scenario=\"slow\"").
std::optional<std::string> preferred_scenario(const std::map<std::string, std::string>& headers);

class ScenarioSet {
 public:
  const Scenario* find(std::string_view api, std::string_view name) const;
  const Scenario* default_for(std::string_view api) const;
  Selection select(std::string_view api, const Request& request) const;
  // The configuration with this id, else the API's "*" configuration, else null.
  const Configuration* configuration(std::string_view api, std::string_view id) const;

  std::vector<const Scenario*> scenarios(std::string_view api) const;  // in selection order
  std::vector<const Configuration*> configurations(std::string_view api) const;
  std::vector<std::string> apis() const;
  std::size_t size() const;  // scenarios of every API

  // Building (the loader): a scenario with the name of an existing one of the same API replaces
  // it in place; likewise a configuration with the same id.
  void add(Scenario scenario);
  void add(Configuration configuration);
  void set_default(const std::string& api, const std::string& name);

 private:
  struct ApiScenarios {
    std::vector<std::unique_ptr<Scenario>> scenarios;
    std::map<std::string, std::size_t, std::less<>> by_name;
    std::string default_name;
    std::vector<std::unique_ptr<Configuration>> configurations;
    std::map<std::string, std::size_t, std::less<>> configuration_by_id;
  };
  const ApiScenarios* api(std::string_view name) const;
  std::map<std::string, ApiScenarios, std::less<>> apis_;
};

}  // namespace runmock::scenario
