// End to end: the real `runmock proxy` binary in front of the real `runmock serve` (manual clock),
// and in front of a tiny test double whose run breaks the lifecycle across two polls. Everything
// on 127.0.0.1, ephemeral ports.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "support/runmock_process.h"

using nlohmann::json;
using runmock::testing::RunmockProcess;

namespace {

constexpr const char* kConfiguration = "550e8400-e29b-41d4-a716-446655440001";
const std::string kRuns = std::string("/api/data-readiness/workflows/") + kConfiguration + "/runs";
const char* kCreateBody = R"({"asset_fqn": "PostgreSQL.dvdrental.public", "parameters": {"include": ["PostgreSQL.dvdrental.public.actor"]}, "save_all": true})";
// `parameters` must be an object.
const char* kInvalidCreateBody = R"({"asset_fqn": "PostgreSQL.dvdrental.public", "parameters": 5})";

json parse(const httplib::Result& result) {
  EXPECT_TRUE(result) << "no answer";
  if (!result) return nullptr;
  return json::parse(result->body, nullptr, false);
}

std::unique_ptr<RunmockProcess> start_proxy(const std::string& target, const std::string& mode = "report") {
  return std::make_unique<RunmockProcess>(
      std::vector<std::string>{"proxy", "--port", "0", "--target", target, "--api", "emergence", "--mode", mode, "--timeout", "5"});
}

std::unique_ptr<httplib::Client> client_of(const RunmockProcess& process) {
  auto client = std::make_unique<httplib::Client>("127.0.0.1", process.port());
  client->set_read_timeout(5, 0);
  return client;
}

// A loopback port nobody listens on: bound, then let go.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class ProxyInFrontOfServe : public ::testing::Test {
 protected:
  void SetUp() override {
    upstream_ = std::make_unique<RunmockProcess>(std::vector<std::string>{"serve", "--port", "0", "--clock", "manual", "--seed", "7"});
    upstream_client_ = client_of(*upstream_);
    auth_ = {{"Authorization", "Bearer " + upstream_->token()}};
  }

  void use_proxy(const std::string& mode = "report") {
    proxy_ = start_proxy(upstream_->url(), mode);
    client_ = client_of(*proxy_);
  }

  httplib::Result create(const char* body = kCreateBody) { return client_->Post(kRuns, auth_, body, "application/json"); }

  void advance_upstream_clock(int seconds) {
    auto result = upstream_client_->Post("/__runmock/clock/advance", json{{"seconds", seconds}}.dump(), "application/json");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 200) << result->body;
  }

  json proxy_journal() { return parse(client_->Get("/__runmock/journal"))["entries"]; }

  std::unique_ptr<RunmockProcess> upstream_;
  std::unique_ptr<httplib::Client> upstream_client_;
  std::unique_ptr<RunmockProcess> proxy_;
  std::unique_ptr<httplib::Client> client_;
  httplib::Headers auth_;
};

TEST_F(ProxyInFrontOfServe, ValidTrafficPassesWithoutViolations) {
  use_proxy();
  EXPECT_EQ(proxy_->listening_line(), "runmock proxy listening on http://127.0.0.1:" + std::to_string(proxy_->port()));

  auto created = create();
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  EXPECT_FALSE(created->has_header("X-Runmock-Violations"));
  EXPECT_EQ(created->get_header_value("X-Request-Id"), "req-000001");
  EXPECT_EQ(created->get_header_value("X-Upstream-Request-Id"), "req-000001");
  const std::string run = parse(created)["id"];

  // Poll the run to its end through the proxy, moving the upstream clock between polls.
  std::string status;
  for (int poll = 0; poll < 20 && status != "completed"; ++poll) {
    auto polled = client_->Get(kRuns + "/" + run, auth_);
    ASSERT_TRUE(polled);
    ASSERT_EQ(polled->status, 200) << polled->body;
    EXPECT_FALSE(polled->has_header("X-Runmock-Violations")) << polled->body;
    status = parse(polled)["status"];
    advance_upstream_clock(2);
  }
  EXPECT_EQ(status, "completed");
  auto head = client_->Head(kRuns, auth_);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_FALSE(head->has_header("X-Runmock-Violations"));
  auto listed = client_->Get(kRuns, auth_);
  ASSERT_TRUE(listed);
  EXPECT_EQ(listed->status, 200);
  EXPECT_FALSE(listed->has_header("X-Runmock-Violations")) << listed->body;

  json entries = proxy_journal();
  ASSERT_GE(entries.size(), 3u);
  for (const auto& entry : entries) {
    EXPECT_EQ(entry["verdict"], "valid") << entry.dump();
    EXPECT_EQ(entry["api"], "emergence");
  }
  EXPECT_EQ(entries[1]["run"], run);
}

