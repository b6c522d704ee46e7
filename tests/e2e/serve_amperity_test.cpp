// End to end: the real `runmock serve` binary on an ephemeral loopback port, spoken to over HTTP
// with the Amperity workflow-run API's documented requests, on the manual clock.
#include <gtest/gtest.h>
#include <httplib.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>

#include "support/runmock_process.h"

using nlohmann::json;
using runmock::testing::RunmockProcess;

namespace {

constexpr const char* kRuns = "/api/workflow/runs";
const std::set<std::string> kTerminal = {"succeeded", "failed", "canceled", "stopped"};

httplib::Headers amperity_headers(const std::string& tenant = "tenant", const std::string& token = "token") {
  return {{"Authorization", "Bearer " + token}, {"amperity-tenant", tenant}, {"api-version", "2024-04-01"}};
}

class ServeAmperity : public ::testing::Test {
 protected:
  // The rate limit is off unless a test starts its own server: polling loops send many requests.
  void start(std::vector<std::string> extra = {"--amperity-rate-limit", "0"}) {
    std::vector<std::string> args{"serve", "--port", "0", "--clock", "manual", "--seed", "7"};
    args.insert(args.end(), extra.begin(), extra.end());
    server_ = std::make_unique<RunmockProcess>(args);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(5, 0);
  }
  void SetUp() override { start(); }

  static json body_of(const httplib::Result& result) {
    EXPECT_TRUE(result) << "no answer";
    if (!result) return nullptr;
    return json::parse(result->body, nullptr, false);
  }

  // The seed's curl call: two --data fields, so curl sends them form-encoded.
  httplib::Result start_form(const std::string& body = "config_id=cg-123ABc4DE&run_mode=source", httplib::Headers headers = amperity_headers()) {
    return client_->Post(kRuns, headers, body, "application/x-www-form-urlencoded");
  }
  httplib::Result start_json(const json& body, httplib::Headers headers = amperity_headers()) {
    return client_->Post(kRuns, headers, body.dump(), "application/json");
  }
  httplib::Result get(const std::string& id, const std::string& query = "", httplib::Headers headers = amperity_headers()) {
    return client_->Get(std::string(kRuns) + "/" + id + query, headers);
  }
  httplib::Result stop(const std::string& id, httplib::Headers headers = amperity_headers()) {
    return client_->Post(std::string(kRuns) + "/" + id + "/stop", headers, "", "application/json");
  }
  void advance(int seconds) {
    auto result = client_->Post("/__runmock/clock/advance", json{{"seconds", seconds}}.dump(), "application/json");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
  }
  // Polls (verbose) and moves the clock on until the workflow ends; the states seen, in order.
  std::vector<std::string> walk(const std::string& id, json& last) {
    std::vector<std::string> seen;
    for (int step = 0; step < 60; ++step) {
      auto result = get(id, "?view=verbose");
      EXPECT_TRUE(result && result->status == 200) << (result ? result->body : "no answer");
      last = body_of(result);
      std::string state = last.value("state", "");
      if (seen.empty() || seen.back() != state) seen.push_back(state);
      if (kTerminal.count(state)) break;
      advance(1);
    }
    return seen;
  }
  void expect_error(const httplib::Result& result, int status, const std::string& message_part = "") {
    ASSERT_TRUE(result) << "no answer";
    EXPECT_EQ(result->status, status) << result->body;
    json body = json::parse(result->body, nullptr, false);
    EXPECT_EQ(body["status"], status) << result->body;
    ASSERT_TRUE(body["message"].is_string()) << result->body;
    EXPECT_TRUE(body["request_id"].is_string()) << result->body;
    EXPECT_TRUE(body["trace_id"].is_string()) << result->body;
    if (!message_part.empty()) {
      EXPECT_NE(body["message"].get<std::string>().find(message_part), std::string::npos) << result->body;
    }
    EXPECT_FALSE(result->has_header("Retry-After"));
  }
  std::size_t invalid_journal_entries() {
    json journal = body_of(client_->Get("/__runmock/journal?verdict=invalid"));
    if (journal.is_object() && journal.contains("entries")) return journal["entries"].size();
    if (journal.is_array()) return journal.size();
    return 0;
  }

