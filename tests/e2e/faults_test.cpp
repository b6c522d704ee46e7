// Faults end to end: per-request rules (POST /__runmock/faults), `Prefer: fault=<name>`, and the
// bundled fault scenarios of each API, against the real binary on a loopback port.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "support/admin_contract.h"
#include "support/serve_test.h"

using nlohmann::json;

namespace {

constexpr const char* kConfiguration = "550e8400-e29b-41d4-a716-446655440001";
const std::string kEmergenceRuns = std::string("/api/data-readiness/workflows/") + kConfiguration + "/runs";
constexpr const char* kEmergenceBody = R"({"asset_fqn": "PostgreSQL.dvdrental.public.actor"})";

constexpr const char* kAmperityRuns = "/api/workflow/runs";
constexpr const char* kPennsieveRuns = "/compute/workflows/runs";
constexpr const char* kPennsieveBody = R"({"workflowInstanceId": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
  "dataSources": {"node_1718000000000_k3j9x2m1q": {"packageIds": ["N:package:9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"]}},
  "processorParams": {"node_1718000000100_p7v2n8c4r": {"OUTPUT_NAME": "x"}}})";

class Faults : public runmock::testing::ServeTest {
 protected:
  // A new emergence run (its id); `prefer` picks its scenario.
  std::string create(const std::string& scenario = "") {
    httplib::Headers headers = auth_;
    if (!scenario.empty()) headers.emplace("Prefer", "scenario=" + scenario);
    json run = body_of(client_->Post(kEmergenceRuns, headers, kEmergenceBody, "application/json"));
    EXPECT_TRUE(run.contains("id")) << run.dump();
    return run.value("id", "");
  }
  httplib::Result poll(const std::string& id, const std::string& prefer = "") {
    httplib::Headers headers = auth_;
    if (!prefer.empty()) headers.emplace("Prefer", prefer);
    return client_->Get(kEmergenceRuns + "/" + id, headers);
  }
  // POST /__runmock/faults; the answer must match the admin API's document.
  json add_fault(const json& rule, int expected_status = 201) {
    auto result = client_->Post("/__runmock/faults", rule.dump(), "application/json");
    EXPECT_TRUE(result);
    if (!result) return nullptr;
    EXPECT_EQ(result->status, expected_status) << result->body;
    EXPECT_EQ(admin_contract_.check("post", "/__runmock/faults", result), std::vector<std::string>{});
    return json::parse(result->body, nullptr, false);
  }
  // GET /__runmock/faults, checked the same way.
  json fault_book() {
    auto result = client_->Get("/__runmock/faults");
    EXPECT_EQ(admin_contract_.check("get", "/__runmock/faults", result), std::vector<std::string>{});
    return body_of(result);
  }
  runmock::testing::AdminContract admin_contract_;
  // The journal's entries, oldest first.
  std::vector<json> journal() {
    json j = body_of(client_->Get("/__runmock/journal"));
    return j["entries"].get<std::vector<json>>();
  }
};

TEST_F(Faults, RuleAnswersFlaky503ThenRecovers) {
  std::string id = create();
  add_fault({{"match", {{"method", "get"}, {"run", id}}}, {"fault", {{"kind", "status"}, {"status", 503}, {"retry_after", 2}}}, {"times", 2}});
  for (int i = 0; i < 2; ++i) {
    auto r = poll(id);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
    EXPECT_EQ(r->get_header_value("Retry-After"), "2");
    json error = json::parse(r->body)["error"];
    EXPECT_EQ(error["code"], "SERVICE_UNAVAILABLE");
    EXPECT_EQ(error["status"], 503);
  }
  auto recovered = poll(id);
  ASSERT_TRUE(recovered);
  EXPECT_EQ(recovered->status, 200);
  // The rule ran out and is gone; the 503s are journaled as faults, not as contract breaks.
  EXPECT_TRUE(fault_book()["rules"].empty());
  auto entries = journal();
  ASSERT_GE(entries.size(), 3u);
  EXPECT_EQ(entries[entries.size() - 3]["verdict"], "fault");
  EXPECT_EQ(entries[entries.size() - 3]["fault"], "status 503");
  EXPECT_EQ(entries.back()["verdict"], "valid");
  EXPECT_EQ(entries.back()["fault"], nullptr);
}

