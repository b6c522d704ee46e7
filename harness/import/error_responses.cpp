// Declaring the error answers the mock gives (see error_responses.h).
#include "import/error_responses.h"

namespace runmock::import {
namespace {

using nlohmann::ordered_json;

constexpr const char* kErrorSchema = "runmock-error";

bool covered(const ordered_json& responses, int status) {
  const std::string code = std::to_string(status);
  return responses.contains(code) || responses.contains(code.substr(0, 1) + "XX") || responses.contains(code.substr(0, 1) + "xx") ||
         responses.contains("default");
}

// The response to add: the model, or one of the {code, message} schema (added to components).
ordered_json response_model(ordered_json& openapi, const ordered_json& model) {
  if (!model.is_null()) return model;
  openapi["components"]["schemas"][kErrorSchema] = {
      {"type", "object"},
      {"description", "Added by runmock import-openapi: the body of runmock's error answers, which the document does not describe."},
      {"required", {"code", "message"}},
      {"properties", {{"code", {{"type", "string"}}}, {"message", {{"type", "string"}}}}}};
  return {{"description", "Added by runmock import-openapi: an error runmock's mock answers with."},
          {"content", {{"application/json", {{"schema", {{"$ref", std::string("#/components/schemas/") + kErrorSchema}}}}}}}};
}

}  // namespace

void add_error_responses(ordered_json& openapi, const std::vector<ErrorResponseNeed>& needs, const ordered_json& model, Notes& notes) {
  ordered_json added_response;
  for (const auto& need : needs) {
    ordered_json& operation = openapi["paths"][need.path][need.method];
    if (!operation.is_object()) continue;
    ordered_json& responses = operation["responses"];
    if (!responses.is_object()) responses = ordered_json::object();
    std::string added;
    for (int status : need.statuses) {
      if (covered(responses, status)) continue;
      if (added_response.is_null()) added_response = response_model(openapi, model);
      responses[std::to_string(status)] = added_response;
      added += (added.empty() ? "" : ", ") + std::to_string(status);
    }
    if (!added.empty()) notes.guess("error responses added to " + need.id + " (the mock answers them, the document does not declare them): " + added);
  }
}

}  // namespace runmock::import
