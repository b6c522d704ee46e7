// End to end: runmock's connection layer under hostile and careless clients, and every limit of
// `runmock serve`, against the real binary on a loopback port. Raw sockets (support/raw_http.h)
// send what an HTTP library would not; each attack is followed by a check that the server still
// answers GET /__runmock/health and an API request. Tests check what happens (answered, closed,
// 503, 408, 431, 413 ...), never how long it takes; the timeouts are tiny so the file runs fast.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/admin_contract.h"
#include "support/raw_http.h"
#include "support/runmock_process.h"

using nlohmann::json;
using runmock::testing::RawAnswer;
using runmock::testing::RawConnection;
using runmock::testing::RawHeaders;
using runmock::testing::RunmockProcess;
using namespace std::chrono_literals;

namespace {

constexpr const char* kConfiguration = "550e8400-e29b-41d4-a716-446655440001";
const std::string kRuns = std::string("/api/data-readiness/workflows/") + kConfiguration + "/runs";
const std::string kBody = R"({"asset_fqn": "PostgreSQL.dvdrental.public.actor"})";

// An answer's JSON body; an empty object when there is no answer or its body is no JSON object.
json json_of(const std::optional<RawAnswer>& answer) {
  json body = answer ? json::parse(answer->body, nullptr, false) : json();
  return body.is_object() ? body : json::object();
}
// One counter of GET /__runmock/health's "connections" (-1 when the answer has none).
int connection_count(const json& health, const char* name) {
  auto it = health.find("connections");
  return it != health.end() && it->is_object() ? it->value(name, -1) : -1;
}
int status_of(const std::optional<RawAnswer>& answer) { return answer ? answer->status : 0; }

// The keys of a JSON object, sorted.
std::set<std::string> keys_of(const json& object) {
  std::set<std::string> keys;
  if (object.is_object()) {
    for (const auto& item : object.items()) keys.insert(item.key());
  }
  return keys;
}

// The "error" object of an answer's body (an empty object when there is none).
json error_of(const RawAnswer& answer) {
  json body = json::parse(answer.body, nullptr, false);
  return body.is_object() && body.contains("error") && body["error"].is_object() ? body["error"] : json::object();
}

// The emergence API's error envelope (contracts/emergence): every key, the status repeated.
void expect_emergence_error(const std::optional<RawAnswer>& answer, int status, const std::string& code = "") {
  ASSERT_TRUE(answer) << "no answer";
  EXPECT_EQ(answer->status, status) << answer->body;
  json error = error_of(*answer);
  EXPECT_EQ(keys_of(error), (std::set<std::string>{"code", "details", "message", "request_id", "status", "trace_id"}))
      << "not the emergence error envelope: " << answer->body;
  EXPECT_EQ(error.value("status", 0), status) << answer->body;
  if (!code.empty()) {
    EXPECT_EQ(error.value("code", ""), code) << answer->body;
  }
  EXPECT_FALSE(error.value("message", "").empty()) << answer->body;
}

// The admin API's error shape (contracts/admin/openapi.yaml, Error).
void expect_admin_error(const std::optional<RawAnswer>& answer, int status) {
  ASSERT_TRUE(answer) << "no answer";
  EXPECT_EQ(answer->status, status) << answer->body;
  json error = error_of(*answer);
  EXPECT_EQ(keys_of(error), (std::set<std::string>{"code", "details", "message", "request_id", "status"})) << answer->body;
  EXPECT_EQ(error.value("status", 0), status) << answer->body;
}

// A refusal for overload: 503, Retry-After, the emergence envelope.
void expect_emergence_503(const std::optional<RawAnswer>& answer) {
  expect_emergence_error(answer, 503, "SERVICE_UNAVAILABLE");
  if (answer) {
    EXPECT_TRUE(answer->header("Retry-After").has_value()) << "no Retry-After";
  }
}

// Polls `condition` until it holds (true) or `deadline` passes (false).
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds deadline = 5s) {
  auto until = std::chrono::steady_clock::now() + deadline;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

// The resident memory of a process, in kB (0 when unreadable).
long resident_kb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return 0;
}

// The runmock process this test started: the test's only child named runmock (0 when not one).
pid_t child_runmock() {
  std::vector<pid_t> found;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    std::string name = entry.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close == std::string::npos || text.find("(runmock)") == std::string::npos) continue;
    pid_t parent = 0;
    char state = 0;
    if (std::sscanf(text.c_str() + close + 1, " %c %d", &state, &parent) == 2 && parent == getpid()) found.push_back(std::stoi(name));
  }
  return found.size() == 1 ? found.front() : 0;
}

