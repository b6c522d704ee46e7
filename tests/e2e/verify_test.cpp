// `runmock verify` end to end: against `runmock serve` (all three APIs pass, JUnit read by
// junitparser and xmllint), against tests/support/broken_server.cpp (the exact failures), and its
// usage and connection errors (exit 2).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "support/runmock_process.h"
#include "support/unsigned_token.h"

namespace {

namespace fs = std::filesystem;
using runmock::testing::RunmockProcess;
using runmock::testing::unsigned_token;

struct Finished {
  int exit_code = -1;
  std::vector<std::string> lines;
  std::string errors;
};

// Runs a program to its end and collects its standard output lines and standard error.
Finished run_program(std::vector<std::string> arguments, const std::string& binary = RUNMOCK_BINARY) {
  RunmockProcess process(std::move(arguments), false, binary);
  Finished finished;
  for (std::string line = process.read_line(); !line.empty(); line = process.read_line()) finished.lines.push_back(line);
  finished.errors = process.read_stderr();
  finished.exit_code = process.wait_exit();
  return finished;
}

Finished run_verify(std::vector<std::string> arguments) {
  arguments.insert(arguments.begin(), "verify");
  return run_program(std::move(arguments));
}

bool has_line(const Finished& run, const std::string& line) { return std::find(run.lines.begin(), run.lines.end(), line) != run.lines.end(); }

std::vector<std::string> lines_starting(const Finished& run, const std::string& prefix) {
  std::vector<std::string> found;
  for (const auto& line : run.lines) {
    if (line.rfind(prefix, 0) == 0) found.push_back(line);
  }
  return found;
}

struct Counts {
  int passed = -1, failed = -1, skipped = -1;
};

Counts summary_counts(const Finished& run) {
  static const std::regex summary(R"(^(\d+) passed, (\d+) failed, (\d+) skipped in [0-9.]+ s$)");
  std::smatch match;
  Counts counts;
  if (!run.lines.empty() && std::regex_match(run.lines.back(), match, summary)) {
    counts = {std::stoi(match[1]), std::stoi(match[2]), std::stoi(match[3])};
  }
  return counts;
}

std::string temp_file(const std::string& name) {
  return (fs::temp_directory_path() / ("runmock-verify-" + std::to_string(getpid()) + "-" + name)).string();
}

// What a real JUnit reader (python3-junitparser) finds in the file: tests, failures, skipped,
// suites, then the text of every failure.
struct JunitReading {
  int tests = -1, failures = -1, skipped = -1, suites = -1;
  std::string failure_texts;
};

JunitReading read_junit(const std::string& file) {
  const std::string script = R"(import sys
from junitparser import JUnitXml, Failure, Skipped
xml = JUnitXml.fromfile(sys.argv[1])
tests = failures = skipped = suites = 0
texts = []
for suite in xml:
    suites += 1
    for case in suite:
        tests += 1
        for result in case.result:
            if isinstance(result, Failure):
                failures += 1
                texts.append(result.text)
            elif isinstance(result, Skipped):
                skipped += 1
print(tests, failures, skipped, suites)
print("|".join(texts).replace("\n", "|"))
)";
  auto finished = run_program({"-c", script, file}, RUNMOCK_PYTHON3);
  EXPECT_EQ(finished.exit_code, 0) << finished.errors;
  JunitReading reading;
  if (finished.lines.empty()) return reading;
  std::sscanf(finished.lines[0].c_str(), "%d %d %d %d", &reading.tests, &reading.failures, &reading.skipped, &reading.suites);
  if (finished.lines.size() > 1) reading.failure_texts = finished.lines[1];
  return reading;
}

void expect_well_formed(const std::string& file) {
  auto lint = run_program({"--noout", file}, RUNMOCK_XMLLINT);
  EXPECT_EQ(lint.exit_code, 0) << lint.errors;
}

