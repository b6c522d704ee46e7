// Where a run keeps its state, and the state words: the run schema is the get operation's 2xx
// JSON response; the state field is the one --state names (a JSON Pointer through the run's
// properties, `/status` or `/status/phase`), else the first enum-of-strings property named
// status, state, phase, stage (or containing one of them), at the top level or one level down.
// A --state that leads to no property or to a property that is not an enum is exit 2 (file:line:col
// of the property); no state field found is exit 1.
#pragma once

#include <string>
#include <vector>

#include "import/notes.h"
#include "import/schema_view.h"

namespace runmock::import {

struct StateField {
  std::string pointer;              // into the run's body
  std::vector<std::string> words;   // the enum, in the document's order
  Place schema;                     // of the property
};

StateField find_state_field(const SchemaView& view, const Place& run_schema, const std::string& requested, Notes& notes);

// The property of the run that carries its id: the get path's parameter if the run has a property
// of that name, else `id`, else the parameter's name.
std::string run_id_field(const SchemaView& view, const Place& run_schema, const std::string& parameter, Notes& notes);

}  // namespace runmock::import