class Connections : public ::testing::Test {
 protected:
  // `runmock serve --port 0 --clock manual` with these flags added.
  void start(const std::vector<std::string>& flags = {}) {
    std::vector<std::string> arguments{"serve", "--port", "0", "--clock", "manual", "--seed", "7", "--log-format", "off"};
    arguments.insert(arguments.end(), flags.begin(), flags.end());
    server_ = std::make_unique<RunmockProcess>(arguments);
    port_ = server_->port();
  }

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  // A request naming this server in its Host header, as curl or a browser sends it.
  std::string request(const std::string& method, const std::string& target, RawHeaders headers = {}, const std::string& body = "") const {
    bool has_host = false;
    for (const auto& field : headers) has_host = has_host || runmock::testing::iequals(field.first, "Host");
    if (!has_host) headers.insert(headers.begin(), {"Host", host()});
    return runmock::testing::raw_request(method, target, headers, body);
  }
  // The dev token, then `extra`.
  RawHeaders auth(RawHeaders extra = {}) const {
    extra.insert(extra.begin(), {"Authorization", "Bearer " + server_->token()});
    return extra;
  }
  std::string create_request(const std::string& body = kBody, RawHeaders extra = {}) const {
    extra.emplace_back("Content-Type", "application/json");
    return request("POST", kRuns, auth(extra), body);
  }
  std::string list_request(RawHeaders extra = {}) const { return request("GET", kRuns, auth(extra)); }
  std::string health_request() const { return request("GET", "/__runmock/health"); }

  // `bytes` on a new connection (from source address `from`), and the answer.
  std::optional<RawAnswer> ask(const std::string& bytes, const std::string& from = "") const {
    RawConnection connection(port_, from);
    if (!connection.send(bytes)) return std::nullopt;
    return connection.read_answer();
  }
  json health() const { return json_of(ask(health_request())); }
  // A new emergence run (its id).
  std::string create_run() const {
    json run = json_of(ask(create_request()));
    EXPECT_TRUE(run.contains("id")) << run.dump();
    return run.value("id", "");
  }
  // A named fault (POST /__runmock/faults {"name", "fault"}).
  void name_fault(const std::string& name, const json& fault) const {
    auto answer = ask(request("POST", "/__runmock/faults", {{"Content-Type", "application/json"}}, json{{"name", name}, {"fault", fault}}.dump()));
    ASSERT_EQ(status_of(answer), 201) << (answer ? answer->body : "no answer");
  }

  // After an attack: a fresh health request and a fresh emergence create are answered.
  void expect_still_serving(const std::string& from = "") const {
    auto health = ask(health_request(), from);
    EXPECT_EQ(status_of(health), 200) << "health after the attack: " << (health ? health->body : "no answer");
    auto created = ask(create_request(), from);
    EXPECT_EQ(status_of(created), 201) << "create after the attack: " << (created ? created->body : "no answer");
  }

  // Connections that each made one request (answered 200) and are left open, idle.
  std::vector<std::unique_ptr<RawConnection>> idle_connections(std::size_t count, const std::string& bytes,
                                                               std::chrono::milliseconds between = 0ms) const {
    std::vector<std::unique_ptr<RawConnection>> open;
    for (std::size_t i = 0; i < count; ++i) {
      open.push_back(std::make_unique<RawConnection>(port_));
      open.back()->send(bytes);
      EXPECT_EQ(status_of(open.back()->read_answer()), 200) << "idle connection " << i;
      if (between.count() > 0) std::this_thread::sleep_for(between);
    }
    return open;
  }

  std::unique_ptr<RunmockProcess> server_;
  int port_ = 0;
};

// --- 1. Idle keep-alive connections cost no worker ---------------------------------------------

TEST_F(Connections, SixHundredIdleKeepAliveConnectionsDoNotStarveEightWorkers) {
  start({"--threads", "8"});
  auto idle = idle_connections(600, list_request());
  expect_still_serving();
}

TEST_F(Connections, SixHundredConnectionsAskingNowAndThenDoNotStarveEightWorkers) {
  start({"--threads", "8", "--keep-alive-timeout", "60"});  // setting up 600 may take long (sanitizers)
  auto open = idle_connections(600, list_request());
  for (int round = 0; round < 2; ++round) {
    for (std::size_t i = 0; i < open.size(); ++i) {
      ASSERT_TRUE(open[i]->send(list_request()));
      EXPECT_EQ(status_of(open[i]->read_answer()), 200) << "round " << round << ", connection " << i;
      if (i % 150 == 0) expect_still_serving();
    }
  }
}

// All 600 idle connections ask at the same moment: each request is quick, so each should wait
// for a worker ("past --threads open connections, new ones wait for a worker", README), not be
// refused by the worker kept for admin requests. (--queue-timeout is long so that the test checks
// behaviour, not how fast a sanitizer build answers.)
TEST_F(Connections, ABurstFromSixHundredIdleConnectionsIsAnsweredNotRefused) {
  start({"--threads", "8", "--queue-timeout", "60"});
  auto open = idle_connections(600, list_request());
  for (auto& connection : open) ASSERT_TRUE(connection->send(list_request()));
  std::map<int, int> statuses;
  for (auto& connection : open) ++statuses[status_of(connection->read_answer())];
  EXPECT_EQ(statuses[200], 600) << "503: " << statuses[503] << ", no answer: " << statuses[0];
  expect_still_serving();
}

