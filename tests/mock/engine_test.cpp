// How runs move: time, polls, actions, the admin API; exact phase-entry instants on the manual
// clock; the timeline; determinism; concurrent polls; change notification.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

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

std::unique_ptr<Engine> make_engine(std::shared_ptr<Clock> clock = Clock::manual(), std::uint64_t seed = 7) {
  auto engine = std::make_unique<Engine>(std::move(clock), EngineOptions{1000, seed});
  engine->add_api("emergence", lifecycle_of("emergence"));
  engine->add_api("amperity", lifecycle_of("amperity"));
  engine->add_api("pennsieve", lifecycle_of("pennsieve"));
  return engine;
}

RunSnapshot create(Engine& engine, std::shared_ptr<const Script> script, const std::string& api = "emergence") {
  CreateRequest request;
  request.api = api;
  request.tenant = "tenant";
  request.script = std::move(script);
  return engine.create(std::move(request));
}

// pending 2s → running 3s (tasks) → completed with output.
std::shared_ptr<const Script> timed_script() {
  return ScriptBuilder("timed")
      .declare("tasks", {{{"name", "a"}}, {{"name", "b"}}})
      .phase("pending", Advance::time(2s))
      .phase("running", Advance::time(3s), json::object(), {{"tasks", states({"running", "pending"})}})
      .phase("running", Advance::time(1500ms), json::object(), {{"tasks", states({"completed", "running"})}})
      .phase("completed", Advance::terminal(), {{"output", {{"tags_applied", 15}}}}, {{"tasks", states({"completed", "completed"})}})
      .build();
}

std::string describe(const RunSnapshot& run) {
  json timeline = json::array();
  for (const auto& e : run.timeline()) timeline.push_back({e.state, e.phase, ts(e.at), std::string(to_string(e.reason)), e.detail});
  json parts = json::object();
  for (const auto& [key, items] : run.parts()) {
    for (const auto& item : items) {
      json history = json::array();
      for (const auto& [state, at] : item.history) history.push_back({state, ts(at)});
      parts[key].push_back({{"id", item.id}, {"fields", item.fields}, {"history", history}});
    }
  }
  return json{{"id", run.id()}, {"state", run.state()}, {"fields", run.fields()}, {"timeline", timeline}, {"parts", parts}}.dump();
}

}  // namespace

TEST(Engine, TimePhasesAdvanceLazilyWithExactEntryInstants) {
  auto engine = make_engine();
  RunSnapshot run = create(*engine, timed_script());
  EXPECT_EQ(run.state(), "pending");
  EXPECT_EQ(run.version(), 1u);
  EXPECT_EQ(ts(run.created_at()), "2024-01-15T10:30:00Z");
  EXPECT_EQ(ts(*run.next_change_at()), "2024-01-15T10:30:02Z");
  EXPECT_TRUE(run.part("tasks")[0].id.size() == 36 && !run.part("tasks")[0].visible());

  engine->advance_clock(2500ms);
  auto mid = engine->observe(run.id());
  ASSERT_TRUE(mid);
  EXPECT_EQ(mid->state(), "running");
  EXPECT_EQ(ts(mid->phase_entered_at()), "2024-01-15T10:30:02Z");  // not the observation time
  EXPECT_EQ(mid->part("tasks")[0].state, "running");
  EXPECT_EQ(mid->part("tasks")[1].state, "pending");

  engine->advance_clock(1h);  // one observation long after the end
  auto done = engine->observe(run.id());
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state(), "completed");
  EXPECT_TRUE(done->terminal());
  EXPECT_EQ(ts(*done->ended_at()), "2024-01-15T10:30:06.500Z");
  EXPECT_EQ(ts(*done->entered_at("running")), "2024-01-15T10:30:02Z");
  EXPECT_EQ(done->fields()["output"]["tags_applied"], 15);
  EXPECT_FALSE(done->next_change_at());
  const auto& a = done->part("tasks")[0];
  EXPECT_EQ(a.fields, (json{{"name", "a"}, {"status", "completed"}}));
  EXPECT_EQ(ts(*a.entered("running")), "2024-01-15T10:30:02Z");
  EXPECT_EQ(ts(*a.ended_at), "2024-01-15T10:30:05Z");
  EXPECT_EQ(ts(*done->part("tasks")[1].ended_at), "2024-01-15T10:30:06.500Z");

  ASSERT_EQ(done->timeline().size(), 4u);
  std::vector<std::string> reasons;
  for (const auto& e : done->timeline()) reasons.push_back(std::string(to_string(e.reason)) + "@" + ts(e.at));
  EXPECT_EQ(reasons, (std::vector<std::string>{"created@2024-01-15T10:30:00Z", "time@2024-01-15T10:30:02Z", "time@2024-01-15T10:30:05Z",
                                               "time@2024-01-15T10:30:06.500Z"}));
}

