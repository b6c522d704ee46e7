// Seeding: plan_seed back-dates a run by its script's durations, and Engine::create follows the
// plan (timeline, parts and timestamps as if the run had lived through it).
#include <gtest/gtest.h>

#include "engine/engine.h"
#include "mock/engine_test_support.h"

using namespace runmock::engine;
using runmock::testing::lifecycle_of;
using runmock::testing::ScriptBuilder;
using runmock::testing::states;
using runmock::testing::ts;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

// pending 2s → running (3 polls) → running 1500ms → completed; cancel → cancelled.
std::shared_ptr<const Script> script() {
  return ScriptBuilder("seeded")
      .declare("tasks", {{{"name", "a"}}, {{"name", "b"}}})
      .phase("pending", Advance::time(2s))
      .phase("running", Advance::poll_count(3), json::object(), {{"tasks", states({"running", "pending"})}})
      .phase("running", Advance::time(1500ms), json::object(), {{"tasks", states({"completed", "running"})}})
      .phase("completed", Advance::terminal(), {{"output", {{"tags_applied", 15}}}}, {{"tasks", states({"completed", "completed"})}})
      .action("cancel")
      .phase("cancelled", Advance::terminal())
      .build();
}

RunSnapshot seed(Engine& engine, std::size_t phase, Duration in_phase = Duration{0}) {
  CreateRequest request;
  request.api = "emergence";
  request.tenant = "tenant";
  request.script = script();
  request.seed = plan_seed(*request.script, phase, engine.clock().now(), in_phase);
  return engine.create(std::move(request));
}

Engine make_engine() { return Engine(Clock::manual(), EngineOptions{1000, 7}); }

}  // namespace

TEST(PlanSeed, BackDatesByTheScriptedDurationsAndANominalStepForPolls) {
  Instant now = default_start();
  SeedPlan plan = plan_seed(*script(), 3, now);
  // pending 2s, running (polls: 1s nominal), running 1.5s → completed at now.
  EXPECT_EQ(ts(plan.created_at), "2024-01-15T10:29:55.500Z");
  ASSERT_EQ(plan.phases.size(), 3u);
  EXPECT_EQ(plan.phases[0].first, 1u);
  EXPECT_EQ(ts(plan.phases[0].second), "2024-01-15T10:29:57.500Z");
  EXPECT_EQ(ts(plan.phases[1].second), "2024-01-15T10:29:58.500Z");
  EXPECT_EQ(plan.phases[2].first, 3u);
  EXPECT_EQ(ts(plan.phases[2].second), "2024-01-15T10:30:00Z");
}

TEST(PlanSeed, ReachesABranchThroughTheFirstPhase) {
  SeedPlan plan = plan_seed(*script(), 4, default_start(), 10s);
  EXPECT_EQ(ts(plan.created_at), "2024-01-15T10:29:48Z");
  ASSERT_EQ(plan.phases.size(), 1u);
  EXPECT_EQ(plan.phases[0].first, 4u);
  EXPECT_EQ(ts(plan.phases[0].second), "2024-01-15T10:29:50Z");
}

TEST(PlanSeed, RefusesATimeInPhaseThatTimeWouldHaveEnded) {
  EXPECT_NO_THROW(plan_seed(*script(), 0, default_start(), 1999ms));
  try {
    plan_seed(*script(), 0, default_start(), 2s);
    FAIL() << "no exception";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "phase 'pending-0' moves on after 2s: a run cannot have been in it for 2s");
  }
  EXPECT_THROW(plan_seed(*script(), 9, default_start()), std::invalid_argument);
}

TEST(EngineSeed, ACompletedRunHasConsistentTimestampsAndParts) {
  Engine engine = make_engine();
  engine.add_api("emergence", lifecycle_of("emergence"));
  RunSnapshot run = seed(engine, 3);
  EXPECT_EQ(run.state(), "completed");
  EXPECT_TRUE(run.terminal());
  EXPECT_EQ(ts(run.created_at()), "2024-01-15T10:29:55.500Z");
  EXPECT_EQ(ts(*run.entered_at("running")), "2024-01-15T10:29:57.500Z");
  EXPECT_EQ(ts(*run.ended_at()), "2024-01-15T10:30:00Z");
  EXPECT_EQ(run.fields()["output"]["tags_applied"], 15);
  ASSERT_EQ(run.part("tasks").size(), 2u);
  EXPECT_EQ(run.part("tasks")[0].state, "completed");
  EXPECT_EQ(ts(*run.part("tasks")[0].ended_at), "2024-01-15T10:29:58.500Z");
  ASSERT_EQ(run.timeline().size(), 4u);
  EXPECT_EQ(to_string(run.timeline()[0].reason), "created");
  EXPECT_EQ(run.timeline()[3].detail, "seed");
}

TEST(EngineSeed, ARunSeededMidwayMovesOnFromThereWithTheClock) {
  Engine engine = make_engine();
  engine.add_api("emergence", lifecycle_of("emergence"));
  RunSnapshot run = seed(engine, 2, 500ms);  // 1s of its 1.5s left
  EXPECT_EQ(run.state(), "running");
  EXPECT_EQ(ts(*run.next_change_at()), "2024-01-15T10:30:01Z");
  engine.advance_clock(999ms);
  EXPECT_EQ(engine.peek(run.id())->state(), "running");
  engine.advance_clock(1ms);
  EXPECT_EQ(engine.peek(run.id())->state(), "completed");
}

TEST(EngineSeed, RefusesAPlanInTheFuture) {
  Engine engine = make_engine();
  engine.add_api("emergence", lifecycle_of("emergence"));
  CreateRequest request;
  request.api = "emergence";
  request.script = script();
  request.seed = SeedPlan{default_start() + 1s, {}};
  EXPECT_THROW(engine.create(std::move(request)), std::invalid_argument);
  EXPECT_EQ(engine.size(), 0u);
}
