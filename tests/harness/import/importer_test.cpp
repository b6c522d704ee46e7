// Whole imports (harness/import/importer.h, folder_writer.h): the public GA4GH TES document
// (fixtures/openapi/tes/) and runmock's own emergence contract, written and loaded back through
// the registry exactly as `serve --api-dir` loads them; and the folder rules (--force).
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "import/folder_writer.h"
#include "import/importer.h"
#include "import_test_support.h"
#include "loader/yaml_json.h"
#include "registry/registry.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using runmock::import::ImportOptions;
using runmock::import::Notes;
using runmock::import::plan_import;
using runmock::import::write_folder;
using runmock::import::testing::import_failure;
using runmock::import::testing::ScratchDir;

const fs::path kSource = RUNMOCK_SOURCE_DIR;
const fs::path kTes = kSource / "fixtures" / "openapi" / "tes" / "task_execution_service.openapi.yaml";

ImportOptions options_for(const fs::path& file, const std::string& api, const fs::path& out) {
  ImportOptions options;
  options.file = file;
  options.api = api;
  options.out = out;
  options.contracts_dir = kSource / "contracts";
  return options;
}

// The folder as serve --api-dir loads it, alone (a contracts folder with only the format schemas).
const runmock::registry::ApiEntry* load_alone(const fs::path& dir, const ScratchDir& scratch, runmock::registry::ApiRegistry& registry) {
  fs::path formats = scratch.path() / "formats";
  fs::create_directories(formats);
  for (const char* f : {"lifecycle.schema.json", "dialect.schema.json"}) fs::copy_file(kSource / "contracts" / f, formats / f, fs::copy_options::overwrite_existing);
  registry = runmock::registry::ApiRegistry::load(formats, {dir});
  return registry.entries().empty() ? nullptr : registry.entries().front().get();
}

