#include <gtest/gtest.h>

#include "loader/api_contract.h"
#include "loader/lifecycle.h"

using nlohmann::json;
using runmock::contracts::Lifecycle;

namespace {

json small_lifecycle() {
  return {{"resource", "run"},
          {"state_pointer", "/status"},
          {"initial", {"pending"}},
          {"states",
           {{"pending", {{"terminal", false}, {"absent", {"/completed_at"}}}},
            {"running", {{"terminal", false}}},
            {"completed", {{"terminal", true}, {"present", {"/completed_at"}}}},
            {"failed", {{"terminal", true}, {"present", {"/error_message"}}}}}},
          {"transitions", {{"pending", {"running", "failed"}}, {"running", {"completed", "failed"}}, {"completed", json::array()}, {"failed", json::array()}}},
          {"parts",
           {{{"resource", "task"},
             {"collection_pointer", "/tasks"},
             {"state_pointer", "/status"},
             {"initial", {"pending"}},
             {"states", {{"pending", {{"terminal", false}}}, {"done", {{"terminal", true}}}}},
             {"transitions", {{"pending", {"done"}}, {"done", json::array()}}}}}}};
}

}  // namespace

TEST(Lifecycle, KnowsTerminalStatesAndTransitions) {
  Lifecycle lc = Lifecycle::from_json(small_lifecycle());
  EXPECT_TRUE(lc.is_terminal("completed"));
  EXPECT_FALSE(lc.is_terminal("running"));
  EXPECT_TRUE(lc.can_move("pending", "running"));
  EXPECT_FALSE(lc.can_move("pending", "completed"));
  EXPECT_TRUE(lc.can_reach("pending", "completed"));
}

TEST(Lifecycle, ChecksPerStateFields) {
  Lifecycle lc = Lifecycle::from_json(small_lifecycle());
  EXPECT_TRUE(lc.check({{"status", "completed"}, {"completed_at", "2024-01-15T10:35:00Z"}}).empty());
  auto violations = lc.check({{"status", "completed"}, {"completed_at", nullptr}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].instance_location, "/completed_at");
  EXPECT_EQ(violations[0].message, "a completed run must have completed_at");
  violations = lc.check({{"status", "exploded"}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].message.find("'exploded' is not a run state"), std::string::npos);
  violations = lc.check({{"status", "running"}, {"tasks", {{{"status", "weird"}}}}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].instance_location, "/tasks/0/status");
}

TEST(Lifecycle, ChecksChangesAcrossPolls) {
  Lifecycle lc = Lifecycle::from_json(small_lifecycle());
  EXPECT_TRUE(lc.check_change({{"status", "pending"}}, {{"status", "completed"}}).empty()) << "several steps between two polls";
  auto violations = lc.check_change({{"status", "completed"}}, {{"status", "running"}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_NE(violations[0].message.find("a terminal state never changes"), std::string::npos);
  violations = lc.check_change({{"status", "running"}, {"tasks", {{{"id", "t1"}, {"status", "done"}}}}},
                               {{"status", "running"}, {"tasks", {{{"id", "t1"}, {"status", "pending"}}}}});
  ASSERT_EQ(violations.size(), 1u);
  EXPECT_EQ(violations[0].instance_location, "/tasks/0/status");
}

TEST(Lifecycle, RefusesRulesThatContradictThemselves) {
  json bad = small_lifecycle();
  bad["transitions"]["completed"] = {"running"};
  EXPECT_THROW(Lifecycle::from_json(bad), std::invalid_argument);
  bad = small_lifecycle();
  bad["transitions"]["pending"] = {"nowhere"};
  EXPECT_THROW(Lifecycle::from_json(bad), std::invalid_argument);
  bad = small_lifecycle();
  bad["transitions"]["running"] = json::array();
  EXPECT_THROW(Lifecycle::from_json(bad), std::invalid_argument);
}

TEST(Lifecycle, BundledLifecyclesHaveTheirStateWords) {
  auto contracts = runmock::contracts::load_all(std::filesystem::path(RUNMOCK_SOURCE_DIR) / "contracts");
  EXPECT_TRUE(contracts.at("emergence").lifecycle().is_terminal("completed"));
  EXPECT_TRUE(contracts.at("emergence").lifecycle().is_terminal("cancelled"));
  EXPECT_TRUE(contracts.at("amperity").lifecycle().can_reach("in-progress", "canceled"));
  EXPECT_TRUE(contracts.at("pennsieve").lifecycle().is_terminal("SUCCEEDED"));
  EXPECT_FALSE(contracts.at("pennsieve").lifecycle().is_terminal("CANCELING"));
}