// --- 2. --max-connections ------------------------------------------------------------------------

TEST_F(Connections, PastMaxConnectionsTheOldestIdleConnectionMakesRoom) {
  start({"--max-connections", "4"});
  // A pause between them makes the order in which they went idle unambiguous.
  auto idle = idle_connections(4, health_request(), 20ms);
  auto newcomer = ask(health_request());
  EXPECT_EQ(status_of(newcomer), 200);
  idle[0]->set_timeout(3s);
  EXPECT_TRUE(idle[0]->closed_by_peer()) << "the oldest idle connection was not closed";
  for (std::size_t i = 1; i < idle.size(); ++i) {
    ASSERT_TRUE(idle[i]->send(health_request())) << "connection " << i;
    EXPECT_EQ(status_of(idle[i]->read_answer()), 200) << "connection " << i << " (not the oldest) was closed";
  }
  expect_still_serving();
}

TEST_F(Connections, PastMaxConnectionsWithNoneIdleANewcomerGets503InTheApisShape) {
  start({"--max-connections", "3"});
  std::string partial = list_request();
  partial.resize(partial.size() - 2);  // the head without its blank line
  std::vector<std::unique_ptr<RawConnection>> busy;
  for (int i = 0; i < 3; ++i) {
    busy.push_back(std::make_unique<RawConnection>(port_));
    ASSERT_TRUE(busy.back()->send(partial));
  }
  std::this_thread::sleep_for(200ms);  // the server has read the partial heads: none is idle
  RawConnection newcomer(port_);
  ASSERT_TRUE(newcomer.send(create_request()));
  expect_emergence_503(newcomer.read_answer());
  EXPECT_TRUE(newcomer.closed_by_peer());
  newcomer.close();
  for (auto& connection : busy) {
    ASSERT_TRUE(connection->send("\r\n"));
    EXPECT_EQ(status_of(connection->read_answer()), 200) << "a request in progress was dropped for the newcomer";
  }
  expect_still_serving();
}

// --- 3. Slowloris ----------------------------------------------------------------------------

// Sends a request line, then one header line every 100 ms until the server answers (at most 5 s).
void trickle_head(RawConnection& connection, const std::string& target) {
  connection.send("GET " + target + " HTTP/1.1\r\n");
  for (int line = 0; line < 50 && connection.silent_for(100ms); ++line) connection.send("X-Slow-" + std::to_string(line) + ": 1\r\n");
}

TEST_F(Connections, SlowlorisHeadGets408InTheApisShapeAndIsClosed) {
  start({"--header-timeout", "0.3"});
  RawConnection slow(port_);
  trickle_head(slow, kRuns + "/123e4567-e89b-12d3-a456-426614174000");
  auto answer = slow.read_answer();
  ASSERT_TRUE(answer) << "no answer to a head that never ends";
  EXPECT_EQ(answer->status, 408) << answer->body;
  EXPECT_TRUE(slow.closed_by_peer()) << "the connection stayed open after the 408";
  expect_emergence_error(answer, 408, "REQUEST_TIMEOUT");
  expect_still_serving();
}

TEST_F(Connections, FiftySlowlorisConnectionsDoNotStopAnotherClient) {
  start({"--header-timeout", "0.3"});
  std::vector<std::unique_ptr<RawConnection>> slow;
  for (int i = 0; i < 50; ++i) {
    slow.push_back(std::make_unique<RawConnection>(port_));
    slow.back()->send("GET " + kRuns + " HTTP/1.1\r\n");
  }
  std::atomic<bool> dripping{true};
  std::thread drip([&] {
    for (int round = 0; round < 50 && dripping; ++round) {
      std::this_thread::sleep_for(100ms);
      bool any = false;
      for (auto& connection : slow) {
        if (!connection->silent_for(0ms)) continue;  // answered: leave it
        connection->send("X-Slow-" + std::to_string(round) + ": 1\r\n");
        any = true;
      }
      if (!any) break;
    }
  });
  for (int i = 0; i < 3; ++i) expect_still_serving();
  drip.join();
  for (std::size_t i = 0; i < slow.size(); ++i) {
    auto answer = slow[i]->read_answer();
    EXPECT_EQ(status_of(answer), 408) << "slow connection " << i;
    EXPECT_TRUE(slow[i]->closed_by_peer()) << "slow connection " << i;
  }
  expect_still_serving();
}

// --- 4. Slow bodies ------------------------------------------------------------------------------

