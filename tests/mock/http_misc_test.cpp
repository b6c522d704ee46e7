// The small pieces of the HTTP layer: peers, origins, log lines, SSE frames, request contexts.
#include <gtest/gtest.h>

#include <csignal>
#include <thread>

#include "http/context.h"
#include "http/log.h"
#include "http/net.h"
#include "http/server.h"
#include "http/signals.h"
#include "http/sse.h"
#include "loader/api_contract.h"

namespace runmock::http {
namespace {

using nlohmann::json;

TEST(Net, LoopbackPeers) {
  for (const char* yes : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "[::1]", "0:0:0:0:0:0:0:1"}) {
    EXPECT_TRUE(is_loopback(yes)) << yes;
  }
  for (const char* no : {"10.0.0.5", "192.168.1.20", "0.0.0.0", "::", "::ffff:10.0.0.1", "fe80::1", "2001:db8::1", "", "localhost", "garbage",
                         "128.0.0.1"}) {
    EXPECT_FALSE(is_loopback(no)) << no;
  }
}

TEST(Net, UrlHost) {
  EXPECT_EQ(url_host("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(url_host("::1"), "[::1]");
  EXPECT_EQ(url_host("[::1]"), "[::1]");
}

TEST(Log, ListeningLine) {
  EXPECT_EQ(listening_line("127.0.0.1", 8089), "runmock listening on http://127.0.0.1:8089");
  EXPECT_EQ(listening_line("::1", 0), "runmock listening on http://[::1]:0");
  EXPECT_EQ(parse_log_format("json"), LogFormat::json);
  EXPECT_EQ(parse_log_format("text"), LogFormat::text);
  EXPECT_EQ(parse_log_format("off"), LogFormat::off);
  EXPECT_FALSE(parse_log_format("xml"));
}

TEST(Log, TextAndJsonLines) {
  JournalEntry e;
  e.time = "2024-01-15T10:30:00.000Z";
  e.request_id = "req-000007";
  e.method = "GET";
  e.path = "/api/x/runs/1";
  e.query = "limit=5";
  e.status = 200;
  e.duration_ms = 0.4242;
  e.api = "emergence";
  e.run = "1";
  e.verdict = "valid";
  EXPECT_EQ(format_log_line(e, LogFormat::text), "req-000007 GET /api/x/runs/1?limit=5 200 0.42ms api=emergence run=1 scenario=- verdict=valid");
  json j = json::parse(format_log_line(e, LogFormat::json));
  EXPECT_EQ(j["status"], 200);
  EXPECT_EQ(j["run"], "1");
  EXPECT_EQ(j["scenario"], "");
  EXPECT_EQ(j["time"], "2024-01-15T10:30:00.000Z");
  EXPECT_DOUBLE_EQ(j["ms"].get<double>(), 0.42);
  EXPECT_EQ(format_log_line(e, LogFormat::off), "");
  e.path = "/a\nfake 200 line";
  e.message = "bad\nthing";
  std::string line = format_log_line(e, LogFormat::text);
  EXPECT_EQ(line.find('\n'), std::string::npos) << "a line stays one line: " << line;
  EXPECT_NE(line.find("/a%0Afake%20200%20line"), std::string::npos) << line;
  EXPECT_NE(line.find("message=\"bad\\nthing\""), std::string::npos) << line;
}

TEST(Sse, Frames) {
  EXPECT_EQ(sse_frame("status", R"({"a":1})", "1"), "id: 1\nevent: status\ndata: {\"a\":1}\n\n");
  EXPECT_EQ(sse_frame("", "line1\nline2\r\nline3"), "data: line1\ndata: line2\ndata: line3\n\n");
  EXPECT_EQ(sse_frame("ev\nil", "x", "1\r2"), "id: 12\nevent: evil\ndata: x\n\n") << "no frame injection through name or id";
  SseSink sink;
  sink.retry(std::chrono::milliseconds(3000));
  sink.comment("keep-alive");
  sink.event("end", "{}");
  EXPECT_EQ(sink.take(), "retry: 3000\n\n: keep-alive\n\nevent: end\ndata: {}\n\n");
  EXPECT_EQ(sink.take(), "");
  EXPECT_FALSE(sink.closed());
  sink.close();
  EXPECT_TRUE(sink.closed());
}

TEST(Errors, GenericShapeAndDefaultCodes) {
  ErrorInfo info{404, "RESOURCE_NOT_FOUND", "no such run", nullptr, "req-000001", {}};
  EXPECT_EQ(generic_error_body(info),
            json({{"error", {{"status", 404}, {"code", "RESOURCE_NOT_FOUND"}, {"message", "no such run"}, {"details", nullptr}, {"request_id", "req-000001"}}}}));
  EXPECT_EQ(default_error_code(405), "METHOD_NOT_ALLOWED");
  EXPECT_EQ(default_error_code(413), "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(default_error_code(415), "UNSUPPORTED_MEDIA_TYPE");
  EXPECT_EQ(default_error_code(418), "INVALID_REQUEST");
  EXPECT_EQ(default_error_code(504), "INTERNAL_ERROR");
}

// A dialect's handlers can be tested without HTTP: make the context yourself.
class ContextTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    contract = new contracts::ApiContract(contracts::ApiContract::load(RUNMOCK_SOURCE_DIR "/contracts/emergence"));
  }
  static void TearDownTestSuite() { delete contract; }
  static contracts::ApiContract* contract;

  Dialect dialect{"emergence", {"/api/data-readiness/"}, [](const ErrorInfo& e) {
                    return json{{"error", {{"code", e.code}, {"message", e.message}, {"status", e.status}, {"details", e.details}, {"request_id", e.request_id}}}};
                  }, 400};

  RequestContext make(std::string op_id, std::string path, PathParams params, std::string_view body = {}, std::string content_type = "") {
    RequestData data;
    data.method = contract->find(op_id)->method;
    data.path = path;
    data.target = path;
    data.path_params = std::move(params);
    data.body = body;
    if (!content_type.empty()) data.headers.emplace("content-type", content_type);
    return RequestContext(std::move(data), dialect, "req-000042", {contract, contract->find(op_id)}, 64);
  }
};
contracts::ApiContract* ContextTest::contract = nullptr;

constexpr const char* kConfig = "123e4567-e89b-12d3-a456-426614174000";

TEST_F(ContextTest, ChecksPathParametersAgainstTheOperation) {
  RequestContext ctx = make("getWorkflowRun", "/x", {{"configuration_id", kConfig}, {"run_id", "not-a-uuid"}});
  const auto& violations = ctx.check_request();
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].in, "path");
  EXPECT_EQ(violations[0].instance_location, "/run_id");
  Response r = ctx.validation_error(violations);
  EXPECT_EQ(r.status, 422);
  EXPECT_EQ((*r.json_body)["error"]["code"], "VALIDATION_ERROR");
  EXPECT_EQ((*r.json_body)["error"]["request_id"], "req-000042");
  EXPECT_EQ((*r.json_body)["error"]["details"][0]["instance_location"], "/run_id");
  EXPECT_TRUE(ctx.request_errors.empty()) << "check_request's own violations are journaled once";
}

