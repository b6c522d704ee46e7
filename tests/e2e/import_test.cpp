// `runmock import-openapi` end to end: the real binary imports the public GA4GH TES document
// (fixtures/openapi/tes/) and runmock's own emergence contract; `runmock serve --api-dir` plays
// each result on an ephemeral loopback port, and a run is created and polled over HTTP until it
// ends (succeeded, failed and cancelled). The command's exit codes: 0 written, 1 no create or
// get, 2 usage and document errors (file:line:col).
#include <gtest/gtest.h>
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/runmock_process.h"

namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using runmock::testing::RunmockProcess;

const fs::path kSource = RUNMOCK_SOURCE_DIR;
const fs::path kTes = kSource / "fixtures" / "openapi" / "tes" / "task_execution_service.openapi.yaml";
const fs::path kEmergence = kSource / "contracts" / "emergence" / "openapi.yaml";

struct Finished {
  int exit_code = -1;
  std::string errors;
};

Finished run(std::vector<std::string> arguments) {
  RunmockProcess process(std::move(arguments), false);
  while (!process.read_line().empty()) {
  }
  Finished finished;
  finished.errors = process.read_stderr();
  finished.exit_code = process.wait_exit();
  return finished;
}

class ImportE2e : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("runmock-e2e-import-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  fs::path write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
    return dir_ / name;
  }

  Finished import(const fs::path& file, const std::string& api, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"import-openapi", file.string(), "--api", api, "--out", (dir_ / api).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return run(args);
  }

  // A folder with only the format schemas: the APIs served are the --api-dir ones alone.
  fs::path formats_only() {
    fs::path formats = dir_ / "formats";
    fs::create_directories(formats);
    for (const char* f : {"lifecycle.schema.json", "dialect.schema.json"}) fs::copy_file(kSource / "contracts" / f, formats / f);
    return formats;
  }

  void serve(const std::string& api, std::vector<std::string> extra = {}) {
    std::vector<std::string> args{"serve", "--port", "0", "--no-bundled", "--api-dir", (dir_ / api).string(), "--time-scale", "10"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<RunmockProcess>(args);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(5, 0);
  }

  httplib::Headers headers(const std::string& scenario = "") const {
    httplib::Headers h{{"Authorization", "Bearer " + server_->token()}};
    if (!scenario.empty()) h.emplace("Prefer", "scenario=" + scenario);
    return h;
  }

  json post(const std::string& path, const json& body, int expected, const std::string& scenario = "") {
    auto result = client_->Post(path, headers(scenario), body.dump(), "application/json");
    EXPECT_TRUE(result) << "no answer to POST " << path;
    if (!result) return nullptr;
    EXPECT_EQ(result->status, expected) << path << ": " << result->body;
    return json::parse(result->body, nullptr, false);
  }

  json get(const std::string& path) {
    auto result = client_->Get(path, headers());
    EXPECT_TRUE(result) << "no answer to GET " << path;
    if (!result) return nullptr;
    EXPECT_EQ(result->status, 200) << path << ": " << result->body;
    return json::parse(result->body, nullptr, false);
  }

  void advance(int seconds) {
    auto result = client_->Post("/__runmock/clock/advance", json{{"seconds", seconds}}.dump(), "application/json");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
  }

  // Polls the run every 20 ms until its state (at `field`) is one of `terminal`; returns every
  // state seen, in order, without repeats.
  std::vector<std::string> poll_until(const std::string& path, const std::string& field, const std::set<std::string>& terminal) {
    std::vector<std::string> seen;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      json run = get(path);
      if (!run.is_object() || !run.contains(field)) break;
      std::string state = run[field].get<std::string>();
      if (seen.empty() || seen.back() != state) seen.push_back(state);
      if (terminal.count(state)) return seen;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ADD_FAILURE() << path << " did not end; states seen: " << json(seen).dump();
    return seen;
  }

  fs::path dir_;
  std::unique_ptr<RunmockProcess> server_;
  std::unique_ptr<httplib::Client> client_;
};

// Whether the states polled are the scenario's, in its order, ending in its last one (a fast
// phase may pass between two polls).
::testing::AssertionResult in_order(const std::vector<std::string>& seen, const std::vector<std::string>& scenario) {
  std::size_t at = 0;
  for (const auto& state : seen) {
    while (at < scenario.size() && scenario[at] != state) ++at;
    if (at == scenario.size()) return ::testing::AssertionFailure() << json(seen).dump() << " is not in the order of " << json(scenario).dump();
  }
  if (seen.empty() || seen.back() != scenario.back()) return ::testing::AssertionFailure() << json(seen).dump() << " does not end in " << scenario.back();
  return ::testing::AssertionSuccess();
}