TEST_F(Connections, ABodyThatStopsGets408) {
  start({"--header-timeout", "0.2", "--min-body-rate", "1000"});
  RawConnection slow(port_);
  ASSERT_TRUE(slow.send(request("POST", kRuns, auth({{"Content-Type", "application/json"}, {"Content-Length", "100000"}}))));
  ASSERT_TRUE(slow.send("{\"asset_fqn\""));
  auto answer = slow.read_answer();
  expect_emergence_error(answer, 408, "REQUEST_TIMEOUT");
  EXPECT_TRUE(slow.closed_by_peer());
  expect_still_serving();
}

TEST_F(Connections, ABodyThatKeepsTheRateIsAnswered) {
  start({"--header-timeout", "0.2", "--min-body-rate", "1000"});
  std::string body = kBody + std::string(1500 - kBody.size(), ' ');
  RawConnection steady(port_);
  ASSERT_TRUE(steady.send(request("POST", kRuns, auth({{"Content-Type", "application/json"}, {"Content-Length", std::to_string(body.size())}}))));
  // 100 bytes every 50 ms: twice the rate asked for, for 0.75 s (past the 0.2 s of grace).
  for (std::size_t at = 0; at < body.size(); at += 100) {
    ASSERT_TRUE(steady.silent_for(50ms)) << "answered before the body was sent: " << steady.pending();
    ASSERT_TRUE(steady.send(body.substr(at, 100)));
  }
  auto answer = steady.read_answer();
  EXPECT_EQ(status_of(answer), 201) << (answer ? answer->body : "no answer");
}

// --- 5. Event streams ------------------------------------------------------------------------

TEST_F(Connections, EventStreamsAreCappedAndAClosedOneFreesItsSlot) {
  start({"--max-streams", "2"});
  std::string id = create_run();
  std::string stream = request("GET", kRuns + "/" + id + "/events/stream", auth({{"Accept", "text/event-stream"}}));
  auto open_stream = [&] {
    auto connection = std::make_unique<RawConnection>(port_);
    connection->send(stream);
    auto head = connection->read_head();
    EXPECT_EQ(status_of(head), 200);
    EXPECT_TRUE(connection->read_until("event: status")) << connection->pending();
    return connection;
  };
  auto first = open_stream();
  auto second = open_stream();
  expect_emergence_503(ask(stream));
  EXPECT_EQ(status_of(ask(health_request())), 200);
  first->close();
  EXPECT_TRUE(eventually([&] { return connection_count(health(), "streams") == 1; })) << health().dump();
  auto third = open_stream();
  expect_still_serving();
}

// --- 6. --max-connections-per-client ---------------------------------------------------------

TEST_F(Connections, PastThePerClientCapThatClientGets503AndOthersAreServed) {
  start({"--max-connections-per-client", "3"});
  auto mine = idle_connections(3, health_request());
  RawConnection fourth(port_);
  ASSERT_TRUE(fourth.send(create_request()));
  expect_emergence_503(fourth.read_answer());
  expect_still_serving("127.0.0.2");
  for (auto& connection : mine) {
    ASSERT_TRUE(connection->send(list_request()));
    EXPECT_EQ(status_of(connection->read_answer()), 200) << "an admitted connection was refused";
  }
}

// --- 7. The worker kept for admin reads ------------------------------------------------------

TEST_F(Connections, WithEveryOtherWorkerHeldHealthIsAnsweredAndTheApiGets503) {
  start({"--threads", "3", "--queue-timeout", "0.2"});
  name_fault("hold", {{"kind", "delay"}, {"delay_ms", 3000}});
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 2; ++i) {
    held.push_back(std::make_unique<RawConnection>(port_));
    ASSERT_TRUE(held.back()->send(list_request({{"Prefer", "fault=hold"}})));
  }
  // No request of ours may reach a worker before both held ones have theirs: a poll would take
  // a worker, and a held request would meet the reserved one (and be refused).
  std::this_thread::sleep_for(300ms);
  auto answer = ask(health_request());
  ASSERT_EQ(status_of(answer), 200);
  EXPECT_EQ(connection_count(json_of(answer), "busy"), 3) << answer->body;
  expect_emergence_503(ask(list_request()));
  EXPECT_EQ(server_->stop(), 0);  // releases the held ones: they were held, not refused
  for (auto& connection : held) EXPECT_EQ(status_of(connection->read_answer()), 200);
}

// --- 8. Header limits --------------------------------------------------------------------------

TEST_F(Connections, AThousandHeaderFieldsGet431) {
  start();
  RawHeaders many = auth();
  for (int i = 0; i < 1000; ++i) many.emplace_back("X-Field-" + std::to_string(i), "v");
  expect_emergence_error(ask(request("GET", kRuns, many)), 431);
  expect_still_serving();
}