TEST_F(ContextTest, ChecksTheBodyWithAVariant) {
  std::string body = R"({"asset_fqn": "PostgreSQL.dvdrental.public", "parameters": {"industry_info": "Banking"}})";
  RequestContext ctx = make("createWorkflowRun", "/x", {{"configuration_id", kConfig}}, body, "application/json");
  EXPECT_TRUE(ctx.check_request("generate-pii-tags").empty());
  const auto& violations = ctx.check_request("generate-table-description");
  ASSERT_FALSE(violations.empty());
  EXPECT_EQ(violations[0].in, "body");
  EXPECT_EQ(violations[0].instance_location, "/parameters");
  EXPECT_NE(violations[0].message.find("include"), std::string::npos) << violations[0].message;
}

TEST_F(ContextTest, UnreadableBodiesAreViolationsToo) {
  RequestContext ctx = make("createWorkflowRun", "/x", {{"configuration_id", kConfig}}, "{oops", "application/json");
  const auto& violations = ctx.check_request();
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].message.find("not valid JSON"), std::string::npos);
  RequestContext text = make("createWorkflowRun", "/x", {{"configuration_id", kConfig}}, "hello", "text/plain");
  ASSERT_EQ(text.check_request().size(), 1u);
  EXPECT_NE(text.contract_violations()[0].message.find("'text/plain' is not accepted"), std::string::npos);
}