bool has_note(const std::vector<std::string>& lines, const std::string& text) {
  for (const auto& l : lines) {
    if (l.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Importer, TheTesDocumentBecomesAFolderTheRegistryLoads) {
  ScratchDir scratch;
  auto options = options_for(kTes, "tes", scratch.path() / "tes");
  Notes notes;
  auto plan = plan_import(options, notes);
  write_folder(plan, options, notes);
  runmock::registry::ApiRegistry registry;
  const auto* entry = load_alone(options.out, scratch, registry);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->name, "tes");
  EXPECT_EQ(entry->dialect.roles.create, "CreateTask");
  EXPECT_EQ(entry->dialect.roles.get, "GetTask");
  EXPECT_EQ(entry->dialect.roles.list, "ListTasks");
  EXPECT_EQ(entry->dialect.roles.cancel, "CancelTask");
  EXPECT_EQ(entry->dialect.auth.kind, runmock::dialect::AuthSpec::Kind::bearer);
  EXPECT_EQ(entry->dialect.prefixes, (std::vector<std::string>{"/ga4gh/tes/v1/"}));
  const auto* cancel = entry->contract->find("CancelTask");
  ASSERT_NE(cancel, nullptr);
  EXPECT_EQ(cancel->path, "/ga4gh/tes/v1/tasks/{id}:cancel");
  EXPECT_EQ(cancel->response_statuses, (std::set<std::string>{"200", "400", "401", "404", "409", "422"}))
      << "the errors the mock answers are declared, TES declares only its 200";
  EXPECT_TRUE(has_note(notes.guessed, "error responses added to GetTask"));
  EXPECT_EQ(entry->contract->lifecycle().initial(), (std::vector<std::string>{"QUEUED"}));
  EXPECT_EQ(entry->contract->lifecycle().state_pointer(), "/state");
  EXPECT_TRUE(has_note(notes.guessed, "state field: /state"));
  EXPECT_TRUE(has_note(notes.guessed, "mount prefix: /ga4gh/tes/v1"));
  EXPECT_TRUE(has_note(notes.missing, "GetServiceInfo"));
  json lifecycle = runmock::contracts::read_document(options.out / "lifecycle.json");
  EXPECT_EQ(lifecycle["draft"], true);
  EXPECT_TRUE(fs::exists(options.out / "scenarios" / "tes.yaml"));
}

TEST(Importer, AJsonDocumentReadsAsItsYaml) {
  ScratchDir scratch;
  fs::path json_file = scratch.write("tes.json", runmock::contracts::read_document(kTes).dump(2));
  Notes from_yaml, from_json;
  auto yaml_plan = plan_import(options_for(kTes, "tes", scratch.path() / "a"), from_yaml);
  auto json_plan = plan_import(options_for(json_file, "tes", scratch.path() / "b"), from_json);
  EXPECT_EQ(json_plan.dialect, yaml_plan.dialect);
  EXPECT_EQ(json_plan.lifecycle, yaml_plan.lifecycle);
}

TEST(Importer, TheTesTaskSchemaIsTranslated) {
  ScratchDir scratch;
  auto options = options_for(kTes, "tes", scratch.path() / "tes");
  Notes notes;
  auto plan = plan_import(options, notes);
  const auto& schemas = plan.contract.openapi["components"]["schemas"];
  EXPECT_EQ(plan.contract.openapi["openapi"], "3.1.0");
  EXPECT_EQ(schemas["tesExecutor"]["properties"]["image"]["examples"][0], "ubuntu:20.04");
  EXPECT_FALSE(schemas["tesExecutor"]["properties"]["image"].contains("example"));
  EXPECT_EQ(schemas["tesTask"]["properties"]["state"]["$ref"], "#/components/schemas/tesState") << "references to components are kept";
  EXPECT_FALSE(schemas["tesServiceInfo"]["allOf"][0].contains("$ref")) << "the remote service-info reference is not followed";
  EXPECT_TRUE(plan.contract.openapi["paths"].contains("/ga4gh/tes/v1/tasks"));
}

TEST(Importer, TheEmergenceContractRoundTrips) {
  ScratchDir scratch;
  auto options = options_for(kSource / "contracts" / "emergence" / "openapi.yaml", "emergence-imported", scratch.path() / "emergence-imported");
  Notes notes;
  auto plan = plan_import(options, notes);
  write_folder(plan, options, notes);
  runmock::registry::ApiRegistry registry;
  const auto* entry = load_alone(options.out, scratch, registry);
  ASSERT_NE(entry, nullptr);
  EXPECT_EQ(entry->dialect.roles.create, "createWorkflowRun");
  EXPECT_EQ(entry->dialect.roles.get, "getWorkflowRun");
  EXPECT_EQ(entry->dialect.roles.list, "listWorkflowRuns");
  EXPECT_EQ(entry->dialect.roles.cancel, "cancelWorkflowRun");
  EXPECT_EQ(entry->contract->lifecycle().initial(), (std::vector<std::string>{"pending"}));
  EXPECT_TRUE(entry->contract->lifecycle().is_terminal("cancelled"));
  EXPECT_TRUE(fs::exists(options.out / "schemas" / "workflow-run-detail.schema.json"));
  json detail = runmock::contracts::read_document(options.out / "schemas" / "workflow-run-detail.schema.json");
  EXPECT_EQ(detail["$id"], "https://runmock.dev/contracts/emergence-imported/schemas/workflow-run-detail.schema.json");
  json body = plan.dialect["errors"]["body"];
  EXPECT_EQ(body["error"]["code"], "$code") << body;
  EXPECT_EQ(body["error"]["message"], "$message") << body;
  EXPECT_EQ(body["error"]["status"], "$status") << body;
  EXPECT_EQ(plan.dialect["errors"]["bad_request"]["status"], 422);
}

TEST(Importer, ProblemDetailsAreTheErrorBody) {
  ScratchDir scratch;
  fs::path file = scratch.write("jobs.yaml", R"(openapi: 3.1.0
info: {title: jobs, version: '1'}
paths:
  /jobs:
    post:
      operationId: createJob
      requestBody: {content: {application/json: {schema: {type: object, properties: {name: {type: string}}}}}}
      responses:
        '202': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}}
        '400': {$ref: '#/components/responses/Problem'}
  /jobs/{jobId}:
    get:
      operationId: getJob
      parameters: [{name: jobId, in: path, required: true, schema: {type: string}}]
      responses:
        '200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/Job'}}}}
        '404': {$ref: '#/components/responses/Problem'}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Api-Key}
  responses:
    Problem: {description: problem, content: {application/problem+json: {schema: {$ref: '#/components/schemas/Problem'}}}}
  schemas:
    Problem:
      type: object
      properties: {type: {type: string}, title: {type: string}, status: {type: integer}, detail: {type: string}, instance: {type: string}}
    Job:
      type: object
      required: [jobId, state, name, createdAt]
      properties:
        jobId: {type: string}
        name: {type: string}
        state: {type: string, enum: [submitted, working, done, failed]}
        createdAt: {type: string, format: date-time}
        finishedAt: {type: string, format: date-time}
