// Pennsieve's workflow instances: mode 1 of a create names one (`workflowInstanceId`), mode 2
// gives its configuration (`workflowInstanceConfiguration`) and the server finds or creates it.
// The same configuration (processorConfigs taken as a set, keyed by nodeId) always gives the same
// instance: a declared one when it matches, else a UUID derived from the configuration's SHA-256.
#pragma once

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "scenario/scenario.h"

namespace runmock::hooks::pennsieve {

// The canonical text of an instance configuration.
std::string canonical_instance(const nlohmann::json& config);
// A UUID (version 4 shape) derived from the SHA-256 of `seed`.
std::string derived_uuid(const std::string& seed);

// The instances made by find-or-create on one server. Thread-safe.
class InstanceBook {
 public:
  // A declared instance's spec, else one made here, else nullopt.
  std::optional<nlohmann::json> find(const scenario::ScenarioSet& set, const std::string& id) const;
  // The id of the instance with this configuration: a declared one, else the one made before,
  // else a new one.
  std::string find_or_create(const scenario::ScenarioSet& set, const nlohmann::json& configuration);

 private:
  mutable std::mutex mutex_;
  std::map<std::string, std::string> by_configuration_;  // canonical configuration → id
  std::map<std::string, nlohmann::json> instances_;      // id → configuration
};

}  // namespace runmock::hooks::pennsieve