TEST_F(ContextTest, ParseJsonBody) {
  {
    RequestContext ctx = make("createWorkflowRun", "/x", {}, R"({"save_all": false})", "application/json; charset=utf-8");
    ParsedBody body = parse_json_body(ctx);
    ASSERT_TRUE(body);
    EXPECT_EQ(body.value["save_all"], false);
    EXPECT_TRUE(ctx.request_errors.empty());
  }
  {
    RequestContext ctx = make("createWorkflowRun", "/x", {}, "{}", "text/plain");
    ParsedBody body = parse_json_body(ctx);
    ASSERT_FALSE(body);
    EXPECT_EQ(body.error->status, 400) << "this dialect answers a wrong content type with 400";
    EXPECT_EQ(ctx.request_errors.size(), 1u) << "a refusal is journaled";
  }
  {
    RequestContext ctx = make("createWorkflowRun", "/x", {}, "a=1&b=x%20y", "application/x-www-form-urlencoded");
    ParsedBody body = parse_json_body(ctx, {"application/json", "application/x-www-form-urlencoded"});
    ASSERT_TRUE(body);
    EXPECT_EQ(body.value, json({{"a", "1"}, {"b", "x y"}}));
    EXPECT_EQ(body.media_type, "application/x-www-form-urlencoded");
  }
  {
    RequestContext ctx = make("createWorkflowRun", "/x", {}, "a=%FF", "application/x-www-form-urlencoded");
    ParsedBody body = parse_json_body(ctx, {"application/x-www-form-urlencoded"});
    ASSERT_FALSE(body);
    EXPECT_NE(body.error->message.find("UTF-8"), std::string::npos) << body.error->message;
  }
  {
    RequestContext ctx = make("createWorkflowRun", "/x", {}, "", "application/json");
    ParsedBody body = parse_json_body(ctx);
    ASSERT_FALSE(body);
    EXPECT_EQ(body.error->status, 400);
    EXPECT_NE(body.error->message.find("empty"), std::string::npos);
  }
}

TEST_F(ContextTest, RequestAccessors) {
  RequestData data;
  data.method = "GET";
  data.path = "/p";
  data.query.emplace("limit", "5");
  data.headers.emplace("X-Project-ID", "proj:a");
  RequestContext ctx(std::move(data), dialect, "req-000001");
  EXPECT_EQ(ctx.header("x-project-id"), "proj:a");
  EXPECT_EQ(ctx.header("X-PROJECT-ID"), "proj:a");
  EXPECT_FALSE(ctx.header("Authorization"));
  EXPECT_EQ(ctx.query("limit"), "5");
  EXPECT_FALSE(ctx.query("offset"));
  EXPECT_EQ(ctx.api, "emergence");
  EXPECT_EQ(ctx.path_param("none"), "");
  EXPECT_TRUE(ctx.check_request().empty()) << "no operation, nothing to check";
  Response r = ctx.refuse(401, "INVALID_TOKEN", "no token", "header");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.message, "no token");
  ASSERT_EQ(ctx.request_errors.size(), 1u);
  EXPECT_EQ(ctx.request_errors[0].in, "header");
}

// The reported flood: a create body (about 500 KB, under the 1 MiB body limit) with 40,000
// properties the contract does not allow, each one a violation.
constexpr std::size_t kFloodProperties = 40000;
std::string flood_body() {
  std::string body = R"({"asset_fqn": "PostgreSQL.dvdrental.public")";
  for (std::size_t i = 0; i < kFloodProperties; ++i) body += ",\"field_" + std::to_string(i) + "\":1";
  return body + "}";
}

