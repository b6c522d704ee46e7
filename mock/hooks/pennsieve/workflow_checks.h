// The checks of a pennsieve create against the workflow it runs (seed 004): each a small function
// that says what is wrong (status and message, in pennsieve's "<key>: <what>" wording) or nothing.
//   - the instance: mode 1 names one (declared, or made by find-or-create before), mode 2 gives its
//     configuration; its workflow must exist and be active, its compute node exist;
//   - mode 2's processorConfigs name nodes of the workflow, each once;
//   - dataSources keys are data-source nodes (every one needs an input), dataTargets keys target
//     nodes, processorParams and tags keys processor nodes;
//   - a required processor parameter has a value at run, workflow or application level, and every
//     processor has an image tag;
//   - dataTargets get their target type's defaults and registry params;
//   - layers exist on the compute node (400) and are READY (409).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "scenario/scenario.h"

namespace runmock::hooks::pennsieve {

struct Problem {
  int status = 400;
  std::string message;
};

// The workflow's DAG nodes by id.
using Nodes = std::map<std::string, const nlohmann::json*>;
Nodes nodes_of(const nlohmann::json& dag);

std::optional<Problem> check_workflow(const nlohmann::json* workflow, const std::string& workflow_id, const std::string& field);
std::optional<Problem> check_compute_node(const nlohmann::json* compute_node, const std::string& compute_node_id, const std::string& field);
std::optional<Problem> check_processor_configs(const nlohmann::json& instance, const Nodes& nodes, const std::string& workflow_id);
std::optional<Problem> check_node_keys(const nlohmann::json& body, const nlohmann::json& dag, const Nodes& nodes, const std::string& workflow_id);
std::optional<Problem> check_processor_params(const nlohmann::json& body, const nlohmann::json& dag);
// dataTargets with the target types' defaults and registry params, or what is missing.
std::optional<Problem> enrich_data_targets(const nlohmann::json& body, const nlohmann::json& dag, const scenario::ScenarioSet& set, nlohmann::json& out);
std::optional<Problem> check_layers(const nlohmann::json& body, const nlohmann::json& compute_node, const std::string& compute_node_id);

}  // namespace runmock::hooks::pennsieve
