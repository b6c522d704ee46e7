// Loading scenario files: the bundled ones load and play out within the contract; each kind of
// mistake is refused with file:line:col and a message that says what is wrong.
#include <gtest/gtest.h>

#include <algorithm>

#include "engine/engine.h"
#include "mock/scenario_test_support.h"
#include "scenario/loader.h"

using namespace runmock;
using namespace runmock::scenario;
using runmock::testing::all_contracts;
using runmock::testing::count_scenario_files;
using runmock::testing::load_options;
using runmock::testing::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

LoadResult load_bundled() { return load_scenarios({default_scenarios_dir()}, load_options()); }

// The emergence representation of a run as a dialect would build it (seed 002's shape).
json emergence_detail(const engine::RunSnapshot& run, const Configuration& configuration, const std::string& configuration_id) {
  auto ts = [](std::optional<engine::Instant> t) { return t ? json(engine::format_timestamp(*t)) : json(nullptr); };
  json detail = run.fields();
  detail["id"] = run.id();
  detail["configuration_id"] = configuration_id;
  detail["status"] = run.state();
  detail["workflow_name"] = configuration.fields["workflow_name"];
  detail["workflow_type"] = configuration.fields["workflow_type"];
  detail["asset_fqn"] = "PostgreSQL.dvdrental.public.customer";
  detail["service_name"] = "PostgreSQL";
  detail["database_name"] = "dvdrental";
  detail["schema_name"] = "public";
  detail["table_name"] = "customer";
  detail["started_at"] = ts(run.created_at());
  detail["completed_at"] = ts(run.ended_at());
  detail["duration_seconds"] = run.ended_at() ? json(engine::to_seconds(*run.ended_at() - run.created_at())) : json(nullptr);
  if (!detail.contains("error_message")) detail["error_message"] = nullptr;
  detail["input"] = {{"asset_fqn", "PostgreSQL.dvdrental.public.customer"}};
  if (!detail.contains("output")) detail["output"] = json::object();
  detail["tasks"] = json::array();
  for (const auto& item : run.part("tasks")) {
    if (!item.visible()) continue;
    json task = item.fields;
    task["id"] = item.id;
    task["started_at"] = ts(item.entered("running"));
    task["completed_at"] = item.state == "cancelled" ? json(nullptr) : ts(item.ended_at);
    if (!task.contains("error_message")) task["error_message"] = nullptr;
    detail["tasks"].push_back(task);
  }
  return detail;
}

// Loads `text` as <dir>/<name> and returns the errors, one per line.
std::string errors_of(const TempDir& dir, const std::string& name, const std::string& text) {
  auto file = dir.write(name, text);
  auto result = load_scenarios({file}, load_options());
  EXPECT_FALSE(result.ok()) << name << " loaded, it should not have";
  EXPECT_EQ(result.set, nullptr);
  return result.report();
}

}  // namespace

TEST(ScenarioLoader, EveryBundledFileLoads) {
  auto result = load_bundled();
  ASSERT_TRUE(result.ok()) << result.report();
  EXPECT_EQ(result.files.size(), count_scenario_files(default_scenarios_dir()));
  const ScenarioSet& set = *result.set;
  std::vector<std::string> names;
  for (const Scenario* s : set.scenarios("emergence")) names.push_back(s->name);
  EXPECT_EQ(names, (std::vector<std::string>{"dq-tags", "dq-rule-generation", "dq-execution", "default", "fails-at-task-3", "cancel-mid-run",
                                             "stuck-pending", "slow-progress", "poll-driven", "pii-tags", "table-description",
                                             "enrich-table-columns", "flaky-503", "slow-start", "rate-limited", "broken-response",
                                             "connection-dropped", "profiling", "run-all-enrichment"}));
  ASSERT_NE(set.default_for("emergence"), nullptr);
  EXPECT_EQ(set.default_for("emergence")->name, "default");
  for (const char* seed : {"550e8400-e29b-41d4-a716-446655440001", "123e4567-e89b-12d3-a456-426614174000"}) {
    const Configuration* c = set.configuration("emergence", seed);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->fields, (json{{"workflow_name", "PII Detection - Production"}, {"workflow_type", "generate-pii-tags"}}));
    Request request;
    request.path = {{"configuration_id", seed}};
    EXPECT_EQ(set.select("emergence", request).scenario->name, "pii-tags");
  }
  const Configuration* any = set.configuration("emergence", "9f1b2c3d-0000-4000-8000-000000000999");
  ASSERT_NE(any, nullptr);
  EXPECT_EQ(any->id, "*");
  Request other;
  other.path = {{"configuration_id", "9f1b2c3d-0000-4000-8000-000000000999"}};
  auto selection = set.select("emergence", other);
  EXPECT_EQ(selection.scenario->name, "default");
  EXPECT_EQ(selection.by, Selection::By::fallback);
  EXPECT_EQ(set.find("emergence", "stuck-pending")->script->phases[0].advance.kind, engine::Advance::Kind::manual);
}