  std::unique_ptr<RunmockProcess> server_;
  std::unique_ptr<httplib::Client> client_;
};

const std::regex kWorkflowId("^wf-20240115-[0-9]{5}-[A-Za-z]{5}$");
const std::regex kTaskId("^wft-20240115-[0-9]{5}-[0-9A-Za-z]{6}$");

}  // namespace

TEST_F(ServeAmperity, SeedCurlCallStartsAScheduledCourierGroupWorkflow) {
  auto result = start_form();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  json wf = body_of(result);
  EXPECT_TRUE(std::regex_match(wf["id"].get<std::string>(), kWorkflowId)) << wf["id"];
  EXPECT_EQ(wf["state"], "scheduled");
  EXPECT_EQ(wf["type"], "courier.group/run");
  EXPECT_EQ(wf["name"], "Daily");
  EXPECT_EQ(wf["tenant"], "tenant");
  EXPECT_EQ(wf["created_at"], "2024-01-15T10:30:00.000Z");
  EXPECT_EQ(wf["task_instances"], json::array());
  EXPECT_FALSE(wf.contains("ended_at"));
  EXPECT_EQ(wf["launched_version"], wf["current_version"]);
}

TEST_F(ServeAmperity, JsonBodyAndApiVersionInQueryOrBodyWork) {
  httplib::Headers no_version = {{"Authorization", "Bearer token"}, {"amperity-tenant", "bridge"}};
  auto result = client_->Post(std::string(kRuns) + "?api_version=2024-04-01", no_version,
                              json{{"config_id", "cg-2efo5X8vo"}, {"run_mode", "source"}}.dump(), "application/json");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
  EXPECT_EQ(body_of(result)["tenant"], "bridge");
  auto in_body = start_json({{"config_id", "og-2yrcnb2Hn"}, {"api_version", "2024-04-01"}}, no_version);
  ASSERT_TRUE(in_body);
  EXPECT_EQ(in_body->status, 200) << in_body->body;
  json wf = body_of(in_body);
  EXPECT_EQ(wf["type"], "amperity.orchestration.orchestration/run");
  EXPECT_EQ(wf["name"], "Braze");
  json campaign = body_of(start_json({{"config_id", "cc-Unknown1"}}));
  EXPECT_EQ(campaign["type"], "campaign.send");
  EXPECT_EQ(campaign["name"], "Campaign cc-Unknown1");
  // A file-based courier group with its range_from.
  auto ranged = start_form("config_id=cg-3FileS3ab&range_from=2026-10-01&range_to=2026-10-07T00%3A00%3A00Z");
  ASSERT_TRUE(ranged);
  EXPECT_EQ(ranged->status, 200) << ranged->body;
}

TEST_F(ServeAmperity, GetAnswersOverviewByDefaultAndVerboseOnRequest) {
  std::string id = body_of(start_form())["id"];
  advance(5);
  json overview = body_of(get(id));
  std::set<std::string> keys;
  for (const auto& [key, value] : overview.items()) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{"created_at", "id", "name", "state", "tenant", "type"})) << overview.dump();
  EXPECT_EQ(body_of(get(id, "?view=overview")), overview);
  json verbose = body_of(get(id, "?view=verbose"));
  EXPECT_EQ(verbose["state"], "in-progress");
  ASSERT_EQ(verbose["task_instances"].size(), 3u) << verbose.dump();
  const json& task = verbose["task_instances"][0];
  EXPECT_TRUE(std::regex_match(task["id"].get<std::string>(), kTaskId)) << task["id"];
  EXPECT_EQ(task["label"], "Syncing tables");
  EXPECT_EQ(task["execution_type"], "spark-sql");
  EXPECT_EQ(task["timeout_ms"], 172800000);
  EXPECT_EQ(task["tenant"], "tenant");
  EXPECT_EQ(task["workflow_id"], id);
  EXPECT_EQ(task["state"], "running");
  expect_error(get(id, "?view=everything"), 400);
  EXPECT_EQ(invalid_journal_entries(), 1u);
}