const std::set<std::string> kTesEnds{"COMPLETE", "EXECUTOR_ERROR", "SYSTEM_ERROR", "CANCELED", "PREEMPTED"};
const json kTask = {{"name", "md5"}, {"executors", {{{"image", "ubuntu:20.04"}, {"command", {"md5sum", "/data/file1"}}}}}};

TEST_F(ImportE2e, TesIsImportedWithItsGuessesOnStandardError) {
  Finished done = import(kTes, "tes");
  ASSERT_EQ(done.exit_code, 0) << done.errors;
  for (const char* guess : {"guessed create: CreateTask (POST /tasks", "guessed get: GetTask (GET /tasks/{id}", "guessed list: ListTasks (GET /tasks",
                            "guessed cancel: CancelTask (POST /tasks/{id}:cancel", "guessed state field: /state (an enum: UNKNOWN, QUEUED",
                            "guessed mount prefix: /ga4gh/tes/v1", "guessed auth: bearer", "guessed error envelope: {code, message}",
                            "could not: state 'UNKNOWN'", "could not: not played (not a run's create, get, list or cancel): GetServiceInfo"}) {
    EXPECT_NE(done.errors.find(guess), std::string::npos) << guess << " in:\n" << done.errors;
  }
  EXPECT_TRUE(fs::exists(dir_ / "tes" / "dialect.yaml"));
}

TEST_F(ImportE2e, ATesTaskRunsToCompletion) {
  ASSERT_EQ(import(kTes, "tes").exit_code, 0);
  serve("tes");
  json created = post("/ga4gh/tes/v1/tasks", kTask, 200);
  ASSERT_TRUE(created.contains("id")) << created;
  const std::string task = "/ga4gh/tes/v1/tasks/" + created["id"].get<std::string>();
  EXPECT_TRUE(in_order(poll_until(task, "state", kTesEnds), {"QUEUED", "RUNNING", "COMPLETE"}));
  json run = get(task);
  EXPECT_EQ(run["name"], "md5");
  EXPECT_EQ(run["executors"], kTask["executors"]) << "the task echoes what it was created with";
  json listed = get("/ga4gh/tes/v1/tasks?state=COMPLETE");
  ASSERT_TRUE(listed["tasks"].is_array()) << listed;
  ASSERT_EQ(listed["tasks"].size(), 1u) << listed;
  EXPECT_EQ(listed["tasks"][0]["id"], created["id"]);
}

TEST_F(ImportE2e, ATesTaskFailsOrIsCancelled) {
  ASSERT_EQ(import(kTes, "tes").exit_code, 0);
  serve("tes", {"--clock", "manual"});
  json failing = post("/ga4gh/tes/v1/tasks", kTask, 200, "failing");
  const std::string failing_task = "/ga4gh/tes/v1/tasks/" + failing["id"].get<std::string>();
  EXPECT_EQ(get(failing_task)["state"], "QUEUED");
  advance(1);
  EXPECT_EQ(get(failing_task)["state"], "RUNNING");
  advance(2);
  EXPECT_EQ(get(failing_task)["state"], "EXECUTOR_ERROR");

  json created = post("/ga4gh/tes/v1/tasks", kTask, 200);
  const std::string task = "/ga4gh/tes/v1/tasks/" + created["id"].get<std::string>();
  EXPECT_EQ(post(task + ":cancel", json::object(), 200), json::object()) << "tesCancelTaskResponse is an empty object";
  EXPECT_EQ(get(task)["state"], "CANCELING");
  advance(1);
  EXPECT_EQ(get(task)["state"], "CANCELED");
  auto again = client_->Post(task + ":cancel", headers(), "{}", "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409) << again->body;
  auto unknown = client_->Get("/ga4gh/tes/v1/tasks/nope", headers());
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(json::parse(unknown->body, nullptr, false), (json{{"code", "NOT_FOUND"}, {"message", "no task 'nope'"}}));
  auto bad = client_->Post("/ga4gh/tes/v1/tasks", headers(), json{{"name", 3}}.dump(), "application/json");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400) << "TES declares no 422: a bad request is a 400 " << bad->body;
  EXPECT_EQ(json::parse(bad->body, nullptr, false)["code"], "INVALID_REQUEST") << bad->body;
}

