// The generated dialect.yaml (format contracts/dialect.schema.json, reference docs/dialects.md):
// roles, auth (dialect_auth.h), errors (error_envelope.h), what a create stores (the request body
// as `request`; the create path's parameter, `/workflows/{configuration_id}/runs`, under its name,
// played as runmock's configuration of the run with `scope`, so a run is found only under the
// same parent) and answers (the create's first 2xx status, with
// the representation of its response schema), the representations (representations.h), the
// get's and the cancel's answers, the listing (list_section.h), the cancel action (to the
// cancelled state when the scenario has no cancel branch) and the path prefix the API owns (its
// errors, 404s included, take the API's error body).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "import/error_envelope.h"
#include "import/list_section.h"
#include "import/representations.h"
#include "import/roles.h"

namespace runmock::import {

struct DialectInput {
  std::string api;
  std::string prefix;  // "/ga4gh/tes/v1/" ("" for none)
  const OperationInfo* create = nullptr;
  const OperationInfo* get = nullptr;
  const OperationInfo* list = nullptr;    // null: none
  const OperationInfo* cancel = nullptr;  // null: none
  RunShape shape;
  nlohmann::ordered_json auth;
  ErrorGuess errors;
  std::optional<ListGuess> listing;
  std::string cancelled_state;
  std::string noun;  // what a run is called ("task")
};

nlohmann::ordered_json build_dialect(const SchemaView& view, const DialectInput& in, Notes& notes);

}  // namespace runmock::import