TEST_F(ProxyInFrontOfServe, ReportModeForwardsAnInvalidCreateAndFlagsIt) {
  use_proxy("report");
  auto result = create(kInvalidCreateBody);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 422) << "the upstream's own answer";
  EXPECT_EQ(result->get_header_value("X-Runmock-Violations"), "1");

  json entry = proxy_journal().back();
  EXPECT_EQ(entry["verdict"], "invalid");
  ASSERT_EQ(entry["request_errors"].size(), 1u) << entry.dump();
  EXPECT_EQ(entry["request_errors"][0]["instance_location"], "/parameters");
  EXPECT_EQ(entry["request_errors"][0]["message"], "expected object, got integer");
  EXPECT_EQ(entry["response_errors"], json::array()) << "the upstream's 422 keeps the contract";

  json upstream = parse(upstream_client_->Get("/__runmock/journal"))["entries"];
  ASSERT_EQ(upstream.size(), 1u) << "the request reached the upstream";
  EXPECT_EQ(upstream[0]["method"], "POST");

  // A request no operation matches is forwarded too, and flagged.
  auto unknown = client_->Get("/api/data-readiness/nothing", auth_);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown->get_header_value("X-Runmock-Violations"), "1");
  EXPECT_EQ(proxy_journal().back()["request_errors"][0]["message"], "no operation of emergence matches GET /api/data-readiness/nothing");
}

TEST_F(ProxyInFrontOfServe, EnforceModeRefusesAnInvalidCreateWithoutForwardingIt) {
  use_proxy("enforce");
  auto result = create(kInvalidCreateBody);
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 422);
  EXPECT_EQ(result->get_header_value("X-Runmock-Violations"), "1");
  json error = parse(result)["error"];
  EXPECT_EQ(error["code"], "VALIDATION_ERROR");
  EXPECT_EQ(error["status"], 422);
  ASSERT_EQ(error["details"].size(), 1u) << error.dump();
  EXPECT_EQ(error["details"][0]["field"], "parameters");
  EXPECT_EQ(error["details"][0]["message"], "expected object, got integer");

  json entry = proxy_journal().back();
  EXPECT_EQ(entry["verdict"], "invalid");
  EXPECT_EQ(entry["request_errors"].size(), 1u);
  EXPECT_NE(entry["message"].get<std::string>().find("refused (enforce mode), not forwarded"), std::string::npos) << entry.dump();
  EXPECT_EQ(parse(upstream_client_->Get("/__runmock/journal"))["entries"], json::array()) << "the upstream never saw it";

  // So is a request no operation matches.
  auto unknown = client_->Get("/api/data-readiness/nothing", auth_);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(parse(unknown)["error"]["message"], "no operation of emergence matches GET /api/data-readiness/nothing");
  EXPECT_EQ(parse(upstream_client_->Get("/__runmock/journal"))["entries"], json::array());

  // A valid create still goes through.
  auto valid = create();
  ASSERT_TRUE(valid);
  EXPECT_EQ(valid->status, 201);
  EXPECT_EQ(parse(upstream_client_->Get("/__runmock/journal"))["entries"].size(), 1u);
}

