// End to end: the real `runmock serve` binary on an ephemeral loopback port, spoken to over HTTP
// with the emergence API's documented requests, on the manual clock.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/runmock_process.h"
#include "support/serve_test.h"
#include "support/unsigned_token.h"

using nlohmann::json;
using runmock::testing::RunmockProcess;

namespace {

constexpr const char* kConfiguration = "550e8400-e29b-41d4-a716-446655440001";
const std::string kRuns = std::string("/api/data-readiness/workflows/") + kConfiguration + "/runs";

// The body of seed 001's curl example.
const char* kSeedBody = R"({
  "asset_fqn": "PostgreSQL.dvdrental.public",
  "parameters": {"include": ["PostgreSQL.dvdrental.public.actor", "PostgreSQL.dvdrental.public.film"], "industry_info": "E-commerce retail platform"},
  "save_all": true
})";

class ServeEmergence : public runmock::testing::ServeTest {
 protected:
  httplib::Result create(const std::string& body = kSeedBody, httplib::Headers extra = {}) {
    httplib::Headers headers = auth_;
    headers.insert(extra.begin(), extra.end());
    return client_->Post(kRuns, headers, body, "application/json");
  }

  json admin_post(const std::string& path, const json& body = json::object()) {
    return body_of(client_->Post(path, body.dump(), "application/json"));
  }
};

}  // namespace

TEST_F(ServeEmergence, PrintsTheListeningLineThenADevToken) {
  EXPECT_EQ(server_->listening_line(), "runmock listening on http://127.0.0.1:" + std::to_string(server_->port()));
  const std::string token = server_->token();
  EXPECT_EQ(std::count(token.begin(), token.end(), '.'), 2);
  auto health = client_->Get("/__runmock/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST_F(ServeEmergence, SeedCurlExampleCreatesAPendingRun) {
  auto result = create();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 201) << result->body;
  json run = body_of(result);
  EXPECT_EQ(run["configuration_id"], kConfiguration);
  EXPECT_EQ(run["status"], "pending");
  EXPECT_EQ(run["started_at"], "2024-01-15T10:30:00Z");
  EXPECT_EQ(run["asset_fqn"], "PostgreSQL.dvdrental.public");
  EXPECT_EQ(run["save_all"], true);
  EXPECT_TRUE(result->has_header("X-Request-Id"));
}

TEST_F(ServeEmergence, ARunWalksToATerminalStateOnTheManualClock) {
  json created = body_of(create());
  std::string path = kRuns + "/" + created["id"].get<std::string>();
  std::vector<std::string> seen;
  json run;
  for (int step = 0; step < 60; ++step) {
    run = body_of(client_->Get(path, auth_));
    ASSERT_TRUE(run.contains("status")) << run.dump();
    if (seen.empty() || seen.back() != run["status"]) seen.push_back(run["status"]);
    if (run["status"] == "completed" || run["status"] == "failed" || run["status"] == "cancelled") break;
    admin_post("/__runmock/clock/advance", {{"seconds", 30}});
  }
  ASSERT_EQ(seen.front(), "pending");
  ASSERT_EQ(seen.back(), "completed") << run.dump();
  EXPECT_EQ(run["workflow_name"], "PII Detection - Production");
  EXPECT_EQ(run["workflow_type"], "generate-pii-tags");
  EXPECT_EQ(run["service_name"], "PostgreSQL");
  EXPECT_EQ(run["database_name"], "dvdrental");
  EXPECT_EQ(run["schema_name"], "public");
  EXPECT_TRUE(run["table_name"].is_null());
  EXPECT_TRUE(run["completed_at"].is_string());
  EXPECT_TRUE(run["duration_seconds"].is_number());
  json admin = body_of(client_->Get("/__runmock/runs/" + created["id"].get<std::string>()));
  EXPECT_GE(admin["timeline"].size(), 2u);
}

TEST_F(ServeEmergence, SameSeedSameClockGivesByteIdenticalAnswers) {
  auto first = create();
  RunmockProcess other({"serve", "--port", "0", "--clock", "manual", "--seed", "7"});
  httplib::Client client("127.0.0.1", other.port());
  auto second = client.Post(kRuns, {{"Authorization", "Bearer " + other.token()}}, kSeedBody, "application/json");
  ASSERT_TRUE(first && second);
  EXPECT_EQ(first->body, second->body);
}