TEST_F(ImportE2e, EmergenceRoundTrips) {
  Finished done = import(kEmergence, "emergence-imported");
  ASSERT_EQ(done.exit_code, 0) << done.errors;
  EXPECT_NE(done.errors.find("guessed state field: /status"), std::string::npos) << done.errors;
  serve("emergence-imported", {"--contracts", formats_only().string()});
  const std::string runs = "/api/data-readiness/workflows/550e8400-e29b-41d4-a716-446655440001/runs";
  json created = post(runs, {{"asset_fqn", "PostgreSQL.dvdrental.public.customer"}}, 201);
  ASSERT_TRUE(created.contains("id")) << created;
  EXPECT_EQ(created["status"], "pending");
  EXPECT_TRUE(in_order(poll_until(runs + "/" + created["id"].get<std::string>(), "status", {"completed", "failed", "cancelled"}),
                       {"pending", "running", "completed"}));
  json run = get(runs + "/" + created["id"].get<std::string>());
  EXPECT_EQ(run["asset_fqn"], "PostgreSQL.dvdrental.public.customer");
  EXPECT_EQ(run["configuration_id"], "550e8400-e29b-41d4-a716-446655440001");
}

TEST_F(ImportE2e, ExitCodes) {
  ASSERT_EQ(import(kTes, "tes").exit_code, 0);
  Finished again = import(kTes, "tes");
  EXPECT_EQ(again.exit_code, 2) << "a folder that is not empty";
  EXPECT_NE(again.errors.find("--force"), std::string::npos) << again.errors;
  EXPECT_EQ(import(kTes, "tes", {"--force"}).exit_code, 0);

  Finished swagger = import(write("swagger.yaml", "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n"), "s");
  EXPECT_EQ(swagger.exit_code, 2);
  EXPECT_NE(swagger.errors.find("swagger.yaml:1:1: this is a Swagger 2.0 document"), std::string::npos) << swagger.errors;

  Finished broken = import(write("broken.yaml", "openapi: 3.1.0\npaths:\n  /a: [1, 2\n"), "b");
  EXPECT_EQ(broken.exit_code, 2);
  EXPECT_NE(broken.errors.find("broken.yaml:"), std::string::npos) << broken.errors;

  Finished deep = import(write("deep.json", std::string(100000, '[') + std::string(100000, ']')), "d");
  EXPECT_EQ(deep.exit_code, 2);
  EXPECT_NE(deep.errors.find("deep.json:1:129: nested more than 128 levels deep"), std::string::npos) << deep.errors;

  Finished reads = import(write("reads.yaml", "openapi: 3.1.0\npaths:\n  /t: {get: {operationId: l, responses: {}}}\n  /t/{id}: {get: {operationId: g, responses: {}}}\n"), "r");
  EXPECT_EQ(reads.exit_code, 1) << reads.errors;
  EXPECT_NE(reads.errors.find("no create operation found"), std::string::npos) << reads.errors;

  Finished unknown = import(kTes, "u", {"--cancel", "StopTask"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.errors.find("--cancel StopTask: the document has no operation 'StopTask'"), std::string::npos) << unknown.errors;

  Finished not_enum = import(kTes, "n", {"--state", "/name"});
  EXPECT_EQ(not_enum.exit_code, 2);
  EXPECT_NE(not_enum.errors.find("task_execution_service.openapi.yaml:"), std::string::npos) << not_enum.errors;
  EXPECT_NE(not_enum.errors.find("the property is not an enum"), std::string::npos) << not_enum.errors;

  Finished cyclic = import(write("cyclic.yaml", "openapi: 3.1.0\npaths: {}\ncomponents:\n  schemas:\n    A: {$ref: '#/components/schemas/A'}\n"), "c");
  EXPECT_EQ(cyclic.exit_code, 2);
  EXPECT_NE(cyclic.errors.find("cyclic $ref"), std::string::npos) << cyclic.errors;

  EXPECT_EQ(run({"import-openapi", kTes.string(), "--api", "x"}).exit_code, 2) << "--out is required";
}

// lint --api-dir knows the imported API and lints its scenarios/ (and a broken one is a problem).
TEST_F(ImportE2e, LintTakesTheImportedFolder) {
  ASSERT_EQ(import(kTes, "tes").exit_code, 0);
  Finished clean = run({"lint", "--api-dir", (dir_ / "tes").string()});
  EXPECT_EQ(clean.exit_code, 0) << clean.errors;
  fs::path broken = write("broken.yaml", "api: tes\nscenarios:\n  - name: x\n    phases:\n      - state: NOT_A_STATE\n");
  Finished problems = run({"lint", broken.string(), "--api-dir", (dir_ / "tes").string()});
  EXPECT_EQ(problems.exit_code, 1) << problems.errors;
  EXPECT_NE(problems.errors.find("broken.yaml:5:"), std::string::npos) << problems.errors;
  Finished unknown = run({"lint", broken.string()});
  EXPECT_EQ(unknown.exit_code, 1) << "without --api-dir, 'tes' is no API";
}

}  // namespace
