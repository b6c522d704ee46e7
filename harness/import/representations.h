// The dialect's representations of a run, from the run schema's properties:
//   the id field → $id; the state field → $state (nested for /status/phase); a time of creation
//   or start (created_at, creation_time, started ...) → $created_at; of the end (completed_at,
//   end_time ...) → $ended_at; a duration → $duration_seconds; a property the create body has
//   (and that is not readOnly) → that part of the stored body ($data/request/<name>); the create
//   path's parameter → $data/<name>; any other required property → a value its schema accepts
//   (sample_value.h); optional properties the mock knows nothing of are left out. What the
//   scenario's phases set is merged in last.
// A response schema other than the run's (the create's answer, a list item, the cancel's answer)
// becomes a representation made from the run: the run's representation when it is the same
// schema, else its properties picked from it, with values for the required ones it lacks.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "import/notes.h"
#include "import/schema_view.h"

namespace runmock::import {

struct RunShape {
  Place run_schema;
  std::string id_field;
  std::string state_pointer;
  Place create_body;         // the create's JSON body schema (may be empty)
  std::string parent_param;  // the create path's parameter (/workflows/{configuration_id}/runs), "" for none
};

// The `run` representation.
nlohmann::ordered_json run_representation(const SchemaView& view, const RunShape& shape);

// A representation for `schema` made from `run` (nullopt when `schema` is the run's own).
std::optional<nlohmann::ordered_json> derived_representation(const SchemaView& view, const Place& schema, const RunShape& shape);

}  // namespace runmock::import
