// Runtime scenario documents (POST /__runmock/scenarios) in the registry, and the --watch poller.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "mock/scenario_test_support.h"
#include "scenario/loader.h"
#include "scenario/watch.h"

using runmock::scenario::LoadResult;
using runmock::scenario::ScenarioRegistry;
using runmock::scenario::ScenarioWatcher;
using runmock::testing::load_options;
using runmock::testing::TempDir;

namespace {

std::string document(const std::string& name, const std::string& last_state = "completed", bool is_default = false) {
  return "api: emergence\nscenarios:\n  - {name: " + name + (is_default ? ", default: true" : "") +
         ", phases: [{state: pending}, {state: " + last_state + "}]}\n";
}

}  // namespace

TEST(ScenarioRuntime, APostedDocumentOverridesAFileAndSurvivesReloads) {
  TempDir dir;
  dir.write("s.yaml", document("one", "completed", true) + "  - {name: two, phases: [{state: pending}, {state: failed}]}\n");
  ScenarioRegistry registry({dir.path()}, load_options());
  ASSERT_TRUE(registry.reload().ok());

  auto added = registry.add_runtime("mine.yaml", document("two", "cancelled"));
  ASSERT_TRUE(added.load.ok()) << added.load.report();
  ASSERT_EQ(added.added.size(), 1u);
  EXPECT_EQ(added.added[0], (std::pair<std::string, std::string>{"emergence", "two"}));
  EXPECT_EQ(registry.current()->find("emergence", "two")->script->phases.back().state, "cancelled");
  EXPECT_EQ(registry.current()->find("emergence", "two")->where.file, "mine.yaml");
  EXPECT_TRUE(registry.is_runtime("emergence", "two"));
  EXPECT_FALSE(registry.is_runtime("emergence", "one"));

  ASSERT_TRUE(registry.reload().ok());
  EXPECT_EQ(registry.current()->find("emergence", "two")->script->phases.back().state, "cancelled");

  // The same name replaces the document; removing it brings the file's scenario back.
  ASSERT_TRUE(registry.add_runtime("mine.yaml", document("two", "completed") + document("three").substr(document("three").find("  -"))).load.ok());
  EXPECT_EQ(registry.current()->find("emergence", "two")->script->phases.back().state, "completed");
  auto removed = registry.remove_runtime("emergence", "three");
  EXPECT_EQ(removed.removed.size(), 2u);  // the whole document
  EXPECT_EQ(registry.current()->find("emergence", "three"), nullptr);
  EXPECT_EQ(registry.current()->find("emergence", "two")->script->phases.back().state, "failed");
  EXPECT_FALSE(registry.is_runtime("emergence", "two"));
  EXPECT_TRUE(registry.remove_runtime("emergence", "one").removed.empty());

  // Two documents defining the same scenario both go, and it is named once.
  ASSERT_TRUE(registry.add_runtime("a.yaml", document("four")).load.ok());
  ASSERT_TRUE(registry.add_runtime("b.yaml", document("four")).load.ok());
  EXPECT_EQ(registry.remove_runtime("emergence", "four").removed, (std::vector<std::pair<std::string, std::string>>{{"emergence", "four"}}));
  EXPECT_EQ(registry.current()->find("emergence", "four"), nullptr);
}

TEST(ScenarioRuntime, ABrokenDocumentIsRefusedWithItsLineAndTheSetStays) {
  TempDir dir;
  dir.write("s.yaml", document("one", "completed", true));
  ScenarioRegistry registry({dir.path()}, load_options());
  ASSERT_TRUE(registry.reload().ok());
  auto before = registry.current();
  auto result = registry.add_runtime("broken.yaml", document("two", "runing"));
  EXPECT_FALSE(result.load.ok());
  EXPECT_TRUE(result.added.empty());
  EXPECT_NE(result.load.report().find("broken.yaml:3:52: 'runing' is not a state of emergence"), std::string::npos) << result.load.report();
  EXPECT_EQ(registry.current(), before);
  ASSERT_TRUE(registry.reload().ok());
  EXPECT_EQ(registry.current()->find("emergence", "two"), nullptr);  // never kept
}

TEST(ScenarioRuntime, LastReloadSaysWhetherTheFilesLoaded) {
  TempDir dir;
  dir.write("s.yaml", document("one", "completed", true));
  ScenarioRegistry registry({dir.path()}, load_options());
  ASSERT_TRUE(registry.reload().ok());
  EXPECT_TRUE(registry.last_reload().ok);
  EXPECT_EQ(registry.last_reload().files, 1u);
  dir.write("s.yaml", document("one", "runing", true));
  registry.reload();
  EXPECT_FALSE(registry.last_reload().ok);
  EXPECT_NE(registry.last_reload().error.find("s.yaml:3:"), std::string::npos) << registry.last_reload().error;
  EXPECT_NE(registry.current()->find("emergence", "one"), nullptr);
}

