// `runmock lint`: exit codes and messages.
#include <gtest/gtest.h>

#include "mock/scenario_test_support.h"
#include "scenario/lint.h"
#include "scenario/loader.h"

using namespace runmock::scenario;
using runmock::testing::all_contracts;
using runmock::testing::count_scenario_files;
using runmock::testing::load_options;
using runmock::testing::TempDir;

namespace {

LintOptions options() {
  LintOptions o;
  o.contracts = &all_contracts();
  return o;
}

}  // namespace

TEST(Lint, BundledScenariosAreClean) {
  auto result = lint({default_scenarios_dir()}, options());
  EXPECT_EQ(result.exit_code, 0);
  auto loaded = load_scenarios({default_scenarios_dir()}, load_options());
  ASSERT_TRUE(loaded.ok()) << loaded.report();
  EXPECT_EQ(result.files, count_scenario_files(default_scenarios_dir()));
  EXPECT_EQ(result.scenarios, loaded.set->size());
  ASSERT_EQ(result.messages.size(), 1u);
  EXPECT_EQ(result.messages[0], std::to_string(result.files) + " files, " + std::to_string(result.scenarios) + " scenarios: ok");
}

TEST(Lint, LoadsTheContractsItself) {
  auto result = lint({default_scenarios_dir() / "emergence" / "default.yaml"});
  EXPECT_EQ(result.exit_code, 0) << (result.messages.empty() ? "" : result.messages[0]);
  LintOptions bad;
  bad.contracts_dir = "/nonexistent/contracts";
  auto broken = lint({default_scenarios_dir()}, bad);
  EXPECT_EQ(broken.exit_code, 2);
}

TEST(Lint, ProblemsExitOne) {
  TempDir dir;
  auto file = dir.write("emergence/bad.yaml", "api: emergence\nscenarios:\n  - name: x\n    phases:\n      - state: pending\n      - state: donee\n");
  dir.write("emergence/good.yaml", "api: emergence\nscenarios:\n  - name: y\n    phases:\n      - state: pending\n      - state: completed\n");
  dir.write("README.md", "not a scenario");
  auto result = lint({dir.path()}, options());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.files, 2u);
  ASSERT_EQ(result.messages.size(), 2u);
  EXPECT_EQ(result.messages[0], file.string() + ":6:16: 'donee' is not a state of emergence (cancelled, cancelling, completed, failed, pending, running)");
  EXPECT_EQ(result.messages[1], "1 problem in 2 files");
}

TEST(Lint, UsageAndIoErrorsExitTwo) {
  EXPECT_EQ(lint({}, options()).exit_code, 2);
  auto missing = lint({"/nonexistent/scenarios"}, options());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.messages[0], "/nonexistent/scenarios: no such file or folder");
  TempDir empty;
  auto nothing = lint({empty.path()}, options());
  EXPECT_EQ(nothing.exit_code, 2);
  EXPECT_EQ(nothing.messages.back(), "no scenario files (*.yaml, *.yml) found");
}