// Every bundled scenario, played on a manual clock (and cancelled at each step, and moved by the
// admin API where it waits), gives at every poll a run detail that validates against the contract
// and follows the lifecycle rules.
TEST(ScenarioLoader, BundledScenariosPlayWithinTheContract) {
  auto result = load_bundled();
  ASSERT_TRUE(result.ok()) << result.report();
  const auto& contract = all_contracts().at("emergence");
  const auto* get = contract.find("getWorkflowRun");
  ASSERT_NE(get, nullptr);
  std::map<std::string, std::string> config_of;  // scenario → a configuration id that selects it
  for (const Configuration* c : result.set->configurations("emergence")) {
    Request request;
    request.path = {{"configuration_id", c->id == "*" ? "9f1b2c3d-0000-4000-8000-000000000999" : c->id}};
    config_of.emplace(result.set->select("emergence", request).scenario->name, request.path["configuration_id"]);
  }
  for (const Scenario* s : result.set->scenarios("emergence")) {
    std::string config_id = config_of.count(s->name) ? config_of[s->name] : "9f1b2c3d-0000-4000-8000-000000000999";
    const Configuration& configuration = *result.set->configuration("emergence", config_id);
    for (int cancel_at = -1; cancel_at < 12; ++cancel_at) {
      engine::Engine engine(engine::Clock::manual(), {});
      engine.add_api("emergence", contract.lifecycle());
      engine::CreateRequest request;
      request.api = "emergence";
      request.tenant = "t";
      request.script = s->script;
      engine::RunSnapshot run = engine.create(std::move(request));
      json previous;
      for (int step = 0; step < 400 && !run.terminal(); ++step) {
        if (step == cancel_at) {
          auto cancelled = engine.act(run.id(), "cancel", {"cancelled", std::nullopt});
          ASSERT_TRUE(cancelled.ok()) << cancelled.message;
        }
        engine.advance_clock(500ms);
        auto next = engine.observe(run.id());
        ASSERT_TRUE(next);
        if (next->version() == run.version() && next->phase() && next->phase()->advance.kind == engine::Advance::Kind::manual) {
          next = engine.advance(run.id()).run;
        }
        run = *next;
        json detail = emergence_detail(run, configuration, config_id);
        auto errors = contract.check_response_body(*get, 200, detail);
        for (const auto& e : errors) ADD_FAILURE() << s->name << " " << run.state() << ": " << e.instance_location << ": " << e.message;
        for (const auto& v : contract.lifecycle().check(detail)) ADD_FAILURE() << s->name << ": " << v.instance_location << ": " << v.message;
        if (!previous.is_null()) {
          for (const auto& v : contract.lifecycle().check_change(previous, detail)) {
            ADD_FAILURE() << s->name << " " << previous["status"] << " → " << detail["status"] << ": " << v.instance_location << ": " << v.message;
          }
        }
        previous = detail;
      }
      EXPECT_TRUE(run.terminal()) << s->name;
      if (cancel_at < 0) {
        if (s->name == "fails-at-task-3") {
          EXPECT_EQ(run.state(), "failed");
          std::vector<std::string> task_states;
          for (const auto& t : run.part("tasks")) task_states.push_back(t.state);
          EXPECT_EQ(task_states, (std::vector<std::string>{"completed", "completed", "failed", "cancelled"}));
          EXPECT_NE(run.fields()["error_message"].get<std::string>().find("detect-pii-columns"), std::string::npos);
        } else if (s->name == "cancel-mid-run") {
          EXPECT_EQ(run.state(), "cancelled");
        } else {
          EXPECT_EQ(run.state(), "completed") << s->name;
        }
        if (s->name == "run-all-enrichment") {
          EXPECT_EQ(run.fields()["pipeline_id"].get<std::string>().size(), 36u);
        }
      }
    }
  }
}

