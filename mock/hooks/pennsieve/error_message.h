// pennsieve.error_message (a representation hook): a FAILED run's errorMessage is what its scenario
// set, else "<node>: <message>" of its first failed DAG node, else "the workflow run failed".
#pragma once

#include <nlohmann/json.hpp>

#include "dialect/template.h"

namespace runmock::hooks::pennsieve {

void add_error_message(nlohmann::json& out, const dialect::Scope& scope);

}  // namespace runmock::hooks::pennsieve
