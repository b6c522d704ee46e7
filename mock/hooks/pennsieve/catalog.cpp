#include "hooks/pennsieve/catalog.h"

namespace runmock::hooks::pennsieve {

using nlohmann::json;

const json* spec_of(const scenario::ScenarioSet& set, const std::string& kind, const std::string& id) {
  const auto* c = set.configuration(kApi, id);
  if (!c || c->id != id || c->fields.value("kind", "") != kind) return nullptr;
  auto it = c->fields.find("spec");
  return it == c->fields.end() ? nullptr : &*it;
}

std::string node_id_of(const json& c) {
  if (!c.is_object()) return "";
  auto it = c.find("nodeId");
  return it != c.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace runmock::hooks::pennsieve