TEST_F(Faults, RuleMatchesByPathPatternAndApi) {
  std::string id = create();
  add_fault({{"match", {{"api", "amperity"}}}, {"fault", {{"kind", "status"}, {"status", 500}}}});
  EXPECT_EQ(poll(id)->status, 200);  // another API's rule
  add_fault({{"match", {{"path", "/api/data-readiness/workflows/*/runs/*"}, {"method", "GET"}}}, {"fault", {{"kind", "status"}, {"status", 502}}}});
  EXPECT_EQ(poll(id)->status, 502);
  EXPECT_EQ(client_->Get(kEmergenceRuns, auth_)->status, 200);  // the list is not under runs/*
  auto cleared = client_->Delete("/__runmock/faults");
  EXPECT_EQ(admin_contract_.check("delete", "/__runmock/faults", cleared), std::vector<std::string>{});
  EXPECT_EQ(body_of(cleared)["cleared"], 2);
  EXPECT_EQ(poll(id)->status, 200);
}

TEST_F(Faults, ConnectionFaultsSendNoAnswer) {
  std::string id = create();
  for (const char* name : {"reset", "empty"}) {
    httplib::Client fresh("127.0.0.1", server_->port());
    fresh.set_read_timeout(2, 0);
    httplib::Headers headers = auth_;
    headers.emplace("Prefer", std::string("fault=") + name);
    auto result = fresh.Get(kEmergenceRuns + "/" + id, headers);
    ASSERT_FALSE(result) << name << ": got an answer " << result->status;
    EXPECT_EQ(result.error(), httplib::Error::Read) << name;
  }
  // The server goes on serving, and the journal names each fault.
  EXPECT_EQ(poll(id)->status, 200);
  auto entries = journal();
  ASSERT_GE(entries.size(), 3u);
  EXPECT_EQ(entries[entries.size() - 3]["fault"], "reset");
  EXPECT_EQ(entries[entries.size() - 2]["fault"], "empty");
}

TEST_F(Faults, TruncatedAnswerPromisesMoreThanItSends) {
  std::string id = create();
  // A raw socket sees what a client library would hide: the promised length and the bytes sent.
  httplib::Client fresh("127.0.0.1", server_->port());
  fresh.set_read_timeout(2, 0);
  httplib::Headers headers = auth_;
  headers.emplace("Prefer", "fault=truncate");
  std::string received;
  auto result = fresh.Get(kEmergenceRuns + "/" + id, headers, [&](const char* data, std::size_t n) {
    received.append(data, n);
    return true;
  });
  EXPECT_FALSE(result);  // the connection closed short of Content-Length
  json whole = body_of(poll(id));
  EXPECT_EQ(received.size(), whole.dump().size() / 2);
  EXPECT_EQ(received, whole.dump().substr(0, received.size()));
}

TEST_F(Faults, MalformedAndCorruptAnswersAreSentUncheckedOnPurpose) {
  std::string id = create();
  auto malformed = poll(id, "fault=malformed");
  ASSERT_TRUE(malformed);
  EXPECT_EQ(malformed->status, 200);
  EXPECT_EQ(malformed->get_header_value("Content-Type"), "application/json");
  EXPECT_TRUE(json::parse(malformed->body, nullptr, false).is_discarded()) << malformed->body;

  add_fault({{"match", {{"run", id}}}, {"fault", {{"kind", "corrupt"}, {"merge", {{"status", "finishing"}}}}}, {"times", 1}});
  auto corrupt = poll(id);
  ASSERT_TRUE(corrupt);
  EXPECT_EQ(corrupt->status, 200);  // not the self-check's 500: the break is on purpose
  EXPECT_EQ(json::parse(corrupt->body)["status"], "finishing");
  EXPECT_EQ(journal().back()["verdict"], "fault");
}

TEST_F(Faults, DripSendsTheWholeAnswerSlowly) {
  std::string id = create();
  add_fault({{"name", "slow-drip"}, {"fault", {{"kind", "drip"}, {"bytes", 100}, {"interval_ms", 50}}}});
  json whole = body_of(poll(id));
  std::vector<std::size_t> chunks;
  httplib::Headers headers = auth_;
  headers.emplace("Prefer", "fault=slow-drip");
  std::string received;
  auto start = std::chrono::steady_clock::now();
  auto result = client_->Get(kEmergenceRuns + "/" + id, headers, [&](const char* data, std::size_t n) {
    received.append(data, n);
    chunks.push_back(n);
    return true;
  });
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(result);
  EXPECT_EQ(json::parse(received), whole);
  std::size_t writes = (received.size() + 99) / 100;
  EXPECT_GE(elapsed, std::chrono::milliseconds(50 * (writes - 1)));
  EXPECT_GE(chunks.size(), 2u);
}

