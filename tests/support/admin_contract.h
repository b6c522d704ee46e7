// The admin API's OpenAPI document (contracts/admin/openapi.yaml) as a checker for end-to-end
// tests: the schema of an operation's response, by method, path template and status, compiled
// with runmock's validator (formats asserted).
#pragma once

#include <httplib.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "loader/yaml_json.h"
#include "validator/json_value.h"
#include "validator/validator.h"

namespace runmock::testing {

class AdminContract {
 public:
  AdminContract() : document_(contracts::read_document(std::filesystem::path(RUNMOCK_SOURCE_DIR) / "contracts" / "admin" / "openapi.yaml")) {
    registry_.add(kUri, document_);
  }

  // The errors of `body` against the documented response (empty: it matches). A status the
  // operation does not document is an error too.
  std::vector<std::string> check(const std::string& method, const std::string& path_template, int status, const nlohmann::json& body) {
    std::string operation = "/paths/" + schema::pointer_escape(path_template) + "/" + method;
    nlohmann::json::json_pointer responses(operation + "/responses");
    if (!document_.contains(responses)) return {"the admin API documents no " + method + " " + path_template};
    const auto& documented = document_[responses];
    std::string code = std::to_string(status);
    if (!documented.contains(code)) return {method + " " + path_template + " documents no status " + code};
    std::string response = operation + "/responses/" + code;
    if (documented[code].contains("$ref")) response = documented[code]["$ref"].get<std::string>().substr(1);
    std::string pointer = response + "/content/application~1json/schema";
    auto compiled = schemas_.find(pointer);
    if (compiled == schemas_.end()) {
      schema::CompileOptions options;
      options.format_assertion = true;
      compiled = schemas_.emplace(pointer, registry_.compile(std::string(kUri) + "#" + pointer, options)).first;
    }
    std::vector<schema::ValidationError> errors;
    compiled->second.validate(body, errors);
    std::vector<std::string> out;
    for (const auto& e : errors) out.push_back(e.instance_location + ": " + e.message + " [" + e.schema_location + "]");
    return out;
  }

  // check() on an HTTP answer, whose body must be JSON.
  std::vector<std::string> check(const std::string& method, const std::string& path_template, const httplib::Result& result) {
    if (!result) return {"no answer"};
    auto body = nlohmann::json::parse(result->body, nullptr, false);
    if (body.is_discarded()) return {"the body is not JSON: " + result->body};
    return check(method, path_template, result->status, body);
  }

 private:
  static constexpr const char* kUri = "https://runmock.dev/contracts/admin/openapi.yaml";
  nlohmann::json document_;
  schema::SchemaRegistry registry_;
  std::map<std::string, schema::Schema> schemas_;
};

}  // namespace runmock::testing