TEST(Engine, PollPhasesMoveOnWithPollsOnly) {
  auto engine = make_engine();
  auto script = ScriptBuilder("polls")
                    .phase("pending", Advance::poll_count(1))
                    .phase("running", Advance::poll_count(2))
                    .phase("completed", Advance::terminal())
                    .build();
  RunSnapshot run = create(*engine, script);
  engine->advance_clock(1h);
  EXPECT_EQ(engine->peek(run.id())->state(), "pending");  // peeks are not polls
  std::vector<std::string> seen;
  for (int i = 0; i < 5; ++i) seen.push_back(engine->observe(run.id())->state());
  EXPECT_EQ(seen, (std::vector<std::string>{"pending", "running", "running", "completed", "completed"}));
  auto final_run = engine->peek(run.id());
  EXPECT_EQ(final_run->polls(), 5u);
  EXPECT_EQ(final_run->timeline()[1].reason, Reason::polls);
  EXPECT_EQ(ts(final_run->timeline()[1].at), "2024-01-15T11:30:00Z");
}

TEST(Engine, CancelFollowsTheScenarioBranch) {
  auto engine = make_engine();
  auto script = ScriptBuilder("cancellable")
                    .declare("tasks", {{{"name", "a"}}, {{"name", "b"}}})
                    .phase("pending", Advance::time(1s))
                    .phase("running", Advance::time(10s), json::object(), {{"tasks", states({"completed", "running"})}})
                    .phase("completed", Advance::terminal())
                    .action("cancel")
                    .phase("cancelling", Advance::time(2s))
                    .phase("cancelled", Advance::terminal())
                    .build();
  RunSnapshot run = create(*engine, script);
  engine->advance_clock(3s);
  auto cancel = engine->act(run.id(), "cancel");
  EXPECT_EQ(cancel.outcome, ActResult::Outcome::applied);
  EXPECT_EQ(cancel.run.state(), "cancelling");
  EXPECT_EQ(cancel.run.timeline().back().reason, Reason::action);
  EXPECT_EQ(cancel.run.timeline().back().detail, "cancel");
  auto again = engine->act(run.id(), "cancel");
  EXPECT_EQ(again.outcome, ActResult::Outcome::already);
  EXPECT_TRUE(again.ok());
  engine->advance_clock(2s);
  auto done = engine->observe(run.id());
  EXPECT_EQ(done->state(), "cancelled");
  EXPECT_EQ(ts(*done->ended_at()), "2024-01-15T10:30:05Z");
  // The unfinished task was settled when the run ended; the finished one kept its state.
  EXPECT_EQ(done->part("tasks")[0].state, "completed");
  EXPECT_EQ(done->part("tasks")[1].state, "cancelled");
  auto late = engine->act(run.id(), "cancel");
  EXPECT_EQ(late.outcome, ActResult::Outcome::terminal);
  EXPECT_FALSE(late.ok());
  EXPECT_NE(late.message.find("already cancelled"), std::string::npos);
}

TEST(Engine, ActionWithoutBranchUsesTheFallbackState) {
  auto engine = make_engine();
  auto script = ScriptBuilder("plain").phase("pending", Advance::manual()).phase("completed", Advance::terminal()).build();
  RunSnapshot run = create(*engine, script);
  EXPECT_EQ(engine->act(run.id(), "cancel").outcome, ActResult::Outcome::unsupported);
  auto result = engine->act(run.id(), "cancel", {"cancelled", std::nullopt});
  EXPECT_EQ(result.outcome, ActResult::Outcome::applied);
  EXPECT_EQ(result.run.state(), "cancelled");
  EXPECT_EQ(result.run.phase_index(), kOffScript);
  EXPECT_EQ(result.run.phase(), nullptr);
  EXPECT_EQ(engine->act(run.id(), "cancel", {"cancelled", std::nullopt}).outcome, ActResult::Outcome::terminal);
}

