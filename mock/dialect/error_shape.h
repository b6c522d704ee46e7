// A dialect's errors (errors: in its file): the body every error answer carries, built from the
// `body` template, and the answer to a request that breaks the contract in the dialect's detail
// style:
//   field-list      422-style: the message names the first violation, `details` lists each as a
//                   FastAPI-style field error {loc, field, message, type} (emergence);
//   first-and-count one message: the first violation, "(and N more)" (amperity);
//   joined          one message: every violation as "dotted.key: message", joined by "; ", with
//                   unknown fields said "unknown field" and a body-level oneOf said once (pennsieve).
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "dialect/spec.h"
#include "http/context.h"

namespace runmock::dialect {

nlohmann::json error_body(const ErrorsSpec& errors, const http::ErrorInfo& info);

http::Response bad_request(http::RequestContext& ctx, const ErrorsSpec& errors, const std::vector<http::Violation>& violations);

// A violation as a FastAPI-style field error: loc ["body", "parameters", "include"], field
// "parameters.include", type = the failing keyword.
nlohmann::json field_error(const http::Violation& violation);

// "/dataSources/n1/packageIds/0" → "dataSources.n1.packageIds[0]".
std::string dotted(const std::string& pointer);

}  // namespace runmock::dialect