TEST_F(Connections, ASeventyKilobyteHeadGets431) {
  start();
  expect_emergence_error(ask(request("GET", kRuns, auth({{"X-Big", std::string(70 * 1024, 'a')}}))), 431);
  expect_still_serving();
}

TEST_F(Connections, AMillionHeadersGet431AndTheMemoryStaysSmall) {
  start();
  pid_t pid = child_runmock();
  ASSERT_GT(pid, 0) << "cannot find the runmock process";
  long before = resident_kb(pid);
  std::string lines;
  for (int i = 0; i < 1000; ++i) lines += "X-Filler: 0123456789\r\n";  // 22 bytes a field
  RawConnection flood(port_);
  ASSERT_TRUE(flood.send("GET " + kRuns + " HTTP/1.1\r\nHost: " + host() + "\r\n"));
  const std::size_t million_fields = 1000 * lines.size();  // 22 MB
  EXPECT_LT(flood.send_until_closed(lines, million_fields), million_fields) << "the server read the whole flood before closing";
  long after = resident_kb(pid);
  auto answer = flood.read_answer();
  ASSERT_TRUE(answer) << "no answer before the close: " << flood.pending().substr(0, 200);
  EXPECT_EQ(answer->status, 431) << answer->body;
  EXPECT_LT(after - before, 50 * 1024) << "VmRSS grew from " << before << " kB to " << after << " kB";
  expect_still_serving();
}

// --- 9. Bodies on GET, HEAD and OPTIONS --------------------------------------------------------

// A body shaped like a request: were it parsed as one, an extra answer (404) would show it.
const std::string kSmuggled = "GET /__runmock/smuggled HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

TEST_F(Connections, ABodyOnGetHeadOrOptionsIsReadAsItsBodyNotAsTheNextRequest) {
  start();
  for (std::string method : {"GET", "HEAD", "OPTIONS"}) {
    SCOPED_TRACE(method);
    RawConnection connection(port_);
    ASSERT_TRUE(connection.send(request(method, "/__runmock/health", {}, kSmuggled) + health_request()));
    auto first = method == "HEAD" ? connection.read_head_answer() : connection.read_answer();
    ASSERT_TRUE(first);
    // OPTIONS on a route without an OPTIONS handler: 204 with Allow.
    EXPECT_EQ(first->status, method == "OPTIONS" ? 204 : 200) << first->body;
    auto second = connection.read_answer();
    EXPECT_EQ(status_of(second), 200) << (second ? second->body : "no second answer");
    EXPECT_EQ(json_of(second).value("status", ""), "ok");
    EXPECT_TRUE(connection.silent_for(200ms)) << "a third answer: " << connection.pending();
  }
  expect_still_serving();
}

// --- 10. Pipelining ----------------------------------------------------------------------------

// `count` requests in one write on one connection, for distinct runs: their answers in order.
void expect_pipelined_in_order(int port, const std::function<std::string(const std::string&)>& get, int count) {
  std::string burst;
  std::vector<std::string> ids;
  for (int i = 0; i < count; ++i) {
    std::string number = std::to_string(100000 + i).substr(1);  // five digits
    ids.push_back("123e4567-e89b-12d3-a456-4266141" + number);
    burst += get(ids.back());
  }
  RawConnection connection(port);
  ASSERT_TRUE(connection.send(burst));
  std::string previous_request_id;
  for (int i = 0; i < count; ++i) {
    auto answer = connection.read_answer();
    ASSERT_TRUE(answer) << "answer " << i << " of " << count << " missing";
    EXPECT_EQ(answer->status, 404);
    EXPECT_NE(error_of(*answer).value("message", "").find(ids[i]), std::string::npos) << "answer " << i << " is not for its request: " << answer->body;
    std::string request_id = answer->header("X-Request-Id").value_or("");
    EXPECT_GT(request_id, previous_request_id) << "answer " << i;
    previous_request_id = request_id;
  }
  EXPECT_TRUE(connection.silent_for(100ms)) << "more answers than requests";
}

TEST_F(Connections, PipelinedRequestsAreAnsweredInOrder) {
  start();
  auto get = [this](const std::string& id) { return request("GET", kRuns + "/" + id, auth()); };
  expect_pipelined_in_order(port_, get, 3);
  expect_pipelined_in_order(port_, get, 100);
  expect_still_serving();
}

// --- 11. Range -------------------------------------------------------------------------------

TEST_F(Connections, TwoHundredByteRangesGetThePlainJsonAnswer) {
  start();
  std::string ranges = "bytes=";
  for (int i = 0; i < 200; ++i) ranges += (i ? "," : "") + std::to_string(2 * i) + "-" + std::to_string(2 * i);
  auto plain = ask(request("GET", "/__runmock/scenarios"));
  auto ranged = ask(request("GET", "/__runmock/scenarios", {{"Range", ranges}}));
  ASSERT_TRUE(plain && ranged);
  EXPECT_EQ(ranged->status, 200);
  EXPECT_FALSE(ranged->header("Content-Range").has_value());
  EXPECT_EQ(ranged->header("Content-Type").value_or(""), "application/json");
  EXPECT_EQ(ranged->body.size(), plain->body.size());
  EXPECT_TRUE(json::parse(ranged->body, nullptr, false).is_object()) << "not one JSON document";
  expect_still_serving();
}

