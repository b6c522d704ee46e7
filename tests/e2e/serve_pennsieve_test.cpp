// End to end: the real `runmock serve` binary on an ephemeral loopback port, spoken to with the
// pennsieve workflow-service's requests, on the manual clock; completion webhooks delivered to an
// httplib::Server the test runs on 127.0.0.1.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/runmock_process.h"
#include "support/serve_test.h"
#include "support/unsigned_token.h"

using nlohmann::json;
using runmock::testing::RunmockProcess;

namespace {

constexpr const char* kRuns = "/compute/workflows/runs";
constexpr const char* kOrg = "N:organization:7d1e2f3a-4b5c-4d6e-8f70-819a2b3c4d5e";
constexpr const char* kWorkflow = "6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b";
constexpr const char* kInstance = "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d";
constexpr const char* kSource = "node_1718000000000_k3j9x2m1q";
constexpr const char* kProc1 = "node_1718000000100_p7v2n8c4r";
constexpr const char* kProc2 = "node_1718000000200_t5w1z6b3y";
constexpr const char* kTarget = "node_1718000000300_d9h4s2f7u";

json fixture(const std::string& name) {
  std::ifstream in(std::string(RUNMOCK_SOURCE_DIR) + "/fixtures/pennsieve/examples/" + name);
  return json::parse(in)["body"];
}

// A minimal valid mode-1 body.
json instance_body() {
  return {{"workflowInstanceId", kInstance},
          {"dataSources", {{kSource, {{"packageIds", {"N:package:9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"}}}}}},
          {"processorParams", {{kProc1, {{"OUTPUT_NAME", "x"}}}}}};
}


class ServePennsieve : public runmock::testing::ServeTest {
 protected:  httplib::Result create(const json& body, httplib::Headers extra = {}) {
    httplib::Headers headers = auth_;
    headers.insert(extra.begin(), extra.end());
    return client_->Post(kRuns, headers, body.dump(), "application/json");
  }
  json get(const std::string& id, const std::string& suffix = "") { return body_of(client_->Get(std::string(kRuns) + "/" + id + suffix, auth_)); }
  void advance(int seconds) {
    client_->Post("/__runmock/clock/advance", json{{"seconds", seconds}}.dump(), "application/json");
  }
  // Polls until the run is terminal (advancing the clock a second at a time); its states seen.
  std::vector<std::string> walk(const std::string& id, json& last) {
    std::vector<std::string> seen;
    for (int i = 0; i < 120; ++i) {
      last = get(id);
      std::string status = last.value("status", "");
      if (seen.empty() || seen.back() != status) seen.push_back(status);
      if (status == "SUCCEEDED" || status == "FAILED" || status == "CANCELED") break;
      advance(1);
    }
    return seen;
  }
  void expect_error(const httplib::Result& result, int status, const std::string& message_start) {
    ASSERT_TRUE(result);
    EXPECT_EQ(result->status, status) << result->body;
    json body = json::parse(result->body, nullptr, false);
    ASSERT_TRUE(body.is_object()) << result->body;
    EXPECT_EQ(body.value("message", "").rfind(message_start, 0), 0u) << body.dump();
  }
};

TEST_F(ServePennsieve, CreatesTheDocumentedConfigurationRun) {
  json body = fixture("create-request-configuration.json");
  body.erase("completionCallbackUrl");
  auto result = create(body);
  ASSERT_TRUE(result);
  ASSERT_EQ(result->status, 201) << result->body;
  json run = json::parse(result->body);
  EXPECT_EQ(run["status"], "NOT_STARTED");
  EXPECT_EQ(run["name"], "MRI preview of sub-01");
  EXPECT_EQ(run["startedAt"], "2024-01-15T10:30:00Z");
  EXPECT_FALSE(run.contains("completedAt"));
  EXPECT_EQ(run["workflowUuid"], kWorkflow);
  ASSERT_EQ(run["dag"].size(), 4u);
  EXPECT_EQ(run["dag"][2]["tag"], "v1.2.1-rc1");  // the run's tag override
  EXPECT_EQ(run["dag"][2]["computeType"], "lambda");
  json params = run["dataTargets"][kTarget]["params"];
  EXPECT_EQ(params["uploadBucket"], "pennsieve-demo-uploads-use1");  // registry params
  EXPECT_EQ(params["ASSET_PROPERTIES_FILE"], "asset_properties.json");
  EXPECT_EQ(params["ASSET_NAME"], "preview");
  EXPECT_EQ(run["completionCallbackContext"]["nested"]["attempt"], 1);

  // Find-or-create: the same configuration (configs in another order) gives the same instance.
  json again = body;
  std::swap(again["workflowInstanceConfiguration"]["processorConfigs"][0], again["workflowInstanceConfiguration"]["processorConfigs"][2]);
  json second = body_of(create(again));
  EXPECT_EQ(second["workflowInstanceId"], run["workflowInstanceId"]);
  EXPECT_NE(second["uuid"], run["uuid"]);
  json other = body;
  other["workflowInstanceConfiguration"]["processorConfigs"][0]["cpu"] = "2048";
  EXPECT_NE(body_of(create(other))["workflowInstanceId"], run["workflowInstanceId"]);

  // The definition is untouched: a run without the tags override has the definition's tag.
  json plain = body;
  plain.erase("tags");
  EXPECT_EQ(body_of(create(plain))["dag"][2]["tag"], "v1.2.0");
}

TEST_F(ServePennsieve, DefaultNameAndInstanceMode) {
  auto result = create(instance_body());
  ASSERT_EQ(result->status, 201) << result->body;
  json run = json::parse(result->body);
  EXPECT_EQ(run["name"], "run-20240115T103000Z");
  EXPECT_EQ(run["workflowInstanceId"], kInstance);
}

TEST_F(ServePennsieve, SuccessScenarioWalksTheLifecycle) {
  std::string id = body_of(create(instance_body()))["uuid"];
  json last;
  auto seen = walk(id, last);
  EXPECT_EQ(seen, (std::vector<std::string>{"NOT_STARTED", "STARTED", "FINALIZING", "SUCCEEDED"}));
  EXPECT_TRUE(last.contains("completedAt"));
  EXPECT_FALSE(last.contains("errorMessage"));
  for (const auto& node : last["dag"]) {
    EXPECT_EQ(node["status"], "SUCCEEDED");
    EXPECT_TRUE(node.contains("startedAt"));
    EXPECT_TRUE(node.contains("completedAt"));
  }
  json status = get(id, "/status");
  EXPECT_EQ(status["status"], "SUCCEEDED");
  EXPECT_EQ(status["uuid"], id);
  EXPECT_EQ(status["dag"].size(), 4u);
  expect_error(client_->Post(std::string(kRuns) + "/" + id + "/cancel", auth_, "", "application/json"), 409, "run " + id + " is already SUCCEEDED");
  // Every answer kept the contract (and the lifecycle's fields per state).
  json invalid = body_of(client_->Get("/__runmock/journal?api=pennsieve&verdict=invalid"));
  EXPECT_EQ(invalid["entries"].size(), 0u) << invalid.dump();
  json valid = body_of(client_->Get("/__runmock/journal?api=pennsieve&verdict=valid"));
  EXPECT_GE(valid["entries"].size(), 10u);
}

TEST_F(ServePennsieve, NodeFailureFailsTheRun) {
  std::string id = body_of(create(instance_body(), {{"Prefer", "scenario=fails-at-node-2"}}))["uuid"];
  json last;
  auto seen = walk(id, last);
  EXPECT_EQ(seen.back(), "FAILED");
  EXPECT_EQ(last["errorMessage"].get<std::string>().rfind(std::string(kProc1) + ": exit code 1", 0), 0u) << last.dump();
  EXPECT_EQ(last["dag"][1]["status"], "FAILED");
  EXPECT_EQ(last["dag"][2]["status"], "SKIPPED");
  EXPECT_EQ(get(id, "/status")["errorMessage"], last["errorMessage"]);
}

TEST_F(ServePennsieve, CancelMidRunScenarioAndClientCancel) {
  std::string id = body_of(create(instance_body(), {{"Prefer", "scenario=cancel-mid-run"}}))["uuid"];
  json last;
  auto seen = walk(id, last);
  EXPECT_EQ(seen, (std::vector<std::string>{"NOT_STARTED", "STARTED", "CANCELING", "CANCELED"}));
  EXPECT_EQ(last["dag"][1]["status"], "CANCELED");

  std::string other = body_of(create(instance_body()))["uuid"];
  advance(6);
  auto cancel = client_->Post(std::string(kRuns) + "/" + other + "/cancel", auth_, "", "application/json");
  ASSERT_EQ(cancel->status, 200) << cancel->body;
  EXPECT_EQ(json::parse(cancel->body)["status"], "CANCELING");
  EXPECT_EQ(client_->Post(std::string(kRuns) + "/" + other + "/cancel", auth_, "", "application/json")->status, 200);
  advance(3);
  json done = get(other);
  EXPECT_EQ(done["status"], "CANCELED");
  for (const auto& node : done["dag"]) EXPECT_NE(node["status"], "STARTED");
  expect_error(client_->Post(std::string(kRuns) + "/" + other + "/cancel", auth_, "", "application/json"), 409, "run " + other + " is already CANCELED");
}

TEST_F(ServePennsieve, BudgetExceededFailsTheRun) {
  json body = instance_body();
  body["executionBudgetUsd"] = 2.5;
  std::string id = body_of(create(body, {{"Prefer", "scenario=budget-exceeded"}}))["uuid"];
  json last;
  auto seen = walk(id, last);
  EXPECT_EQ(seen.back(), "FAILED");
  EXPECT_EQ(last["errorMessage"].get<std::string>().rfind("executionBudgetUsd:", 0), 0u) << last.dump();
  // No budget (or 0): the same scenario succeeds.
  body["executionBudgetUsd"] = 0;
  std::string free = body_of(create(body, {{"Prefer", "scenario=budget-exceeded"}}))["uuid"];
  EXPECT_EQ(walk(free, last).back(), "SUCCEEDED");
}

TEST_F(ServePennsieve, ListFiltersAndPages) {
  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) {
    ids.push_back(body_of(create(instance_body()))["uuid"]);
    advance(1);
  }
  std::string base = std::string(kRuns) + "?organization_id=" + kOrg;
  json page = body_of(client_->Get(base + "&limit=2", auth_));
  ASSERT_EQ(page["runs"].size(), 2u) << page.dump();
  EXPECT_EQ(page["runs"][0]["uuid"], ids[2]);  // newest first
  ASSERT_TRUE(page.contains("nextCursor"));
  json rest = body_of(client_->Get(base + "&limit=2&cursor=" + page["nextCursor"].get<std::string>(), auth_));
  ASSERT_EQ(rest["runs"].size(), 1u);
  EXPECT_EQ(rest["runs"][0]["uuid"], ids[0]);
  EXPECT_FALSE(rest.contains("nextCursor"));
  // A cursor is valid only with its filters.
  expect_error(client_->Get(base + "&limit=2&status=STARTED&cursor=" + page["nextCursor"].get<std::string>(), auth_), 400, "cursor:");
  EXPECT_EQ(body_of(client_->Get(base + "&status=FAILED", auth_))["runs"].size(), 0u);
  EXPECT_EQ(body_of(client_->Get(base + "&start_date=2024-01-15T10:30:01Z", auth_))["runs"].size(), 2u);
  EXPECT_EQ(body_of(client_->Get(base + "&end_date=2024-01-15T10:30:01Z", auth_))["runs"].size(), 1u);
  EXPECT_EQ(body_of(client_->Get(base + "&workflow_id=9e8d7c6b-5a49-4382-a716-151413121110", auth_))["runs"].size(), 0u);
  expect_error(client_->Get(base + "&limit=0", auth_), 400, "limit");
  expect_error(client_->Get(kRuns, auth_), 400, "organization_id");
  expect_error(client_->Get(base + "&start_date=2024-01-16T00:00:00Z&end_date=2024-01-15T00:00:00Z", auth_), 400, "end_date:");
}

