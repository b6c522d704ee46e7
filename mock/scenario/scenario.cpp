#include "scenario/scenario.h"

#include <re2/re2.h>

#include <algorithm>

#include "faults/prefer.h"
#include "loader/json_pointer.h"
#include "scenario/pattern.h"

namespace runmock::scenario {

using nlohmann::json;

std::string SourceLocation::to_string() const {
  if (line == 0) return file;
  return file + ":" + std::to_string(line) + ":" + std::to_string(column);
}

std::string Diagnostic::to_string() const { return where.to_string() + ": " + message; }

namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// A scalar as the text a parameter or header would carry.
std::string scalar_text(const json& value) {
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

bool equal_values(const json& wanted, const json& actual) {
  if (wanted == actual) return true;
  if (wanted.is_number() && actual.is_number()) return wanted.get<double>() == actual.get<double>();
  // A string in the scenario compares with the text of a scalar in the request, and the reverse.
  if (!wanted.is_structured() && !actual.is_structured() && !wanted.is_null() && !actual.is_null()) return scalar_text(wanted) == scalar_text(actual);
  return false;
}

bool test(const Condition& condition, const json* value) {
  switch (condition.test) {
    case Condition::Test::present: return value != nullptr && !value->is_null();
    case Condition::Test::absent: return value == nullptr || value->is_null();
    case Condition::Test::pattern:
      return value != nullptr && !value->is_null() && condition.pattern && !value->is_structured() &&
             RE2::PartialMatch(scalar_text(*value), condition.pattern->regex);
    case Condition::Test::equals:
      if (value == nullptr) return false;
      return std::any_of(condition.values.begin(), condition.values.end(), [&](const json& wanted) { return equal_values(wanted, *value); });
  }
  return false;
}

const std::string* find_parameter(const std::map<std::string, std::string>& values, const std::string& key, bool case_insensitive) {
  if (auto it = values.find(key); it != values.end()) return &it->second;
  if (!case_insensitive) return nullptr;
  std::string wanted = lower(key);
  for (const auto& [name, value] : values) {
    if (lower(name) == wanted) return &value;
  }
  return nullptr;
}

}  // namespace

bool Scenario::matches(const Request& request) const {
  if (match.empty()) return false;
  for (const auto& condition : match) {
    json holder;
    const json* value = nullptr;
    switch (condition.source) {
      case Condition::Source::path:
      case Condition::Source::query:
      case Condition::Source::header: {
        const auto& values = condition.source == Condition::Source::path ? request.path : condition.source == Condition::Source::query ? request.query : request.headers;
        if (const std::string* text = find_parameter(values, condition.key, condition.source == Condition::Source::header)) {
          holder = *text;
          value = &holder;
        }
        break;
      }
      case Condition::Source::body:
        if (request.body) value = contracts::find_at(*request.body, condition.tokens);
        break;
      case Condition::Source::configuration:
        if (request.configuration) value = contracts::find_at(*request.configuration, condition.tokens);
        break;
    }
    if (!test(condition, value)) return false;
  }
  return true;
}

std::optional<std::string> preferred_scenario(const std::map<std::string, std::string>& headers) {
  const std::string* prefer = find_parameter(headers, "prefer", true);
  if (!prefer) return std::nullopt;
  return faults::prefer_parameter(*prefer, "scenario");
}

const ScenarioSet::ApiScenarios* ScenarioSet::api(std::string_view name) const {
  auto it = apis_.find(name);
  return it == apis_.end() ? nullptr : &it->second;
}

const Scenario* ScenarioSet::find(std::string_view api_name, std::string_view name) const {
  const ApiScenarios* a = api(api_name);
  if (!a) return nullptr;
  auto it = a->by_name.find(name);
  return it == a->by_name.end() ? nullptr : a->scenarios[it->second].get();
}

const Scenario* ScenarioSet::default_for(std::string_view api_name) const {
  const ApiScenarios* a = api(api_name);
  if (!a || a->default_name.empty()) return nullptr;
  return find(api_name, a->default_name);
}

Selection ScenarioSet::select(std::string_view api_name, const Request& request) const {
  Selection selection;
  const ApiScenarios* a = api(api_name);
  if (auto preferred = preferred_scenario(request.headers)) {
    if (const Scenario* s = find(api_name, *preferred)) {
      selection.scenario = s;
      selection.by = Selection::By::prefer;
      return selection;
    }
    selection.unknown_preference = *preferred;
  }
  if (!a) return selection;
  const Scenario* best = nullptr;
  for (const auto& s : a->scenarios) {
    if ((!best || s->priority > best->priority) && s->matches(request)) best = s.get();
  }
  if (best) {
    selection.scenario = best;
    selection.by = Selection::By::match;
  } else if (const Scenario* d = default_for(api_name)) {
    selection.scenario = d;
    selection.by = Selection::By::fallback;
  }
  return selection;
}

const Configuration* ScenarioSet::configuration(std::string_view api_name, std::string_view id) const {
  const ApiScenarios* a = api(api_name);
  if (!a) return nullptr;
  auto it = a->configuration_by_id.find(id);
  if (it == a->configuration_by_id.end()) it = a->configuration_by_id.find(std::string_view("*"));
  return it == a->configuration_by_id.end() ? nullptr : a->configurations[it->second].get();
}

std::vector<const Scenario*> ScenarioSet::scenarios(std::string_view api_name) const {
  std::vector<const Scenario*> out;
  if (const ApiScenarios* a = api(api_name)) {
    for (const auto& s : a->scenarios) out.push_back(s.get());
  }
  return out;
}

std::vector<const Configuration*> ScenarioSet::configurations(std::string_view api_name) const {
  std::vector<const Configuration*> out;
  if (const ApiScenarios* a = api(api_name)) {
    for (const auto& c : a->configurations) out.push_back(c.get());
  }
  return out;
}

std::vector<std::string> ScenarioSet::apis() const {
  std::vector<std::string> out;
  for (const auto& [name, a] : apis_) out.push_back(name);
  return out;
}

std::size_t ScenarioSet::size() const {
  std::size_t n = 0;
  for (const auto& [name, a] : apis_) n += a.scenarios.size();
  return n;
}

void ScenarioSet::add(Scenario scenario) {
  ApiScenarios& a = apis_[scenario.api];
  auto owned = std::make_unique<Scenario>(std::move(scenario));
  if (auto it = a.by_name.find(owned->name); it != a.by_name.end()) {
    a.scenarios[it->second] = std::move(owned);
    return;
  }
  a.by_name.emplace(owned->name, a.scenarios.size());
  a.scenarios.push_back(std::move(owned));
}

void ScenarioSet::add(Configuration configuration) {
  ApiScenarios& a = apis_[configuration.api];
  auto owned = std::make_unique<Configuration>(std::move(configuration));
  if (auto it = a.configuration_by_id.find(owned->id); it != a.configuration_by_id.end()) {
    a.configurations[it->second] = std::move(owned);
    return;
  }
  a.configuration_by_id.emplace(owned->id, a.configurations.size());
  a.configurations.push_back(std::move(owned));
}

void ScenarioSet::set_default(const std::string& api_name, const std::string& name) { apis_[api_name].default_name = name; }

}  // namespace runmock::scenario