// One runmock for every test against runmock itself: runs end within a second at 50x speed.
class VerifyRunmockTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = std::make_unique<RunmockProcess>(
        std::vector<std::string>{"serve", "--port", "0", "--time-scale", "50", "--amperity-rate-limit", "0", "--log-format", "off", "--seed", "3"});
  }
  static void TearDownTestSuite() { server_.reset(); }

  // Checks a passing run: exit 0, no FAIL line, the JUnit file agrees with the summary.
  void expect_all_pass(const Finished& run, const std::string& junit) {
    EXPECT_EQ(run.exit_code, 0) << run.errors;
    EXPECT_TRUE(lines_starting(run, "FAIL").empty()) << lines_starting(run, "FAIL").front();
    Counts counts = summary_counts(run);
    EXPECT_GT(counts.passed, 20);
    EXPECT_EQ(counts.failed, 0);
    expect_well_formed(junit);
    JunitReading reading = read_junit(junit);
    EXPECT_EQ(reading.tests, counts.passed + counts.skipped);
    EXPECT_EQ(reading.failures, 0);
    EXPECT_EQ(reading.skipped, counts.skipped);
    fs::remove(junit);
  }

  static inline std::unique_ptr<RunmockProcess> server_;
  const std::vector<std::string> fast = {"--poll-interval", "0.05", "--timeout", "10"};
};

TEST_F(VerifyRunmockTest, EmergencePassesWithIsolation) {
  std::string junit = temp_file("emergence.xml");
  auto token = run_program({"token", "--client-id", "tenant-b", "--project-id", "proj:tenant-b"});
  ASSERT_EQ(token.exit_code, 0);
  std::string other = token.lines.at(0);
  std::vector<std::string> arguments = {"--target", server_->url(), "--api", "emergence", "--header", "Authorization: Bearer " + server_->token(),
                                        "--tenant-b-header", "Authorization: Bearer " + other, "--junit", junit};
  arguments.insert(arguments.end(), fast.begin(), fast.end());
  auto run = run_verify(arguments);
  EXPECT_TRUE(has_line(run, "PASS emergence createWorkflowRun: documented request fixtures/emergence/examples/create-request.generate-pii-tags.json"));
  EXPECT_TRUE(has_line(run, "PASS emergence cancelWorkflowRun: documented request fixtures/emergence/examples/cancel-run.request.json on a fresh run"));
  EXPECT_TRUE(has_line(run, "PASS emergence cancelWorkflowRun: cancel of a run that has ended is refused"));
  EXPECT_TRUE(has_line(run, "PASS emergence createWorkflowRun: negative: credential malformed"));
  EXPECT_TRUE(has_line(run, "PASS emergence createWorkflowRun: negative: malformed JSON body"));
  EXPECT_TRUE(has_line(run, "PASS emergence listWorkflowRuns: negative: query parameter status out of its enum"));
  EXPECT_TRUE(has_line(run, "PASS emergence getWorkflowRun: tenant isolation: another tenant's read of the run is a 404"));
  EXPECT_TRUE(has_line(run, "PASS emergence listWorkflowRuns: tenant isolation: the run is listed for its tenant, not for another"));
  EXPECT_TRUE(has_line(run, "SKIP emergence streamWorkflowRunEvents: not exercised: an event stream; verify follows runs by polling getWorkflowRun"));
  // Every run was followed to a terminal state.
  auto lifecycles = lines_starting(run, "PASS emergence getWorkflowRun: lifecycle of the run created by ");
  EXPECT_GE(lifecycles.size(), 5u);
  for (const auto& line : lifecycles) EXPECT_NE(line.find("-> completed,"), std::string::npos) << line;
  expect_all_pass(run, junit);
}

TEST_F(VerifyRunmockTest, AmperityPassesWithIsolation) {
  std::string junit = temp_file("amperity.xml");
  std::vector<std::string> arguments = {"--target", server_->url(), "--api", "amperity", "--header", "Authorization: Bearer opaque-token",
                                        "--header", "amperity-tenant: acme", "--header", "api-version: 2024-04-01",
                                        "--tenant-b-header", "amperity-tenant: globex", "--junit", junit};
  arguments.insert(arguments.end(), fast.begin(), fast.end());
  auto run = run_verify(arguments);
  EXPECT_TRUE(has_line(run, "PASS amperity stopWorkflowRun: documented request fixtures/amperity/examples/docs-stop-request-curl.json on a fresh run"));
  EXPECT_TRUE(has_line(run, "PASS amperity startWorkflowRun: negative: field /run_mode out of its enum"));
  EXPECT_TRUE(has_line(run, "PASS amperity startWorkflowRun: negative: required field /config_id missing"));
  EXPECT_TRUE(has_line(run, "PASS amperity getWorkflowRun: negative: query parameter view out of its enum"));
  EXPECT_TRUE(has_line(run, "PASS amperity getWorkflowRun: tenant isolation: another tenant's read of the run is a 404"));
  EXPECT_GE(lines_starting(run, "PASS amperity getWorkflowRun: lifecycle of the run created by ").size(), 3u);
  expect_all_pass(run, junit);
}