TEST_F(ProxyInFrontOfServe, AnEventStreamPassesThroughIncrementally) {
  use_proxy();
  const std::string run = parse(create())["id"];
  std::atomic<bool> first_event_seen{false};
  std::atomic<bool> ended{false};
  std::string text;
  std::thread reader([&] {
    auto stream_client = client_of(*proxy_);
    stream_client->Get(kRuns + "/" + run + "/events/stream", auth_, [&](const char* data, std::size_t length) {
      text.append(data, length);
      if (text.find("event: status") != std::string::npos) first_event_seen = true;
      return true;
    });
    ended = true;
  });
  for (int i = 0; i < 200 && !first_event_seen; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_TRUE(first_event_seen) << "the first event arrives while the run is still pending";
  EXPECT_FALSE(ended) << "the stream is still open";
  advance_upstream_clock(600);  // the run completes: the upstream ends the stream
  reader.join();
  EXPECT_NE(text.find("event: end"), std::string::npos) << text;

  json entry = proxy_journal().back();
  EXPECT_EQ(entry["verdict"], "valid");
  EXPECT_EQ(entry["message"], "answer of type text/event-stream streamed through unchecked");
  EXPECT_EQ(entry["run"], run);
}

TEST_F(ProxyInFrontOfServe, EnforceModeAnswersInEachApisOwnErrorShape) {
  proxy_ = std::make_unique<RunmockProcess>(
      std::vector<std::string>{"proxy", "--port", "0", "--target", upstream_->url(), "--api", "amperity", "--mode", "enforce"});
  client_ = client_of(*proxy_);
  httplib::Headers headers{{"Authorization", "Bearer token"}, {"amperity-tenant", "tenant"}, {"api-version", "2024-04-01"}};
  auto started = client_->Post("/api/workflow/runs", headers, "config_id=cg-123ABc4DE&run_mode=source", "application/x-www-form-urlencoded");
  ASSERT_TRUE(started);
  EXPECT_EQ(started->status, 200) << started->body;
  EXPECT_FALSE(started->has_header("X-Runmock-Violations")) << started->body;
  const std::string id = parse(started)["id"];
  auto verbose = client_->Get("/api/workflow/runs/" + id + "?view=verbose", headers);
  ASSERT_TRUE(verbose);
  EXPECT_FALSE(verbose->has_header("X-Runmock-Violations")) << verbose->body;

  auto refused = client_->Post("/api/workflow/runs", headers, "config_id=cg-123ABc4DE&bogus=1", "application/x-www-form-urlencoded");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  json error = parse(refused);
  EXPECT_EQ(error["status"], 400) << "amperity's {status, message, request_id, trace_id}";
  EXPECT_NE(error["message"].get<std::string>().find("'bogus' is not allowed"), std::string::npos) << error.dump();
  EXPECT_TRUE(error.contains("trace_id"));
  json upstream = parse(upstream_client_->Get("/__runmock/journal"))["entries"];
  EXPECT_EQ(upstream.size(), 2u) << "the start and the get, not the refused start";
  for (const auto& entry : proxy_journal()) {
    EXPECT_EQ(entry["verdict"], entry["status"] == 400 ? "invalid" : "valid") << entry.dump();
  }
}

TEST_F(ProxyInFrontOfServe, PennsieveRunsAreFollowedToTheirEnd) {
  proxy_ = std::make_unique<RunmockProcess>(std::vector<std::string>{"proxy", "--port", "0", "--target", upstream_->url(), "--api", "pennsieve"});
  client_ = client_of(*proxy_);
  const char* body = R"({"workflowInstanceId": "a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d",
    "dataSources": {"node_1718000000000_k3j9x2m1q": {"packageIds": ["N:package:9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d"]}},
    "processorParams": {"node_1718000000100_p7v2n8c4r": {"OUTPUT_NAME": "x"}}})";
  auto created = client_->Post("/compute/workflows/runs", auth_, body, "application/json");
  ASSERT_TRUE(created);
  ASSERT_EQ(created->status, 201) << created->body;
  const std::string run = parse(created)["uuid"];
  std::string status;
  for (int poll = 0; poll < 30 && status != "SUCCEEDED"; ++poll) {
    auto polled = client_->Get("/compute/workflows/runs/" + run + (poll % 2 ? "/status" : ""), auth_);
    ASSERT_TRUE(polled);
    EXPECT_FALSE(polled->has_header("X-Runmock-Violations")) << polled->body;
    status = parse(polled)["status"];
    advance_upstream_clock(5);
  }
  EXPECT_EQ(status, "SUCCEEDED");
  for (const auto& entry : proxy_journal()) {
    EXPECT_EQ(entry["verdict"], "valid") << entry.dump();
    EXPECT_EQ(entry["run"], run);
  }
}