TEST(ScenarioLoader, RefusesUnknownKeys) {
  TempDir dir;
  std::string errors = errors_of(dir, "unknown-key.yaml",
                                 "api: emergence\n"
                                 "scenarios:\n"
                                 "  - name: broken\n"
                                 "    phases:\n"
                                 "      - state: pending\n"
                                 "        afterr: 2s\n"
                                 "      - state: completed\n");
  EXPECT_EQ(errors, (dir.path() / "unknown-key.yaml").string() +
                        ":6:9: unknown key 'afterr' (scenarios[0].phases[0] takes: after, dag, description, fault, name, set, state, task_instances, tasks)\n");
  std::string top = errors_of(dir, "top.yaml", "api: emergence\nscenario:\n  - name: x\n");
  EXPECT_NE(top.find("top.yaml:2:1: unknown key 'scenario' (a scenario file takes: api, configurations, description, scenarios)"), std::string::npos) << top;
}

TEST(ScenarioLoader, PhaseFaults) {
  TempDir dir;
  std::string errors = errors_of(dir, "status.yaml",
                                 "api: emergence\n"
                                 "scenarios:\n"
                                 "  - name: flaky\n"
                                 "    phases:\n"
                                 "      - state: pending\n"
                                 "        fault: {kind: status, status: 200}\n"
                                 "      - state: completed\n");
  EXPECT_NE(errors.find("status.yaml:6:39: scenarios[0].phases[0].fault.status: 200 is less than the minimum 400"), std::string::npos) << errors;
  errors = errors_of(dir, "delay.yaml",
                     "api: emergence\n"
                     "scenarios:\n"
                     "  - name: slow\n"
                     "    phases:\n"
                     "      - state: pending\n"
                     "        fault: {kind: delay}\n"
                     "      - state: completed\n");
  EXPECT_NE(errors.find("delay.yaml:6:16: a delay fault needs 'delay_ms'"), std::string::npos) << errors;

  dir.write("good.yaml",
            "api: emergence\n"
            "scenarios:\n"
            "  - name: flaky\n"
            "    phases:\n"
            "      - state: pending\n"
            "        fault: {kind: status, status: 503, retry_after: 1}\n"
            "        after: 2 polls\n"
            "      - state: completed\n");
  ScenarioRegistry registry({dir.path() / "good.yaml"}, load_options());
  ASSERT_TRUE(registry.reload().ok());
  const Scenario* flaky = registry.current()->find("emergence", "flaky");
  ASSERT_NE(flaky, nullptr);
  ASSERT_NE(flaky->script->phases[0].fault, nullptr);
  EXPECT_EQ(flaky->script->phases[0].fault->status, 503);
  EXPECT_EQ(flaky->script->phases[1].fault, nullptr);
}

TEST(ScenarioLoader, RefusesWrongTypes) {
  TempDir dir;
  std::string errors = errors_of(dir, "wrong-type.yaml",
                                 "api: emergence\n"
                                 "scenarios:\n"
                                 "  - name: broken\n"
                                 "    priority: high\n"
                                 "    phases:\n"
                                 "      - state: pending\n"
                                 "        after: 2\n"
                                 "      - state: completed\n");
  EXPECT_NE(errors.find("wrong-type.yaml:4:15: scenarios[0].priority: expected integer, got string"), std::string::npos) << errors;
  EXPECT_NE(errors.find("wrong-type.yaml:7:16: scenarios[0].phases[0].after: write a duration with its unit (10s, 500ms), a number of polls (10 polls) or manual; got 2"), std::string::npos) << errors;
  std::string duration = errors_of(dir, "duration.yaml",
                                   "api: emergence\n"
                                   "scenarios:\n"
                                   "  - name: broken\n"
                                   "    phases:\n"
                                   "      - state: pending\n"
                                   "        after: 2 sec\n"
                                   "      - state: completed\n");
  EXPECT_NE(duration.find("duration.yaml:6:16: scenarios[0].phases[0].after: '2 sec' is not a duration (2s, 500ms, 1m30s), a number of polls (3 polls) or manual"),
            std::string::npos)
      << duration;
}