TEST_F(VerifyRunmockTest, PennsievePassesWithIsolation) {
  std::string junit = temp_file("pennsieve.xml");
  std::string other = unsigned_token({{"sub", "tenant-b"}});
  std::vector<std::string> arguments = {"--target", server_->url(), "--api", "pennsieve", "--header", "Authorization: Bearer " + server_->token(),
                                        "--tenant-b-header", "Authorization: Bearer " + other, "--junit", junit};
  arguments.insert(arguments.end(), fast.begin(), fast.end());
  auto run = run_verify(arguments);
  EXPECT_TRUE(has_line(run, "PASS pennsieve cancelWorkflowRun: documented request fixtures/pennsieve/examples/cancel-request.json on a fresh run"));
  EXPECT_TRUE(has_line(run, "PASS pennsieve createWorkflowRun: negative: required field /workflowInstanceId missing"));
  EXPECT_TRUE(has_line(run, "PASS pennsieve listWorkflowRuns: tenant isolation: the run is listed for its tenant, not for another"));
  EXPECT_TRUE(has_line(run, "SKIP pennsieve workflowRunCompleted: not exercised: a webhook the server sends, not a route it serves"));
  for (const auto& line : lines_starting(run, "PASS pennsieve getWorkflowRun: lifecycle of the run created by ")) {
    EXPECT_NE(line.find("-> SUCCEEDED,"), std::string::npos) << line;
  }
  expect_all_pass(run, junit);
}

TEST_F(VerifyRunmockTest, IsolationIsSkippedWithoutASecondTenant) {
  auto run = run_verify({"--target", server_->url(), "--api", "emergence", "--header", "Authorization: Bearer " + server_->token(), "--only",
                         "getWorkflowRun", "--poll-interval", "0.05", "--timeout", "10"});
  EXPECT_EQ(run.exit_code, 0) << run.errors;
  EXPECT_TRUE(has_line(run, "SKIP emergence getWorkflowRun: tenant isolation: no --tenant-b-header given: another tenant's access was not checked"));
  // --only keeps the other operations' checks out.
  for (const auto& line : run.lines) {
    if (line.rfind("PASS", 0) == 0 || line.rfind("SKIP", 0) == 0) {
      EXPECT_EQ(line.find("emergence getWorkflowRun: "), 5u) << line;
    }
  }
}

// Headers pass through: runmock's Prefer picks a failing scenario, so every run verify follows
// ends failed and the failed state's fields (error_message, completed_at) are checked.
TEST_F(VerifyRunmockTest, FailedRunsAreFollowedToTheirEnd) {
  auto run = run_verify({"--target", server_->url(), "--api", "emergence", "--header", "Authorization: Bearer " + server_->token(), "--header",
                         "Prefer: scenario=fails-at-task-3", "--only", "getWorkflowRun", "--poll-interval", "0.05", "--timeout", "10"});
  EXPECT_EQ(run.exit_code, 0) << run.errors;
  auto lifecycles = lines_starting(run, "PASS emergence getWorkflowRun: lifecycle of the run created by ");
  EXPECT_GE(lifecycles.size(), 5u);
  for (const auto& line : lifecycles) EXPECT_NE(line.find("-> failed,"), std::string::npos) << line;
}