// --- 12. Chunked bodies ------------------------------------------------------------------------

TEST_F(Connections, AChunkedBodyOverMaxBodyBytesGets413) {
  start({"--max-body-bytes", "1000"});
  std::string chunks;
  for (int i = 0; i < 4; ++i) chunks += "1f4\r\n" + std::string(500, ' ') + "\r\n";  // 2000 bytes in 500-byte chunks
  chunks += "0\r\n\r\n";
  RawHeaders headers = auth({{"Content-Type", "application/json"}, {"Transfer-Encoding", "chunked"}});
  expect_emergence_error(ask(request("POST", kRuns, headers) + chunks), 413);
  expect_still_serving();
}

// --- 13. --host 0.0.0.0 ----------------------------------------------------------------------

TEST(ConnectionsStartup, ListeningOnEveryInterfaceWarnsOnStandardError) {
  RunmockProcess server({"serve", "--port", "0", "--clock", "manual", "--log-format", "off", "--host", "0.0.0.0"});
  EXPECT_EQ(server.stop(), 0);
  std::string warning = server.read_stderr();
  EXPECT_NE(warning.find("warning"), std::string::npos) << warning;
  EXPECT_NE(warning.find("reachable from other machines"), std::string::npos) << warning;
  EXPECT_NE(warning.find("every API route"), std::string::npos) << warning;
}

// --- 14. SIGTERM with requests in flight -----------------------------------------------------

// Each connection has its whole answer, or was closed before any byte of one: never silence.
void expect_answer_or_clean_close(std::vector<std::unique_ptr<RawConnection>>& connections) {
  for (std::size_t i = 0; i < connections.size(); ++i) {
    auto answer = connections[i]->read_answer();
    if (answer) {
      EXPECT_TRUE(answer->status == 200 || answer->status == 503) << "connection " << i << ": " << answer->status << " " << answer->body;
    } else {
      EXPECT_TRUE(connections[i]->ended()) << "connection " << i << " hangs: no answer and no close";
      EXPECT_EQ(connections[i]->pending(), "") << "connection " << i << " got half an answer";
    }
  }
}

class Shutdown : public Connections {
 protected:
  // `count` API requests held `hold_ms` each by a delay fault, in flight when SIGTERM comes;
  // returns the exit status.
  int sigterm_with_held_requests(int count, int hold_ms) {
    name_fault("hold", {{"kind", "delay"}, {"delay_ms", hold_ms}});
    std::vector<std::unique_ptr<RawConnection>> held;
    for (int i = 0; i < count; ++i) {
      held.push_back(std::make_unique<RawConnection>(port_));
      held.back()->send(list_request({{"Prefer", "fault=hold"}}));
    }
    eventually([&] { return connection_count(health(), "busy") > count; }, std::chrono::milliseconds(std::min(hold_ms, 3000)));
    int status = server_->stop(SIGTERM);
    expect_answer_or_clean_close(held);
    return status;
  }
};

TEST_F(Shutdown, SigtermWithAHundredRequestsInFlightAnswersOrClosesEachAndExits0) {
  start();
  EXPECT_EQ(sigterm_with_held_requests(100, 300), 0);
}

TEST_F(Shutdown, SigtermAfterAnInvalidRequestExits3WithFailOnViolations) {
  start({"--fail-on-violations"});
  EXPECT_EQ(status_of(ask(create_request(R"({"asset_fqn": 5})"))), 422);
  EXPECT_EQ(sigterm_with_held_requests(100, 300), 3);
  EXPECT_NE(server_->read_stderr().find("--fail-on-violations"), std::string::npos);
}

TEST_F(Shutdown, SigtermDuringAThirtySecondDelayStillExitsPromptly) {
  start();
  // Not -SIGKILL: RunmockProcess kills a server still running ~10 s after the signal.
  EXPECT_EQ(sigterm_with_held_requests(1, 30000), 0);
}

// --- 15. The admin API is the developer's alone ----------------------------------------------

class AdminApiGuard : public Connections {
 protected:
  json admin_runs() { return json_of(ask(request("GET", "/__runmock/runs"))); }
  runmock::testing::AdminContract contract_;
};