TEST_F(Faults, DelayHoldsOnlyItsOwnRequest) {
  std::string id = create();
  add_fault({{"name", "late"}, {"fault", {{"kind", "delay"}, {"delay_ms", 400}}}});
  auto start = std::chrono::steady_clock::now();
  std::thread slow([&] {
    httplib::Client other("127.0.0.1", server_->port());
    httplib::Headers headers = auth_;
    headers.emplace("Prefer", "fault=late");
    auto r = other.Get(kEmergenceRuns + "/" + id, headers);
    EXPECT_TRUE(r && r->status == 200);
    EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto quick_start = std::chrono::steady_clock::now();
  EXPECT_EQ(poll(id)->status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - quick_start, std::chrono::milliseconds(300));
  slow.join();
}

TEST_F(Faults, BadFaultsAreRefusedWithWhereAndWhy) {
  json bad = add_fault({{"fault", {{"kind", "status"}, {"status", 200}}}}, 400);
  EXPECT_EQ(bad["error"]["details"]["pointer"], "/fault/status");
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("between 400 and 599"), std::string::npos) << bad.dump();
  bad = add_fault({{"match", {{"verb", "GET"}}}, {"fault", {{"kind", "reset"}}}}, 400);
  EXPECT_EQ(bad["error"]["details"]["pointer"], "/match/verb");
  bad = add_fault({{"fault", {{"kind", "reset"}}}, {"times", 0}}, 400);
  EXPECT_EQ(bad["error"]["details"]["pointer"], "/times");

  std::string id = create();
  auto unknown = poll(id, "fault=gremlins");
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  std::string message = json::parse(unknown->body)["error"]["message"];
  EXPECT_NE(message.find("gremlins"), std::string::npos);
  EXPECT_NE(message.find("unavailable"), std::string::npos) << message;  // the known names are listed
  auto missing = client_->Delete("/__runmock/faults/99");
  EXPECT_EQ(admin_contract_.check("delete", "/__runmock/faults/{id}", missing), std::vector<std::string>{});
}

TEST_F(Faults, ResetForgetsRulesAndNames) {
  add_fault({{"name", "late"}, {"fault", {{"kind", "delay"}, {"delay_ms", 10}}}});
  add_fault({{"fault", {{"kind", "reset"}}}, {"match", {{"path", "/nowhere"}}}});
  ASSERT_EQ(client_->Post("/__runmock/reset", "", "application/json")->status, 200);
  json book = fault_book();
  EXPECT_TRUE(book["rules"].empty());
  EXPECT_FALSE(book["named"].contains("late"));
  EXPECT_TRUE(book["named"]["reset"]["builtin"]);
}

// --- The bundled fault scenarios (scenarios/<api>/faults.yaml) ---

TEST_F(Faults, Flaky503ScenarioRecoversAfterTwoPolls) {
  std::string id = create("flaky-503");
  std::vector<int> statuses;
  std::string last_state;
  for (int i = 0; i < 6; ++i) {
    auto r = poll(id);
    ASSERT_TRUE(r);
    statuses.push_back(r->status);
    if (r->status == 200) last_state = json::parse(r->body)["status"];
  }
  EXPECT_EQ(statuses, (std::vector<int>{200, 503, 503, 200, 200, 200}));
  EXPECT_EQ(last_state, "completed");
}

TEST_F(Faults, RateLimitedScenarioAnswers429InTheApisShape) {
  std::string id = create("rate-limited");
  EXPECT_EQ(poll(id)->status, 200);
  for (int i = 0; i < 3; ++i) {
    auto r = poll(id);
    ASSERT_EQ(r->status, 429);
    EXPECT_EQ(r->get_header_value("Retry-After"), "2");
    EXPECT_EQ(json::parse(r->body)["error"]["code"], "RATE_LIMIT_EXCEEDED");
  }
  EXPECT_EQ(poll(id)->status, 200);
}

TEST_F(Faults, BrokenResponseAndDroppedConnectionScenarios) {
  std::string broken = create("broken-response");
  poll(broken);
  json answer = body_of(poll(broken));
  EXPECT_EQ(answer["status"], "finishing");
  EXPECT_EQ(answer["duration_seconds"], "about a minute");

  std::string dropped = create("connection-dropped");
  EXPECT_EQ(poll(dropped)->status, 200);
  httplib::Client fresh("127.0.0.1", server_->port());
  fresh.set_read_timeout(2, 0);
  EXPECT_FALSE(fresh.Get(kEmergenceRuns + "/" + dropped, auth_));
  EXPECT_EQ(poll(dropped)->status, 200);
}

TEST_F(Faults, SlowStartScenarioDelaysTheCreate) {
  auto start = std::chrono::steady_clock::now();
  std::string id = create("slow-start");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1500));
  EXPECT_EQ(journal().back()["fault"], "delay 1500ms");
}