// runmock's own fault scenario that breaks the contract on purpose is a broken server to verify.
TEST_F(VerifyRunmockTest, CatchesRunmocksDeliberatelyBrokenResponses) {
  auto run = run_verify({"--target", server_->url(), "--api", "emergence", "--header", "Authorization: Bearer " + server_->token(), "--header",
                         "Prefer: scenario=broken-response", "--only", "getWorkflowRun", "--poll-interval", "0.05", "--timeout", "10"});
  EXPECT_EQ(run.exit_code, 1) << run.errors;
  auto failures = lines_starting(run, "FAIL emergence getWorkflowRun: lifecycle of the run created by ");
  ASSERT_GE(failures.size(), 5u);
  for (const auto& line : failures) {
    EXPECT_NE(line.find("/status: 'finishing' is not one of the allowed values"), std::string::npos) << line;
    EXPECT_NE(line.find("/duration_seconds: expected number or null, got string"), std::string::npos) << line;
  }
}

TEST_F(VerifyRunmockTest, JsonReportCountsTheChecks) {
  auto run = run_verify({"--target", server_->url(), "--api", "emergence", "--header", "Authorization: Bearer " + server_->token(), "--only",
                         "listWorkflowRuns", "--json", "--poll-interval", "0.05", "--timeout", "10"});
  EXPECT_EQ(run.exit_code, 0) << run.errors;
  std::string text;
  for (const auto& line : run.lines) text += line + "\n";
  auto report = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << text;
  EXPECT_EQ(report["api"], "emergence");
  EXPECT_EQ(report["failed"], 0);
  EXPECT_EQ(report["passed"].get<std::size_t>() + report["skipped"].get<std::size_t>(), report["checks"].size());
  for (const auto& check : report["checks"]) EXPECT_EQ(check["operation"], "listWorkflowRuns");
}

TEST(VerifyBrokenServerTest, NamesEveryBreachExactly) {
  RunmockProcess broken({}, true, BROKEN_SERVER_BINARY);
  std::string junit = temp_file("broken.xml");
  std::string token = unsigned_token({{"client_id", "tenant-a"}, {"project_id", "proj:a"}});
  std::string other = unsigned_token({{"client_id", "tenant-b"}, {"project_id", "proj:b"}});
  auto run = run_verify({"--target", broken.url(), "--api", "emergence", "--header", "Authorization: Bearer " + token, "--tenant-b-header",
                         "Authorization: Bearer " + other, "--junit", junit, "--poll-interval", "0.05", "--timeout", "5"});
  EXPECT_EQ(run.exit_code, 1) << run.errors;

  const std::string schemas = "https://runmock.dev/contracts/emergence/schemas/";
  const std::string lifecycle_breaches =
      "/: missing required property 'workflow_name' [" + schemas + "workflow-run-summary.schema.json#/required]; " +
      "/duration_seconds: expected number or null, got string [" + schemas + "workflow-run-summary.schema.json#/properties/duration_seconds/type]; " +
      "/status: the workflow run was completed, a terminal state, and is now running; a terminal state never changes [contracts/emergence/lifecycle.json]";
  std::set<std::string> expected;
  for (const auto& entry : fs::directory_iterator(fs::path(RUNMOCK_SOURCE_DIR) / "fixtures/emergence/examples")) {
    std::string name = entry.path().filename().string();
    if (name.rfind("create-request.", 0) != 0) continue;
    expected.insert("FAIL emergence getWorkflowRun: lifecycle of the run created by fixtures/emergence/examples/" + name +
                    " (pending -> running -> completed -> running, 3 polls): " + lifecycle_breaches);
  }
  for (std::string negative : {"createWorkflowRun: negative: malformed JSON body", "createWorkflowRun: negative: field /parameters of the wrong type",
                               "createWorkflowRun: negative: field /parameters/industry_info of the wrong type",
                               "createWorkflowRun: negative: field /save_all of the wrong type"}) {
    expected.insert("FAIL emergence " + negative + ": expected a 4xx, got 201 (the request is invalid)");
  }
  for (std::string negative : {"status out of its enum", "limit of the wrong type", "offset of the wrong type"}) {
    expected.insert("FAIL emergence listWorkflowRuns: negative: query parameter " + negative + ": expected a 4xx, got 200 (the request is invalid)");
  }
  expected.insert("FAIL emergence getWorkflowRun: tenant isolation: another tenant's read of the run is a 404: expected 404, got 200 (the run is another tenant's)");
  auto failures = lines_starting(run, "FAIL");
  std::regex run_id("'00000000-0000-4000-8000-[0-9]{12}'");
  for (auto& line : failures) line = std::regex_replace(line, run_id, "'<id>'");
  expected.insert("FAIL emergence listWorkflowRuns: tenant isolation: the run is listed for its tenant, not for another: /items: run '<id>' appears in another tenant's list");
  EXPECT_EQ(std::set<std::string>(failures.begin(), failures.end()), expected);
  EXPECT_EQ(failures.size(), expected.size());

  // What the broken server gets right still passes.
  EXPECT_TRUE(has_line(run, "PASS emergence cancelWorkflowRun: documented request fixtures/emergence/examples/cancel-run.request.json on a fresh run"));
  EXPECT_TRUE(has_line(run, "PASS emergence getWorkflowRun: negative: credential missing"));

  Counts counts = summary_counts(run);
  EXPECT_EQ(counts.failed, static_cast<int>(expected.size()));
  expect_well_formed(junit);
  JunitReading reading = read_junit(junit);
  EXPECT_EQ(reading.tests, counts.passed + counts.failed + counts.skipped);
  EXPECT_EQ(reading.failures, counts.failed);
  EXPECT_EQ(reading.skipped, counts.skipped);
  // A failure carries the request, the instance pointer, the schema location and the message.
  EXPECT_NE(reading.failure_texts.find("request: GET " + broken.url() + "/api/data-readiness/workflows/"), std::string::npos);
  EXPECT_NE(reading.failure_texts.find("pointer: /duration_seconds|message: expected number or null, got string|schema location: " + schemas +
                                       "workflow-run-summary.schema.json#/properties/duration_seconds/type"),
            std::string::npos);
  EXPECT_NE(reading.failure_texts.find("request: POST " + broken.url() + "/api/data-readiness/workflows/550e8400-e29b-41d4-a716-446655440001/runs|body: {\"malformed\": "),
            std::string::npos);
  fs::remove(junit);
}