TEST(ProxyTargetDown, AnswersA502InTheApisErrorShape) {
  const std::string target = "http://127.0.0.1:" + std::to_string(closed_port());
  auto proxy = start_proxy(target);
  auto client = client_of(*proxy);
  auto result = client->Get(kRuns, {{"Authorization", "Bearer token"}});
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 502);
  json error = parse(result)["error"];
  const std::string message = "upstream " + target + kRuns + ": connection refused";
  EXPECT_EQ(error["message"], message) << result->body;
  EXPECT_EQ(error["status"], 502);
  EXPECT_TRUE(error.contains("trace_id")) << "emergence's envelope";

  json entry = parse(client->Get("/__runmock/journal"))["entries"].back();
  EXPECT_EQ(entry["status"], 502);
  EXPECT_EQ(entry["verdict"], "error");
  EXPECT_EQ(entry["message"], message);
}

// A stand-in for a real server of emergence: its run is completed on the first poll and running on
// the next (each answer a valid getWorkflowRun body on its own), and it has large and broken bodies
// and a path that never answers.
class TestTarget {
 public:
  static constexpr std::size_t kBigBytes = 4 << 20;

  TestTarget() {
    server_.Get(R"(/api/data-readiness/workflows/[^/]+/runs/([^/]+))", [this](const httplib::Request& request, httplib::Response& response) {
      bool first = polls_.fetch_add(1) == 0;
      json run = {{"id", request.matches[1].str()},
                  {"configuration_id", kConfiguration},
                  {"workflow_name", "PII Detection - Production"},
                  {"workflow_type", "generate-pii-tags"},
                  {"asset_fqn", "PostgreSQL.dvdrental.public"},
                  {"status", first ? "completed" : "running"},
                  {"started_at", "2024-01-15T10:30:00Z"},
                  {"completed_at", first ? json("2024-01-15T10:30:10Z") : json(nullptr)},
                  {"duration_seconds", first ? json(10.0) : json(nullptr)},
                  {"error_message", nullptr},
                  {"input", {{"asset_fqn", "PostgreSQL.dvdrental.public"}}},
                  {"output", json::object()},
                  {"tasks", json::array()}};
      response.set_content(run.dump(), "application/json");
    });
    // A JSON list larger than the proxy's check limit in the test.
    server_.Get(R"(/api/data-readiness/workflows/[^/]+/runs)", [](const httplib::Request&, httplib::Response& response) {
      json items = json::array();
      for (int i = 0; i < 100; ++i) items.push_back({{"id", "run-" + std::to_string(i)}, {"status", "pending"}});
      response.set_content(json{{"items", items}, {"total", 100}, {"limit", 100}, {"offset", 0}}.dump(), "application/json");
    });
    // 4 MiB of bytes, sent in 64 KiB chunks.
    server_.Get("/download", [](const httplib::Request&, httplib::Response& response) {
      response.set_chunked_content_provider("application/octet-stream", [](std::size_t offset, httplib::DataSink& sink) {
        std::string chunk(64 << 10, static_cast<char>('a' + offset / (64 << 10) % 26));
        sink.write(chunk.data(), chunk.size());
        if (offset + chunk.size() >= kBigBytes) sink.done();
        return true;
      });
    });
    // A body that breaks off after a few bytes.
    server_.Get("/cut", [](const httplib::Request&, httplib::Response& response) {
      response.set_chunked_content_provider("text/plain", [](std::size_t offset, httplib::DataSink& sink) {
        if (offset > 0) return false;
        sink.write("partial", 7);
        return true;
      });
    });
    // No answer until the target goes away.
    server_.Get("/silent", [this](const httplib::Request&, httplib::Response& response) {
      std::unique_lock lock(mutex_);
      released_.wait(lock, [this] { return closing_; });
      response.set_content("{}", "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~TestTarget() {
    {
      std::lock_guard lock(mutex_);
      closing_ = true;
    }
    released_.notify_all();
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  httplib::Server server_;
  std::atomic<int> polls_{0};
  std::mutex mutex_;
  std::condition_variable released_;
  bool closing_ = false;
  int port_ = 0;
  std::thread thread_;
};

TEST(ProxyLifecycle, CatchesAViolationThatNoSingleResponseShows) {
  TestTarget target;
  auto proxy = start_proxy(target.url());
  auto client = client_of(*proxy);
  const std::string path = kRuns + "/123e4567-e89b-12d3-a456-426614174002";
  httplib::Headers auth{{"Authorization", "Bearer token"}};

  auto first = client->Get(path, auth);
  ASSERT_TRUE(first);
  EXPECT_EQ(parse(first)["status"], "completed");
  EXPECT_FALSE(first->has_header("X-Runmock-Violations")) << "a completed run is valid on its own";

  auto second = client->Get(path, auth);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 200) << "report mode passes the answer on";
  EXPECT_EQ(parse(second)["status"], "running");
  EXPECT_EQ(second->get_header_value("X-Runmock-Violations"), "1");

  json entries = parse(client->Get("/__runmock/journal"))["entries"];
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0]["verdict"], "valid") << entries[0].dump();
  EXPECT_EQ(entries[1]["verdict"], "invalid");
  ASSERT_EQ(entries[1]["response_errors"].size(), 1u) << entries[1].dump();
  const json& violation = entries[1]["response_errors"][0];
  EXPECT_EQ(violation["in"], "lifecycle");
  EXPECT_EQ(violation["instance_location"], "/status");
  EXPECT_EQ(violation["message"],
            "workflow run 123e4567-e89b-12d3-a456-426614174002: the workflow run was completed, a terminal state, and is now running; "
            "a terminal state never changes");
}

TEST(ProxyTargetSilent, AnswersA502AfterTheTimeout) {
  TestTarget target;
  auto proxy = std::make_unique<RunmockProcess>(
      std::vector<std::string>{"proxy", "--port", "0", "--target", target.url(), "--api", "emergence", "--timeout", "1"});
  auto client = client_of(*proxy);
  auto started = std::chrono::steady_clock::now();
  auto result = client->Get("/silent");
  ASSERT_TRUE(result);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(3));
  EXPECT_EQ(result->status, 502);
  EXPECT_EQ(parse(result)["error"]["message"], "upstream " + target.url() + "/silent: no answer within 1 s, or the connection closed");
}

