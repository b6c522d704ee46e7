#include "hooks/pennsieve/run_data.h"

#include "engine/time.h"
#include "hooks/pennsieve/catalog.h"

namespace runmock::hooks::pennsieve {

using nlohmann::json;

namespace {

json node_copy(const json& node, const json& tags, const std::map<std::string, json>& configs) {
  std::string id = node.value("id", "");
  json copy = {{"id", id}, {"type", node.value("type", "processor")}, {"dependsOn", node.value("dependsOn", json::array())}};
  for (const char* key : {"sourceUrl", "tag", "computeType", "targetType"}) {
    if (node.contains(key)) copy[key] = node[key];
  }
  if (tags.contains(id)) copy["tag"] = tags[id];
  if (auto it = configs.find(id); it != configs.end()) {
    copy["computeType"] = it->second.value("executionTarget", "standard");
    if (it->second.contains("version") && node.value("type", "") == "processor" && !tags.contains(id)) copy["tag"] = it->second["version"];
  }
  return copy;
}

}  // namespace

RunData make_run_data(const std::string& instance_id, const json& instance, const json& workflow, const json& b, const json& data_targets,
                      engine::Instant created_at) {
  const json tags = b.value("tags", json::object());
  std::map<std::string, json> configs;
  for (const auto& c : instance.value("processorConfigs", json::array())) configs[node_id_of(c)] = c;
  RunData out;
  for (const auto& node : workflow.value("dag", json::array())) out.dag.push_back(node_copy(node, tags, configs));
  json run = {{"name", b.value("name", "run-" + engine::format_basic_timestamp(created_at))},
              {"workflowInstanceId", instance_id},
              {"workflowUuid", instance.value("workflowId", "")},
              {"workflowName", workflow.value("name", "")},
              {"computeNodeUuid", instance.value("computeNodeId", "")},
              {"processorConfigs", instance.value("processorConfigs", json::array())}};
  for (const char* key : {"datasetId", "dataSources", "processorParams", "tags", "layers", "executionBudgetUsd", "completionCallbackUrl",
                          "completionCallbackContext"}) {
    if (b.contains(key)) run[key] = b[key];
  }
  if (b.contains("dataTargets")) run["dataTargets"] = data_targets;
  out.data = {{"run", run},
              {"dagSize", out.dag.size()},
              {"organizationId", workflow.value("organizationId", "")},
              {"executionBudgetUsd", b.value("executionBudgetUsd", 0.0)}};
  return out;
}

}  // namespace runmock::hooks::pennsieve
