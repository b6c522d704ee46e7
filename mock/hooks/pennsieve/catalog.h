// What pennsieve's scenario files declare (scenarios/pennsieve/configurations.yaml): workflow
// definitions, compute nodes, target types and workflow instances, each a configuration
// {id, kind, spec}.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "scenario/scenario.h"

namespace runmock::hooks::pennsieve {

inline constexpr const char* kApi = "pennsieve";

// The spec of the configuration of kind `kind` with this id, or null.
const nlohmann::json* spec_of(const scenario::ScenarioSet& set, const std::string& kind, const std::string& id);

// A processor config's nodeId ("" when it has none).
std::string node_id_of(const nlohmann::json& config);

}  // namespace runmock::hooks::pennsieve
