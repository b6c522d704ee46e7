// Loading the three bundled contracts, and what a contract says about operations it does not
// know, statuses it does not document and parameters it receives.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "loader/api_contract.h"
#include "loader/form_body.h"
#include "support/jsts.h"

namespace fs = std::filesystem;
using nlohmann::json;
using runmock::contracts::ApiContract;
using runmock::contracts::ContractError;

namespace {

const fs::path kContracts = fs::path(RUNMOCK_SOURCE_DIR) / "contracts";

const ApiContract& bundled(const std::string& api) {
  static std::map<std::string, ApiContract> contracts = runmock::contracts::load_all(kContracts);
  return contracts.at(api);
}

}  // namespace

TEST(ApiContract, BundledContractsHaveTheRequiredOperations) {
  const std::map<std::string, std::vector<std::string>> required = {
      {"emergence", {"createWorkflowRun", "getWorkflowRun", "listWorkflowRuns"}},
      {"amperity", {"startWorkflowRun", "getWorkflowRun", "listWorkflowRuns", "stopWorkflowRun"}},
      {"pennsieve", {"createWorkflowRun", "getWorkflowRun", "getWorkflowRunStatus", "listWorkflowRuns", "cancelWorkflowRun"}}};
  for (const auto& [api, ids] : required) {
    for (const auto& id : ids) EXPECT_NE(bundled(api).find(id), nullptr) << api << " lacks " << id;
  }
}

TEST(ApiContract, EmergenceChecksParametersPerWorkflowType) {
  const auto& contract = bundled("emergence");
  const auto* create = contract.find("createWorkflowRun");
  ASSERT_NE(create, nullptr);
  EXPECT_EQ(create->request_variants.size(), 15u);
  json body = {{"asset_fqn", "PostgreSQL.dvdrental.public"}, {"parameters", {{"industry_info", "Banking"}}}};
  auto errors = contract.check_request_body(*create, body, "application/json", "generate-table-description");
  ASSERT_FALSE(errors.empty());
  bool names_include = false;
  for (const auto& e : errors) names_include = names_include || e.message.find("'include'") != std::string::npos;
  EXPECT_TRUE(names_include);
  EXPECT_TRUE(contract.check_request_body(*create, body, "application/json", "generate-pii-tags").empty());
  EXPECT_FALSE(contract.check_request_body(*create, body, "application/json", "generate-foo").empty());
}

TEST(ApiContract, UndocumentedStatusIsAViolation) {
  const auto& contract = bundled("pennsieve");
  auto errors = contract.check_response_body(*contract.find("getWorkflowRun"), 418, json::object());
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].message, "status 418 is not a documented response of getWorkflowRun");
}