TEST_F(ServePennsieve, TenantsAreIsolated) {
  std::string id = body_of(create(instance_body()))["uuid"];
  httplib::Headers other = {{"Authorization", "Bearer " + runmock::testing::unsigned_token({{"sub", "someone-else"}, {"exp", 4102444800}})}};
  expect_error(client_->Get(std::string(kRuns) + "/" + id, other), 404, "runId:");
  expect_error(client_->Post(std::string(kRuns) + "/" + id + "/cancel", other, "", "application/json"), 404, "runId:");
  EXPECT_EQ(body_of(client_->Get(std::string(kRuns) + "?organization_id=" + kOrg, other))["runs"].size(), 0u);
  EXPECT_EQ(get(id)["uuid"], id);
}

TEST_F(ServePennsieve, DocumentedErrors) {
  json both = instance_body();
  both["workflowInstanceConfiguration"] = {{"workflowId", kWorkflow}, {"computeNodeId", "2b7e4c1d-9a8f-4e3b-b6c5-d4e3f2a1b0c9"}};
  expect_error(create(both), 400, "workflowInstanceId, workflowInstanceConfiguration:");
  expect_error(create(json{{"name", "x"}}), 400, "workflowInstanceId, workflowInstanceConfiguration:");
  json unknown = instance_body();
  unknown["executionBudgetUSD"] = 1;
  expect_error(create(unknown), 400, "executionBudgetUSD: unknown field");
  json negative = instance_body();
  negative["executionBudgetUsd"] = -1;
  expect_error(create(negative), 400, "executionBudgetUsd:");
  json missing_instance = instance_body();
  missing_instance["workflowInstanceId"] = "00000000-0000-4000-8000-000000000000";
  expect_error(create(missing_instance), 404, "workflowInstanceId:");
  json bad_source = instance_body();
  bad_source["dataSources"][kProc1] = bad_source["dataSources"][kSource];
  expect_error(create(bad_source), 400, std::string("dataSources.") + kProc1 + ":");
  json no_source = instance_body();
  no_source.erase("dataSources");
  expect_error(create(no_source), 400, std::string("dataSources.") + kSource + ":");
  json bad_target = instance_body();
  bad_target["dataTargets"] = {{kProc1, {{"params", {{"a", "b"}}}}}};
  expect_error(create(bad_target), 400, std::string("dataTargets.") + kProc1 + ":");
  json target_param = instance_body();
  target_param["dataTargets"] = {{kTarget, {{"params", {{"ASSET_NAME", "b"}}}}}};
  expect_error(create(target_param), 400, std::string("dataTargets.") + kTarget + ".params.ASSET_TYPE:");
  json bad_param = instance_body();
  bad_param["processorParams"][kTarget] = {{"a", "b"}};
  expect_error(create(bad_param), 400, std::string("processorParams.") + kTarget + ":");
  json bad_tag = instance_body();
  bad_tag["tags"] = {{kSource, "v1"}};
  expect_error(create(bad_tag), 400, std::string("tags.") + kSource + ":");
  json missing_param = instance_body();
  missing_param.erase("processorParams");
  expect_error(create(missing_param), 400, std::string("processorParams.") + kProc1 + ".OUTPUT_NAME:");
  json layer = instance_body();
  layer["layers"] = {"hg38-reference", "atlas-2024"};
  expect_error(create(layer), 409, "layers[1]:");
  layer["layers"] = {"nope"};
  expect_error(create(layer), 400, "layers[0]:");
  json callback = instance_body();
  callback["completionCallbackUrl"] = "https://example.com/hook";
  expect_error(create(callback), 400, "completionCallbackUrl:");
  callback["completionCallbackUrl"] = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/";
  EXPECT_EQ(create(callback)->status, 201);
  json archived = instance_body();
  archived.erase("workflowInstanceId");
  archived["workflowInstanceConfiguration"] = {{"workflowId", "9e8d7c6b-5a49-4382-a716-151413121110"}, {"computeNodeId", "2b7e4c1d-9a8f-4e3b-b6c5-d4e3f2a1b0c9"}};
  expect_error(create(archived), 403, "workflowInstanceConfiguration.workflowId:");
  archived["workflowInstanceConfiguration"]["workflowId"] = "00000000-0000-4000-8000-000000000000";
  expect_error(create(archived), 404, "workflowInstanceConfiguration.workflowId:");

  expect_error(client_->Get(std::string(kRuns) + "/not-a-uuid", auth_), 400, "runId");
  expect_error(client_->Get(std::string(kRuns) + "/00000000-0000-4000-8000-000000000000", auth_), 404, "runId:");
  expect_error(client_->Get(std::string(kRuns) + "/00000000-0000-4000-8000-000000000000/status", auth_), 404, "runId:");
  expect_error(client_->Get(std::string(kRuns) + "/00000000-0000-4000-8000-000000000000"), 401, "Unauthorized");
  expect_error(client_->Post(kRuns, auth_, "{}", "text/plain"), 415, "");
}