TEST(ScenarioLoader, RefusesUnknownStatesAndParts) {
  TempDir dir;
  std::string errors = errors_of(dir, "unknown-state.yaml",
                                 "api: emergence\n"
                                 "scenarios:\n"
                                 "  - name: broken\n"
                                 "    tasks: [a]\n"
                                 "    phases:\n"
                                 "      - state: pending\n"
                                 "        after: 1s\n"
                                 "      - state: runing\n"
                                 "        tasks: [started]\n"
                                 "      - state: completed\n"
                                 "    dag: [x]\n");
  std::string file = (dir.path() / "unknown-state.yaml").string();
  EXPECT_NE(errors.find(file + ":8:16: 'runing' is not a state of emergence (cancelled, cancelling, completed, failed, pending, running)"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find(file + ":9:17: 'started' is not a state of an emergence task (cancelled, completed, failed, pending, running)"), std::string::npos)
      << errors;
  EXPECT_NE(errors.find(file + ":11:5: 'dag' is not a part of emergence runs (its parts: tasks)"), std::string::npos) << errors;
  std::string api = errors_of(dir, "api.yaml", "api: emergency\nscenarios: []\n");
  EXPECT_NE(api.find("api.yaml:1:6: unknown API 'emergency' (runmock knows: amperity, emergence, pennsieve)"), std::string::npos) << api;
}

TEST(ScenarioLoader, RefusesForbiddenTransitions) {
  TempDir dir;
  std::string file = (dir.path() / "forbidden.yaml").string();
  std::string errors = errors_of(dir, "forbidden.yaml",
                                 "api: emergence\n"
                                 "scenarios:\n"
                                 "  - name: broken\n"
                                 "    phases:\n"
                                 "      - state: pending\n"
                                 "        after: 1s\n"
                                 "      - state: running\n"
                                 "        after: 1s\n"
                                 "      - state: pending\n"
                                 "        after: 1s\n"
                                 "      - state: completed\n");
  EXPECT_EQ(errors, file +
                        ":9:16: emergence's lifecycle forbids running → pending: from running the workflow run may move only to cancelled, cancelling, "
                        "completed, failed (transitions.running in contracts/emergence/lifecycle.json)\n");

  std::string start = errors_of(dir, "start.yaml", "api: emergence\nscenarios:\n  - name: x\n    phases:\n      - state: running\n      - state: completed\n");
  EXPECT_NE(start.find("start.yaml:5:16: a run starts in pending: 'running' is not an initial state of emergence (contracts/emergence/lifecycle.json)"),
            std::string::npos)
      << start;

  std::string end = errors_of(dir, "end.yaml", "api: emergence\nscenarios:\n  - name: x\n    phases:\n      - state: pending\n        after: 1s\n      - state: running\n");
  EXPECT_NE(end.find("end.yaml:7:16: the last phase must be terminal (cancelled, completed, failed), not 'running': a run has to end"), std::string::npos)
      << end;

  std::string after_end = errors_of(dir, "after-end.yaml",
                                    "api: emergence\nscenarios:\n  - name: x\n    phases:\n      - state: pending\n"
                                    "      - state: completed\n        after: 1s\n");
  EXPECT_NE(after_end.find("after-end.yaml:7:9: a terminal phase (completed) never moves on: remove 'after'"), std::string::npos) << after_end;
  std::string unreached = errors_of(dir, "unreached.yaml",
                                    "api: emergence\nscenarios:\n  - name: x\n    phases:\n      - state: pending\n"
                                    "      - state: completed\n      - state: failed\n");
  EXPECT_NE(unreached.find("unreached.yaml:7:9: this phase is never reached: the phase before it ('completed') is terminal, the run ends there"),
            std::string::npos)
      << unreached;

  std::string action = errors_of(dir, "action.yaml",
                                 "api: emergence\n"
                                 "scenarios:\n"
                                 "  - name: x\n"
                                 "    phases:\n"
                                 "      - state: pending\n"
                                 "        after: 1s\n"
                                 "      - {name: work, state: running, after: 1s}\n"
                                 "      - state: completed\n"
                                 "    actions:\n"
                                 "      cancel:\n"
                                 "        - state: pending\n"
                                 "        - state: cancelled\n");
  EXPECT_NE(action.find("action.yaml:10:7: the cancel branch starts in pending, which phase 'work' (" + (dir.path() / "action.yaml").string() +
                        ":7:9) cannot move to: emergence's lifecycle forbids running → pending"),
            std::string::npos)
      << action;

  std::string task = errors_of(dir, "task.yaml",
                               "api: emergence\n"
                               "scenarios:\n"
                               "  - name: x\n"
                               "    tasks: [a]\n"
                               "    phases:\n"
                               "      - state: pending\n"
                               "        after: 1s\n"
                               "      - state: running\n"
                               "        tasks: [completed]\n"
                               "        after: 1s\n"
                               "      - state: running\n"
                               "        tasks: [running]\n"
                               "        after: 1s\n"
                               "      - state: completed\n");
  EXPECT_NE(task.find("task.yaml:9:17: task 1 first appears completed, but a task of emergence first appears pending or running"), std::string::npos) << task;
  EXPECT_NE(task.find("task.yaml:12:17: task 1: emergence's lifecycle forbids completed → running: completed is terminal, nothing may follow it"),
            std::string::npos)
      << task;
}

TEST(ScenarioLoader, RefusesFragmentsThatBreakTheContract) {
  TempDir dir;
  std::string file = (dir.path() / "fragment.yaml").string();
  std::string errors = errors_of(dir, "fragment.yaml",
                                 "api: emergence\n"
                                 "configurations:\n"
                                 "  - id: 00000000-0000-4000-8000-000000000001\n"
                                 "    workflow_name: Demo\n"
                                 "    workflow_type: generate-foo\n"
                                 "scenarios:\n"
                                 "  - name: broken\n"
                                 "    tasks: [a, b]\n"
                                 "    phases:\n"
                                 "      - state: pending\n"
                                 "        after: 1s\n"
                                 "      - state: running\n"
                                 "        tasks:\n"
                                 "          - {status: running, started_at: 12}\n"
                                 "          - running\n"
                                 "        after: 1s\n"
                                 "      - state: completed\n"
                                 "        tasks: [completed, completed]\n"
                                 "        set:\n"
                                 "          output: done\n"
                                 "          duration_seconds: -1\n");
  EXPECT_NE(errors.find(file + ":5:20: breaks the contract at /workflow_type: 'generate-foo' is not one of the 15 allowed values"), std::string::npos) << errors;
  EXPECT_NE(errors.find(file + ":14:43: breaks the contract at /tasks/0/started_at: expected string or null, got integer"), std::string::npos) << errors;
  EXPECT_NE(errors.find(file + ":20:19: breaks the contract at /output: expected object, got string"), std::string::npos) << errors;
  EXPECT_NE(errors.find(file + ":21:29: breaks the contract at /duration_seconds: -1 is less than the minimum 0"), std::string::npos) << errors;
  EXPECT_EQ(std::count(errors.begin(), errors.end(), '\n'), 4) << errors;  // nothing blamed on values a phase did not write

  std::string state = errors_of(dir, "state.yaml",
                                "api: emergence\nscenarios:\n  - name: x\n    phases:\n      - state: pending\n        set: {status: running}\n"
                                "      - state: completed\n");
  EXPECT_NE(state.find("state.yaml:6:15: 'set' must not write the state (/status): use 'state:'"), std::string::npos) << state;
}

TEST(ScenarioLoader, RefusesDuplicatesAndBrokenYaml) {
  TempDir dir;
  const std::string one = "api: emergence\nscenarios:\n  - name: same\n    phases:\n      - state: pending\n      - state: completed\n";
  dir.write("a.yaml", one);
  dir.write("b.yaml", one);
  auto result = load_scenarios({dir.path()}, load_options());
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.report(), (dir.path() / "b.yaml").string() + ":3:11: duplicate scenario name 'same' for emergence (first at " +
                                 (dir.path() / "a.yaml").string() + ":3:11)\n");

  TempDir other;
  std::string phases = errors_of(other, "phases.yaml",
                                 "api: emergence\nscenarios:\n  - name: x\n    phases:\n      - {name: p, state: pending}\n"
                                 "      - {name: p, state: running}\n      - state: completed\n");
  EXPECT_NE(phases.find("phases.yaml:6:16: duplicate phase name 'p' (first at " + (other.path() / "phases.yaml").string() + ":5:9)"), std::string::npos) << phases;

  std::string key = errors_of(other, "key.yaml", "api: emergence\nscenarios: []\napi: emergence\n");
  EXPECT_NE(key.find("key.yaml:3:1: duplicate key 'api'"), std::string::npos) << key;

  std::string yaml = errors_of(other, "yaml.yaml", "api: emergence\nscenarios:\n  - name: [unclosed\n");
  EXPECT_NE(yaml.find("yaml.yaml:4:1: not valid YAML: "), std::string::npos) << yaml;

  std::string defaults = errors_of(other, "defaults.yaml",
                                   "api: emergence\nscenarios:\n  - {name: a, default: true, phases: [{state: pending}, {state: completed}]}\n"
                                   "  - {name: b, default: true, phases: [{state: pending}, {state: completed}]}\n");
  EXPECT_NE(defaults.find("defaults.yaml:4:24: a second default scenario for emergence"), std::string::npos) << defaults;

  std::string empty = errors_of(other, "empty.yaml", "# nothing\n");
  EXPECT_NE(empty.find("empty.yaml:1:1: the file is empty"), std::string::npos) << empty;
}