TEST_F(ServeAmperity, ListPagesWithNextTokenAndCountsWithTotal) {
  std::set<std::string> started;
  for (int i = 0; i < 5; ++i) started.insert(body_of(start_form())["id"].get<std::string>());
  body_of(start_form("config_id=og-2yrcnb2Hn"));
  std::set<std::string> listed;
  std::string token;
  int pages = 0;
  do {
    auto result = client_->Get(std::string(kRuns) + "?limit=2&type=courier.group/run" + (token.empty() ? "" : "&next_token=" + token), amperity_headers());
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
    json page = body_of(result);
    EXPECT_FALSE(page.contains("total"));
    EXPECT_LE(page["data"].size(), 2u);
    for (const auto& wf : page["data"]) listed.insert(wf["id"].get<std::string>());
    token = page.value("next_token", "");
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(listed, started);
  json all = body_of(client_->Get(std::string(kRuns) + "?with_total=true&limit=1", amperity_headers()));
  EXPECT_EQ(all["total"], 6);
  EXPECT_EQ(all["data"].size(), 1u);
  EXPECT_TRUE(all["next_token"].is_string());
  json none = body_of(client_->Get(std::string(kRuns) + "?state=succeeded&with_total=true", amperity_headers()));
  EXPECT_EQ(none["total"], 0);
  EXPECT_EQ(none["data"], json::array());
  json window = body_of(client_->Get(std::string(kRuns) + "?created_from=2024-01-15&created_to=2024-01-16&with_total=true", amperity_headers()));
  EXPECT_EQ(window["total"], 6);
  json later = body_of(client_->Get(std::string(kRuns) + "?created_from=2024-01-16&with_total=true", amperity_headers()));
  EXPECT_EQ(later["total"], 0);
  advance(60);
  json ended = body_of(client_->Get(std::string(kRuns) + "?state=succeeded&ended_from=2024-01-15T10:30&with_total=true", amperity_headers()));
  EXPECT_EQ(ended["total"], 6);
  expect_error(client_->Get(std::string(kRuns) + "?next_token=bogus", amperity_headers()), 400);
  expect_error(client_->Get(std::string(kRuns) + "?state=done", amperity_headers()), 400);
  expect_error(client_->Get(std::string(kRuns) + "?limit=0", amperity_headers()), 400);
  auto huge = client_->Get(std::string(kRuns) + "?limit=99999999999999999999999", amperity_headers());
  ASSERT_TRUE(huge);
  EXPECT_EQ(huge->status, 200) << huge->body;
}

TEST_F(ServeAmperity, StopPassesThroughStoppingToCanceledAndAFinishedOneIsAConflict) {
  std::string id = body_of(start_form())["id"];
  advance(5);
  auto stopped = stop(id);
  ASSERT_TRUE(stopped);
  ASSERT_EQ(stopped->status, 200) << stopped->body;
  json wf = body_of(stopped);
  EXPECT_EQ(wf["state"], "stopping");
  EXPECT_EQ(body_of(stop(id))["state"], "stopping");  // idempotent while stopping
  json last;
  auto seen = walk(id, last);
  EXPECT_EQ(seen.back(), "canceled");
  EXPECT_TRUE(last.contains("ended_at"));
  EXPECT_EQ(last["error"],
            (json{{"attribution", "customer"}, {"type", "amperity.workflow.workflow.repository.core/cancel"}, {"message", "Workflow manually stopped"}}));
  for (const auto& task : last["task_instances"]) {
    EXPECT_TRUE(kTerminal.count(task["state"]) || task["state"] == "skipped") << task.dump();
  }
  EXPECT_EQ(last["task_instances"][0]["state"], "stopped");
  EXPECT_EQ(last["task_instances"][1]["state"], "canceled");
  expect_error(stop(id), 409, "conflicts with the current state");
  // One that succeeded.
  std::string other = body_of(start_form())["id"];
  walk(other, last);
  EXPECT_EQ(last["state"], "succeeded");
  expect_error(stop(other), 409, "conflicts with the current state");
  expect_error(stop("wf-20240115-00000-XXXXX"), 404);
}

TEST_F(ServeAmperity, EachDocumentedErrorIsAnsweredInTheErrorShape) {
  std::string id = body_of(start_form())["id"];
  // No token, not a bearer token.
  expect_error(client_->Get(kRuns, httplib::Headers{{"amperity-tenant", "t"}, {"api-version", "2024-04-01"}}), 401);
  expect_error(client_->Get(kRuns, httplib::Headers{{"Authorization", "Basic abc"}, {"amperity-tenant", "t"}, {"api-version", "2024-04-01"}}), 401);
  // No tenant; the header name in any case is fine.
  expect_error(client_->Get(kRuns, httplib::Headers{{"Authorization", "Bearer token"}, {"api-version", "2024-04-01"}}), 400, "amperity-tenant");
  auto cased = client_->Get(std::string(kRuns) + "/" + id, httplib::Headers{{"Authorization", "Bearer token"}, {"Amperity-Tenant", "tenant"}, {"API-Version", "2024-04-01"}});
  ASSERT_TRUE(cased);
  EXPECT_EQ(cased->status, 200) << cased->body;
  // Missing or unsupported version.
  expect_error(client_->Get(kRuns, httplib::Headers{{"Authorization", "Bearer token"}, {"amperity-tenant", "t"}}), 400, "API version");
  expect_error(client_->Get(kRuns, httplib::Headers{{"Authorization", "Bearer token"}, {"amperity-tenant", "t"}, {"api-version", "2025-07-31"}}), 400, "2025-07-31");
  expect_error(client_->Get(std::string(kRuns) + "?api_version=2023-01-01", httplib::Headers{{"Authorization", "Bearer token"}, {"amperity-tenant", "t"}}), 400);
  expect_error(start_form("config_id=cg-123ABc4DE", {{"Authorization", "Bearer token"}, {"amperity-tenant", "t"}}), 400, "API version");
  // Bad bodies.
  expect_error(start_form("config_id=xx-123"), 400, "config_id");
  expect_error(start_form("run_mode=source"), 400, "config_id");
  expect_error(start_form("config_id=og-2yrcnb2Hn&run_mode=full"), 400, "run_mode");
  expect_error(start_form("config_id=cg-123ABc4DE&range_to=2026-10-07"), 400, "range_from");
  expect_error(start_form("config_id=cg-123ABc4DE&run_mode=sometimes"), 400, "run_mode");
  expect_error(start_form("config_id=cg-123ABc4DE&range_from=20261001"), 400, "range_from");
  expect_error(start_form("config_id=cg-123ABc4DE&colour=blue"), 400);
  expect_error(start_form("config_id=cg-123ABc4DE&config_id=cg-2efo5X8vo"), 400, "repeated");
  expect_error(start_form("config_id=cg-3FileS3ab"), 400, "file-based");
  expect_error(client_->Post(kRuns, amperity_headers(), "{not json", "application/json"), 400);
  expect_error(client_->Post(kRuns, amperity_headers(), "config_id=cg-1", "text/plain"), 400);
  expect_error(client_->Post(kRuns, amperity_headers(), "", "application/json"), 400);
  // Unknown or malformed ids, wrong methods.
  expect_error(get("wf-123456A-78901-2bcd3e"), 404);
  expect_error(get("not-a-workflow"), 400);
  expect_error(client_->Delete(std::string(kRuns) + "/" + id, amperity_headers()), 405);
  expect_error(client_->Get(std::string(kRuns) + "/" + id + "/stop", amperity_headers()), 405);
  expect_error(client_->Put(kRuns, amperity_headers(), "", "application/json"), 405);
  expect_error(client_->Get("/api/workflow/nothing-here", amperity_headers()), 404);
  // The server still serves.
  auto after = get(id);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
}

TEST_F(ServeAmperity, RunsAreIsolatedPerTenant) {
  std::string id = body_of(start_form())["id"];
  expect_error(get(id, "", amperity_headers("someone-else")), 404);
  expect_error(stop(id, amperity_headers("someone-else")), 404);
  json list = body_of(client_->Get(std::string(kRuns) + "?with_total=true", amperity_headers("someone-else")));
  EXPECT_EQ(list["total"], 0);
  EXPECT_EQ(body_of(get(id))["state"], "scheduled");
}

TEST_F(ServeAmperity, TheStartStatusIsConfigurable) {
  start({"--amperity-rate-limit", "0", "--amperity-start-status", "201"});
  auto result = start_form();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 201) << result->body;
  EXPECT_EQ(body_of(result)["state"], "scheduled");
}