TEST(Engine, AdminAdvanceMovesManualPhases) {
  auto engine = make_engine();
  auto script = ScriptBuilder("stuck")
                    .phase("pending", Advance::manual())
                    .phase("running", Advance::time(2s))
                    .phase("completed", Advance::terminal())
                    .build();
  RunSnapshot run = create(*engine, script);
  engine->advance_clock(1h);
  EXPECT_EQ(engine->observe(run.id())->state(), "pending");
  auto moved = engine->advance(run.id());
  ASSERT_TRUE(moved.ok());
  EXPECT_EQ(moved.run.state(), "running");
  EXPECT_EQ(moved.run.timeline().back().reason, Reason::admin);
  EXPECT_EQ(ts(moved.run.phase_entered_at()), "2024-01-15T11:30:00Z");
  engine->advance_clock(2s);
  EXPECT_EQ(engine->observe(run.id())->state(), "completed");
  auto end = engine->advance(run.id());
  EXPECT_EQ(end.outcome, AdminResult::Outcome::terminal);
  EXPECT_EQ(engine->advance("nope").outcome, AdminResult::Outcome::not_found);
}

TEST(Engine, AdminTransitionsAreCheckedAgainstTheLifecycle) {
  auto engine = make_engine();
  RunSnapshot run = create(*engine, timed_script());
  auto backwards = engine->transition(run.id(), "running");
  ASSERT_TRUE(backwards.ok()) << backwards.message;  // pending → running is allowed
  EXPECT_EQ(backwards.run.part("tasks")[0].state, "running");  // the script's running phase
  auto bad = engine->transition(run.id(), "pending");
  EXPECT_EQ(bad.outcome, AdminResult::Outcome::forbidden);
  EXPECT_EQ(bad.message,
            "emergence's lifecycle forbids running → pending: from running the workflow run may move only to cancelled, cancelling, completed, "
            "failed (transitions.running in contracts/emergence/lifecycle.json); force overrides it");
  auto done = engine->transition(run.id(), "completed");
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done.run.fields()["output"]["tags_applied"], 15);  // the completed phase's set
  auto from_terminal = engine->transition(run.id(), "running");
  EXPECT_EQ(from_terminal.outcome, AdminResult::Outcome::forbidden);
  EXPECT_NE(from_terminal.message.find("completed is terminal, nothing may follow it (transitions.completed"), std::string::npos);
  auto unknown = engine->transition(run.id(), "paused", true);
  EXPECT_EQ(unknown.outcome, AdminResult::Outcome::unknown_state);
  EXPECT_NE(unknown.message.find("'paused' is not a state of emergence (cancelled, cancelling, completed, failed, pending, running)"),
            std::string::npos);
  auto forced = engine->transition(run.id(), "running", true);
  ASSERT_TRUE(forced.ok());
  EXPECT_EQ(forced.run.state(), "running");
  EXPECT_FALSE(forced.run.terminal());
  EXPECT_FALSE(forced.run.ended_at());
  EXPECT_EQ(forced.run.timeline().back().reason, Reason::forced);
  std::vector<std::string> trail;
  for (const auto& e : forced.run.timeline()) trail.push_back(e.state + "/" + std::string(to_string(e.reason)));
  EXPECT_EQ(trail, (std::vector<std::string>{"pending/created", "running/admin", "completed/admin", "running/forced"}));
}

TEST(Engine, TransitionToAStateWithoutPhaseGoesOffScript) {
  auto engine = make_engine();
  RunSnapshot run = create(*engine, timed_script());
  auto result = engine->transition(run.id(), "failed");
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.run.phase(), nullptr);
  EXPECT_TRUE(result.run.terminal());
  auto patched = engine->patch(run.id(), {{"error_message", "boom"}});
  ASSERT_TRUE(patched);
  EXPECT_EQ(patched->fields()["error_message"], "boom");
  EXPECT_EQ(patched->version(), result.run.version() + 1);
}

