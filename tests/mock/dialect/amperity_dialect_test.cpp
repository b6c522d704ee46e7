// The bundled amperity scenarios, played on a manual clock (and stopped at every step) and shown as
// contracts/amperity/dialect.yaml's representations, give workflows that keep to the contract (both
// views of getWorkflowRun) and to the lifecycle, poll after poll; and the dialect's small pieces
// (partial timestamps, the overview, the error body).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "dialect/error_shape.h"
#include "engine/engine.h"
#include "engine/time.h"
#include "mechanisms/partial_timestamp.h"
#include "registry/registry.h"
#include "scenario_test_support.h"

using namespace std::chrono_literals;
using nlohmann::json;
using runmock::testing::all_contracts;
using runmock::testing::load_options;
namespace engine = runmock::engine;
namespace scenario = runmock::scenario;
namespace dialect = runmock::dialect;

namespace {

const runmock::registry::ApiRegistry& apis() {
  static const auto registry = runmock::registry::ApiRegistry::load(runmock::contracts::default_contracts_dir());
  return registry;
}

const dialect::DialectSpec& amperity() { return apis().find("amperity")->dialect; }

json render(const std::string& representation, const engine::RunSnapshot& run) {
  dialect::Scope scope;
  scope.run = &run;
  scope.fraction_digits = amperity().fraction_digits;
  scope.representations = &amperity().representations;
  return amperity().representations.render(representation, scope);
}

}  // namespace

TEST(AmperityScenarios, EveryBundledScenarioPlaysWithinTheContractAndLifecycle) {
  const auto& contract = all_contracts().at("amperity");
  const auto* get = contract.find("getWorkflowRun");
  ASSERT_NE(get, nullptr);
  scenario::ScenarioRegistry registry({scenario::default_scenarios_dir()}, load_options());
  auto loaded = registry.reload();
  ASSERT_TRUE(loaded.ok()) << loaded.report();
  auto set = registry.current();
  ASSERT_EQ(set->scenarios("amperity").size(), 11u);
  // The checks below can fail: an ended_at before the end, a task list in the overview.
  json bad = {{"id", "wf-20240115-12345-ABCDE"}, {"name", "Daily"}, {"type", "courier.group/run"}, {"state", "in-progress"},
              {"tenant", "t"}, {"created_at", "2024-01-15T10:30:00.000Z"}, {"ended_at", "2024-01-15T10:31:00.000Z"}};
  EXPECT_FALSE(contract.lifecycle().check(bad).empty());
  bad["task_instances"] = json::array();
  EXPECT_FALSE(contract.check_response_body(*get, 200, bad, "overview").empty());
  for (const scenario::Scenario* s : set->scenarios("amperity")) {
    for (int stop_at = -1; stop_at < 16; ++stop_at) {
      SCOPED_TRACE(s->name + " stopped at step " + std::to_string(stop_at));
      engine::Engine engine(engine::Clock::manual(), {});
      engine.add_api("amperity", contract.lifecycle());
      engine::CreateRequest request;
      request.api = "amperity";
      request.tenant = "socktown";
      request.script = s->script;
      request.data = {{"name", "Daily"}, {"type", "courier.group/run"}, {"tenant", "socktown"}, {"version", "etv-20240115-12345-6AbCDE"}};
      request.make_id = [](engine::IdGenerator& ids) { return "wf-20240115-" + ids.digits(5) + "-" + ids.letters(5); };
      engine::RunSnapshot run = engine.create(std::move(request));
      json previous;
      bool stopped = false;
      for (int step = 0; step < 200 && !run.terminal(); ++step) {
        if (step == stop_at) {
          auto result = engine.act(run.id(), "stop", {"stopping", std::nullopt});
          ASSERT_TRUE(result.ok()) << result.message;
          stopped = true;
        }
        engine.advance_clock(500ms);
        auto next = engine.observe(run.id());
        ASSERT_TRUE(next);
        run = *next;
        json verbose = render("workflow", run);
        for (const auto& e : contract.check_response_body(*get, 200, verbose, "verbose")) {
          ADD_FAILURE() << run.state() << " verbose: " << e.instance_location << ": " << e.message;
        }
        for (const auto& e : contract.check_response_body(*get, 200, render("overview", run), "overview")) {
          ADD_FAILURE() << run.state() << " overview: " << e.instance_location << ": " << e.message;
        }
        for (const auto& v : contract.lifecycle().check(verbose)) ADD_FAILURE() << run.state() << ": " << v.instance_location << ": " << v.message;
        if (!previous.is_null()) {
          for (const auto& v : contract.lifecycle().check_change(previous, verbose)) {
            ADD_FAILURE() << previous["state"] << " → " << verbose["state"] << ": " << v.instance_location << ": " << v.message;
          }
        }
        previous = verbose;
      }
      ASSERT_TRUE(run.terminal());
      if (stopped && run.entered_at("stopping")) {
        EXPECT_EQ(run.state(), "canceled");
        EXPECT_EQ(previous["error"]["type"], "amperity.workflow.workflow.repository.core/cancel");
      }
      if (stop_at < 0) {
        std::string expected = s->name == "fails-at-task" || s->name == "running-with-failures" ? "failed"
                               : s->name == "stopped-mid-run"                                 ? "canceled"
                                                                                               : "succeeded";
        EXPECT_EQ(run.state(), expected);
      }
    }
  }
}