TEST(ApiContract, HeaderParametersMatchWhateverTheirCase) {
  const auto& contract = bundled("amperity");
  const auto* list = contract.find("listWorkflowRuns");
  EXPECT_TRUE(contract.check_parameters(*list, "header", {{"AMPERITY-TENANT", "acme"}, {"Api-Version", "2024-04-01"}}).empty());
  auto errors = contract.check_parameters(*list, "header", {{"amperity-tenant", "acme"}, {"api-version", "2023-01-01"}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_location, "/api-version");
}

namespace {

constexpr const char* kUuid = "123e4567-e89b-12d3-a456-426614174000";

// The failures of one check_parameters call, as "<instance location>: <message>" joined by "; ".
std::string failures(const ApiContract& contract, const std::string& operation, const std::string& in,
                     const std::map<std::string, std::string>& values) {
  std::string out;
  for (const auto& e : contract.check_parameters(*contract.find(operation), in, values)) {
    out += (out.empty() ? "" : "; ") + e.instance_location + ": " + e.message;
  }
  return out;
}

// A parameter's text is never described as a number or a boolean.
void expect_no_type_of_text(const std::string& message) {
  for (const char* word : {"got integer", "got boolean", "got number", "got string"}) EXPECT_EQ(message.find(word), std::string::npos) << message;
}

}  // namespace

TEST(ApiContract, PathParametersAreDescribedAsTheTextTheyAre) {
  const auto& emergence = bundled("emergence");
  auto run = [&](const std::string& id) { return failures(emergence, "getWorkflowRun", "path", {{"configuration_id", kUuid}, {"run_id", id}}); };
  EXPECT_EQ(run(kUuid), "");
  EXPECT_EQ(run("123"), "/run_id: '123' is not a valid uuid") << "a uuid parameter is judged as text, not as the number 123";
  EXPECT_EQ(run("true"), "/run_id: 'true' is not a valid uuid");
  EXPECT_EQ(run("-1.5e3"), "/run_id: '-1.5e3' is not a valid uuid");
  EXPECT_EQ(run("not-a-uuid"), "/run_id: 'not-a-uuid' is not a valid uuid");
  auto errors = emergence.check_parameters(*emergence.find("getWorkflowRun"), "path", {{"configuration_id", kUuid}, {"run_id", "123"}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].schema_location, "https://runmock.dev/contracts/emergence/schemas/common.schema.json#/$defs/uuid/format");

  const auto& amperity = bundled("amperity");
  EXPECT_EQ(failures(amperity, "getWorkflowRun", "path", {{"workflow-id", "42"}}),
            "/workflow-id: '42' does not match the pattern '^wf-[0-9A-Za-z]+-[0-9A-Za-z]+-[0-9A-Za-z]+$'");
  EXPECT_EQ(failures(bundled("pennsieve"), "getWorkflowRun", "path", {{"runId", "false"}}), "/runId: 'false' is not a valid uuid");
}

TEST(ApiContract, QueryParametersAreDescribedAsTheTextTheyAre) {
  const auto& amperity = bundled("amperity");
  auto list = [&](const std::string& name, const std::string& value) { return failures(amperity, "listWorkflowRuns", "query", {{name, value}}); };
  EXPECT_EQ(list("state", "true"), "/state: 'true' is not one of the 9 allowed values");
  EXPECT_EQ(list("state", "7"), "/state: '7' is not one of the 9 allowed values");
  EXPECT_EQ(list("view", "1"), "");  // not a parameter of list: ignored
  EXPECT_EQ(list("limit", "12"), "");
  EXPECT_EQ(list("limit", "abc"), "/limit: 'abc' is not an integer");
  EXPECT_EQ(list("limit", "1.5"), "/limit: '1.5' is not an integer");
  EXPECT_EQ(list("limit", "true"), "/limit: 'true' is not an integer");
  EXPECT_EQ(list("limit", "0"), "/limit: '0' is less than the minimum 1");
  EXPECT_EQ(list("with_total", "true"), "");
  EXPECT_EQ(list("with_total", "yes"), "/with_total: 'yes' is not a boolean");
  EXPECT_EQ(list("with_total", "1"), "/with_total: '1' is not a boolean");
  EXPECT_EQ(list("next_token", ""), "/next_token: expected at least 1 character, got 0");

  const auto& emergence = bundled("emergence");
  auto runs = [&](const std::string& name, const std::string& value) { return failures(emergence, "listWorkflowRuns", "query", {{name, value}}); };
  EXPECT_EQ(runs("limit", "500"), "/limit: '500' is greater than the maximum 100");
  EXPECT_EQ(runs("offset", "-1"), "/offset: '-1' is less than the minimum 0");
  EXPECT_EQ(runs("status", "false"),
            "/status: 'false' is not one of the allowed values: \"pending\", \"running\", \"cancelling\", \"completed\", \"failed\", \"cancelled\"");
  for (const auto& [name, value] : std::map<std::string, std::string>{{"limit", "abc"}, {"limit", "1e400"}, {"offset", "1.25"}, {"status", "12"}}) {
    expect_no_type_of_text(runs(name, value));
  }
  auto errors = emergence.check_parameters(*emergence.find("listWorkflowRuns"), "query", {{"limit", "500"}});
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].instance_location, "/limit");
  EXPECT_EQ(errors[0].schema_location, "https://runmock.dev/contracts/emergence/schemas/parameters.schema.json#/$defs/limit/maximum");
}

TEST(ApiContract, HeaderParametersAreDescribedAsTheTextTheyAre) {
  const auto& emergence = bundled("emergence");
  EXPECT_EQ(failures(emergence, "streamWorkflowRunEvents", "header", {{"Last-Event-ID", "12"}}), "");
  EXPECT_EQ(failures(emergence, "streamWorkflowRunEvents", "header", {{"Last-Event-ID", "-3"}}), "/Last-Event-ID: '-3' does not match the pattern '^[0-9]+$'");
  expect_no_type_of_text(failures(bundled("amperity"), "listWorkflowRuns", "header", {{"amperity-tenant", "acme"}, {"api-version", "2023"}}));
}

// Schemas the bundled contracts do not use: several types, a constant, a multiple.
TEST(ApiContract, ParameterTextAgainstOtherKindsOfSchema) {
  fs::path dir = fs::temp_directory_path() / "runmock-contract-test" / "params";
  fs::remove_all(dir.parent_path());
  fs::create_directories(dir);
  fs::copy_file(kContracts / "lifecycle.schema.json", dir.parent_path() / "lifecycle.schema.json");
  fs::copy_file(kContracts / "emergence" / "lifecycle.json", dir / "lifecycle.json");
  std::ofstream(dir / "openapi.yaml") << "openapi: 3.1.0\npaths:\n  /things:\n    get:\n      operationId: listThings\n      parameters:\n"
                                         "        - {name: page, in: query, schema: {type: [integer, 'null']}}\n"
                                         "        - {name: size, in: query, schema: {const: 5}}\n"
                                         "        - {name: step, in: query, schema: {type: integer, multipleOf: 5}}\n"
                                         "        - {name: flag, in: query, schema: {enum: [true, 'maybe']}}\n";
  ApiContract contract = ApiContract::load(dir);
  auto things = [&](const std::string& name, const std::string& value) { return failures(contract, "listThings", "query", {{name, value}}); };
  EXPECT_EQ(things("page", "x"), "/page: 'x' is not an integer or null");
  EXPECT_EQ(things("size", "6"), "/size: expected 5, got '6'");
  EXPECT_EQ(things("size", "five"), "/size: expected 5, got 'five'");
  EXPECT_EQ(things("step", "7"), "/step: '7' is not a multiple of 5");
  EXPECT_EQ(things("flag", "true"), "");
  EXPECT_EQ(things("flag", "false"), "/flag: 'false' is not one of the allowed values: true, \"maybe\"");
  fs::remove_all(dir.parent_path());
}