TEST_F(ServeAmperity, TokensAreVerifiedWhenAKeyIsConfigured) {
  start({"--amperity-rate-limit", "0", "--jwt-secret", "s3cret"});
  expect_error(start_form("config_id=cg-123ABc4DE", amperity_headers("tenant", "garbage")), 401);
  auto result = start_form("config_id=cg-123ABc4DE", amperity_headers("tenant", server_->token()));
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200) << result->body;
}

TEST_F(ServeAmperity, MoreThanTenRequestsASecondPerTenantAre429) {
  start({});  // the default limit: 10 per second per tenant
  int limited = 0, ok = 0;
  for (int i = 0; i < 25; ++i) {
    auto result = client_->Get(std::string(kRuns), amperity_headers("busy"));
    ASSERT_TRUE(result);
    if (result->status == 429) {
      ++limited;
      expect_error(result, 429, "Too many requests");
    } else {
      ++ok;
    }
  }
  // 25 requests take far less than a second; even straddling one boundary, one second sees 13+.
  EXPECT_GE(limited, 3);
  EXPECT_LE(ok, 20);
  // Another tenant has its own budget.
  auto other = client_->Get(std::string(kRuns), amperity_headers("quiet"));
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
}

TEST_F(ServeAmperity, RateLimitZeroNeverAnswers429) {
  for (int i = 0; i < 40; ++i) {
    auto result = client_->Get(std::string(kRuns), amperity_headers("busy"));
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
  }
}