TEST(ScenarioWatch, StampsOnlyScenarioFilesAndSeesEdits) {
  TempDir dir;
  dir.write("a.yaml", "x");
  dir.write("notes.txt", "x");
  dir.write(".hidden/b.yaml", "x");
  dir.write("sub/c.yml", "x");
  auto stamps = runmock::scenario::stamp_scenario_files({dir.path()});
  EXPECT_EQ(stamps.size(), 2u);
  dir.write("a.yaml", "xy");
  EXPECT_NE(runmock::scenario::stamp_scenario_files({dir.path()}), stamps);
}

namespace {

// What a watcher reported, for the watch tests: each result's report ("" when it reloaded).
class Reports {
 public:
  std::function<void(const LoadResult&)> callback() {
    return [this](const LoadResult& result) {
      std::lock_guard lock(mutex_);
      reports_.push_back(result.ok() ? "" : result.report());
      changed_.notify_all();
    };
  }
  // Waits (at most 2 s) until there are `count` reports.
  bool wait_for(std::size_t count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(2), [&] { return reports_.size() >= count; });
  }
  std::vector<std::string> all() {
    std::lock_guard lock(mutex_);
    return reports_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::string> reports_;
};

const auto kPoll = std::chrono::milliseconds(20);

std::string last_state(const ScenarioRegistry& registry, const std::string& name) {
  const auto* scenario = registry.current()->find("emergence", name);
  return scenario ? scenario->script->phases.back().state : "";
}

}  // namespace

TEST(ScenarioWatch, ReloadsWhenAFileChangesAndStopsWithTheWatcher) {
  TempDir dir;
  dir.write("s.yaml", document("one", "completed", true));
  ScenarioRegistry registry({dir.path()}, load_options());
  ASSERT_TRUE(registry.reload().ok());
  Reports reports;
  {
    ScenarioWatcher watcher(registry, kPoll, reports.callback());
    dir.write("s.yaml", document("one", "failed", true));
    ASSERT_TRUE(reports.wait_for(1));
    EXPECT_EQ(reports.all()[0], "");
    EXPECT_EQ(last_state(registry, "one"), "failed");
    dir.write("s.yaml", document("one", "stuck", true));  // not an emergence state (and a new size)
    ASSERT_TRUE(reports.wait_for(2));
    EXPECT_NE(reports.all()[1], "");
    EXPECT_EQ(last_state(registry, "one"), "failed");
    std::this_thread::sleep_for(5 * kPoll);
  }
  EXPECT_EQ(reports.all().size(), 2u) << "one report per change, not one per poll";
}

TEST(ScenarioWatch, ADeletedFileKeepsItsScenariosUntilItIsBack) {
  TempDir dir;
  dir.write("s.yaml", document("one", "completed", true));
  dir.write("sub/t.yaml", document("two", "completed"));
  ScenarioRegistry registry({dir.path()}, load_options());
  ASSERT_TRUE(registry.reload().ok());
  Reports reports;
  ScenarioWatcher watcher(registry, kPoll, reports.callback());
  std::filesystem::remove(dir.path() / "sub" / "t.yaml");
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_EQ(reports.all()[0], (dir.path() / "sub" / "t.yaml").string() +
                                  ":3:12: the file is gone; what it defines stays in force until it is back (restart runmock to drop it)\n");
  EXPECT_EQ(last_state(registry, "two"), "completed");
  std::this_thread::sleep_for(5 * kPoll);
  EXPECT_EQ(reports.all().size(), 1u) << "reported once, not once per poll";

  dir.write("s.yaml", document("one", "failed", true));  // another edit while it is gone: still kept
  ASSERT_TRUE(reports.wait_for(2));
  EXPECT_NE(reports.all()[1].find("t.yaml:3:12: the file is gone"), std::string::npos) << reports.all()[1];
  EXPECT_EQ(last_state(registry, "one"), "completed");

  dir.write("sub/t.yaml", document("two", "cancelled"));
  ASSERT_TRUE(reports.wait_for(3));
  EXPECT_EQ(reports.all()[2], "");
  EXPECT_EQ(last_state(registry, "two"), "cancelled");
  EXPECT_EQ(last_state(registry, "one"), "failed");
}

TEST(ScenarioWatch, SeesAFileReplacedByRenameEvenWithItsSizeAndTime) {
  TempDir dir;
  const auto file = dir.write("s.yaml", document("one", "completed", true));
  ScenarioRegistry registry({dir.path()}, load_options());
  ASSERT_TRUE(registry.reload().ok());
  Reports reports;
  ScenarioWatcher watcher(registry, kPoll, reports.callback());
  // An editor's save: a temporary file, then a rename over the original. Same size, same time.
  const auto temporary = dir.write(".s.yaml.swp", document("one", "cancelled", true));
  ASSERT_EQ(std::filesystem::file_size(temporary), std::filesystem::file_size(file));
  std::filesystem::last_write_time(temporary, std::filesystem::last_write_time(file));
  std::filesystem::rename(temporary, file);
  ASSERT_TRUE(reports.wait_for(1));
  EXPECT_EQ(reports.all()[0], "");
  EXPECT_EQ(last_state(registry, "one"), "cancelled");
}
