// A value a schema accepts, for the fields the generated mock must fill without knowing what they
// mean (a required `workflow_name`, an error envelope's `trace_id`): the schema's `const`, else
// its `default`, else its first example of the right type, else its first enum word, else null
// when it may be null, else a placeholder of its type ("string" padded to minLength, a UUID or a
// URI for those formats, the minimum of a number, false, minItems copies of an item, the required
// members of an object). Recursion through `$ref` is bounded; too deep gives null.
#pragma once

#include <nlohmann/json.hpp>

#include "import/schema_view.h"

namespace runmock::import {

nlohmann::json sample_value(const SchemaView& view, const Place& schema);

// A JSON value as a dialect template writes it literally: a text starting with '$' doubled
// ("$$5"), object members whose names start with '$' dropped.
nlohmann::json template_literal(const nlohmann::json& value);

}  // namespace runmock::import
