// emergence.asset_fqn (a representation hook): the service, database, schema and table names an
// asset FQN holds ("PostgreSQL.dvdrental.public.customer" → service_name PostgreSQL, ...), as the
// run detail derives them. A part that holds a dot is double-quoted; missing parts are null.
#pragma once

#include <nlohmann/json.hpp>

#include "dialect/template.h"

namespace runmock::hooks::emergence {

nlohmann::json fqn_parts(const nlohmann::json& asset_fqn);

// Sets service_name, database_name, schema_name and table_name from out["asset_fqn"].
void add_fqn_parts(nlohmann::json& out, const dialect::Scope& scope);

}  // namespace runmock::hooks::emergence
