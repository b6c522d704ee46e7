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