TEST_F(AdminApiGuard, ACrossOriginSimplePostCannotResetTheMock) {
  start();
  std::string id = create_run();
  for (std::string origin : {"http://localhost:3000", "https://evil.example", "null"}) {
    SCOPED_TRACE(origin);
    auto answer = ask(request("POST", "/__runmock/reset", {{"Origin", origin}, {"Content-Type", "text/plain"}}, "{}"));
    expect_admin_error(answer, 403);
    EXPECT_EQ(contract_.check("post", "/__runmock/reset", 403, json_of(answer)), std::vector<std::string>{});
    EXPECT_FALSE(answer && answer->header("Access-Control-Allow-Origin").has_value()) << "CORS headers for a refused origin";
  }
  json runs = admin_runs();
  EXPECT_EQ(runs["count"], 1) << runs.dump();
  EXPECT_NE(runs.dump().find(id), std::string::npos) << "the run is gone";
}

TEST_F(AdminApiGuard, ACrossOriginSeedingIsRefusedAndSeedsNothing) {
  start();
  std::string seed = R"({"api": "emergence", "state": "completed", "count": 5})";
  for (std::string origin : {"https://evil.example", "null"}) {
    SCOPED_TRACE(origin);
    auto answer = ask(request("POST", "/__runmock/runs", {{"Origin", origin}, {"Content-Type", "text/plain"}}, seed));
    expect_admin_error(answer, 403);
  }
  EXPECT_EQ(admin_runs()["count"], 0);
  EXPECT_EQ(json_of(ask(list_request()))["total"], 0);
}

TEST_F(AdminApiGuard, AForeignHostNameIsRefusedForReadsToo) {
  start();
  std::string rebound = "rebind.attacker.test:" + std::to_string(port_);
  for (std::string path : {"/__runmock/runs", "/__runmock/journal", "/__runmock/health"}) {
    SCOPED_TRACE(path);
    expect_admin_error(ask(request("GET", path, {{"Host", rebound}})), 403);
  }
  expect_admin_error(ask(request("POST", "/__runmock/reset", {{"Host", rebound}})), 403);
  expect_still_serving();
}

TEST_F(AdminApiGuard, AnAdminOriginIsLetThroughWithCorsHeaders) {
  start({"--admin-origin", "http://localhost:3000"});
  auto read = ask(request("GET", "/__runmock/runs", {{"Origin", "http://localhost:3000"}}));
  ASSERT_EQ(status_of(read), 200);
  EXPECT_EQ(read->header("Access-Control-Allow-Origin").value_or(""), "http://localhost:3000");
  auto preflight = ask(request("OPTIONS", "/__runmock/reset",
                               {{"Origin", "http://localhost:3000"}, {"Access-Control-Request-Method", "POST"}, {"Access-Control-Request-Headers", "content-type"}}));
  ASSERT_EQ(status_of(preflight), 204);
  EXPECT_EQ(preflight->header("Access-Control-Allow-Origin").value_or(""), "http://localhost:3000");
  auto reset = ask(request("POST", "/__runmock/reset", {{"Origin", "http://localhost:3000"}, {"Content-Type", "application/json"}}, "{}"));
  EXPECT_EQ(status_of(reset), 200) << (reset ? reset->body : "no answer");
  expect_admin_error(ask(request("POST", "/__runmock/reset", {{"Origin", "https://evil.example"}}, "{}")), 403);
}

TEST_F(AdminApiGuard, AnAdminTokenIsRequiredWhenSet) {
  start({"--admin-token", "s3cret-T"});
  expect_admin_error(ask(request("GET", "/__runmock/health")), 401);
  expect_admin_error(ask(request("POST", "/__runmock/reset", {{"Authorization", "Bearer wrong"}}, "{}")), 401);
  auto with = ask(request("GET", "/__runmock/health", {{"Authorization", "Bearer s3cret-T"}}));
  EXPECT_EQ(status_of(with), 200);
  EXPECT_EQ(status_of(ask(create_request())), 201) << "the API routes do not want the admin token";
}

TEST(ConnectionsStartup, AdminRemoteWithoutATokenExits2WithAMessage) {
  RunmockProcess server({"serve", "--port", "0", "--clock", "manual", "--admin-remote"}, false);
  EXPECT_EQ(server.wait_exit(), 2);
  std::string message = server.read_stderr();
  EXPECT_NE(message.find("--admin-remote needs --admin-token"), std::string::npos) << message;
}

TEST_F(AdminApiGuard, TheApiRoutesKeepTheirCorsForAnyOrigin) {
  start();
  auto read = ask(list_request({{"Origin", "https://evil.example"}}));
  ASSERT_EQ(status_of(read), 200);
  EXPECT_EQ(read->header("Access-Control-Allow-Origin").value_or(""), "https://evil.example");
  auto preflight = ask(request("OPTIONS", kRuns,
                               {{"Origin", "https://app.example"}, {"Access-Control-Request-Method", "POST"}, {"Access-Control-Request-Headers", "authorization"}}));
  ASSERT_EQ(status_of(preflight), 204);
  EXPECT_EQ(preflight->header("Access-Control-Allow-Origin").value_or(""), "https://app.example");
}