TEST(Engine, PartsSettleWhenTheRunEnds) {
  auto engine = make_engine();
  PartUpdate fail = states({"completed", "completed", nullptr, nullptr});
  fail.items[2] = {{"status", "failed"}, {"error_message", "refused"}};
  auto script = ScriptBuilder("fails")
                    .declare("tasks", {{{"name", "a"}}, {{"name", "b"}}, {{"name", "c"}}, {{"name", "d"}}})
                    .phase("pending", Advance::time(1s))
                    .phase("running", Advance::time(2s), json::object(), {{"tasks", states({"running", "pending", "pending", "pending"})}})
                    .phase("failed", Advance::terminal(), {{"error_message", "Task c failed"}}, {{"tasks", fail}})
                    .build();
  RunSnapshot run = create(*engine, script);
  engine->advance_clock(10s);
  auto done = engine->observe(run.id());
  const auto& tasks = done->part("tasks");
  EXPECT_EQ(tasks[0].state, "completed");
  EXPECT_EQ(tasks[2].fields, (json{{"name", "c"}, {"status", "failed"}, {"error_message", "refused"}}));
  EXPECT_EQ(tasks[3].state, "cancelled");  // never reached
  EXPECT_FALSE(tasks[3].entered("running"));
  EXPECT_EQ(ts(*tasks[3].ended_at), "2024-01-15T10:30:03Z");
  EXPECT_EQ(done->fields()["error_message"], "Task c failed");

  // Other APIs' words: amperity's task instances end canceled, pennsieve's DAG nodes CANCELED.
  EXPECT_EQ(default_settle_state(lifecycle_of("amperity").parts()[0], "scheduled"), "canceled");
  EXPECT_EQ(default_settle_state(lifecycle_of("amperity").parts()[0], "running"), "canceled");
  EXPECT_EQ(default_settle_state(lifecycle_of("pennsieve").parts()[0], "STARTED"), "CANCELED");
  EXPECT_EQ(part_key(lifecycle_of("pennsieve").parts()[0]), "dag");
}

TEST(Engine, UnfinishedItemsTakeTheirStateFromTheMap) {
  auto engine = make_engine();
  PartUpdate stopping;
  stopping.unfinished = {{"scheduled", "canceled"}, {"*", "stopping"}};
  auto script = ScriptBuilder("stop", "amperity")
                    .phase("scheduled", Advance::time(1s), json::object(), {{"task_instances", states({"scheduled", "scheduled"}, "state")}})
                    .phase("started", Advance::manual(), json::object(), {{"task_instances", states({"running", "scheduled"}, "state")}})
                    .phase("succeeded", Advance::terminal())
                    .action("stop")
                    .phase("stopping", Advance::time(1s), json::object(), {{"task_instances", stopping}})
                    .phase("canceled", Advance::terminal())
                    .build();
  RunSnapshot run = create(*engine, script, "amperity");
  engine->advance_clock(1s);
  auto stop = engine->act(run.id(), "stop");
  ASSERT_TRUE(stop.ok()) << stop.message;
  EXPECT_EQ(stop.run.part("task_instances")[0].state, "stopping");
  EXPECT_EQ(stop.run.part("task_instances")[1].state, "canceled");
  engine->advance_clock(1s);
  auto done = engine->observe(run.id());
  EXPECT_EQ(done->state(), "canceled");
  EXPECT_EQ(done->part("task_instances")[0].state, "canceled");  // settled: stopping → canceled
  std::vector<std::string> history;
  for (const auto& [state, at] : done->part("task_instances")[0].history) history.push_back(state + "@" + ts(at));
  EXPECT_EQ(history, (std::vector<std::string>{"scheduled@2024-01-15T10:30:00Z", "running@2024-01-15T10:30:01Z", "stopping@2024-01-15T10:30:01Z",
                                               "canceled@2024-01-15T10:30:02Z"}));
}