TEST(ApiContract, AmperityStartAcceptsFormAndJson) {
  const auto& contract = bundled("amperity");
  const auto* start = contract.find("startWorkflowRun");
  json form = runmock::contracts::decode_form("config_id=cg-123ABc4DE&run_mode=source");
  EXPECT_TRUE(contract.check_request_body(*start, form, "application/x-www-form-urlencoded").empty());
  EXPECT_TRUE(contract.check_request_body(*start, {{"config_id", "cg-123ABc4DE"}}, "application/json").empty());
  EXPECT_FALSE(contract.check_request_body(*start, {{"run_mode", "source"}}, "application/json").empty());
  EXPECT_FALSE(contract.check_request_body(*start, json::object(), "text/plain").empty());
}

TEST(ApiContract, BrokenSchemaIsReportedWithFileLineAndColumn) {
  fs::path dir = fs::temp_directory_path() / "runmock-contract-test" / "broken";
  fs::remove_all(dir.parent_path());
  fs::create_directories(dir / "schemas");
  fs::copy_file(kContracts / "lifecycle.schema.json", dir.parent_path() / "lifecycle.schema.json");
  fs::copy_file(kContracts / "emergence" / "lifecycle.json", dir / "lifecycle.json");
  std::ofstream(dir / "schemas" / "run.schema.json") << "{\n  \"$id\": \"https://runmock.dev/contracts/broken/schemas/run.schema.json\",\n"
                                                        "  \"properties\": {\n    \"a\": {\"$ref\": \"missing.schema.json\"}\n  }\n}\n";
  std::ofstream(dir / "openapi.yaml") << "openapi: 3.1.0\npaths: {}\n";
  try {
    ApiContract::load(dir);
    FAIL() << "expected a ContractError";
  } catch (const ContractError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("run.schema.json:4:10"), std::string::npos) << message;
    EXPECT_NE(message.find("cannot resolve reference 'missing.schema.json'"), std::string::npos) << message;
  }
  fs::remove_all(dir.parent_path());
}

TEST(FormBody, DecodesFieldsAndEscapes) {
  EXPECT_EQ(runmock::contracts::decode_form("a=1&b=x%20y+z&c"), (json{{"a", "1"}, {"b", "x y z"}, {"c", ""}}));
}

TEST(ContractSchemas, EverySchemaFileIsAValidDraft202012Schema) {
  fs::path metaschemas = runmock::testing::jsts_dir() / "metaschemas" / "draft2020-12";
  ASSERT_TRUE(fs::is_directory(metaschemas)) << "the draft 2020-12 meta-schemas are not at " << metaschemas;
  runmock::schema::SchemaRegistry registry;
  for (const auto& entry : fs::recursive_directory_iterator(metaschemas)) {
    if (entry.path().extension() == ".json") registry.add(runmock::testing::read_json_file(entry.path()));
  }
  runmock::schema::CompileOptions options;
  options.format_assertion = true;
  auto metaschema = registry.compile("https://json-schema.org/draft/2020-12/schema", options);
  std::vector<fs::path> files{kContracts / "lifecycle.schema.json", fs::path(RUNMOCK_SOURCE_DIR) / "fixtures" / "fixture.schema.json"};
  for (const auto& entry : fs::recursive_directory_iterator(kContracts)) {
    if (entry.path().string().find(".schema.json") != std::string::npos && entry.path().parent_path().filename() == "schemas") {
      files.push_back(entry.path());
    }
  }
  EXPECT_GT(files.size(), 40u);
  EXPECT_FALSE(metaschema.validate(json{{"type", "strnig"}})) << "the meta-schema must catch a misspelt type";
  EXPECT_FALSE(metaschema.validate(json{{"properties", {{"a", {{"minLength", -1}}}}}}));
  for (const auto& file : files) {
    std::vector<runmock::schema::ValidationError> errors;
    EXPECT_TRUE(metaschema.validate(runmock::testing::read_json_file(file), errors))
        << file << ": " << (errors.empty() ? "" : errors.front().instance_location + ": " + errors.front().message);
  }
}
