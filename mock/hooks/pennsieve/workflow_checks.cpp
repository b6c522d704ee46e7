#include "hooks/pennsieve/workflow_checks.h"

#include <set>

#include "hooks/pennsieve/catalog.h"

namespace runmock::hooks::pennsieve {

using nlohmann::json;

namespace {

std::string type_of(const Nodes& nodes, const std::string& id) {
  auto it = nodes.find(id);
  return it == nodes.end() ? "" : it->second->value("type", "");
}

json scalar_or_default(const json& param) { return param.contains("defaultValue") ? param["defaultValue"] : json(nullptr); }

// Every key of body[field] must be a node of type `type`.
std::optional<Problem> keys_of_type(const json& body, const char* field, const char* type, const char* what, const Nodes& nodes,
                                    const std::string& workflow_id) {
  json given = body.value(field, json::object());
  for (const auto& [key, value] : given.items()) {
    if (type_of(nodes, key) != type) return Problem{400, std::string(field) + "." + key + ": not a " + what + " node of workflow " + workflow_id};
  }
  return std::nullopt;
}

// A target node's params: the caller's, the target type's defaults, then its registry params.
std::optional<Problem> target_params(const std::string& id, const json& given, const json* target, json& params) {
  params = given.value("params", json::object());
  if (!target) return std::nullopt;
  for (const auto& param : target->value("params", json::array())) {
    std::string name = param.value("name", "");
    if (params.contains(name)) continue;
    if (param.contains("defaultValue")) {
      params[name] = param["defaultValue"];
    } else if (param.value("required", false)) {
      return Problem{400, "dataTargets." + id + ".params." + name + ": required target parameter has no value"};
    }
  }
  json registry = target->value("registryParams", json::object());
  for (const auto& [name, value] : registry.items()) params[name] = value;
  return std::nullopt;
}

}  // namespace

Nodes nodes_of(const json& dag) {
  Nodes nodes;
  for (const auto& node : dag) nodes[node.value("id", "")] = &node;
  return nodes;
}

std::optional<Problem> check_workflow(const json* workflow, const std::string& workflow_id, const std::string& field) {
  if (!workflow) return Problem{404, field + ": no workflow definition '" + workflow_id + "'"};
  if (!workflow->value("isActive", true)) return Problem{403, field + ": the workflow '" + workflow_id + "' is archived"};
  return std::nullopt;
}

std::optional<Problem> check_compute_node(const json* compute_node, const std::string& compute_node_id, const std::string& field) {
  if (!compute_node) return Problem{404, field + ": no compute node '" + compute_node_id + "'"};
  return std::nullopt;
}

std::optional<Problem> check_processor_configs(const json& instance, const Nodes& nodes, const std::string& workflow_id) {
  std::set<std::string> seen;
  const json& configs = instance["processorConfigs"];
  for (std::size_t i = 0; i < configs.size(); ++i) {
    std::string id = node_id_of(configs[i]);
    std::string key = "workflowInstanceConfiguration.processorConfigs[" + std::to_string(i) + "].nodeId: ";
    if (!nodes.count(id)) return Problem{400, key + "'" + id + "' is not a node of workflow " + workflow_id};
    if (!seen.insert(id).second) return Problem{400, key + "'" + id + "' is configured twice"};
  }
  return std::nullopt;
}

std::optional<Problem> check_node_keys(const json& body, const json& dag, const Nodes& nodes, const std::string& workflow_id) {
  if (auto p = keys_of_type(body, "dataSources", "data-source", "data-source", nodes, workflow_id)) return p;
  json data_sources = body.value("dataSources", json::object());
  for (const auto& node : dag) {
    if (node.value("type", "") == "data-source" && !data_sources.contains(node.value("id", ""))) {
      return Problem{400, "dataSources." + node.value("id", "") + ": the workflow's data-source node has no input"};
    }
  }
  if (auto p = keys_of_type(body, "dataTargets", "data-target", "data-target", nodes, workflow_id)) return p;
  if (auto p = keys_of_type(body, "processorParams", "processor", "processor", nodes, workflow_id)) return p;
  return keys_of_type(body, "tags", "processor", "processor", nodes, workflow_id);
}

std::optional<Problem> check_processor_params(const json& body, const json& dag) {
  json processor_params = body.value("processorParams", json::object());
  json tags = body.value("tags", json::object());
  for (const auto& node : dag) {
    if (node.value("type", "") != "processor") continue;
    std::string id = node.value("id", "");
    json run_params = processor_params.value(id, json::object());
    json defaults = node.value("defaultParams", json::object());
    for (const auto& param : node.value("paramSchema", json::array())) {
      std::string name = param.value("name", "");
      if (!param.value("required", false)) continue;
      if (run_params.contains(name) || defaults.contains(name) || !scalar_or_default(param).is_null()) continue;
      return Problem{400, "processorParams." + id + "." + name + ": required parameter has no value at run, workflow or application level"};
    }
    if (!node.contains("tag") && !tags.contains(id)) {
      return Problem{400, "tags." + id + ": processor has no image tag in the workflow's DAG snapshot and none is given"};
    }
  }
  return std::nullopt;
}

std::optional<Problem> enrich_data_targets(const json& body, const json& dag, const scenario::ScenarioSet& set, json& out) {
  json given = body.value("dataTargets", json::object());
  out = json::object();
  for (const auto& node : dag) {
    if (node.value("type", "") != "data-target") continue;
    std::string id = node.value("id", "");
    if (!given.contains(id)) continue;
    std::string type = node.value("targetType", "");
    json params;
    if (auto p = target_params(id, given[id], spec_of(set, "target-type", type), params)) return p;
    out[id] = {{"params", params}, {"targetType", type}};
  }
  return std::nullopt;
}

std::optional<Problem> check_layers(const json& body, const json& compute_node, const std::string& compute_node_id) {
  json layers = body.value("layers", json::array());
  const json node_layers = compute_node.value("layers", json::array());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::string name = layers[i].get<std::string>();
    const json* found = nullptr;
    for (const auto& layer : node_layers) {
      if (layer.value("layerName", "") == name) found = &layer;
    }
    std::string key = "layers[" + std::to_string(i) + "]: ";
    if (!found) return Problem{400, key + "no layer '" + name + "' on compute node " + compute_node_id};
    if (found->value("status", "") != "READY") return Problem{409, key + "layer '" + name + "' is " + found->value("status", "") + ", not READY"};
  }
  return std::nullopt;
}

}  // namespace runmock::hooks::pennsieve