// The reproducers of fuzz/corpus/scenario_yaml: each used to crash the loader (a recursive alias)
// or hold it for seconds and hundreds of MB (an alias bomb); now each is one error, quickly.
TEST(ScenarioLoader, RefusesRecursiveAliasesAliasBombsAndDeepNestingWithWhere) {
  const std::filesystem::path corpus = std::filesystem::path(RUNMOCK_SOURCE_DIR) / "fuzz" / "corpus" / "scenario_yaml";
  const std::pair<const char*, std::string> cases[] = {
      {"recursive-sequence.yaml", ":2:12: recursive alias '*a': the value anchored here contains itself, so it never ends\n"},
      {"recursive-merge.yaml", ":2:4: recursive alias '*a': the value anchored here contains itself, so it never ends\n"},
      {"alias-bomb-5.yaml", ":7:"},
      {"alias-bomb-6.yaml", ":7:"},
      {"deep-alias-chain.yaml", ":2:5: nested more than 128 levels deep (written out or through aliases)\n"},
  };
  for (const auto& [name, expected] : cases) {
    const auto file = corpus / name;
    const auto start = std::chrono::steady_clock::now();
    auto result = load_scenarios({file}, load_options());
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s) << name;
    ASSERT_EQ(result.errors.size(), 1u) << result.report();
    EXPECT_EQ(result.report().rfind(file.string() + expected, 0), 0u) << result.report();
  }
  auto bomb = load_scenarios({corpus / "alias-bomb-6.yaml"}, load_options());
  EXPECT_NE(bomb.report().find(": the document expands to more than 100000 values (an alias bomb?)"), std::string::npos) << bomb.report();

  auto posted = load_scenario_text("posted.yaml", "api: emergence\nscenarios: &a [*a]\n", load_options());
  EXPECT_EQ(posted.report(), "posted.yaml:2:12: recursive alias '*a': the value anchored here contains itself, so it never ends\n");
  auto deep = load_scenario_text("deep.yaml", "api: emergence\nscenarios: " + std::string(200, '[') + std::string(200, ']') + "\n", load_options());
  EXPECT_EQ(deep.report().rfind("deep.yaml:2:139: nested more than 128 levels deep", 0), 0u) << deep.report();
}