TEST_F(ServePennsieve, CompletionWebhookIsSignedAndRetried) {
  httplib::Server receiver;
  std::mutex mutex;
  std::vector<json> bodies;
  std::vector<std::string> authorizations;
  std::atomic<int> calls{0};
  receiver.Post("/hook", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    bodies.push_back(json::parse(req.body, nullptr, false));
    authorizations.push_back(req.get_header_value("Authorization"));
    res.status = ++calls <= 2 ? 500 : 200;
  });
  int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { receiver.listen_after_bind(); });

  json body = instance_body();
  body["completionCallbackUrl"] = "http://127.0.0.1:" + std::to_string(port) + "/hook";
  body["completionCallbackContext"] = {{"connectionId", "abc="}, {"nested", {{"n", 1}}}};
  std::string id = body_of(create(body))["uuid"];
  json last;
  EXPECT_EQ(walk(id, last).back(), "SUCCEEDED");
  auto wait_for_calls = [&](int n) {
    for (int i = 0; i < 200 && calls < n; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return calls.load();
  };
  EXPECT_EQ(wait_for_calls(1), 1);
  advance(1);  // backoff 1 s
  EXPECT_EQ(wait_for_calls(2), 2);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(calls.load(), 2);  // the next attempt waits for 2 s of clock time
  advance(2);
  EXPECT_EQ(wait_for_calls(3), 3);

  json hooks;
  for (int i = 0; i < 100; ++i) {
    hooks = body_of(client_->Get("/__runmock/webhooks"));
    if (hooks["webhooks"][0]["state"] == "delivered") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  receiver.stop();
  thread.join();
  ASSERT_EQ(hooks["webhooks"].size(), 1u);
  EXPECT_EQ(hooks["webhooks"][0]["state"], "delivered");
  ASSERT_EQ(hooks["webhooks"][0]["attempts"].size(), 3u);
  EXPECT_EQ(hooks["webhooks"][0]["attempts"][0]["status"], 500);
  EXPECT_EQ(hooks["webhooks"][0]["attempts"][2]["status"], 200);
  json journal = body_of(client_->Get("/__runmock/journal?verdict=webhook&run=" + id));
  EXPECT_EQ(journal["entries"].size(), 3u) << journal.dump();
  std::lock_guard lock(mutex);
  ASSERT_EQ(bodies.size(), 3u);
  EXPECT_EQ(bodies[2]["uuid"], id);
  EXPECT_EQ(bodies[2]["workflowInstanceId"], kInstance);
  EXPECT_EQ(bodies[2]["status"], "SUCCEEDED");
  EXPECT_EQ(bodies[2]["startedAt"], last["startedAt"]);
  EXPECT_EQ(bodies[2]["completedAt"], last["completedAt"]);
  EXPECT_EQ(bodies[2]["completionCallbackContext"], body["completionCallbackContext"]);
  EXPECT_EQ(authorizations[2].rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0u) << authorizations[2];
  EXPECT_NE(authorizations[2].find("/us-east-1/lambda/aws4_request"), std::string::npos) << authorizations[2];
}

TEST_F(ServePennsieve, WebhookFiresWhenTheClockAloneEndsTheRunAndStaysOnLoopback) {
  httplib::Server receiver;
  std::atomic<int> calls{0};
  std::string status;
  std::mutex mutex;
  receiver.Post("/done", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mutex);
    status = json::parse(req.body, nullptr, false).value("status", "");
    ++calls;
    res.status = 204;
  });
  int port = receiver.bind_to_any_port("127.0.0.1");
  std::thread thread([&] { receiver.listen_after_bind(); });
  json body = instance_body();
  body["completionCallbackUrl"] = "http://localhost:" + std::to_string(port) + "/done";
  ASSERT_EQ(create(body, {{"Prefer", "scenario=fails-at-node-2"}})->status, 201);
  // A Lambda URL is accepted, but runmock delivers to loopback only (no --webhook-allow-remote).
  json remote = instance_body();
  remote["completionCallbackUrl"] = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-1.on.aws/";
  ASSERT_EQ(create(remote, {{"Prefer", "scenario=fails-at-node-2"}})->status, 201);
  advance(60);  // no poll at all: the clock alone ends both runs
  for (int i = 0; i < 200 && calls < 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(calls.load(), 1);
  json hooks;
  for (int i = 0; i < 100; ++i) {
    hooks = body_of(client_->Get("/__runmock/webhooks"));
    if (hooks["webhooks"][1]["state"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  receiver.stop();
  thread.join();
  std::lock_guard lock(mutex);
  EXPECT_EQ(status, "FAILED");
  EXPECT_EQ(hooks["webhooks"][0]["state"], "delivered");
  EXPECT_EQ(hooks["webhooks"][1]["state"], "failed");
  EXPECT_NE(hooks["webhooks"][1]["attempts"][0]["error"].get<std::string>().find("loopback"), std::string::npos) << hooks.dump();
}

}  // namespace