// --- 16. Every limit: refused in the API's shape, the server still serving -------------------

TEST_F(Connections, MaxBodyBytesGets413) {
  start({"--max-body-bytes", "1000"});
  expect_emergence_error(ask(create_request(kBody + std::string(2000, ' '))), 413);
  expect_still_serving();
}

TEST_F(Connections, MaxJsonDepthGets400) {
  start({"--max-json-depth", "5"});
  std::string deep = R"({"asset_fqn": "PostgreSQL.dvdrental.public.actor", "parameters": {"a": {"b": {"c": {"d": {"e": {}}}}}}})";
  expect_emergence_error(ask(create_request(deep)), 400);
  expect_still_serving();
}

TEST_F(Connections, MaxRunsGets503WhenNoRunHasEnded) {
  start({"--max-runs", "2"});
  EXPECT_EQ(status_of(ask(create_request())), 201);
  EXPECT_EQ(status_of(ask(create_request())), 201);
  expect_emergence_error(ask(create_request()), 503, "SERVICE_UNAVAILABLE");
  EXPECT_EQ(status_of(ask(health_request())), 200);
  auto list = ask(list_request());
  EXPECT_EQ(status_of(list), 200);
  EXPECT_EQ(json_of(list)["total"], 2);
}

TEST_F(Connections, JournalSizeDropsAndCountsTheOldestEntries) {
  start({"--journal-size", "3"});
  for (int i = 0; i < 5; ++i) EXPECT_EQ(status_of(ask(list_request())), 200);
  json journal = json_of(ask(request("GET", "/__runmock/journal")));
  EXPECT_EQ(journal["entries"].size(), 3u) << journal.dump();
  EXPECT_EQ(journal["capacity"], 3);
  EXPECT_EQ(journal["recorded"], 5);
  EXPECT_EQ(journal["dropped"], 2);
  expect_still_serving();
}

TEST_F(Connections, MaxHeadersGets431InTheApisShape) {
  start({"--max-headers", "5"});
  RawHeaders headers = auth();
  for (int i = 0; i < 10; ++i) headers.emplace_back("X-Field-" + std::to_string(i), "v");
  expect_emergence_error(ask(request("GET", kRuns, headers)), 431);
  expect_still_serving();
}

TEST_F(Connections, MaxHeaderBytesGets431InTheApisShape) {
  start({"--max-header-bytes", "4096"});
  expect_emergence_error(ask(request("GET", kRuns, auth({{"X-Big", std::string(6000, 'a')}}))), 431);
  expect_still_serving();
}

TEST_F(Connections, ReadTimeoutGets408WhenARequestFallsSilent) {
  start({"--read-timeout", "0.3"});
  RawConnection silent(port_);
  ASSERT_TRUE(silent.send(request("POST", kRuns, auth({{"Content-Type", "application/json"}, {"Content-Length", "100"}})) + "{\"asset"));
  auto answer = silent.read_answer();
  expect_emergence_error(answer, 408, "REQUEST_TIMEOUT");
  EXPECT_NE(answer ? answer->body.find("--read-timeout") : std::string::npos, std::string::npos) << (answer ? answer->body : "");
  EXPECT_TRUE(silent.closed_by_peer());
  expect_still_serving();
}

TEST_F(Connections, KeepAliveTimeoutClosesAnIdleConnection) {
  start({"--keep-alive-timeout", "0.3"});
  RawConnection idle(port_);
  ASSERT_TRUE(idle.send(health_request()));
  EXPECT_EQ(status_of(idle.read_answer()), 200);
  EXPECT_TRUE(idle.closed_by_peer()) << "an idle connection outlived --keep-alive-timeout";
  expect_still_serving();
}

TEST_F(Connections, WriteTimeoutDropsAClientThatDoesNotRead) {
  start({"--write-timeout", "0.3"});
  RawConnection probe(port_);  // one keep-alive connection for the server's counters
  auto open_connections = [&] {
    probe.send(health_request());
    return connection_count(json_of(probe.read_answer()), "open");
  };
  RawConnection deaf(port_);
  std::string burst;
  for (int i = 0; i < 300; ++i) burst += request("GET", "/__runmock/scenarios");  // ~100 KB each: 30 MB, far past the socket buffers
  ASSERT_TRUE(eventually([&] { return open_connections() == 2; })) << "the server never counted the second connection";
  ASSERT_TRUE(deaf.send(burst));
  EXPECT_TRUE(eventually([&] { return open_connections() == 1; })) << "the connection of a client that does not read stays open";
  int answers = 0;
  while (deaf.read_answer()) ++answers;
  EXPECT_LT(answers, 300);
  EXPECT_TRUE(deaf.ended());
  expect_still_serving();
}

}  // namespace
