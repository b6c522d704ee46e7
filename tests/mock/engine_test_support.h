// Helpers for the engine and scenario tests: the APIs' lifecycles and a small script builder.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "engine/engine.h"
#include "engine/script.h"
#include "loader/api_contract.h"
#include "loader/lifecycle.h"
#include "loader/yaml_json.h"

namespace runmock::testing {

inline contracts::Lifecycle lifecycle_of(const std::string& api) {
  return contracts::Lifecycle::from_json(contracts::read_document(contracts::default_contracts_dir() / api / "lifecycle.json"));
}

// Builds a Script: phases of the main flow in order, then branches per action.
class ScriptBuilder {
 public:
  explicit ScriptBuilder(std::string name = "test", std::string api = "emergence") {
    script_.name = std::move(name);
    script_.api = std::move(api);
  }

  ScriptBuilder& phase(std::string state, engine::Advance advance, nlohmann::json set = nlohmann::json::object(),
                       std::map<std::string, engine::PartUpdate> parts = {}) {
    engine::Phase p;
    p.name = state + "-" + std::to_string(script_.phases.size());
    p.state = std::move(state);
    p.advance = advance;
    p.set = std::move(set);
    p.parts = std::move(parts);
    p.branch = branch_;
    if (!script_.phases.empty() && script_.phases.back().branch == branch_ && script_.phases.back().advance.kind != engine::Advance::Kind::terminal) {
      script_.phases.back().next = script_.phases.size();
    }
    script_.has_placeholders = script_.has_placeholders || engine::has_placeholder(p.set);
    script_.phases.push_back(std::move(p));
    return *this;
  }

  // Phases added after this call form the branch of `action`.
  ScriptBuilder& action(const std::string& action) {
    branch_ = action;
    script_.actions[action] = script_.phases.size();
    return *this;
  }

  ScriptBuilder& declare(const std::string& part, std::vector<nlohmann::json> items) {
    script_.parts[part] = std::move(items);
    return *this;
  }

  std::shared_ptr<const engine::Script> build() const { return std::make_shared<engine::Script>(script_); }

 private:
  engine::Script script_;
  std::string branch_;
};

inline engine::PartUpdate states(std::initializer_list<const char*> words, const std::string& state_key = "status") {
  engine::PartUpdate update;
  for (const char* w : words) update.items.push_back(w ? nlohmann::json{{state_key, w}} : nlohmann::json());
  return update;
}

inline std::string ts(engine::Instant instant) { return engine::format_timestamp(instant); }

}  // namespace runmock::testing