TEST(ScenarioLoader, LoadsScenariosThatShareValuesThroughAliases) {
  auto result = load_scenario_text("shared.yaml",
                                   "api: emergence\n"
                                   "scenarios:\n"
                                   "  - name: first\n"
                                   "    phases: &phases\n"
                                   "      - &pending {state: pending, after: 1s}\n"
                                   "      - {state: completed}\n"
                                   "  - name: second\n"
                                   "    phases: *phases\n"
                                   "  - name: third\n"
                                   "    phases: [*pending, *pending, {state: failed}]\n",
                                   load_options());
  ASSERT_TRUE(result.ok()) << result.report();
  EXPECT_EQ(result.set->find("emergence", "second")->script->phases.size(), 2u);
  EXPECT_EQ(result.set->find("emergence", "third")->script->phases.back().state, "failed");
}

// A pointer repeats every key above it: a long key over many values used to cost their product
// (here 2 GB) in the marks, without a single alias.
TEST(ScenarioLoader, ALongKeyOverManyValuesCostsTheirSumNotTheirProduct) {
  std::string items;
  for (int i = 0; i < 20000; ++i) items += i ? ",1" : "1";
  const std::string key(100000, 'k');
  const auto start = std::chrono::steady_clock::now();
  auto result = load_scenario_text("long.yaml", "api: emergence\n? " + key + "\n: [" + items + "]\nscenarios: []\n", load_options());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  EXPECT_EQ(result.report().rfind("long.yaml:2:3: unknown key 'kkk", 0), 0u) << result.report().substr(0, 200);
}