TEST(Engine, ServesTheOtherApisStateWords) {
  auto engine = make_engine();
  auto amperity = ScriptBuilder("a", "amperity")
                      .phase("scheduled", Advance::time(1s))
                      .phase("started", Advance::time(1s), json::object(), {{"task_instances", states({"running"}, "state")}})
                      .phase("succeeded", Advance::terminal(), json::object(), {{"task_instances", states({"succeeded"}, "state")}})
                      .action("stop")
                      .phase("stopping", Advance::time(1s))
                      .phase("canceled", Advance::terminal())
                      .build();
  CreateRequest request{"amperity", "acme", amperity, json::object(), {}, [](IdGenerator& ids) { return "wf-20240115-" + ids.digits(5) + "-" + ids.alphanumerics(6); }, {}, {}};
  RunSnapshot run = engine->create(std::move(request));
  EXPECT_EQ(run.id().rfind("wf-20240115-", 0), 0u);
  engine->advance_clock(1s);
  EXPECT_EQ(engine->act(run.id(), "stop").run.state(), "stopping");
  engine->advance_clock(1s);
  auto stopped = engine->observe(run.id());
  EXPECT_EQ(stopped->state(), "canceled");
  EXPECT_EQ(stopped->part("task_instances")[0].state, "canceled");
  EXPECT_EQ(stopped->part("task_instances")[0].fields["state"], "canceled");

  auto pennsieve = ScriptBuilder("p", "pennsieve").phase("NOT_STARTED", Advance::time(1s)).phase("STARTED", Advance::manual()).phase("SUCCEEDED", Advance::terminal()).build();
  CreateRequest p{"pennsieve", "org", pennsieve, json{{"name", "run-1"}}, {{"dag", {{{"id", "node-a"}}, {{"id", "node-b"}}}}}, {}, {}, {}};
  RunSnapshot node_run = engine->create(std::move(p));
  EXPECT_EQ(node_run.part("dag").size(), 2u);
  EXPECT_EQ(node_run.part("dag")[1].fields["id"], "node-b");
  EXPECT_EQ(node_run.data()["name"], "run-1");
  auto forbidden = engine->transition(node_run.id(), "SUCCEEDED");
  EXPECT_EQ(forbidden.outcome, AdminResult::Outcome::forbidden);
  EXPECT_NE(forbidden.message.find("pennsieve's lifecycle forbids NOT_STARTED → SUCCEEDED"), std::string::npos);
  EXPECT_THROW(engine->create(CreateRequest{"nope", "t", pennsieve, {}, {}, {}, {}, {}}), std::invalid_argument);
}

TEST(Engine, SameSeedSameRuns) {
  auto run_all = [](std::uint64_t seed) {
    auto engine = make_engine(Clock::manual(), seed);
    auto script = ScriptBuilder("placeholders")
                      .declare("tasks", {{{"name", "a"}}})
                      .phase("pending", Advance::time(1s), {{"pipeline_id", std::string(kUuidPlaceholder)}})
                      .phase("running", Advance::poll_count(2), json::object(), {{"tasks", states({"running"})}})
                      .phase("completed", Advance::terminal(), json::object(), {{"tasks", states({"completed"})}})
                      .build();
    std::string out;
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(create(*engine, script).id());
    for (int step = 0; step < 4; ++step) {
      engine->advance_clock(700ms);
      for (const auto& id : ids) out += describe(*engine->observe(id));
    }
    return out;
  };
  std::string first = run_all(99);
  EXPECT_EQ(first, run_all(99));
  EXPECT_NE(first, run_all(100));
  EXPECT_NE(first.find("pipeline_id"), std::string::npos);
  EXPECT_EQ(first.find("${uuid}"), std::string::npos);
}

