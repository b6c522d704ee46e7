// The run tracker on emergence's lifecycle: transitions across observations, terminal states,
// per-state fields, initial states, tasks, the capacity bound, and concurrent use.
#include <gtest/gtest.h>

#include <thread>

#include "loader/api_contract.h"
#include "proxy/run_tracker.h"

namespace runmock::proxy {
namespace {

using nlohmann::json;

class RunTrackerTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { emergence = new contracts::ApiContract(contracts::ApiContract::load(RUNMOCK_SOURCE_DIR "/contracts/emergence")); }
  static void TearDownTestSuite() { delete emergence; }
  static contracts::ApiContract* emergence;

  static const contracts::Lifecycle& lifecycle() { return emergence->lifecycle(); }

  // A run detail in `status`, with the fields that state requires.
  static json run(const std::string& status, json tasks = json::array()) {
    bool terminal = status == "completed" || status == "failed" || status == "cancelled";
    json r = {{"id", "r-1"}, {"configuration_id", "c-1"}, {"status", status}, {"started_at", "2024-01-15T10:30:00Z"}, {"tasks", std::move(tasks)}};
    if (terminal) {
      r["completed_at"] = "2024-01-15T10:31:00Z";
      r["duration_seconds"] = 60;
      r["output"] = json::object();
    }
    return r;
  }

  static std::vector<std::string> messages(const std::vector<contracts::LifecycleViolation>& violations) {
    std::vector<std::string> out;
    for (const auto& v : violations) out.push_back(v.instance_location + ": " + v.message);
    return out;
  }
};
contracts::ApiContract* RunTrackerTest::emergence = nullptr;

TEST_F(RunTrackerTest, ALegalWalkHasNoViolations) {
  RunTracker tracker(lifecycle());
  EXPECT_TRUE(tracker.observe("r-1", run("pending"), {true, true}).empty());
  EXPECT_TRUE(tracker.observe("r-1", run("running"), {true, false}).empty());
  EXPECT_TRUE(tracker.observe("r-1", run("running"), {true, false}).empty());
  EXPECT_TRUE(tracker.observe("r-1", run("completed"), {true, false}).empty());
  EXPECT_TRUE(tracker.observe("r-1", run("completed"), {true, false}).empty());
  EXPECT_EQ(tracker.size(), 1u);
}

TEST_F(RunTrackerTest, ATerminalStateNeverChanges) {
  RunTracker tracker(lifecycle());
  tracker.observe("r-1", run("completed"));
  EXPECT_EQ(messages(tracker.observe("r-1", run("running"))),
            std::vector<std::string>{"/status: the workflow run was completed, a terminal state, and is now running; a terminal state never changes"});
}

TEST_F(RunTrackerTest, AnIllegalTransitionIsCaughtEvenWhenEachAnswerIsValid) {
  RunTracker tracker(lifecycle());
  tracker.observe("r-1", run("cancelling"), {true, false});
  EXPECT_EQ(messages(tracker.observe("r-1", run("running"), {true, false})),
            std::vector<std::string>{"/status: the workflow run moved from cancelling to running, which its lifecycle does not allow"});
}

TEST_F(RunTrackerTest, RunsAreKeyedById) {
  RunTracker tracker(lifecycle());
  tracker.observe("r-1", run("completed"));
  EXPECT_TRUE(tracker.observe("r-2", run("running")).empty()) << "another run";
}

TEST_F(RunTrackerTest, PerStateFieldsOnlyWhenAsked) {
  RunTracker tracker(lifecycle());
  json completed = run("completed");
  completed.erase("completed_at");
  EXPECT_EQ(messages(tracker.observe("r-1", completed, {true, false})),
            std::vector<std::string>{"/completed_at: a completed workflow run must have completed_at"});
  EXPECT_TRUE(tracker.observe("r-2", completed, {false, false}).empty()) << "a subset of the run's fields (a list item)";
}

TEST_F(RunTrackerTest, ANewRunStartsInAnInitialState) {
  RunTracker tracker(lifecycle());
  EXPECT_EQ(messages(tracker.observe("r-1", run("running"), {false, true})),
            std::vector<std::string>{"/status: a new workflow run starts in pending, not running"});
}

TEST_F(RunTrackerTest, TasksAreFollowedToo) {
  RunTracker tracker(lifecycle());
  json done = {{"id", "t-1"}, {"status", "completed"}, {"started_at", "2024-01-15T10:30:00Z"}, {"completed_at", "2024-01-15T10:30:05Z"}};
  json again = {{"id", "t-1"}, {"status", "running"}, {"started_at", "2024-01-15T10:30:00Z"}};
  tracker.observe("r-1", run("running", json::array({done})));
  auto violations = messages(tracker.observe("r-1", run("running", json::array({again}))));
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0], "/tasks/0/status: the task was completed, a terminal state, and is now running; a terminal state never changes");
}

TEST_F(RunTrackerTest, TheLeastRecentlySeenRunIsForgottenPastTheCapacity) {
  RunTracker tracker(lifecycle(), 2);
  tracker.observe("a", run("completed"));
  tracker.observe("b", run("completed"));
  tracker.observe("a", run("completed"));  // a is now the most recent
  tracker.observe("c", run("pending"));    // b goes
  EXPECT_EQ(tracker.size(), 2u);
  EXPECT_FALSE(tracker.observe("a", run("running")).empty()) << "a is still followed";
  EXPECT_TRUE(tracker.observe("b", run("running")).empty()) << "b was forgotten";
}

TEST_F(RunTrackerTest, ConcurrentObservationsStayBounded) {
  RunTracker tracker(lifecycle(), 50);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&tracker, t] {
      for (int i = 0; i < 500; ++i) {
        std::string id = "run-" + std::to_string(t) + "-" + std::to_string(i % 80);
        tracker.observe(id, run(i % 2 ? "running" : "pending"));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(tracker.size(), 50u);
}

}  // namespace
}  // namespace runmock::proxy
