// Choosing a scenario for a create request; layers that override; reloads that keep the old set
// when the new one is broken.
#include <gtest/gtest.h>

#include <thread>

#include "mock/scenario_test_support.h"
#include "scenario/loader.h"

using namespace runmock::scenario;
using runmock::testing::load_options;
using runmock::testing::TempDir;
using nlohmann::json;

namespace {

const char* kSelection = R"(api: emergence
configurations:
  - id: c1
    workflow_name: One
    workflow_type: profiling
scenarios:
  - name: fallback
    default: true
    phases: [{state: pending}, {state: completed}]
  - name: by-config
    match:
      path:
        configuration_id: [c1, c2]
    phases: [{state: pending}, {state: completed}]
  - name: banking
    priority: 5
    match:
      path: {configuration_id: {present: true}}
      body: {parameters.industry_info: Banking}
    phases: [{state: pending}, {state: completed}]
  - name: snowflake
    priority: 10
    match:
      body: {/asset_fqn: {pattern: "^Snowflake\\."}}
    phases: [{state: pending}, {state: completed}]
  - name: by-header
    priority: 1
    match:
      headers: {X-Runmock-Case: slow}
    phases: [{state: pending}, {state: completed}]
  - name: by-type
    match:
      configuration: {workflow_type: profiling}
      query: {save_all: false}
    phases: [{state: pending}, {state: completed}]
  - name: no-save
    match:
      body: {save_all: false, asset_fqn: {present: false}}
    phases: [{state: pending}, {state: completed}]
)";

std::shared_ptr<const ScenarioSet> selection_set() {
  auto result = load_scenario_text("select.yaml", kSelection, load_options());
  EXPECT_TRUE(result.ok()) << result.report();
  return result.set;
}

std::string pick(const ScenarioSet& set, const Request& request) {
  auto s = set.select("emergence", request);
  return s.scenario ? s.scenario->name : "(none)";
}

}  // namespace

TEST(ScenarioSelect, MatchesPathBodyHeadersAndConfiguration) {
  auto set = selection_set();
  Request request;
  EXPECT_EQ(pick(*set, request), "fallback");
  EXPECT_EQ(set->select("emergence", request).by, Selection::By::fallback);

  request.path = {{"configuration_id", "c2"}};
  EXPECT_EQ(pick(*set, request), "by-config");
  EXPECT_EQ(set->select("emergence", request).by, Selection::By::match);

  json body = {{"asset_fqn", "PostgreSQL.dvdrental.public"}, {"parameters", {{"industry_info", "Banking"}}}};
  request.body = &body;
  EXPECT_EQ(pick(*set, request), "banking");  // priority 5 over 0

  json snow = {{"asset_fqn", "Snowflake.db.s.t"}, {"parameters", {{"industry_info", "Banking"}}}};
  request.body = &snow;
  EXPECT_EQ(pick(*set, request), "snowflake");  // priority 10

  Request header;
  header.headers = {{"x-runmock-case", "slow"}};
  EXPECT_EQ(pick(*set, header), "by-header");
  header.headers = {{"X-RUNMOCK-CASE", "fast"}};
  EXPECT_EQ(pick(*set, header), "fallback");

  Request typed;
  json configuration = set->configuration("emergence", "c1")->fields;
  typed.configuration = &configuration;
  typed.query = {{"save_all", "false"}};  // a query string compares with the YAML boolean's text
  EXPECT_EQ(pick(*set, typed), "by-type");

  Request unsaved;
  json body2 = {{"save_all", false}};
  unsaved.body = &body2;
  EXPECT_EQ(pick(*set, unsaved), "no-save");
  json body3 = {{"save_all", false}, {"asset_fqn", "x"}};
  unsaved.body = &body3;
  EXPECT_EQ(pick(*set, unsaved), "fallback");
}

