// End to end: the admin surface CI needs, against the real `runmock serve` binary on an ephemeral
// loopback port with the manual clock. Every admin answer a test reads is also checked against
// contracts/admin/openapi.yaml.
#include <gtest/gtest.h>
#include <httplib.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "support/admin_contract.h"
#include "support/runmock_process.h"

using nlohmann::json;
using runmock::testing::AdminContract;
using runmock::testing::RunmockProcess;

namespace {

constexpr const char* kConfiguration = "550e8400-e29b-41d4-a716-446655440001";
const std::string kRuns = std::string("/api/data-readiness/workflows/") + kConfiguration + "/runs";
const std::string kAmperityRuns = "/api/workflow/runs";

// A folder of scenario files for --scenarios, removed at the end.
class ScenarioFolder {
 public:
  ScenarioFolder() {
    path_ = std::filesystem::temp_directory_path() / ("runmock-admin-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScenarioFolder() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  void write(const std::string& name, const std::string& text) const { std::ofstream(path_ / name, std::ios::binary) << text; }
  std::string path() const { return path_.string(); }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

// One emergence scenario file: `name` ends in `last_state`.
std::string scenario_file(const std::string& name, const std::string& last_state) {
  return "api: emergence\nscenarios:\n  - name: " + name + "\n    phases:\n      - {state: pending, after: 1s}\n      - {state: " + last_state + "}\n";
}

class ServeAdmin : public ::testing::Test {
 protected:
  void start(std::vector<std::string> extra = {}) {
    std::vector<std::string> arguments{"serve", "--port", "0", "--clock", "manual", "--seed", "7"};
    arguments.insert(arguments.end(), extra.begin(), extra.end());
    server_ = std::make_unique<RunmockProcess>(arguments);
    client_ = std::make_unique<httplib::Client>("127.0.0.1", server_->port());
    client_->set_read_timeout(5, 0);
    auth_ = {{"Authorization", "Bearer " + server_->token()}};
  }
  void SetUp() override { start(); }

  // An admin call's JSON answer, checked against the admin API's OpenAPI document.
  json admin(const std::string& method, const std::string& path, const std::string& path_template, int expected_status, const std::string& body = "",
             const std::string& content_type = "application/json") {
    httplib::Result result = method == "GET"      ? client_->Get(path)
                             : method == "DELETE" ? client_->Delete(path)
                                                  : client_->Post(path, body, content_type);
    EXPECT_TRUE(result) << method << " " << path << ": no answer";
    if (!result) return nullptr;
    EXPECT_EQ(result->status, expected_status) << method << " " << path << ": " << result->body;
    for (const auto& error : contract_.check(method == "GET" ? "get" : method == "DELETE" ? "delete" : "post", path_template, result)) {
      ADD_FAILURE() << method << " " << path << " answers against contracts/admin/openapi.yaml: " << error;
    }
    return json::parse(result->body, nullptr, false);
  }

  json seed(const json& request, int expected_status = 201) {
    return admin("POST", "/__runmock/runs", "/__runmock/runs", expected_status, request.dump());
  }

  void advance_clock(double seconds) { admin("POST", "/__runmock/clock/advance", "/__runmock/clock/advance", 200, json{{"seconds", seconds}}.dump()); }

  // An emergence create whose body breaks the contract (422).
  void create_invalid(const std::string& field = "x") {
    auto result = client_->Post(kRuns, auth_, json{{"asset_fqn", "a.b"}, {field, 1}}.dump(), "application/json");
    ASSERT_TRUE(result);
    ASSERT_EQ(result->status, 422) << result->body;
  }

  json get(const std::string& path, const httplib::Headers& headers) {
    auto result = client_->Get(path, headers);
    EXPECT_TRUE(result && result->status == 200) << path << ": " << (result ? result->body : "no answer");
    return result ? json::parse(result->body, nullptr, false) : json();
  }

  std::unique_ptr<RunmockProcess> server_;
  std::unique_ptr<httplib::Client> client_;
  httplib::Headers auth_;
  AdminContract contract_;
};

// --- The journal ---

TEST_F(ServeAdmin, JournalFiltersBySinceVerdictAndLimit) {
  create_invalid();
  advance_clock(10);
  auto valid = client_->Post(kRuns, auth_, json{{"asset_fqn", "PostgreSQL.dvdrental.public"}}.dump(), "application/json");
  ASSERT_TRUE(valid && valid->status == 201);
  create_invalid();

  json all = admin("GET", "/__runmock/journal?api=emergence", "/__runmock/journal", 200);
  ASSERT_EQ(all["entries"].size(), 3u);
  EXPECT_EQ(all["entries"][0]["operation"], "createWorkflowRun");

  json since = admin("GET", "/__runmock/journal?api=emergence&since=2024-01-15T10:30:10Z", "/__runmock/journal", 200);
  ASSERT_EQ(since["entries"].size(), 2u);
  EXPECT_EQ(since["entries"][0]["time"], "2024-01-15T10:30:10Z");
  json offset_form = admin("GET", "/__runmock/journal?api=emergence&since=2024-01-15T11:30:05%2B01:00", "/__runmock/journal", 200);
  EXPECT_EQ(offset_form["entries"].size(), 2u);

  json invalid_since = admin("GET", "/__runmock/journal?verdict=invalid&since=2024-01-15T10:30:10Z", "/__runmock/journal", 200);
  ASSERT_EQ(invalid_since["entries"].size(), 1u);
  EXPECT_EQ(invalid_since["entries"][0]["sequence"], 4);  // 2 is the clock call (admin calls that change things are journaled)

  json last = admin("GET", "/__runmock/journal?limit=1", "/__runmock/journal", 200);
  ASSERT_EQ(last["entries"].size(), 1u);
  EXPECT_EQ(last["entries"][0]["sequence"], 4);

  json bad = admin("GET", "/__runmock/journal?since=yesterday", "/__runmock/journal", 400);
  EXPECT_NE(bad["error"]["message"].get<std::string>().find("'since'"), std::string::npos) << bad;

  EXPECT_EQ(admin("DELETE", "/__runmock/journal", "/__runmock/journal", 200)["cleared"], 4);
  EXPECT_TRUE(admin("GET", "/__runmock/journal", "/__runmock/journal", 200)["entries"].empty());
}

TEST_F(ServeAdmin, TheJournalRingDropsTheOldestAndCountsThem) {
  start({"--journal-size", "2"});
  for (int i = 0; i < 3; ++i) create_invalid();
  json journal = admin("GET", "/__runmock/journal", "/__runmock/journal", 200);
  EXPECT_EQ(journal["entries"].size(), 2u);
  EXPECT_EQ(journal["entries"][0]["sequence"], 2);
  EXPECT_EQ(journal["capacity"], 2);
  EXPECT_EQ(journal["recorded"], 3);
  EXPECT_EQ(journal["dropped"], 1);
  EXPECT_EQ(journal["verdicts"]["invalid"], 3);
  EXPECT_EQ(admin("GET", "/__runmock/health", "/__runmock/health", 200)["journal"]["dropped"], 1);
  // The violation tally still has the dropped one.
  EXPECT_EQ(admin("GET", "/__runmock/violations", "/__runmock/violations", 200)["invalid_exchanges"], 3);
}

// --- Violations ---

TEST_F(ServeAdmin, ViolationsAreGroupedWithCountsTimesAndRequestIds) {
  create_invalid("x");
  advance_clock(5);
  create_invalid("x");
  create_invalid("y");
  auto missing_token = client_->Get(kRuns);
  ASSERT_TRUE(missing_token && missing_token->status == 401);
  ASSERT_TRUE(client_->Get(kRuns, auth_));  // valid: not a violation

  json v = admin("GET", "/__runmock/violations", "/__runmock/violations", 200);
  EXPECT_EQ(v["invalid_exchanges"], 4);
  EXPECT_EQ(v["violations"], 4);
  ASSERT_EQ(v["groups"].size(), 3u) << v.dump(2);
  const json& top = v["groups"][0];
  EXPECT_EQ(top["api"], "emergence");
  EXPECT_EQ(top["operation"], "createWorkflowRun");
  EXPECT_EQ(top["side"], "request");
  EXPECT_EQ(top["in"], "body");
  EXPECT_EQ(top["instance_location"], "/x");
  EXPECT_EQ(top["count"], 2);
  EXPECT_EQ(top["first_time"], "2024-01-15T10:30:00Z");
  EXPECT_EQ(top["last_time"], "2024-01-15T10:30:05Z");
  EXPECT_EQ(top["request_ids"], json({"req-000001", "req-000003"}));
  EXPECT_EQ(v["groups"][2]["operation"], "listWorkflowRuns");
  EXPECT_EQ(v["groups"][2]["in"], "header");

  // A reset clears the journal, not the tally; DELETE /__runmock/violations does.
  admin("POST", "/__runmock/reset", "/__runmock/reset", 200);
  EXPECT_EQ(admin("GET", "/__runmock/violations", "/__runmock/violations", 200)["invalid_exchanges"], 4);
  EXPECT_EQ(admin("DELETE", "/__runmock/violations", "/__runmock/violations", 200)["cleared"], 4);
  EXPECT_TRUE(admin("GET", "/__runmock/violations", "/__runmock/violations", 200)["groups"].empty());
}

// --- --fail-on-violations ---

TEST_F(ServeAdmin, FailOnViolationsExitsThreeWithASummary) {
  start({"--fail-on-violations"});
  create_invalid("x");
  create_invalid("x");
  EXPECT_EQ(server_->stop(SIGTERM), 3);
  std::string err = server_->read_stderr();
  EXPECT_NE(err.find("runmock: --fail-on-violations: 2 exchanges broke the contract (2 violations in 1 group)"), std::string::npos) << err;
  EXPECT_NE(err.find("2x emergence createWorkflowRun request body /x: property 'x' is not allowed (first: req-000001 POST " + kRuns + ")"),
            std::string::npos)
      << err;
}

TEST_F(ServeAdmin, FailOnViolationsExitsZeroWhenEverythingKeptTheContract) {
  start({"--fail-on-violations"});
  ASSERT_TRUE(client_->Get(kRuns, auth_));
  admin("GET", "/__runmock/journal?since=bad", "/__runmock/journal", 400);  // the admin API's own errors do not count
  EXPECT_EQ(server_->stop(SIGINT), 0);
  EXPECT_EQ(server_->read_stderr().find("broke the contract"), std::string::npos);
}

TEST_F(ServeAdmin, WithoutTheFlagViolationsDoNotChangeTheExitStatus) {
  create_invalid();
  EXPECT_EQ(server_->stop(SIGTERM), 0);
}

// --- Scenarios at runtime ---

TEST_F(ServeAdmin, APostedScenarioServesRunsUntilItIsRemoved) {
  json added = admin("POST", "/__runmock/scenarios?name=ci.yaml", "/__runmock/scenarios", 201,
                     scenario_file("quick-fail", "failed") + scenario_file("default", "completed").substr(std::string("api: emergence\nscenarios:\n").size()),
                     "application/yaml");
  EXPECT_EQ(added["document"], "ci.yaml");
  EXPECT_EQ(added["added"], json::parse(R"([{"api": "emergence", "name": "quick-fail"}])"));
  EXPECT_EQ(added["replaced"], json::parse(R"([{"api": "emergence", "name": "default"}])"));

  json listed = admin("GET", "/__runmock/scenarios", "/__runmock/scenarios", 200);
  bool found = false;
  for (const auto& s : listed["scenarios"]) {
    if (s["name"] == "quick-fail") {
      found = true;
      EXPECT_TRUE(s["runtime"].get<bool>());
      EXPECT_EQ(s["file"], "ci.yaml:3:11");
    }
  }
  EXPECT_TRUE(found);

  httplib::Headers prefer = auth_;
  prefer.emplace("Prefer", "scenario=quick-fail");
  auto created = client_->Post(kRuns, prefer, json{{"asset_fqn", "PostgreSQL.dvdrental.public"}}.dump(), "application/json");
  ASSERT_TRUE(created && created->status == 201) << (created ? created->body : "");
  advance_clock(1);
  json run = get(kRuns + "/" + json::parse(created->body)["id"].get<std::string>(), auth_);
  EXPECT_EQ(run["status"], "failed");

  json removed = admin("DELETE", "/__runmock/scenarios/emergence/quick-fail", "/__runmock/scenarios/{api}/{name}", 200);
  EXPECT_EQ(removed["removed"].size(), 2u);
  auto refused = client_->Post(kRuns, prefer, json{{"asset_fqn", "PostgreSQL.dvdrental.public"}}.dump(), "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400) << refused->body;
  json again = admin("DELETE", "/__runmock/scenarios/emergence/quick-fail", "/__runmock/scenarios/{api}/{name}", 404);
  EXPECT_NE(again["error"]["message"].get<std::string>().find("no runtime scenario emergence/quick-fail"), std::string::npos);
  admin("DELETE", "/__runmock/scenarios/emergence/default", "/__runmock/scenarios/{api}/{name}", 404);  // bundled ones stay
}

TEST_F(ServeAdmin, ABrokenPostedScenarioIsA400WithItsLineAndColumn) {
  json refused = admin("POST", "/__runmock/scenarios?name=broken.yaml", "/__runmock/scenarios", 400, scenario_file("oops", "runing"), "application/yaml");
  EXPECT_EQ(refused["error"]["message"].get<std::string>().rfind("broken.yaml:6:", 0), 0u) << refused;
  EXPECT_NE(refused["error"]["message"].get<std::string>().find("'runing' is not a state of emergence"), std::string::npos) << refused;
  EXPECT_FALSE(refused["error"]["details"]["errors"].empty());
  json not_yaml = admin("POST", "/__runmock/scenarios", "/__runmock/scenarios", 400, "api: [", "application/yaml");
  EXPECT_NE(not_yaml["error"]["message"].get<std::string>().find("runtime-1.yaml:1:"), std::string::npos) << not_yaml;
  json empty = admin("POST", "/__runmock/scenarios?name=empty.yaml", "/__runmock/scenarios", 400, "", "application/yaml");
  EXPECT_EQ(empty["error"]["message"].get<std::string>().rfind("empty.yaml:1:1: the file is empty", 0), 0u) << empty;
  json listed = admin("GET", "/__runmock/scenarios", "/__runmock/scenarios", 200);
  for (const auto& s : listed["scenarios"]) EXPECT_NE(s["name"], "oops");
}

// --- Documents that alias themselves, or expand without end ---

const std::filesystem::path kYamlCorpus = std::filesystem::path(RUNMOCK_SOURCE_DIR) / "fuzz" / "corpus" / "scenario_yaml";

std::string corpus_file(const std::string& name) {
  std::ifstream in(kYamlCorpus / name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Each of these once killed the server (signal 11) or held a worker for seconds and hundreds of MB.
TEST_F(ServeAdmin, RecursiveAndExplodingPostedScenariosAre400sAndTheServerStaysUp) {
  const std::pair<const char*, std::string> cases[] = {
      {"recursive-sequence.yaml", "recursive-sequence.yaml:2:12: recursive alias '*a': the value anchored here contains itself"},
      {"recursive-merge.yaml", "recursive-merge.yaml:2:4: recursive alias '*a': the value anchored here contains itself"},
      {"alias-bomb-5.yaml", "alias-bomb-5.yaml:7:23: the document expands to more than 100000 values (an alias bomb?)"},
      {"alias-bomb-6.yaml", "alias-bomb-6.yaml:7:23: the document expands to more than 100000 values (an alias bomb?)"},
  };
  for (const auto& [name, expected] : cases) {
    const auto start = std::chrono::steady_clock::now();
    json refused = admin("POST", std::string("/__runmock/scenarios?name=") + name, "/__runmock/scenarios", 400, corpus_file(name), "application/yaml");
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2)) << name;
    EXPECT_EQ(refused["error"]["message"].get<std::string>().rfind(expected, 0), 0u) << refused;
    EXPECT_EQ(admin("GET", "/__runmock/health", "/__runmock/health", 200)["status"], "ok");
  }
}

TEST(Lint, ARecursiveAliasIsAProblemWithItsFileLineAndColumn) {
  const std::string file = (kYamlCorpus / "recursive-sequence.yaml").string();
  RunmockProcess lint({"lint", file}, false);
  EXPECT_EQ(lint.wait_exit(), 1);  // a problem in a file (2 is for usage and I/O errors)
  std::string err = lint.read_stderr();
  EXPECT_NE(err.find(file + ":2:12: recursive alias '*a': the value anchored here contains itself"), std::string::npos) << err;
}

// --- --watch ---

// `runmock serve --watch --scenarios DIR`, DIR holding mine.yaml with scenario 'watched'.
class ServeWatch : public ServeAdmin {
 protected:
  void SetUp() override {
    folder_.write("mine.yaml", scenario_file("watched", "completed"));
    start({"--watch", "--scenarios", folder_.path()});
    ASSERT_EQ(last_state_of_watched(), "completed");
  }

  std::string mine() const { return folder_.path() + "/mine.yaml"; }

  // An editor's save: a temporary file, renamed over the original.
  void save_by_rename(const std::string& text) const {
    folder_.write(".mine.yaml.tmp", text);
    std::filesystem::rename(folder_.path() + "/.mine.yaml.tmp", mine());
  }

  std::string last_state_of_watched() {
    json listed = admin("GET", "/__runmock/scenarios", "/__runmock/scenarios", 200);
    for (const auto& s : listed["scenarios"]) {
      if (s["name"] == "watched") return s["states"].back();
    }
    return "";
  }
  json last_reload() { return admin("GET", "/__runmock/scenarios", "/__runmock/scenarios", 200)["last_reload"]; }

  // True as soon as `condition` holds, checked every 50 ms for up to 2 s.
  static bool eventually(const std::function<bool()>& condition) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!condition()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return true;
  }
  // True when `condition` holds at every check (every 50 ms) for 1 s: four of the watcher's polls.
  static bool throughout_a_second(const std::function<bool()>& condition) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::seconds(1);
    while (std::chrono::steady_clock::now() < end) {
      if (!condition()) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return condition();
  }

  // The server's standard error, once it has stopped.
  std::string stopped_log() {
    server_->stop();
    return server_->read_stderr();
  }
  static std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t count = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
    return count;
  }

  static constexpr const char* kKept = "runmock: the scenarios did not reload, the previous ones stay in force: ";
  ScenarioFolder folder_;
};

TEST_F(ServeWatch, ReloadsAnEditedFolderAndKeepsTheOldSetOnABrokenEdit) {
  admin("POST", "/__runmock/scenarios?name=posted.yaml", "/__runmock/scenarios", 201, scenario_file("posted", "cancelled"), "application/yaml");

  folder_.write("mine.yaml", scenario_file("watched", "failed"));
  EXPECT_TRUE(eventually([&] { return last_state_of_watched() == "failed"; }));
  json after_reload = admin("GET", "/__runmock/scenarios", "/__runmock/scenarios", 200);
  EXPECT_TRUE(after_reload["last_reload"]["ok"].get<bool>());
  bool posted_kept = false;
  for (const auto& s : after_reload["scenarios"]) posted_kept = posted_kept || s["name"] == "posted";
  EXPECT_TRUE(posted_kept) << "a runtime scenario survives a --watch reload";

  folder_.write("mine.yaml", scenario_file("watched", "cancel"));
  EXPECT_TRUE(eventually([&] { return !last_reload()["ok"].get<bool>(); }));
  EXPECT_NE(last_reload()["error"].get<std::string>().find("mine.yaml:6:"), std::string::npos) << last_reload();
  EXPECT_EQ(last_state_of_watched(), "failed");  // the old set stays in force
  std::string log = stopped_log();
  // The bundled files, the watched one and the posted one.
  std::string reloaded = "runmock: scenarios reloaded (" + std::to_string(after_reload["last_reload"]["files"].get<int>()) + " files)";
  EXPECT_NE(log.find(reloaded), std::string::npos) << log;
  EXPECT_NE(log.find(kKept + mine() + ":6:"), std::string::npos) << log;
}

TEST_F(ServeWatch, AnEditIntoGarbageKeepsTheOldSetAndIsLoggedOnce) {
  folder_.write("mine.yaml", corpus_file("recursive-sequence.yaml"));  // this edit once took the server down
  EXPECT_TRUE(eventually([&] { return !last_reload()["ok"].get<bool>(); }));
  EXPECT_EQ(last_reload()["error"], mine() + ":2:12: recursive alias '*a': the value anchored here contains itself, so it never ends\n");
  EXPECT_TRUE(throughout_a_second([&] { return last_state_of_watched() == "completed"; }));

  folder_.write("mine.yaml", "api: emergence\n\x01\xff scenarios: [{{\n");
  EXPECT_TRUE(eventually([&] { return last_reload()["error"].get<std::string>().rfind(mine() + ":2:", 0) == 0; })) << last_reload();
  EXPECT_TRUE(throughout_a_second([&] { return last_state_of_watched() == "completed"; }));

  folder_.write("mine.yaml", scenario_file("watched", "failed"));
  EXPECT_TRUE(eventually([&] { return last_state_of_watched() == "failed"; }));
  EXPECT_TRUE(last_reload()["ok"].get<bool>());
  std::string log = stopped_log();
  EXPECT_EQ(occurrences(log, kKept), 2u) << "once per broken save, not once per poll:\n" << log;
  EXPECT_EQ(occurrences(log, kKept + mine() + ":2:12: recursive alias '*a'"), 1u) << log;
}

TEST_F(ServeWatch, ADeletedFileKeepsTheOldSetUntilItIsBack) {
  std::filesystem::remove(mine());
  EXPECT_TRUE(throughout_a_second([&] { return last_state_of_watched() == "completed"; }));

  folder_.write("mine.yaml", scenario_file("watched", "failed"));
  EXPECT_TRUE(eventually([&] { return last_state_of_watched() == "failed"; }));
  EXPECT_TRUE(last_reload()["ok"].get<bool>());
  std::string log = stopped_log();
  EXPECT_EQ(occurrences(log, kKept), 1u) << log;
  EXPECT_EQ(occurrences(log, kKept + mine() + ":3:11: the file is gone; what it defines stays in force until it is back"), 1u) << log;
}

TEST_F(ServeWatch, AnEditorsSaveByRenameIsPickedUpAndABrokenOneKeepsTheOldSet) {
  save_by_rename(scenario_file("watched", "cancelled"));  // the same size as before
  EXPECT_TRUE(eventually([&] { return last_state_of_watched() == "cancelled"; }));

  save_by_rename(scenario_file("watched", "cancel"));
  EXPECT_TRUE(eventually([&] { return !last_reload()["ok"].get<bool>(); }));
  EXPECT_TRUE(throughout_a_second([&] { return last_state_of_watched() == "cancelled"; }));

  save_by_rename(scenario_file("watched", "failed"));
  EXPECT_TRUE(eventually([&] { return last_state_of_watched() == "failed"; }));
  std::string log = stopped_log();
  EXPECT_EQ(occurrences(log, kKept), 1u) << log;
  EXPECT_EQ(occurrences(log, kKept + mine() + ":6:17: 'cancel' is not a state of emergence"), 1u) << log;
}

// --- Seeding ---

TEST_F(ServeAdmin, Seeded150CompletedRunsPageThroughTheEmergenceList) {
  json seeded = seed({{"api", "emergence"}, {"state", "completed"}, {"count", 150}});
  EXPECT_EQ(seeded["count"], 150);
  EXPECT_EQ(seeded["scenario"], "default");  // the API's default unless the request names one
  std::set<std::string> ids(seeded["ids"].begin(), seeded["ids"].end());
  ASSERT_EQ(ids.size(), 150u);

  std::set<std::string> listed;
  std::string previous_start = "9999";
  for (int offset = 0; offset < 150; offset += 50) {
    json page = get(kRuns + "?limit=50&offset=" + std::to_string(offset), auth_);
    EXPECT_EQ(page["total"], 150);
    ASSERT_EQ(page["items"].size(), 50u);
    for (const auto& item : page["items"]) {
      EXPECT_EQ(item["status"], "completed");
      std::string started = item["started_at"], completed = item["completed_at"];
      EXPECT_LE(started, completed);
      EXPECT_LE(completed, "2024-01-15T10:30:00Z");
      EXPECT_LT(started, previous_start);  // newest first, one second apart
      previous_start = started;
      listed.insert(item["id"].get<std::string>());
    }
  }
  EXPECT_EQ(listed, ids);
  json detail = get(kRuns + "/" + *ids.begin(), auth_);
  EXPECT_EQ(detail["status"], "completed");
  EXPECT_EQ(detail["workflow_name"], "PII Detection - Production");
  EXPECT_FALSE(detail["tasks"].empty());
}

TEST_F(ServeAdmin, SeededAmperityRunsPageWithTheNextToken) {
  seed({{"api", "amperity"}, {"state", "succeeded"}, {"count", 25}, {"tenant", "acme"}});
  httplib::Headers headers{{"Authorization", "Bearer t"}, {"amperity-tenant", "acme"}, {"api-version", "2024-04-01"}};
  std::set<std::string> seen;
  std::string path = kAmperityRuns + "?limit=10";
  for (int page = 0; page < 5; ++page) {
    json body = get(path, headers);
    for (const auto& w : body["data"]) {
      EXPECT_EQ(w["state"], "succeeded");
      seen.insert(w["id"].get<std::string>());
    }
    if (!body.contains("next_token")) break;
    path = kAmperityRuns + "?limit=10&next_token=" + body["next_token"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), 25u);
  // Another tenant sees none of them.
  headers.erase("amperity-tenant");
  headers.emplace("amperity-tenant", "other");
  EXPECT_TRUE(get(kAmperityRuns, headers)["data"].empty());
}

TEST_F(ServeAdmin, ASeededStuckRunStaysWhereItIsAndLooksOld) {
  json seeded = seed({{"api", "emergence"}, {"scenario", "stuck-pending"}, {"state", "pending"}, {"in_phase_seconds", 3600}});
  std::string id = seeded["ids"][0];
  EXPECT_EQ(seeded["last"]["created_at"], "2024-01-15T09:30:00Z");
  advance_clock(7200);
  json run = get(kRuns + "/" + id, auth_);
  EXPECT_EQ(run["status"], "pending");
  EXPECT_EQ(run["started_at"], "2024-01-15T09:30:00Z");
  EXPECT_EQ(admin("POST", "/__runmock/runs/" + id + "/advance", "/__runmock/runs/{id}/advance", 200)["state"], "running");
}

TEST_F(ServeAdmin, SeededPennsieveRunsAreServedLikeCreatedOnes) {
  json seeded = seed({{"api", "pennsieve"}, {"state", "SUCCEEDED"}, {"count", 2}});
  httplib::Headers headers = auth_;
  json run = get("/compute/workflows/runs/" + seeded["ids"][1].get<std::string>(), headers);
  EXPECT_EQ(run["status"], "SUCCEEDED");
  EXPECT_LE(run["startedAt"].get<std::string>(), run["completedAt"].get<std::string>());
  json status = get("/compute/workflows/runs/" + seeded["ids"][1].get<std::string>() + "/status", headers);
  EXPECT_EQ(status["status"], "SUCCEEDED");
}

TEST_F(ServeAdmin, BadSeedRequestsName) {
  auto message = [&](const json& request, int status) { return seed(request, status)["error"]["message"].get<std::string>(); };
  EXPECT_NE(message({{"api", "nope"}, {"state", "completed"}}, 400).find("api: give the API to seed runs of (amperity, emergence, pennsieve)"),
            std::string::npos);
  EXPECT_NE(message({{"api", "emergence"}, {"state", "completed"}, {"colour", 1}}, 400).find("'colour' is not a field"), std::string::npos);
  EXPECT_NE(message({{"api", "emergence"}}, 400).find("state, phase"), std::string::npos);
  EXPECT_NE(message({{"api", "emergence"}, {"scenario", "nope"}, {"state", "completed"}}, 404).find("(known: "), std::string::npos);
  EXPECT_NE(message({{"api", "emergence"}, {"state", "stopped"}}, 400).find("state: scenario 'default' never reaches 'stopped' (its states: "),
            std::string::npos);
  EXPECT_NE(message({{"api", "emergence"}, {"phase", "nope"}}, 400).find("phase: scenario 'default' has no phase 'nope'"), std::string::npos);
  EXPECT_NE(message({{"api", "emergence"}, {"state", "completed"}, {"count", 10001}}, 400).find("count: must be an integer from 1 to 10000"),
            std::string::npos);
  EXPECT_NE(message({{"api", "emergence"}, {"state", "completed"}, {"tenant", "me"}}, 400).find("tenant: "), std::string::npos);
  EXPECT_NE(message({{"api", "emergence"}, {"state", "completed"}, {"request", {{"configuration_id", 5}}}}, 400).find("request.configuration_id"),
            std::string::npos);
  EXPECT_NE(message({{"api", "emergence"}, {"state", "pending"}, {"in_phase_seconds", 60}}, 400).find("moves on after"), std::string::npos);
  admin("POST", "/__runmock/runs", "/__runmock/runs", 400, "not json");
  EXPECT_EQ(admin("GET", "/__runmock/runs", "/__runmock/runs", 200)["count"], 0);
}

}  // namespace