TEST_F(ServeEmergence, AnotherTenantsRunIsNotFound) {
  json created = body_of(create());
  std::string other = runmock::testing::unsigned_token({{"client_id", "someone-else"}, {"project_id", "proj:fraud-detection"}, {"exp", 4102444800}});
  auto result = client_->Get(kRuns + "/" + created["id"].get<std::string>(), {{"Authorization", "Bearer " + other}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 404);
  EXPECT_EQ(body_of(result)["error"]["code"], "RESOURCE_NOT_FOUND");
  json list = body_of(client_->Get(kRuns, {{"Authorization", "Bearer " + other}}));
  EXPECT_EQ(list["total"], 0);
}

TEST_F(ServeEmergence, CancelThenCancelAgainIsAConflict) {
  json created = body_of(create());
  std::string path = kRuns + "/" + created["id"].get<std::string>() + "/cancel";
  auto first = client_->Post(path, auth_, "", "application/json");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 200) << first->body;
  json run = body_of(first);
  EXPECT_TRUE(run["status"] == "cancelled" || run["status"] == "cancelling") << run.dump();
  for (int i = 0; i < 10 && run["status"] != "cancelled"; ++i) {
    admin_post("/__runmock/clock/advance", {{"seconds", 30}});
    run = body_of(client_->Get(kRuns + "/" + created["id"].get<std::string>(), auth_));
  }
  auto again = client_->Post(path, auth_, "", "application/json");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 409) << again->body;
}

// A POST with no body and no Content-Length, as `curl --request POST URL` sends it: answered at
// once, not after the read timeout.
TEST_F(ServeEmergence, BodilessPostWithoutContentLengthIsAnsweredAtOnce) {
  json created = body_of(create());
  std::string request = "POST " + kRuns + "/" + created["id"].get<std::string>() + "/cancel HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                        "Authorization: Bearer " + server_->token() + "\r\nConnection: close\r\n\r\n";
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  timeval timeout{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(server_->port()));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(send(fd, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  std::string answer;
  char buffer[4096];
  for (ssize_t n; (n = recv(fd, buffer, sizeof buffer, 0)) > 0;) answer.append(buffer, static_cast<size_t>(n));
  close(fd);
  EXPECT_EQ(answer.rfind("HTTP/1.1 200", 0), 0u) << answer;
}

TEST_F(ServeEmergence, InvalidBodiesGetAValidationErrorListingEveryField) {
  auto result = create(R"({"asset_fqn": 5, "save_all": "yes", "extra": 1})");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 422) << result->body;
  json error = body_of(result)["error"];
  EXPECT_EQ(error["code"], "VALIDATION_ERROR");
  EXPECT_GE(error["details"].size(), 3u) << error.dump();
  json journal = body_of(client_->Get("/__runmock/journal?verdict=invalid"));
  EXPECT_FALSE(journal.dump().find("VALIDATION_ERROR") == std::string::npos && journal.dump().find("invalid") == std::string::npos);
}

TEST_F(ServeEmergence, BadInputIsAnsweredInTheErrorEnvelopeAndTheServerKeepsServing) {
  struct Case {
    std::string name;
    httplib::Result result;
    int status;
  };
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  std::vector<Case> cases;
  cases.push_back({"malformed JSON", create("{\"asset_fqn\": "), 400});
  cases.push_back({"wrong content type", client_->Post(kRuns, auth_, kSeedBody, "text/plain"), 400});
  cases.push_back({"deep nesting", create(deep), 400});
  cases.push_back({"invalid UTF-8", create("{\"asset_fqn\": \"\xff\xfe\"}"), 400});
  cases.push_back({"too large", create(std::string(2 << 20, ' ')), 413});
  cases.push_back({"unknown route", client_->Get("/api/data-readiness/nothing", auth_), 404});
  cases.push_back({"wrong method", client_->Delete(kRuns, auth_), 405});
  cases.push_back({"no token", client_->Get(kRuns), 401});
  cases.push_back({"garbage token", client_->Get(kRuns, {{"Authorization", "Bearer not.a.token"}}), 401});
  cases.push_back({"expired token",
                   client_->Get(kRuns, {{"Authorization", "Bearer " + runmock::testing::unsigned_token({{"client_id", "c"}, {"project_id", "proj:p"}, {"exp", 1000}})}}),
                   401});
  cases.push_back({"token without project", client_->Get(kRuns, {{"Authorization", "Bearer " + runmock::testing::unsigned_token({{"client_id", "c"}})}}), 401});
  cases.push_back({"other project header", client_->Get(kRuns, {{"Authorization", "Bearer " + server_->token()}, {"X-Project-ID", "proj:other"}}), 403});
  cases.push_back({"unknown run", client_->Get(kRuns + "/123e4567-e89b-12d3-a456-426614174999", auth_), 404});
  for (auto& c : cases) {
    ASSERT_TRUE(c.result) << c.name << ": no answer";
    EXPECT_EQ(c.result->status, c.status) << c.name << ": " << c.result->body;
    json body = json::parse(c.result->body, nullptr, false);
    ASSERT_TRUE(body.is_object() && body.contains("error")) << c.name << ": " << c.result->body;
    EXPECT_EQ(body["error"]["status"], c.status) << c.name;
    EXPECT_FALSE(body["error"]["message"].get<std::string>().empty()) << c.name;
  }
  json journal = body_of(client_->Get("/__runmock/journal"));
  EXPECT_GE(journal.dump().size(), 100u);
  EXPECT_EQ(create()->status, 201) << "the server still serves";
}

TEST_F(ServeEmergence, AdminTransitionFollowsTheLifecycleUnlessForced) {
  json created = body_of(create());
  std::string id = created["id"];
  json failed = admin_post("/__runmock/runs/" + id + "/transition", {{"state", "failed"}});
  EXPECT_EQ(failed["state"], "failed") << failed.dump();
  auto back = client_->Post("/__runmock/runs/" + id + "/transition", R"({"state": "running"})", "application/json");
  ASSERT_TRUE(back);
  EXPECT_EQ(back->status, 409);
  EXPECT_NE(back->body.find("lifecycle"), std::string::npos) << back->body;
  json forced = admin_post("/__runmock/runs/" + id + "/transition", {{"state", "running"}, {"force", true}});
  EXPECT_EQ(forced["state"], "running") << forced.dump();
}

TEST_F(ServeEmergence, AdminListsScenariosWithTheirConfigurations) {
  json scenarios = body_of(client_->Get("/__runmock/scenarios"));
  ASSERT_TRUE(scenarios["scenarios"].is_array());
  EXPECT_GE(scenarios["scenarios"].size(), 8u);
  EXPECT_NE(scenarios.dump().find(kConfiguration), std::string::npos);
  json clock = body_of(client_->Get("/__runmock/clock"));
  EXPECT_EQ(clock["mode"], "manual");
  EXPECT_EQ(clock["now"], "2024-01-15T10:30:00Z");
}

TEST_F(ServeEmergence, PreferHeaderPicksAScenario) {
  auto unknown = create(kSeedBody, {{"Prefer", "scenario=no-such-scenario"}});
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 400);
  json scenarios = body_of(client_->Get("/__runmock/scenarios"));
  std::string name;
  for (const auto& s : scenarios["scenarios"]) {
    if (s["api"] == "emergence" && !s["selected_by"]["default"].get<bool>()) name = s["name"];
  }
  ASSERT_FALSE(name.empty());
  json created = body_of(create(kSeedBody, {{"Prefer", "scenario=" + name}}));
  json run = body_of(client_->Get("/__runmock/runs/" + created["id"].get<std::string>()));
  EXPECT_EQ(run["scenario"], name);
}