TEST(ScenarioSelect, PreferHeaderWins) {
  auto set = selection_set();
  Request request;
  request.path = {{"configuration_id", "c1"}};
  request.headers = {{"Prefer", "respond-async, scenario=\"banking\""}};
  auto s = set->select("emergence", request);
  EXPECT_EQ(s.scenario->name, "banking");
  EXPECT_EQ(s.by, Selection::By::prefer);

  request.headers = {{"prefer", "scenario=nope"}};
  s = set->select("emergence", request);
  EXPECT_EQ(s.scenario->name, "by-config");
  EXPECT_EQ(s.unknown_preference, "nope");

  EXPECT_EQ(*preferred_scenario({{"PREFER", "wait=5; scenario=slow-progress"}}), "slow-progress");
  EXPECT_FALSE(preferred_scenario({{"Prefer", "respond-async"}}));
  EXPECT_FALSE(preferred_scenario({}));
  EXPECT_EQ(set->select("amperity", request).scenario, nullptr);
}

TEST(ScenarioSelect, LaterLayersOverrideByName) {
  TempDir user;
  user.write("mine.yaml",
             "api: emergence\n"
             "configurations:\n"
             "  - {id: 550e8400-e29b-41d4-a716-446655440001, workflow_name: Mine, workflow_type: profiling}\n"
             "scenarios:\n"
             "  - name: pii-tags\n"
             "    description: my own\n"
             "    match: {path: {configuration_id: 550e8400-e29b-41d4-a716-446655440001}}\n"
             "    phases: [{state: pending, after: 1 poll}, {state: completed}]\n"
             "  - name: my-default\n"
             "    default: true\n"
             "    phases: [{state: pending}, {state: failed, set: {error_message: no}}]\n");
  auto result = load_scenarios({default_scenarios_dir(), user.path()}, load_options());
  ASSERT_TRUE(result.ok()) << result.report();
  const ScenarioSet& set = *result.set;
  EXPECT_EQ(set.find("emergence", "pii-tags")->description, "my own");
  EXPECT_EQ(set.default_for("emergence")->name, "my-default");
  EXPECT_EQ(set.configuration("emergence", "550e8400-e29b-41d4-a716-446655440001")->fields["workflow_name"], "Mine");
  EXPECT_EQ(set.configuration("emergence", "123e4567-e89b-12d3-a456-426614174000")->fields["workflow_name"], "PII Detection - Production");
  // The override keeps the place of the scenario it replaced.
  auto names = set.scenarios("emergence");
  EXPECT_EQ(names.back()->name, "my-default");
  EXPECT_NE(set.find("emergence", "default"), nullptr);
}

TEST(ScenarioSelect, ReloadKeepsTheOldSetWhenTheNewOneIsBroken) {
  TempDir dir;
  auto file = dir.write("s.yaml", "api: emergence\nscenarios:\n  - {name: one, default: true, phases: [{state: pending}, {state: completed}]}\n");
  ScenarioRegistry registry({dir.path()}, load_options());
  EXPECT_EQ(registry.current()->size(), 0u);
  auto first = registry.reload();
  ASSERT_TRUE(first.ok()) << first.report();
  auto before = registry.current();
  EXPECT_EQ(before->default_for("emergence")->name, "one");

  dir.write("s.yaml", "api: emergence\nscenarios:\n  - {name: two, default: true, phases: [{state: pending}, {state: runing}]}\n");
  auto broken = registry.reload();
  EXPECT_FALSE(broken.ok());
  EXPECT_NE(broken.report().find("s.yaml:3:67: 'runing' is not a state of emergence"), std::string::npos) << broken.report();
  EXPECT_EQ(registry.current(), before);  // the same set, still in force
  EXPECT_EQ(registry.current()->default_for("emergence")->name, "one");

  dir.write("s.yaml", "api: emergence\nscenarios:\n  - {name: two, default: true, phases: [{state: pending}, {state: completed}]}\n");
  ASSERT_TRUE(registry.reload().ok());
  EXPECT_NE(registry.current(), before);
  EXPECT_EQ(registry.current()->default_for("emergence")->name, "two");
  EXPECT_EQ(before->default_for("emergence")->name, "one");  // holders of the old set keep it

  // Readers never see a half-built set while reloads run.
  std::atomic<bool> stop{false};
  std::thread reader([&] {
    while (!stop) {
      auto set = registry.current();
      if (!set->default_for("emergence")) ADD_FAILURE() << "a set without its default";
    }
  });
  for (int i = 0; i < 5; ++i) registry.reload();
  stop = true;
  reader.join();
}