TEST(Engine, ConcurrentPollsSeeConsistentRuns) {
  auto engine = make_engine();
  auto script = ScriptBuilder("busy")
                    .declare("tasks", {{{"name", "a"}}, {{"name", "b"}}})
                    .phase("pending", Advance::poll_count(500))
                    .phase("running", Advance::poll_count(2000), json::object(), {{"tasks", states({"running", "pending"})}})
                    .phase("running", Advance::poll_count(2000), {{"progress", 50}}, {{"tasks", states({"completed", "running"})}})
                    .phase("completed", Advance::terminal(), {{"output", json::object()}}, {{"tasks", states({"completed", "completed"})}})
                    .build();
  RunSnapshot run = create(*engine, script);
  std::string id = run.id();
  constexpr int kThreads = 8, kPolls = 1000;
  std::atomic<int> inconsistent{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::uint64_t last_version = 0;
      for (int i = 0; i < kPolls; ++i) {
        auto seen = t % 2 ? engine->observe(id) : engine->peek(id);
        if (t % 2 == 0) seen = engine->observe(id);
        if (!seen || seen->version() < last_version) ++inconsistent;
        last_version = seen->version();
        const Phase* phase = seen->phase();
        if (!phase || phase->state != seen->state()) ++inconsistent;
        // Tasks always match the phase that is shown.
        const auto& tasks = seen->part("tasks");
        bool second_running = seen->fields().contains("progress");
        if (seen->state() == "running" && tasks[0].state != (second_running ? "completed" : "running")) ++inconsistent;
        if (seen->state() == "completed" && (tasks[1].state != "completed" || !seen->fields().contains("output"))) ++inconsistent;
      }
    });
  }
  // Meanwhile, others list and create.
  std::thread lister([&] {
    for (int i = 0; i < 200; ++i) {
      ListQuery q;
      q.api = "emergence";
      q.tenant = "tenant";
      if (engine->list(q).total < 1) ++inconsistent;
      create(*engine, script);
    }
  });
  for (auto& t : threads) t.join();
  lister.join();
  EXPECT_EQ(inconsistent.load(), 0);
  auto final_run = engine->peek(id);
  EXPECT_EQ(final_run->polls(), static_cast<std::uint64_t>(kThreads * kPolls));
  EXPECT_EQ(final_run->state(), "completed");  // 8000 polls > 500 + 2000 + 2000
  EXPECT_EQ(final_run->timeline().size(), 4u);
}

TEST(Engine, WaitForChangeWakesOnClockAdvanceAndActions) {
  auto engine = make_engine();
  RunSnapshot run = create(*engine, timed_script());
  std::atomic<bool> woke{false};
  std::optional<RunSnapshot> seen;
  std::thread waiter([&] {
    seen = engine->wait_for_change(run.id(), run.version(), 5s);
    woke = true;
  });
  std::this_thread::sleep_for(20ms);
  EXPECT_FALSE(woke.load());
  engine->advance_clock(2s);
  waiter.join();
  ASSERT_TRUE(seen);
  EXPECT_EQ(seen->state(), "running");
  EXPECT_GT(seen->version(), run.version());

  // A timeout returns the run unchanged.
  auto same = engine->wait_for_change(run.id(), seen->version(), 30ms);
  ASSERT_TRUE(same);
  EXPECT_EQ(same->version(), seen->version());

  std::thread canceller([&] {
    std::this_thread::sleep_for(20ms);
    engine->act(run.id(), "cancel", {"cancelled", std::nullopt});
  });
  auto cancelled = engine->wait_for_change(run.id(), seen->version(), 5s);
  canceller.join();
  ASSERT_TRUE(cancelled);
  EXPECT_EQ(cancelled->state(), "cancelled");

  std::thread remover([&] {
    std::this_thread::sleep_for(20ms);
    engine->remove(run.id());
  });
  EXPECT_FALSE(engine->wait_for_change(run.id(), cancelled->version(), 5s));
  remover.join();
  EXPECT_FALSE(engine->wait_for_change("unknown", 0, 1ms));
}

TEST(Engine, RealClockRunsMoveOnByThemselves) {
  // 100x: the 2 s pending phase lasts 20 ms of real time.
  auto engine = make_engine(Clock::real(100.0, default_start()));
  RunSnapshot run = create(*engine, timed_script());
  auto next = run.next_change_at();
  ASSERT_TRUE(next);
  auto delay = engine->clock().real_delay_until(*next);
  ASSERT_TRUE(delay);
  EXPECT_LE(*delay, 21ms);
  auto changed = engine->wait_for_change(run.id(), run.version(), 2s);  // wakes by itself at the change
  ASSERT_TRUE(changed);
  EXPECT_EQ(changed->state(), "running");
  EXPECT_EQ(changed->phase_entered_at(), run.created_at() + 2s);  // exact, whatever the wake-up time
  std::this_thread::sleep_for(60ms);
  auto done = engine->observe(run.id());
  EXPECT_EQ(done->state(), "completed");
  EXPECT_EQ(*done->ended_at(), run.created_at() + 6500ms);
}
