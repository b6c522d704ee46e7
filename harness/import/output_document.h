// The contract the generated folder carries, made from the imported description:
//   - openapi.yaml: the document as OpenAPI 3.1.0, every schema translated to JSON Schema
//     2020-12 (schema_translation.h; `$ref`s to components kept as they are), every path behind
//     the mount prefix (`/tasks` → `/ga4gh/tes/v1/tasks`, servers: `/`), an operationId on every
//     operation, and `x-runmock-import` saying where it came from;
//   - schemas/: each file the document referenced, as JSON with the `$id` runmock's contract
//     loader expects (https://runmock.dev/contracts/<api>/schemas/<file>), translated likewise;
//     a file outside schemas/ moves under it, and references are rewritten to match.
// Other objects (parameters, responses ...) that a reference brings from another file are copied
// in place, since runmock's loader follows only local ones; a remote reference of that kind is
// replaced by a description saying so.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>

#include "import/document_facts.h"
#include "import/document_set.h"
#include "import/roles.h"

namespace runmock::import {

struct OutputContract {
  nlohmann::ordered_json openapi;
  std::map<std::string, nlohmann::json> schema_files;  // path under the folder ("schemas/run.schema.json") → content
};

OutputContract build_contract(const DocumentSet& set, OpenApiVersion version, const std::string& api, const std::string& prefix,
                              const std::vector<OperationInfo>& operations);

}  // namespace runmock::import