TEST(ProxyStreams, LargeAndBrokenBodiesPassThroughUnchecked) {
  TestTarget target;
  auto proxy = std::make_unique<RunmockProcess>(std::vector<std::string>{
      "proxy", "--port", "0", "--target", target.url(), "--api", "emergence", "--max-checked-body-bytes", "1000"});
  auto client = client_of(*proxy);

  auto download = client->Get("/download");
  ASSERT_TRUE(download);
  EXPECT_EQ(download->status, 200);
  ASSERT_EQ(download->body.size(), TestTarget::kBigBytes);
  EXPECT_EQ(download->body.substr(0, 3), "aaa");
  EXPECT_EQ(download->body.substr(64 << 10, 3), "bbb");

  auto list = client->Get(kRuns, {{"Authorization", "Bearer token"}});
  ASSERT_TRUE(list);
  EXPECT_EQ(json::parse(list->body)["items"].size(), 100u);

  std::string received;
  auto cut = client->Get("/cut", [&](const char* data, std::size_t length) {
    received.append(data, length);
    return true;
  });
  EXPECT_FALSE(cut) << "a body the target broke off is broken off for the client too";
  EXPECT_EQ(received, "partial");

  json entries = parse(client->Get("/__runmock/journal"))["entries"];
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0]["message"], "answer of type application/octet-stream streamed through unchecked");
  EXPECT_EQ(entries[0]["verdict"], "invalid") << "no operation matches /download";
  const std::string length = std::to_string(list->body.size());
  EXPECT_EQ(entries[1]["message"], "answer of " + length + " bytes (over the 1000-byte check limit) streamed through unchecked");
  EXPECT_EQ(entries[1]["verdict"], "valid");
  EXPECT_EQ(proxy->stop(), 0) << "SIGTERM stops the proxy cleanly";
}

TEST(ProxyCommand, RefusesABadTargetWithExitStatus2) {
  RunmockProcess proxy({"proxy", "--port", "0", "--target", "127.0.0.1:8089", "--api", "emergence"}, false);
  EXPECT_EQ(proxy.wait_exit(), 2);
  EXPECT_NE(proxy.read_stderr().find("runmock proxy: --target: '127.0.0.1:8089' is not an http:// or https:// URL"), std::string::npos);
  RunmockProcess unknown_api({"proxy", "--port", "0", "--target", "http://127.0.0.1:8089", "--api", "nope"}, false);
  EXPECT_EQ(unknown_api.wait_exit(), 2);
  EXPECT_NE(unknown_api.read_stderr().find("--api: no contract 'nope' (amperity, emergence, pennsieve)"), std::string::npos);
}

}  // namespace
