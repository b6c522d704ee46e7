#include "hooks/emergence/asset_fqn.h"

#include <string>
#include <vector>

namespace runmock::hooks::emergence {

using nlohmann::json;

json fqn_parts(const json& asset_fqn) {
  json parts = {{"service_name", nullptr}, {"database_name", nullptr}, {"schema_name", nullptr}, {"table_name", nullptr}};
  if (!asset_fqn.is_string()) return parts;
  std::vector<std::string> names;
  std::string current;
  bool quoted = false;
  for (char ch : asset_fqn.get_ref<const std::string&>()) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == '.' && !quoted) {
      names.push_back(current);
      current.clear();
    } else {
      current.push_back(ch);
    }
  }
  names.push_back(current);
  const char* keys[] = {"service_name", "database_name", "schema_name", "table_name"};
  for (std::size_t i = 0; i < names.size() && i < 4; ++i) {
    if (!names[i].empty()) parts[keys[i]] = names[i];
  }
  return parts;
}

void add_fqn_parts(json& out, const dialect::Scope&) { out.update(fqn_parts(out.contains("asset_fqn") ? out["asset_fqn"] : json(nullptr))); }

}  // namespace runmock::hooks::emergence