TEST(AmperityScenarios, PartialTimestampsNameTheirFirstInstant) {
  auto at = [](const std::string& text) {
    auto instant = runmock::mechanisms::parse_partial_timestamp(text);
    return instant ? engine::format_timestamp(*instant) : std::string("none");
  };
  EXPECT_EQ(at("2024"), "2024-01-01T00:00:00Z");
  EXPECT_EQ(at("2024-06"), "2024-06-01T00:00:00Z");
  EXPECT_EQ(at("2024-06-03"), "2024-06-03T00:00:00Z");
  EXPECT_EQ(at("2024-06-03T12"), "2024-06-03T12:00:00Z");
  EXPECT_EQ(at("2024-06-03T12:30"), "2024-06-03T12:30:00Z");
  EXPECT_EQ(at("2024-06-03T12:30:15Z"), "2024-06-03T12:30:15Z");
  EXPECT_EQ(at("2024-06-03T12:30:15.5+00:00"), "2024-06-03T12:30:15.500Z");
  EXPECT_EQ(at("2024-06-03T12:30+0000"), "2024-06-03T12:30:00Z");
  EXPECT_EQ(at("20240603"), "none");
  EXPECT_EQ(at("yesterday"), "none");
}

TEST(AmperityScenarios, OverviewKeepsOnlyItsSevenProperties) {
  engine::Engine engine(engine::Clock::manual(), {});
  const auto& contract = all_contracts().at("amperity");
  engine.add_api("amperity", contract.lifecycle());
  scenario::ScenarioRegistry registry({scenario::default_scenarios_dir()}, load_options());
  ASSERT_TRUE(registry.reload().ok());
  engine::CreateRequest request;
  request.api = "amperity";
  request.tenant = "t";
  request.script = registry.current()->default_for("amperity")->script;
  request.data = {{"name", "Daily"}, {"type", "courier.group/run"}, {"tenant", "t"}, {"version", "etv-1"}};
  engine::RunSnapshot run = engine.create(std::move(request));
  engine.advance_clock(std::chrono::hours(1));
  run = *engine.observe(run.id());
  ASSERT_TRUE(run.terminal());
  json overview = render("overview", run);
  EXPECT_EQ(overview.size(), 7u);
  EXPECT_FALSE(overview.contains("task_instances"));
}

TEST(AmperityScenarios, ErrorBodyHasTheDocumentedShape) {
  runmock::http::ErrorInfo info;
  info.status = 404;
  info.message = "Not found";
  info.request_id = "req-000001";
  json body = dialect::error_body(amperity().errors, info);
  EXPECT_EQ(body["status"], 404);
  EXPECT_EQ(body["message"], "Not found");
  EXPECT_EQ(body["request_id"], "req-000001");
  EXPECT_TRUE(body["trace_id"].is_string());
  const auto& contract = all_contracts().at("amperity");
  EXPECT_TRUE(contract.check_response_body(*contract.find("getWorkflowRun"), 404, body).empty());
}