TEST_F(ContextTest, A422ListsTheFirstViolationsOnly) {
  std::string body = flood_body();
  RequestContext ctx = make("createWorkflowRun", "/x", {{"configuration_id", kConfig}}, body, "application/json");
  const auto& violations = ctx.check_request();
  ASSERT_EQ(violations.size(), kFloodProperties);
  Response r = ctx.validation_error(violations);
  EXPECT_EQ(r.status, 422);
  const json& error = (*r.json_body)["error"];
  EXPECT_EQ(error["details"].size(), kMaxListedViolations);
  EXPECT_EQ(error["details"][0]["message"], "property 'field_0' is not allowed");
  std::string tail = " (and " + std::to_string(kFloodProperties - 1) + " more; only the first 50 are listed)";
  EXPECT_EQ(r.message.substr(r.message.size() - tail.size()), tail) << r.message;
  EXPECT_LT(r.json_body->dump().size(), 16u * 1024) << "a " << body.size() << "-byte request once got a 4.6 MB answer";
}

TEST_F(ContextTest, A422WithFewViolationsListsThemAllAndCapsLongTexts) {
  RequestContext ctx = make("createWorkflowRun", "/x", {{"configuration_id", kConfig}});
  std::vector<Violation> violations{{"body", "/a", "", std::string(10000, 'm')}, {"body", "/b", "", "two"}, {"body", "/c", "", "three"}};
  Response r = ctx.validation_error(violations);
  const json& details = (*r.json_body)["error"]["details"];
  ASSERT_EQ(details.size(), 3u);
  EXPECT_EQ(details[0]["message"], std::string(kMaxTextBytes, 'm') + "...[7952 more bytes]");
  EXPECT_EQ(details[2]["message"], "three");
  EXPECT_EQ(r.message.substr(r.message.size() - 13), " (and 2 more)") << r.message;
  EXPECT_EQ(ctx.request_errors.size(), 3u) << "the journal gets them whole (it caps them itself)";
  EXPECT_EQ(ctx.request_errors[0].message.size(), 10000u);
}

TEST_F(ContextTest, AFloodOfHugeEntriesStaysWithinTheJournalsBudget) {
  std::string body = flood_body();
  RequestContext ctx = make("createWorkflowRun", "/x", {{"configuration_id", kConfig}}, body, "application/json");
  const std::vector<Violation> violations = ctx.check_request();
  ASSERT_EQ(violations.size(), kFloodProperties);
  Journal journal;  // the default budgets
  for (int i = 0; i < 100; ++i) {
    JournalEntry entry;
    entry.method = "POST";
    entry.path = "/api/data-readiness/workflows/" + std::string(kConfig) + "/runs";
    entry.status = 422;
    entry.verdict = verdict::invalid;
    entry.request_errors = violations;
    journal.record(std::move(entry));
  }
  Journal::Stats stats = journal.stats();
  EXPECT_EQ(stats.size, 100u) << "each entry is small once capped: none had to go";
  EXPECT_LE(stats.bytes, stats.max_bytes);
  EXPECT_LT(stats.bytes / stats.size, 32u * 1024) << "an entry once took 8.8 MB";
  EXPECT_EQ(journal.entries().back().request_errors_omitted, kFloodProperties - kMaxListedViolations);
  ViolationTally tally = journal.violations();
  EXPECT_EQ(tally.violations, 100 * kFloodProperties) << "the tally still counts every violation";
  EXPECT_EQ(tally.groups.size(), ViolationTally::kMaxGroups);
  EXPECT_EQ(tally.ungrouped, 100 * (kFloodProperties - ViolationTally::kMaxGroups));
}

TEST(Signals, SigtermStopsTheServer) {
  ServerConfig config;
  config.port = 0;
  Server server(config);
  server.set_log_sink([](std::string_view) {});
  ShutdownSignals signals;
  EXPECT_THROW(ShutdownSignals(), std::logic_error);
  server.start();
  ASSERT_TRUE(server.running());
  std::raise(SIGTERM);  // arrives before wait(): not lost
  EXPECT_EQ(wait_and_stop(signals, server), SIGTERM);
  EXPECT_FALSE(server.running());
  EXPECT_TRUE(server.stopping());
}

TEST(Signals, TriggerWakesTheWaiter) {
  ShutdownSignals signals;
  std::thread waker([&] { signals.trigger(); });
  EXPECT_EQ(signals.wait(), 0);
  waker.join();
}

}  // namespace
}  // namespace runmock::http