TEST_F(ServeEmergence, EventStreamFollowsTheRunToItsEnd) {
  json created = body_of(create());
  std::string path = kRuns + "/" + created["id"].get<std::string>() + "/events/stream";
  std::thread mover([this] {
    for (int i = 0; i < 40; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      httplib::Client admin("127.0.0.1", server_->port());
      admin.Post("/__runmock/clock/advance", R"({"seconds": 30})", "application/json");
    }
  });
  std::string stream;
  httplib::Client client("127.0.0.1", server_->port());
  client.set_read_timeout(10, 0);
  auto result = client.Get(path, auth_, [&](const char* data, size_t length) {
    stream.append(data, length);
    return true;
  });
  mover.join();
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_NE(stream.find("event: status"), std::string::npos) << stream;
  EXPECT_NE(stream.find("event: end"), std::string::npos) << stream;
  EXPECT_NE(stream.find("\"status\":\"completed\""), std::string::npos) << stream;
}

TEST_F(ServeEmergence, CorsPreflightIsAnswered) {
  auto result = client_->Options(kRuns, {{"Origin", "http://localhost:5173"},
                                         {"Access-Control-Request-Method", "POST"},
                                         {"Access-Control-Request-Headers", "authorization, content-type, x-project-id"}});
  ASSERT_TRUE(result);
  EXPECT_LT(result->status, 300);
  EXPECT_TRUE(result->has_header("Access-Control-Allow-Origin"));
  EXPECT_NE(result->get_header_value("Access-Control-Allow-Headers").find("X-Project-ID"), std::string::npos);
}

TEST(ServeCommand, StopsCleanlyOnSigterm) {
  RunmockProcess server({"serve", "--port", "0"});
  EXPECT_EQ(server.stop(SIGTERM), 0);
}

TEST(ServeCommand, PortInUseExitsTwo) {
  RunmockProcess first({"serve", "--port", "0"});
  RunmockProcess second({"serve", "--port", std::to_string(first.port())}, false);
  EXPECT_EQ(second.wait_exit(), 2);
  EXPECT_NE(second.read_stderr().find(std::to_string(first.port())), std::string::npos);
}

TEST(ServeCommand, BrokenScenarioFileExitsTwoNamingFileLineColumn) {
  auto dir = std::filesystem::temp_directory_path() / ("runmock-broken-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "broken.yaml") << "api: emergence\nscenarios:\n  - name: broken\n    phases:\n      - state: exploded\n";
  RunmockProcess server({"serve", "--port", "0", "--scenarios", dir.string()}, false);
  EXPECT_EQ(server.wait_exit(), 2);
  std::string err = server.read_stderr();
  EXPECT_NE(err.find("broken.yaml:5:16: "), std::string::npos) << err;
  EXPECT_NE(err.find("exploded"), std::string::npos) << err;
  std::filesystem::remove_all(dir);
}

TEST(ServeCommand, BadFlagExitsTwo) {
  RunmockProcess server({"serve", "--clock", "sundial"}, false);
  EXPECT_EQ(server.wait_exit(), 2);
}