security: [{key: []}]
)");
  auto options = options_for(file, "jobs", scratch.path() / "jobs");
  Notes notes;
  auto plan = plan_import(options, notes);
  EXPECT_EQ(plan.dialect["errors"]["body"], (json{{"type", "about:blank"}, {"title", "$code"}, {"status", "$status"}, {"detail", "$message"}}));
  EXPECT_EQ(plan.dialect["auth"]["kind"], "api_key");
  EXPECT_EQ(plan.dialect["auth"]["header"], "X-Api-Key");
  EXPECT_EQ(plan.dialect["create"]["answer"]["status"], 202);
  const auto& fields = plan.dialect["representations"]["run"]["fields"];
  EXPECT_EQ(fields["jobId"], "$id");
  EXPECT_EQ(fields["state"], "$state");
  EXPECT_EQ(fields["createdAt"], "$created_at");
  EXPECT_EQ(fields["finishedAt?"], "$ended_at");
  EXPECT_EQ(fields["name"]["$first"][0], "$data/request/name");
  EXPECT_TRUE(has_note(notes.missing, "application/problem+json"));
  EXPECT_FALSE(plan.dialect.contains("actions")) << "no cancel operation, no cancel action";
  write_folder(plan, options, notes);
}

TEST(Importer, ANonEmptyFolderIsRefusedUnlessForced) {
  ScratchDir scratch;
  auto options = options_for(kTes, "tes", scratch.path() / "tes");
  scratch.write("tes/keep.txt", "mine");
  scratch.write("tes/schemas/stale.json", "{}");
  Notes notes;
  auto plan = plan_import(options, notes);
  auto [code, message] = import_failure([&] { write_folder(plan, options, notes); });
  EXPECT_EQ(code, 2);
  EXPECT_NE(message.find("the folder is not empty"), std::string::npos) << message;
  options.force = true;
  write_folder(plan, options, notes);
  EXPECT_TRUE(fs::exists(options.out / "keep.txt")) << "what the import does not own stays";
  EXPECT_FALSE(fs::exists(options.out / "schemas" / "stale.json")) << "what it owns is replaced";
  EXPECT_TRUE(fs::exists(options.out / "dialect.yaml"));
  for (const auto& entry : fs::directory_iterator(scratch.path())) {
    EXPECT_EQ(entry.path().filename().string().find(".import-"), std::string::npos) << "no staging folder is left: " << entry.path();
  }
}

TEST(Importer, ABadApiNameIsAUsageError) {
  ScratchDir scratch;
  Notes notes;
  EXPECT_EQ(import_failure([&] { plan_import(options_for(kTes, "../x", scratch.path() / "x"), notes); }).first, 2);
}

}  // namespace