TEST(ScenarioLoader, ServesTheOtherApis) {
  auto result = load_scenario_text("other.yaml",
                                   "api: amperity\n"
                                   "scenarios:\n"
                                   "  - name: courier-run\n"
                                   "    default: true\n"
                                   "    task_instances:\n"
                                   "      - {label: Load customers, execution_type: spark-sql}\n"
                                   "    phases:\n"
                                   "      - state: scheduled\n"
                                   "        after: 1s\n"
                                   "      - state: started\n"
                                   "        task_instances: [scheduled]\n"
                                   "        after: 1s\n"
                                   "      - state: in-progress\n"
                                   "        task_instances: [started]\n"
                                   "        after: 1s\n"
                                   "      - state: in-progress\n"
                                   "        task_instances: [running]\n"
                                   "        after: 2s\n"
                                   "      - state: succeeded\n"
                                   "        task_instances: [succeeded]\n"
                                   "    actions:\n"
                                   "      stop:\n"
                                   "        - state: stopping\n"
                                   "          task_instances: {unfinished: {scheduled: canceled, \"*\": stopping}}\n"
                                   "          after: 1s\n"
                                   "        - state: canceled\n",
                                   load_options());
  ASSERT_TRUE(result.ok()) << result.report();
  EXPECT_EQ(result.set->default_for("amperity")->name, "courier-run");
  // Stopping a running task instance needs `stopping` first: the engine's settling alone would
  // jump running → canceled, which amperity's lifecycle forbids; the loader says so.
  auto unscripted = load_scenario_text("stop.yaml",
                                       "api: amperity\nscenarios:\n  - name: x\n    task_instances: [{label: a}]\n    phases:\n"
                                       "      - state: scheduled\n        after: 1s\n      - state: started\n        task_instances: [started]\n"
                                       "        after: 1s\n      - state: succeeded\n        task_instances: [succeeded]\n"
                                       "    actions:\n      stop:\n        - state: stopping\n          after: 1s\n        - state: canceled\n",
                                       load_options());
  EXPECT_NE(unscripted.report().find("stop.yaml:17:18: task_instance 1: amperity's lifecycle forbids started → canceled: from started the task_instance may "
                                     "move only to failed, in-progress, running, stopping (transitions.started in contracts/amperity/lifecycle.json) "
                                     "(the engine moved it there when the run ended; script it explicitly)"),
            std::string::npos)
      << unscripted.report();

  auto pennsieve = load_scenario_text("pennsieve.yaml",
                                      "api: pennsieve\n"
                                      "scenarios:\n"
                                      "  - name: two-nodes\n"
                                      "    phases:\n"
                                      "      - state: NOT_STARTED\n"
                                      "        dag: [NOT_STARTED, NOT_STARTED]\n"
                                      "        after: 1s\n"
                                      "      - state: STARTED\n"
                                      "        dag: [STARTED, NOT_STARTED]\n"
                                      "        after: 2s\n"
                                      "      - state: STARTED\n"
                                      "        dag: [SUCCEEDED, STARTED]\n"
                                      "        after: 2s\n"
                                      "      - state: FINALIZING\n"
                                      "        dag: [SUCCEEDED, {status: SUCCEEDED}]\n"
                                      "        after: 1s\n"
                                      "      - state: SUCCEEDED\n"
                                      "    actions:\n"
                                      "      cancel:\n"
                                      "        - state: CANCELING\n"
                                      "          after: 1s\n"
                                      "        - state: CANCELED\n"
                                      "          dag: {unfinished: CANCELED}\n",
                                      load_options());
  ASSERT_TRUE(pennsieve.ok()) << pennsieve.report();
  auto bad = load_scenario_text("bad.yaml",
                                "api: pennsieve\nscenarios:\n  - name: x\n    phases:\n      - state: NOT_STARTED\n        after: 1s\n"
                                "      - state: SUCCEEDED\n",
                                load_options());
  EXPECT_NE(bad.report().find("bad.yaml:7:16: pennsieve's lifecycle forbids NOT_STARTED → SUCCEEDED"), std::string::npos) << bad.report();
}

TEST(ScenarioLoader, TheSchemaIsBuiltIn) {
  json schema = json::parse(scenario_schema_text());
  EXPECT_EQ(schema["$id"], "https://runmock.dev/scenarios/scenario.schema.json");
  EXPECT_EQ(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
}
