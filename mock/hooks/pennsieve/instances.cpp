#include "hooks/pennsieve/instances.h"

#include <algorithm>
#include <vector>

#include "hooks/pennsieve/catalog.h"
#include "mechanisms/digest.h"

namespace runmock::hooks::pennsieve {

using nlohmann::json;

std::string canonical_instance(const json& config) {
  std::vector<json> sorted;
  if (config.contains("processorConfigs") && config["processorConfigs"].is_array()) {
    for (const auto& c : config["processorConfigs"]) sorted.push_back(c);
  }
  std::sort(sorted.begin(), sorted.end(), [](const json& a, const json& b) { return node_id_of(a) < node_id_of(b); });
  json canonical = {{"workflowId", config.value("workflowId", "")}, {"computeNodeId", config.value("computeNodeId", "")}, {"processorConfigs", sorted}};
  return canonical.dump();
}

std::string derived_uuid(const std::string& seed) {
  std::string hex = mechanisms::sha256_hex("pennsieve-instance\n" + seed).substr(0, 32);
  hex[12] = '4';
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

std::optional<json> InstanceBook::find(const scenario::ScenarioSet& set, const std::string& id) const {
  if (const json* declared = spec_of(set, "instance", id)) return *declared;
  std::lock_guard lock(mutex_);
  if (auto it = instances_.find(id); it != instances_.end()) return it->second;
  return std::nullopt;
}

std::string InstanceBook::find_or_create(const scenario::ScenarioSet& set, const json& configuration) {
  std::string canonical = canonical_instance(configuration);
  std::string id;
  std::lock_guard lock(mutex_);
  for (const auto* c : set.configurations(kApi)) {
    if (c->fields.value("kind", "") == "instance" && canonical_instance(c->fields.value("spec", json::object())) == canonical) id = c->id;
  }
  if (!id.empty()) return id;
  auto it = by_configuration_.find(canonical);
  if (it != by_configuration_.end()) return it->second;
  id = derived_uuid(canonical);
  by_configuration_[canonical] = id;
  instances_[id] = configuration;
  return id;
}

}  // namespace runmock::hooks::pennsieve