TEST(VerifyUsageTest, UnreachableTargetExitsTwoWithOneMessage) {
  std::string junit = temp_file("unreachable.xml");
  auto run = run_verify({"--target", "http://127.0.0.1:1", "--api", "emergence", "--header", "Authorization: Bearer x.y.z", "--junit", junit});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_FALSE(fs::exists(junit));
  EXPECT_TRUE(run.lines.empty()) << run.lines.front();
  EXPECT_NE(run.errors.find("runmock verify: cannot reach the target: no answer from http://127.0.0.1:1 to POST"), std::string::npos) << run.errors;
}

TEST(VerifyUsageTest, BadUsageExitsTwo) {
  struct Case {
    std::vector<std::string> arguments;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{"--target", "ftp://127.0.0.1:1", "--api", "emergence"}, "--target 'ftp://127.0.0.1:1' is not an http(s)://HOST[:PORT][/PATH] URL"},
      {{"--target", "http://127.0.0.1:1", "--api", "nope"}, "--api"},
      {{"--api", "emergence"}, "--target is required"},
      {{"--target", "http://127.0.0.1:1", "--api", "emergence", "--header", "NoColon"}, "--header 'NoColon' is not 'Name: value'"},
      {{"--target", "http://127.0.0.1:1", "--api", "emergence", "--only", "noSuchOperation"},
       "--only 'noSuchOperation' is not an operation of the emergence contract"},
      {{"--target", "http://127.0.0.1:1", "--api", "emergence", "--poll-interval", "0"}, "--poll-interval must be a number of seconds above 0"},
      {{"--target", "http://127.0.0.1:1", "--api", "emergence", "--junit", "/nonexistent-dir/verify.xml"},
       "--junit '/nonexistent-dir/verify.xml': cannot write the file"},
  };
  for (const auto& c : cases) {
    auto run = run_verify(c.arguments);
    EXPECT_EQ(run.exit_code, 2) << c.message;
    EXPECT_NE(run.errors.find(c.message), std::string::npos) << run.errors;
  }
}

}  // namespace
