// One API's contract, loaded from contracts/<api>/: its JSON Schemas, its OpenAPI document (which
// says which schema checks which request, response and parameter of each operation) and its
// lifecycle rules. Everything is compiled once at load; checks are then cheap and thread-safe.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "loader/lifecycle.h"
#include "validator/validator.h"

namespace runmock::contracts {

// Every contract schema's `$id` is this prefix + "<api>/schemas/<file>", so relative references
// mean the same to our validator and to tools that resolve them by file path.
inline constexpr std::string_view kContractUriPrefix = "https://runmock.dev/contracts/";

// A broken contract: the message starts with `file:line:col` where that can be known.
class ContractError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Parameter {
  std::string name;
  std::string in;  // path, query or header
  bool required = false;
  schema::Schema schema;
};

// A response whose schema depends on a request parameter (amperity's `view`).
struct ResponseVariants {
  std::string parameter_in;
  std::string parameter_name;
  std::string default_variant;
  std::map<std::string, schema::Schema> schemas;
};

struct Operation {
  std::string id;
  std::string method;  // upper case
  std::string path;    // OpenAPI template, e.g. /api/workflow/runs/{workflow-id}
  std::vector<Parameter> parameters;
  bool body_required = false;
  std::map<std::string, schema::Schema> request_bodies;    // media type → schema
  std::map<std::string, schema::Schema> request_variants;  // x-runmock-request-variants
  std::set<std::string> response_statuses;                 // "200", "4XX", "default", ...
  std::map<std::string, schema::Schema> responses;         // status → schema of its JSON body
  std::map<std::string, ResponseVariants> response_variants;
};

class ApiContract {
 public:
  // Loads an API folder: contracts/<api>/ (the folder's name is the API's name, and lifecycle.json is
  // checked against its parent's lifecycle.schema.json), or any folder given `name` and the
  // `contracts_dir` whose lifecycle.schema.json applies. Throws ContractError.
  static ApiContract load(const std::filesystem::path& api_dir, const std::string& name = "", const std::filesystem::path& contracts_dir = {});

  const std::string& name() const { return name_; }
  const std::vector<Operation>& operations() const { return operations_; }
  const Operation* find(std::string_view operation_id) const;
  const Lifecycle& lifecycle() const { return lifecycle_; }
  // A schema of this API by file name under schemas/ (e.g. "error.schema.json"), or null.
  const schema::Schema* model(const std::string& file) const;

  // Each check returns the failures; none means valid. Instance locations point into the body,
  // or are "/<name>" for parameters.
  std::vector<schema::ValidationError> check_request_body(const Operation& operation, const nlohmann::json& body,
                                                          const std::string& media_type = "application/json",
                                                          const std::string& variant = "") const;
  std::vector<schema::ValidationError> check_response_body(const Operation& operation, int status, const nlohmann::json& body,
                                                           const std::string& variant = "") const;
  std::vector<schema::ValidationError> check_parameters(const Operation& operation, const std::string& in,
                                                        const std::map<std::string, std::string>& values) const;

 private:
  std::string name_;
  std::string base_uri_;
  std::shared_ptr<schema::SchemaRegistry> registry_;
  std::vector<Operation> operations_;
  std::map<std::string, schema::Schema> models_;
  Lifecycle lifecycle_;
};

// Loads every API folder under `contracts_dir` that has an openapi.yaml and a lifecycle.json, by name.
std::map<std::string, ApiContract> load_all(const std::filesystem::path& contracts_dir);

// Where the contracts are: $RUNMOCK_CONTRACTS_DIR, else the source tree's contracts/ folder
// recorded at build time.
std::filesystem::path default_contracts_dir();

}  // namespace runmock::contracts