// The kinds the bundled scenarios leave out, from a scenario posted at runtime: one poll each.
TEST_F(Faults, EveryKindFromAScenarioPhase) {
  const char* yaml = R"(api: emergence
scenarios:
  - name: every-kind
    phases:
      - state: pending
        after: 1 poll
      - state: running
        fault: {kind: truncate, bytes: 10}
        after: 1 poll
      - state: running
        fault: {kind: malformed}
        after: 1 poll
      - state: running
        fault: {kind: drip, bytes: 200, interval_ms: 10}
        after: 1 poll
      - state: running
        fault: {kind: empty}
        after: 1 poll
      - state: completed
)";
  auto posted = client_->Post("/__runmock/scenarios?name=every-kind.yaml", yaml, "application/yaml");
  ASSERT_TRUE(posted);
  ASSERT_EQ(posted->status, 201) << posted->body;
  std::string id = create("every-kind");
  EXPECT_EQ(poll(id)->status, 200);

  httplib::Client fresh("127.0.0.1", server_->port());
  fresh.set_read_timeout(2, 0);
  std::string received;
  auto truncated = fresh.Get(kEmergenceRuns + "/" + id, auth_, [&](const char* data, std::size_t n) {
    received.append(data, n);
    return true;
  });
  EXPECT_FALSE(truncated);
  EXPECT_EQ(received.size(), 10u);

  auto malformed = poll(id);
  ASSERT_TRUE(malformed);
  EXPECT_TRUE(json::parse(malformed->body, nullptr, false).is_discarded());

  json dripped = body_of(poll(id));
  EXPECT_EQ(dripped["status"], "running");

  httplib::Client another("127.0.0.1", server_->port());
  another.set_read_timeout(2, 0);
  EXPECT_FALSE(another.Get(kEmergenceRuns + "/" + id, auth_));

  EXPECT_EQ(body_of(poll(id))["status"], "completed");
  std::vector<std::string> faults;
  for (const auto& entry : journal()) {
    if (entry["run"] == id && entry["fault"].is_string()) faults.push_back(entry["fault"]);
  }
  EXPECT_EQ(faults, (std::vector<std::string>{"truncate 10B", "malformed", "drip 200B/10ms", "empty"}));
}

// amperity and pennsieve carry the same faults in their own error shapes.
TEST_F(Faults, OtherApisFlaky503InTheirShapes) {
  httplib::Headers amperity = {{"Authorization", "Bearer t"}, {"amperity-tenant", "acme"}, {"api-version", "2024-04-01"},
                               {"Prefer", "scenario=flaky-503"}};
  json wf = body_of(client_->Post(kAmperityRuns, amperity, "config_id=cg-123ABc4DE&run_mode=source", "application/x-www-form-urlencoded"));
  ASSERT_TRUE(wf.contains("id")) << wf.dump();
  std::string path = std::string(kAmperityRuns) + "/" + wf["id"].get<std::string>();
  EXPECT_EQ(client_->Get(path, amperity)->status, 200);
  auto unavailable = client_->Get(path, amperity);
  ASSERT_EQ(unavailable->status, 503);
  json error = json::parse(unavailable->body);
  EXPECT_EQ(error["status"], 503);
  EXPECT_TRUE(error.contains("trace_id")) << error.dump();

  httplib::Headers pennsieve = auth_;
  pennsieve.emplace("Prefer", "scenario=flaky-503");
  json run = body_of(client_->Post(kPennsieveRuns, pennsieve, kPennsieveBody, "application/json"));
  ASSERT_TRUE(run.contains("uuid")) << run.dump();
  std::string run_id = run["uuid"];
  path = std::string(kPennsieveRuns) + "/" + run_id;
  EXPECT_EQ(client_->Get(path, auth_)->status, 200);
  auto pennsieve_unavailable = client_->Get(path, auth_);
  ASSERT_EQ(pennsieve_unavailable->status, 503) << pennsieve_unavailable->body;
}

}  // namespace
