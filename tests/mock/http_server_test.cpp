// The HTTP layer end to end: a Server on 127.0.0.1, port 0, in-process, spoken to with real HTTP.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "http/net.h"
#include "http/server.h"
#include "loader/api_contract.h"

namespace runmock::http {
namespace {

using nlohmann::json;

constexpr const char* kConfig = "123e4567-e89b-12d3-a456-426614174000";
constexpr const char* kGoodRun = "123e4567-e89b-12d3-a456-426614174002";
constexpr const char* kBrokenRun = "123e4567-e89b-12d3-a456-426614174003";
constexpr const char* kMissingRun = "123e4567-e89b-12d3-a456-426614174004";

json read_fixture_body(const std::string& relative) {
  std::ifstream in(std::string(RUNMOCK_SOURCE_DIR) + "/fixtures/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return json::parse(text.str())["body"];
}

// The test dialect's error shape, unlike the generic one so the tests can tell them apart.
json test_error(const ErrorInfo& e) {
  return {{"problem", {{"status", e.status}, {"code", e.code}, {"message", e.message}, {"details", e.details}, {"request_id", e.request_id}}}};
}

// Emergence's documented envelope; a 422 lists its field errors as {loc, field, message, type}.
json emergence_error(const ErrorInfo& e) {
  json details = e.details;
  if (e.code == "VALIDATION_ERROR") {
    details = json::array();
    for (const auto& v : e.violations) {
      json loc = json::array({v.in == "route" || v.in.empty() ? "body" : v.in});
      std::string field;
      std::string pointer = v.instance_location;
      for (std::size_t at = 1; at <= pointer.size() && !pointer.empty();) {
        std::size_t next = pointer.find('/', at);
        std::string token = pointer.substr(at, next == std::string::npos ? std::string::npos : next - at);
        loc.push_back(token);
        field += (field.empty() ? "" : ".") + token;
        if (next == std::string::npos) break;
        at = next + 1;
      }
      std::string type = v.schema_location.substr(v.schema_location.rfind('/') + 1);
      details.push_back({{"loc", loc}, {"field", field.empty() ? loc[0].get<std::string>() : field}, {"message", v.message}, {"type", type.empty() ? "invalid" : type}});
    }
  }
  return {{"error", {{"code", e.code}, {"message", e.message}, {"status", e.status}, {"details", details}, {"request_id", e.request_id}, {"trace_id", nullptr}}}};
}

class ServerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { emergence = new contracts::ApiContract(contracts::ApiContract::load(RUNMOCK_SOURCE_DIR "/contracts/emergence")); }
  static void TearDownTestSuite() { delete emergence; }
  static contracts::ApiContract* emergence;

  void TearDown() override {
    if (server) server->stop();
  }

  void start(ServerConfig config = {}, std::vector<std::string> banner = {}, std::function<void(Server&)> before_start = nullptr) {
    config.host = "127.0.0.1";
    if (config.port == 8089) config.port = 0;
    server = std::make_unique<Server>(config);
    server->set_log_sink([this](std::string_view line) {
      std::lock_guard lock(lines_mutex);
      lines.emplace_back(line);
    });
    server->add_dialect({"test", {"/api/test/"}, test_error, 415});
    server->add_dialect({"emergence", {"/api/data-readiness/"}, emergence_error, 400});
    server->route("test", "GET", "/api/test/things/{id}", [](RequestContext& ctx) {
      ctx.run_id = ctx.path_param("id");
      ctx.scenario = "happy";
      return Response::json(200, {{"id", ctx.path_param("id")},
                                  {"limit", ctx.query("limit").value_or("")},
                                  {"project", ctx.header("x-project-id").value_or("")},
                                  {"method", ctx.method()},
                                  {"peer_is_loopback", is_loopback(ctx.peer())}});
    });
    server->route("test", "DELETE", "/api/test/things/{id}", [](RequestContext&) { return Response::empty(204); });
    server->route("test", "POST", "/api/test/things", [](RequestContext& ctx) {
      ParsedBody body = parse_json_body(ctx);
      if (!body) return *body.error;
      return Response::json(201, {{"echo", body.value}});
    });
    server->route("test", "POST", "/api/test/forms", [](RequestContext& ctx) {
      ParsedBody body = parse_json_body(ctx, {"application/json", "application/x-www-form-urlencoded"});
      if (!body) return *body.error;
      return Response::json(200, {{"echo", body.value}, {"as", body.media_type}});
    });
    server->route("test", "GET", "/api/test/boom", [](RequestContext&) -> Response { throw std::runtime_error("kaboom"); });
    server->route("test", "GET", "/api/test/verdict", [](RequestContext& ctx) {
      return ctx.refuse(401, "INVALID_TOKEN", "no token", "header");
    });
    server->operation("emergence", *emergence, "getWorkflowRun", [](RequestContext& ctx) {
      std::string run = ctx.path_param("run_id");
      ctx.run_id = run;
      if (run == kMissingRun) return ctx.error(404, "RESOURCE_NOT_FOUND", "Workflow run " + run + " not found");
      json body = read_fixture_body("emergence/examples/get-run.seed-002.json");
      body["id"] = run;
      if (run == kBrokenRun) {
        body.erase("workflow_name");
        body["status"] = "queued";
        ctx.source = "scenarios/emergence/broken.yaml:12";
        ctx.scenario = "broken";
      }
      return Response::json(200, body);
    });
    server->operation("emergence", *emergence, "createWorkflowRun", [](RequestContext& ctx) {
      ctx.scenario = "create";
      return Response::json(201, read_fixture_body("emergence/examples/create-response.seed-000.json"));
    }, RequestCheck::reject);
    server->operation("emergence", *emergence, "listWorkflowRuns", [](RequestContext&) {
      return Response::json(200, read_fixture_body("emergence/examples/list-runs.json"));
    }, RequestCheck::record);
    if (before_start) before_start(*server);
    server->start(banner);
  }

  httplib::Client client() {
    httplib::Client c("127.0.0.1", server->port());
    c.set_connection_timeout(2);
    c.set_read_timeout(5);
    return c;
  }

  std::string emergence_path(const std::string& run = "") {
    return std::string("/api/data-readiness/workflows/") + kConfig + "/runs" + (run.empty() ? "" : "/" + run);
  }

  std::vector<std::string> log_lines() {
    std::lock_guard lock(lines_mutex);
    return lines;
  }

  json journal(const std::string& query = "") {
    auto c = client();
    auto r = c.Get(("/__runmock/journal" + query).c_str());
    EXPECT_TRUE(r);
    if (!r) return json::object();
    EXPECT_EQ(r->status, 200) << r->body;
    return json::parse(r->body);
  }

  std::unique_ptr<Server> server;
  std::mutex lines_mutex;
  std::vector<std::string> lines;
};
contracts::ApiContract* ServerTest::emergence = nullptr;

TEST_F(ServerTest, ListeningLineComesFirstThenTheBannerThenOneLinePerRequest) {
  start({}, {"dev token: abc"});
  auto c = client();
  auto r = c.Get("/api/test/things/7?limit=3");
  ASSERT_TRUE(r);
  auto lines = log_lines();
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines[0], "runmock listening on http://127.0.0.1:" + std::to_string(server->port()));
  EXPECT_EQ(lines[1], "dev token: abc");
  EXPECT_EQ(lines[2].rfind("req-000001 GET /api/test/things/7?limit=3 200 ", 0), 0u) << lines[2];
  EXPECT_NE(lines[2].find("ms api=test run=7 scenario=happy verdict=valid"), std::string::npos) << lines[2];
  EXPECT_GT(server->port(), 0);
  EXPECT_EQ(server->url(), "http://127.0.0.1:" + std::to_string(server->port()));
}

TEST_F(ServerTest, JsonLogLines) {
  ServerConfig config;
  config.log_format = LogFormat::json;
  start(config);
  server->set_clock([] { return std::string("2030-01-01T00:00:00Z"); });
  auto c = client();
  ASSERT_TRUE(c.Get("/api/test/things/9"));
  auto lines = log_lines();
  ASSERT_EQ(lines.size(), 2u);
  json line = json::parse(lines[1]);
  EXPECT_EQ(line["method"], "GET");
  EXPECT_EQ(line["path"], "/api/test/things/9");
  EXPECT_EQ(line["status"], 200);
  EXPECT_EQ(line["run"], "9");
  EXPECT_EQ(line["scenario"], "happy");
  EXPECT_EQ(line["verdict"], "valid");
  EXPECT_EQ(line["time"], "2030-01-01T00:00:00Z");
  EXPECT_TRUE(line["ms"].is_number());
  EXPECT_EQ(journal()["entries"][0]["time"], "2030-01-01T00:00:00Z") << "the injected clock stamps the journal";
}

TEST_F(ServerTest, RoutesParametersHeadersAndRequestIds) {
  start();
  auto c = client();
  auto r = c.Get("/api/test/things/a%20b?limit=5", {{"X-PROJECT-ID", "proj:customer-analytics"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Content-Type"), "application/json");
  EXPECT_EQ(r->get_header_value("X-Request-Id"), "req-000001");
  json body = json::parse(r->body);
  EXPECT_EQ(body["id"], "a b");
  EXPECT_EQ(body["limit"], "5");
  EXPECT_EQ(body["project"], "proj:customer-analytics");
  EXPECT_EQ(body["peer_is_loopback"], true);
  r = c.Get("/api/test/things/2");
  EXPECT_EQ(r->get_header_value("X-Request-Id"), "req-000002");
  server->reset_request_ids();
  r = c.Get("/api/test/things/3");
  EXPECT_EQ(r->get_header_value("X-Request-Id"), "req-000001");
  r = c.Head("/api/test/things/4");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(r->body.empty());
  r = c.Delete("/api/test/things/4");
  EXPECT_EQ(r->status, 204);
}

TEST_F(ServerTest, UnknownRouteIs404InTheOwningDialectsShape) {
  start();
  auto c = client();
  auto r = c.Get("/api/test/nothing/here");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  json body = json::parse(r->body);
  EXPECT_EQ(body["problem"]["code"], "RESOURCE_NOT_FOUND");
  EXPECT_EQ(body["problem"]["message"], "no test route matches GET /api/test/nothing/here");
  EXPECT_EQ(body["problem"]["request_id"], r->get_header_value("X-Request-Id"));

  r = c.Post("/elsewhere", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  body = json::parse(r->body);
  EXPECT_EQ(body["error"]["status"], 404) << "outside every dialect: the generic shape";
  EXPECT_NE(body["error"]["message"].get<std::string>().find("/api/test/"), std::string::npos) << body;

  json entries = journal("?verdict=invalid")["entries"];
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0]["api"], "test");
  EXPECT_EQ(entries[0]["status"], 404);
  EXPECT_EQ(entries[0]["request_errors"][0]["in"], "route");
  EXPECT_TRUE(entries[1]["api"].is_null());
}

TEST_F(ServerTest, EveryServerTalliesViolationsByOperationOrRoute) {
  start();
  auto c = client();
  for (int i = 0; i < 2; ++i) ASSERT_TRUE(c.Get("/api/test/verdict"));
  ASSERT_TRUE(c.Get(emergence_path(kBrokenRun).c_str()));
  ASSERT_TRUE(c.Get(emergence_path(kGoodRun).c_str()));
  auto r = c.Get("/__runmock/violations");
  ASSERT_TRUE(r);
  ASSERT_EQ(r->status, 200) << r->body;
  json tally = json::parse(r->body);
  EXPECT_EQ(tally["invalid_exchanges"], 3);
  ASSERT_GE(tally["groups"].size(), 2u);
  EXPECT_EQ(tally["groups"][0]["operation"], "/api/test/verdict") << "a route without an operation is named by its template";
  EXPECT_EQ(tally["groups"][0]["count"], 2);
  EXPECT_EQ(tally["groups"][0]["side"], "request");
  EXPECT_EQ(tally["groups"][1]["operation"], "getWorkflowRun");
  EXPECT_EQ(tally["groups"][1]["side"], "response");
  EXPECT_EQ(journal()["entries"][2]["operation"], "getWorkflowRun");

  r = c.Get("/__runmock/journal?since=2024-13-01T00:00:00Z");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(json::parse(r->body)["error"]["message"].get<std::string>().find("'since'"), std::string::npos) << r->body;

  r = c.Delete("/__runmock/violations");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->body)["cleared"], 3);
  EXPECT_EQ(server->journal().violations().invalid_exchanges, 0u);
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  start();
  auto c = client();
  auto r = c.Put("/api/test/things/1", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(r->get_header_value("Allow"), "DELETE, GET, HEAD, OPTIONS");
  json body = json::parse(r->body);
  EXPECT_EQ(body["problem"]["code"], "METHOD_NOT_ALLOWED");
  EXPECT_EQ(body["problem"]["message"], "PUT is not allowed on /api/test/things/1 (allowed: DELETE, GET, HEAD, OPTIONS)");
  r = c.Options("/api/test/things/1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204) << "a plain OPTIONS (not a preflight) lists the methods";
  EXPECT_EQ(r->get_header_value("Allow"), "DELETE, GET, HEAD, OPTIONS");
  r = c.Patch("/api/data-readiness/workflows/x/runs", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 405);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "METHOD_NOT_ALLOWED") << "emergence's own envelope";
}

TEST_F(ServerTest, CorsPreflightAndResponseHeaders) {
  ServerConfig config;
  config.cors_headers = {"X-Project-ID", "amperity-tenant", "api-version"};  // what serve's registry gives
  start(config);
  auto c = client();
  auto r = c.Options("/api/test/things/1", {{"Origin", "http://localhost:3000"},
                                            {"Access-Control-Request-Method", "GET"},
                                            {"Access-Control-Request-Headers", "authorization, x-custom-thing"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "http://localhost:3000");
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Methods"), "DELETE, GET, HEAD, OPTIONS");
  std::string allowed = r->get_header_value("Access-Control-Allow-Headers");
  for (const char* h : {"Authorization", "Content-Type", "X-Project-ID", "amperity-tenant", "api-version", "Prefer", "x-custom-thing"}) {
    EXPECT_NE(allowed.find(h), std::string::npos) << h << " in " << allowed;
  }
  EXPECT_EQ(r->get_header_value("Vary"), "Origin");

  r = c.Get("/api/test/things/1", {{"Origin", "http://127.0.0.1:5173"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "http://127.0.0.1:5173");
  EXPECT_NE(r->get_header_value("Access-Control-Expose-Headers").find("X-Request-Id"), std::string::npos);

  r = c.Get("/api/test/nothing", {{"Origin", "https://anything.example"}});
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "https://anything.example") << "errors carry CORS too";

  // The admin API is no other page's: a foreign origin, even a local one, is refused and gets no CORS.
  for (const char* foreign : {"https://evil.example", "http://localhost:3000", "null"}) {
    r = c.Get("/__runmock/health", {{"Origin", foreign}});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403) << foreign;
    EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin")) << foreign;
    r = c.Options("/__runmock/reset", {{"Origin", foreign}, {"Access-Control-Request-Method", "POST"}});
    EXPECT_EQ(r->status, 403) << foreign;
    EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin")) << foreign;
  }
  std::string own = "http://127.0.0.1:" + std::to_string(server->port());
  r = c.Get("/__runmock/health", {{"Origin", own}});
  EXPECT_EQ(r->status, 200) << "runmock's own pages may";
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin")) << "same origin: no CORS needed";
  json all = journal();
  for (const auto& e : all["entries"]) EXPECT_NE(e["method"], "OPTIONS") << "preflights are not journaled";
}

TEST_F(ServerTest, AdminOriginsAreListedOneByOne) {
  ServerConfig config;
  config.admin_origins = {"http://localhost:3000"};
  start(config);
  auto c = client();
  auto r = c.Options("/__runmock/health", {{"Origin", "http://localhost:3000"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "http://localhost:3000");
  r = c.Get("/__runmock/health", {{"Origin", "http://localhost:3000"}});
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "http://localhost:3000");
  r = c.Get("/__runmock/health", {{"Origin", "http://localhost:4000"}});
  EXPECT_EQ(r->status, 403);
}

TEST_F(ServerTest, AdminRefusesForeignHostNames) {
  start();
  auto c = client();
  auto r = c.Get("/__runmock/health", {{"Host", "rebind.attacker.test:" + std::to_string(server->port())}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(json::parse(r->body)["error"]["message"].get<std::string>().find("DNS rebinding"), std::string::npos) << r->body;
  r = c.Get("/api/test/things/1", {{"Host", "rebind.attacker.test"}});
  EXPECT_EQ(r->status, 200) << "API routes answer any Host";
  r = c.Get("/__runmock/health", {{"Host", "localhost:" + std::to_string(server->port())}});
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, AdminTokenIsAskedFor) {
  ServerConfig config;
  config.admin_token = "s3cret";
  start(config);
  auto c = client();
  auto r = c.Get("/__runmock/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
  r = c.Get("/__runmock/health", {{"Authorization", "Bearer s3cret"}});
  EXPECT_EQ(r->status, 200);
  ServerConfig remote;
  remote.port = 0;
  remote.admin_remote = true;
  Server without_token(remote);
  EXPECT_THROW(without_token.start(), std::invalid_argument) << "--admin-remote needs --admin-token";
}

TEST_F(ServerTest, CorsOriginListAndNoCors) {
  ServerConfig config;
  config.cors_origins = {"http://localhost:3000"};
  start(config);
  auto c = client();
  auto r = c.Options("/api/test/things/1", {{"Origin", "http://localhost:4000"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
  r = c.Get("/api/test/things/1", {{"Origin", "http://localhost:4000"}});
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
  r = c.Get("/api/test/things/1", {{"Origin", "http://localhost:3000"}});
  EXPECT_EQ(r->get_header_value("Access-Control-Allow-Origin"), "http://localhost:3000");
  server->stop();

  ServerConfig off;
  off.cors = false;
  start(off);
  auto c2 = client();
  r = c2.Options("/api/test/things/1", {{"Origin", "http://localhost:3000"}, {"Access-Control-Request-Method", "GET"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 204);
  EXPECT_FALSE(r->has_header("Access-Control-Allow-Origin"));
  EXPECT_EQ(r->get_header_value("Allow"), "DELETE, GET, HEAD, OPTIONS");
}

TEST_F(ServerTest, BodyOverTheLimitIs413) {
  ServerConfig config;
  config.max_body_bytes = 1024;
  start(config);
  auto c = client();
  auto r = c.Post("/api/test/things", std::string(4096, ' ') + "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  json body = json::parse(r->body);
  EXPECT_EQ(body["problem"]["code"], "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(body["problem"]["message"], "the request body is 4098 bytes, over the limit of 1024 bytes");
  EXPECT_FALSE(r->get_header_value("X-Request-Id").empty());
  r = client().Post("/api/test/things", "{\"ok\": 1}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << "the server goes on";
  json entries = journal("?verdict=invalid")["entries"];
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["status"], 413);
  EXPECT_EQ(entries[0]["api"], "test");
  EXPECT_EQ(entries[0]["request_errors"][0]["in"], "body");
}

TEST_F(ServerTest, MalformedJsonInvalidUtf8AndDeepNestingAre400) {
  start();
  auto c = client();
  auto r = c.Post("/api/test/things", "{\"a\": }", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["problem"]["message"].get<std::string>().rfind("the request body is not valid JSON: ", 0), 0u) << r->body;

  r = c.Post("/api/test/things", "{\"a\": \"\xff\xfe\"}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(json::parse(r->body)["problem"]["message"].get<std::string>().find("not valid UTF-8"), std::string::npos) << r->body;

  auto started = std::chrono::steady_clock::now();
  r = c.Post("/api/test/things", std::string(100000, '[') + std::string(100000, ']'), "application/json");
  auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(json::parse(r->body)["problem"]["message"].get<std::string>().find("nested deeper than 64 levels"), std::string::npos) << r->body;
  EXPECT_LT(took, std::chrono::seconds(2));

  r = c.Post("/api/test/things", "", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);

  EXPECT_EQ(journal("?verdict=invalid")["entries"].size(), 4u);
}

TEST_F(ServerTest, WrongContentTypeIs415OrTheDialectsChoice) {
  start();
  auto c = client();
  auto r = c.Post("/api/test/things", "{}", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 415);
  EXPECT_EQ(json::parse(r->body)["problem"]["message"], "Content-Type 'text/plain' is not accepted here: send application/json");
  r = c.Post("/api/test/forms", "config_id=cg-1&run_mode=source", "application/x-www-form-urlencoded");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["echo"], json({{"config_id", "cg-1"}, {"run_mode", "source"}}));
  // Emergence answers a wrong Content-Type with 400 (its README, decision 23).
  r = c.Post(emergence_path().c_str(), "{}", "text/plain");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "INVALID_REQUEST");
}

TEST_F(ServerTest, ExceptionsBecome500AndVerdictError) {
  start();
  auto c = client();
  auto r = c.Get("/api/test/boom");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(json::parse(r->body)["problem"]["message"].get<std::string>().find("kaboom"), std::string::npos);
  EXPECT_EQ(journal("?verdict=error")["entries"].size(), 1u);
  r = c.Get("/api/test/verdict");
  EXPECT_EQ(r->status, 401);
  json entry = journal("?verdict=invalid")["entries"][0];
  EXPECT_EQ(entry["message"], "no token");
}

TEST_F(ServerTest, ResponseViolationsAHandlerFoundAreJournaled) {
  start({}, {}, [](Server& s) {
    // A proxy's way: the answer is not the handler's own, so it goes out as it is, and what is
    // wrong with it goes to the journal.
    s.route("test", "GET", "/api/test/relayed", [](RequestContext& ctx) {
      ctx.response_errors.push_back({"lifecycle", "/status", "", "the run was completed and is now running"});
      return Response::json(200, {{"status", "running"}});
    });
  });
  auto r = client().Get("/api/test/relayed");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  json entry = journal()["entries"].back();
  EXPECT_EQ(entry["verdict"], "invalid");
  ASSERT_EQ(entry["response_errors"].size(), 1u);
  EXPECT_EQ(entry["response_errors"][0]["message"], "the run was completed and is now running");
}

TEST_F(ServerTest, ResponsesThatBreakTheContractBecome500) {
  start();
  auto c = client();
  auto r = c.Get(emergence_path(kGoodRun).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Get(emergence_path(kMissingRun).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404) << "a documented error passes: " << r->body;

  r = c.Get(emergence_path(kBrokenRun).c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 500);
  json body = json::parse(r->body);
  EXPECT_EQ(body["error"]["code"], "INTERNAL_ERROR");
  std::string message = body["error"]["message"];
  EXPECT_NE(message.find("breaks the emergence contract (getWorkflowRun, status 200)"), std::string::npos) << message;
  EXPECT_NE(message.find("scenarios/emergence/broken.yaml:12"), std::string::npos) << message;
  EXPECT_EQ(body["error"]["details"]["source"], "scenarios/emergence/broken.yaml:12");
  EXPECT_FALSE(body["error"]["details"]["violations"].empty());
  std::vector<schema::ValidationError> errors = emergence->check_response_body(*emergence->find("getWorkflowRun"), 500, body);
  EXPECT_TRUE(errors.empty()) << "the replacement keeps the contract itself";

  json entries = journal("?run=" + std::string(kBrokenRun))["entries"];
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["verdict"], "invalid");
  EXPECT_EQ(entries[0]["status"], 500);
  EXPECT_EQ(entries[0]["scenario"], "broken");
  std::set<std::string> where;
  for (const auto& e : entries[0]["response_errors"]) where.insert(e["instance_location"].get<std::string>());
  EXPECT_TRUE(where.count("/status")) << entries[0];
  EXPECT_TRUE(where.count("")) << "missing workflow_name is reported at the root: " << entries[0];
  EXPECT_EQ(journal("?api=emergence&verdict=valid")["entries"].size(), 2u);
}

TEST_F(ServerTest, RequestCheckRejectAnswers422And400) {
  start();
  auto c = client();
  auto r = c.Post(emergence_path().c_str(), R"({"asset_fqn": "PostgreSQL.dvdrental.public", "saveAll": true})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  json body = json::parse(r->body);
  EXPECT_EQ(body["error"]["code"], "VALIDATION_ERROR");
  EXPECT_EQ(body["error"]["details"][0]["loc"], json({"body", "saveAll"})) << body;
  EXPECT_EQ(body["error"]["details"][0]["type"], "additionalProperties") << body;
  r = c.Post(emergence_path().c_str(), "{nope", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  r = c.Post(emergence_path().c_str(), R"({"asset_fqn": "PostgreSQL.dvdrental.public"})", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 201) << r->body;
  r = c.Post("/api/data-readiness/workflows/not-a-uuid/runs", "{}", "application/json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 422);
  json entries = journal("?api=emergence")["entries"];
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0]["verdict"], "invalid");
  EXPECT_EQ(entries[0]["request_errors"][0]["in"], "body");
  EXPECT_EQ(entries[2]["verdict"], "valid");
  EXPECT_EQ(entries[2]["scenario"], "create");
  EXPECT_EQ(entries[3]["request_errors"][0]["in"], "path");
}

TEST_F(ServerTest, RequestCheckRecordJournalsAndAnswersAnyway) {
  start();
  auto c = client();
  auto r = c.Get((emergence_path() + "?limit=500").c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  r = c.Get((emergence_path() + "?limit=5").c_str());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << r->body;
  json entries = journal("?api=emergence")["entries"];
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[0]["verdict"], "invalid");
  EXPECT_EQ(entries[0]["query"], "limit=500");
  EXPECT_EQ(entries[0]["request_errors"][0]["in"], "query");
  EXPECT_EQ(entries[0]["request_errors"][0]["instance_location"], "/limit");
  EXPECT_EQ(entries[1]["verdict"], "valid");
}

TEST_F(ServerTest, JournalRingFiltersAndClear) {
  ServerConfig config;
  config.journal_size = 3;
  start(config);
  auto c = client();
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(c.Get(("/api/test/things/" + std::to_string(i)).c_str()));
  ASSERT_TRUE(c.Get("/api/test/missing"));
  json j = journal();
  ASSERT_EQ(j["entries"].size(), 3u);
  EXPECT_EQ(j["dropped"], 3);
  EXPECT_EQ(j["recorded"], 6);
  EXPECT_EQ(j["capacity"], 3);
  EXPECT_EQ(j["verdicts"]["valid"], 5);
  EXPECT_EQ(j["entries"][2]["status"], 404);
  EXPECT_EQ(journal("?run=4")["entries"].size(), 1u);
  EXPECT_EQ(journal("?run=0")["entries"].size(), 0u) << "dropped";
  EXPECT_EQ(journal("?api=test&limit=1")["entries"][0]["status"], 404);
  EXPECT_EQ(journal("?verdict=valid")["entries"].size(), 2u);
  EXPECT_EQ(journal("?after=5")["entries"].size(), 1u);
  auto r = c.Get("/__runmock/journal?limit=-1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_NE(r->body.find("non-negative integer"), std::string::npos);
  r = c.Delete("/__runmock/journal");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["cleared"], 3);
  j = journal();
  EXPECT_TRUE(j["entries"].empty()) << "reading the journal is not journaled";
  EXPECT_EQ(j["recorded"], 0);
}

TEST_F(ServerTest, HealthAndAdminRoutes) {
  start({}, {}, [](Server& s) {
    s.admin_route("POST", "/__runmock/clock/advance", [](RequestContext&) { return Response::json(200, {{"ok", true}}); });
  });
  auto c = client();
  auto advanced = c.Post("/__runmock/clock/advance", "{}", "application/json");
  ASSERT_TRUE(advanced);
  EXPECT_EQ(advanced->status, 200);
  auto r = c.Get("/__runmock/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["status"], "ok");
  r = c.Get("/__runmock/nothing");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  EXPECT_EQ(json::parse(r->body)["error"]["code"], "RESOURCE_NOT_FOUND");
  EXPECT_TRUE(journal()["entries"].empty()) << "the admin API is logged, not journaled";
}

TEST_F(ServerTest, RegistrationIsClosedOnceStarted) {
  start();
  EXPECT_THROW(server->route("test", "GET", "/api/test/late", [](RequestContext&) { return Response::empty(); }), std::logic_error);
  EXPECT_THROW(server->add_dialect({"late", {}, nullptr, 415}), std::logic_error);
  Server fresh;
  EXPECT_THROW(fresh.route("nope", "GET", "/x", [](RequestContext&) { return Response::empty(); }), std::invalid_argument);
  EXPECT_THROW(fresh.admin_route("GET", "/not-admin", [](RequestContext&) { return Response::empty(); }), std::invalid_argument);
  EXPECT_THROW(fresh.operation("admin", *emergence, "noSuchOperation", [](RequestContext&) { return Response::empty(); }), std::invalid_argument);
  EXPECT_THROW(fresh.add_dialect({"admin", {}, nullptr, 415}), std::invalid_argument);
}

TEST_F(ServerTest, APortInUseIsAClearError) {
  start();
  ServerConfig config;
  config.port = server->port();
  Server second(config);
  second.set_log_sink([](std::string_view) {});
  try {
    second.start();
    FAIL() << "bound a port already in use";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("cannot listen on 127.0.0.1:" + std::to_string(server->port())), std::string::npos) << e.what();
  }
}

// A raw request line that cannot be parsed still gets a JSON answer, a request id and a journal
// entry; a method runmock does not know gets 501.
TEST_F(ServerTest, GarbageRequestLineIs400) {
  start();
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(server->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  std::string garbage = "GET/x HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(::send(fd, garbage.data(), garbage.size(), 0), static_cast<ssize_t>(garbage.size()));
  std::string reply;
  char buffer[4096];
  timeval tv{2, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ssize_t n;
  while ((n = ::recv(fd, buffer, sizeof buffer, 0)) > 0) {
    reply.append(buffer, static_cast<std::size_t>(n));
    if (reply.find("\r\n\r\n") != std::string::npos && reply.find('}') != std::string::npos) break;
  }
  ::close(fd);
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
  EXPECT_NE(reply.find("X-Request-Id: req-"), std::string::npos) << reply;
  EXPECT_NE(reply.find("request line is not"), std::string::npos) << reply;
  auto r = client().Get("/__runmock/journal?verdict=invalid");
  ASSERT_TRUE(r);
  EXPECT_EQ(json::parse(r->body)["entries"].size(), 1u) << r->body;
  httplib::Client c("127.0.0.1", server->port());
  auto fly = c.send([&] {
    httplib::Request req;
    req.method = "FLY";
    req.path = "/api/test/things/1";
    return req;
  }());
  ASSERT_TRUE(fly);
  EXPECT_EQ(fly->status, 501) << fly->body;
}

TEST_F(ServerTest, ConcurrentKeepAliveClients) {
  ServerConfig config;
  config.threads = 8;
  start(config);
  constexpr int kThreads = 8;
  constexpr int kRequests = 25;
  std::atomic<int> ok{0};
  std::mutex ids_mutex;
  std::set<std::string> ids;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      httplib::Client c("127.0.0.1", server->port());
      c.set_keep_alive(true);
      c.set_tcp_nodelay(true);
      for (int i = 0; i < kRequests; ++i) {
        auto r = i % 5 == 4 ? c.Post("/api/test/things", R"({"n": 1})", "application/json")
                            : c.Get(("/api/test/things/" + std::to_string(t) + "-" + std::to_string(i)).c_str());
        if (r && (r->status == 200 || r->status == 201)) ++ok;
        if (r) {
          std::lock_guard lock(ids_mutex);
          ids.insert(r->get_header_value("X-Request-Id"));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads * kRequests);
  EXPECT_EQ(ids.size(), static_cast<std::size_t>(kThreads * kRequests)) << "every request its own id";
  EXPECT_EQ(journal()["recorded"], kThreads * kRequests);
  EXPECT_EQ(server->requests_served(), static_cast<std::uint64_t>(kThreads * kRequests + 1));
}

TEST_F(ServerTest, StopIsPromptWithIdleKeepAliveConnections) {
  start();
  httplib::Client c("127.0.0.1", server->port());
  c.set_keep_alive(true);
  ASSERT_TRUE(c.Get("/api/test/things/1"));
  auto started = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  EXPECT_FALSE(server->running());
  server->stop();  // idempotent
}

// The admin API refuses peers that are not loopback. Reaching the server from a non-loopback
// address needs one on this machine; is_loopback itself is unit-tested in http_misc_test.
TEST_F(ServerTest, AdminRefusesNonLoopbackPeers) {
  std::string address;
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) == 0) {
    for (ifaddrs* a = list; a; a = a->ifa_next) {
      if (!a->ifa_addr || a->ifa_addr->sa_family != AF_INET) continue;
      char text[INET_ADDRSTRLEN];
      inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(a->ifa_addr)->sin_addr, text, sizeof text);
      if (!is_loopback(text)) {
        address = text;
        break;
      }
    }
    freeifaddrs(list);
  }
  if (address.empty()) GTEST_SKIP() << "no non-loopback IPv4 address on this machine";
  ServerConfig config;
  config.host = "0.0.0.0";
  config.port = 0;
  server = std::make_unique<Server>(config);
  server->set_log_sink([](std::string_view) {});
  server->add_dialect({"test", {"/api/test/"}, test_error, 415});
  server->route("test", "GET", "/api/test/ping", [](RequestContext& ctx) { return Response::json(200, {{"peer", ctx.peer()}}); });
  server->start();
  httplib::Client remote(address, server->port());
  remote.set_connection_timeout(2);
  auto r = remote.Get("/api/test/ping");
  ASSERT_TRUE(r) << "cannot reach " << address;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(json::parse(r->body)["peer"], address);
  r = remote.Get("/__runmock/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(json::parse(r->body)["error"]["message"].get<std::string>().find("loopback clients only"), std::string::npos);
  r = remote.Get("/__runmock/no-such-thing");
  EXPECT_EQ(r->status, 403) << "the guard comes before routing";
  httplib::Client local("127.0.0.1", server->port());
  r = local.Get("/__runmock/health");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  server->stop();

  config.admin_remote = true;
  config.admin_token = "s3cret";
  config.admin_hosts = {address};
  server = std::make_unique<Server>(config);
  server->set_log_sink([](std::string_view) {});
  server->start();
  httplib::Client remote2(address, server->port());
  r = remote2.Get("/__runmock/health", {{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200) << "admin_remote (with its token) is the user's choice";
}

}  // namespace
}  // namespace runmock::http