TEST_F(ServeAmperity, EachBundledScenarioWalksToItsTerminalState) {
  struct Case {
    std::string body;
    std::string prefer;
    std::string end;
    std::vector<std::string> must_see;
  };
  std::vector<Case> cases = {
      {"config_id=cg-123ABc4DE&run_mode=source", "", "succeeded", {"scheduled", "started", "in-progress", "succeeded"}},
      {"config_id=og-2yrcnb2Hn", "", "succeeded", {"scheduled", "started", "in-progress", "succeeded"}},
      {"config_id=cc-2ycaK3gfh", "", "succeeded", {"scheduled", "started", "in-progress", "succeeded"}},
      {"config_id=cg-123ABc4DE", "fails-at-task", "failed", {"scheduled", "in-progress", "failed"}},
      {"config_id=og-2yrcnb2Hn", "running-with-failures", "failed", {"in-progress", "running-with-failures", "failed"}},
      {"config_id=cg-123ABc4DE", "stopped-mid-run", "canceled", {"in-progress", "stopping", "canceled"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body + " " + c.prefer);
    httplib::Headers headers = amperity_headers();
    if (!c.prefer.empty()) headers.emplace("Prefer", "scenario=" + c.prefer);
    auto result = start_form(c.body, headers);
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
    json last;
    auto seen = walk(body_of(result)["id"], last);
    EXPECT_EQ(seen.back(), c.end) << last.dump();
    for (const auto& state : c.must_see) EXPECT_NE(std::find(seen.begin(), seen.end(), state), seen.end()) << state;
    EXPECT_TRUE(last.contains("ended_at"));
    ASSERT_FALSE(last["task_instances"].empty());
    for (const auto& task : last["task_instances"]) {
      std::string state = task["state"];
      EXPECT_TRUE(kTerminal.count(state) || state == "skipped") << task.dump();
    }
    if (c.end == "failed") {
      EXPECT_TRUE(last["error"].is_object()) << last.dump();
      bool failed_task = false;
      for (const auto& task : last["task_instances"]) {
        if (task["state"] == "failed") {
          failed_task = true;
          EXPECT_TRUE(task["error"].contains("type") && task["error"].contains("message")) << task.dump();
        }
      }
      EXPECT_TRUE(failed_task);
    }
    if (c.end == "canceled") {
      EXPECT_EQ(last["error"]["message"], "Workflow manually stopped");
    }
    if (c.end == "succeeded") {
      EXPECT_FALSE(last.contains("error"));
    }
  }
  // Every exchange kept to the contract.
  EXPECT_EQ(invalid_journal_entries(), 0u);
}

TEST_F(ServeAmperity, SameSeedSameClockGivesByteIdenticalAnswers) {
  auto first = start_form();
  RunmockProcess other({"serve", "--port", "0", "--clock", "manual", "--seed", "7", "--amperity-rate-limit", "0"});
  httplib::Client client("127.0.0.1", other.port());
  auto second = client.Post(kRuns, amperity_headers(), "config_id=cg-123ABc4DE&run_mode=source", "application/x-www-form-urlencoded");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, second->body);
}
