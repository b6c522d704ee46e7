// Guessing the state field and a draft lifecycle from the state words
// (harness/import/state_field.h, lifecycle_draft.h).
#include <gtest/gtest.h>

#include "import/lifecycle_draft.h"
#include "import/state_field.h"
#include "import_test_support.h"
#include "loader/lifecycle.h"

namespace {

using runmock::import::classify_state;
using runmock::import::draft_lifecycle;
using runmock::import::find_state_field;
using runmock::import::Notes;
using runmock::import::Place;
using runmock::import::SchemaView;
using runmock::import::StateClass;
using runmock::import::testing::document;
using runmock::import::testing::import_failure;

const char* kRun = R"(openapi: 3.0.1
components:
  schemas:
    Phase: {type: string, enum: [Waiting, InProgress, Done]}
    Run:
      type: object
      properties:
        id: {type: string}
        name: {type: string}
        kind: {type: string, enum: [a, b]}
        job_status: {$ref: '#/components/schemas/Phase'}
        progress: {type: object, properties: {stage: {type: string, enum: [one, two]}}}
)";

Place run_of(const runmock::import::DocumentSet& set) { return set.root().child("components").child("schemas").child("Run"); }

TEST(ImportStates, TesWordsFallInTheirClasses) {
  EXPECT_EQ(classify_state("QUEUED").kind, StateClass::waiting);
  EXPECT_EQ(classify_state("INITIALIZING").kind, StateClass::active);
  EXPECT_EQ(classify_state("RUNNING").kind, StateClass::active);
  EXPECT_EQ(classify_state("PAUSED").kind, StateClass::active);
  EXPECT_EQ(classify_state("COMPLETE").kind, StateClass::succeeded);
  EXPECT_EQ(classify_state("EXECUTOR_ERROR").kind, StateClass::failed);
  EXPECT_EQ(classify_state("SYSTEM_ERROR").kind, StateClass::failed);
  EXPECT_EQ(classify_state("PREEMPTED").kind, StateClass::failed);
  EXPECT_EQ(classify_state("CANCELED").kind, StateClass::cancelled);
  EXPECT_EQ(classify_state("CANCELING").kind, StateClass::cancelling);
  EXPECT_FALSE(classify_state("UNKNOWN").recognised);
  EXPECT_EQ(classify_state("UNKNOWN").kind, StateClass::active);
}

TEST(ImportStates, CamelCaseAndSeparatorsAreSplit) {
  EXPECT_EQ(classify_state("InProgress").kind, StateClass::active);
  EXPECT_EQ(classify_state("not-started").kind, StateClass::waiting);
  EXPECT_EQ(classify_state("completed_with_errors").kind, StateClass::failed);
  EXPECT_EQ(classify_state("cancel requested").kind, StateClass::cancelling);
  EXPECT_EQ(classify_state("Succeeded").kind, StateClass::succeeded);
}

TEST(ImportStates, TheTesLifecycleIsADraftTheLoaderAccepts) {
  Notes notes;
  auto d = draft_lifecycle("tes", "/state", "/id",
                           {"UNKNOWN", "QUEUED", "INITIALIZING", "RUNNING", "PAUSED", "COMPLETE", "EXECUTOR_ERROR", "SYSTEM_ERROR", "CANCELED", "PREEMPTED", "CANCELING"},
                           notes);
  EXPECT_EQ(d.initial, (std::vector<std::string>{"QUEUED"}));
  EXPECT_EQ(d.first, "QUEUED");
  EXPECT_EQ(d.running, "RUNNING");
  EXPECT_EQ(d.succeeded, "COMPLETE");
  EXPECT_EQ(d.failed, "EXECUTOR_ERROR");
  EXPECT_EQ(d.cancelled, "CANCELED");
  EXPECT_EQ(d.cancelling, "CANCELING");
  EXPECT_EQ(d.document["draft"], true);
  auto lifecycle = runmock::contracts::Lifecycle::from_json(nlohmann::json(d.document));
  EXPECT_TRUE(lifecycle.is_terminal("COMPLETE"));
  EXPECT_TRUE(lifecycle.is_terminal("PREEMPTED"));
  EXPECT_FALSE(lifecycle.is_terminal("CANCELING"));
  EXPECT_TRUE(lifecycle.can_move("QUEUED", "RUNNING"));
  EXPECT_TRUE(lifecycle.can_move("RUNNING", "CANCELING"));
  EXPECT_TRUE(lifecycle.can_move("CANCELING", "CANCELED"));
  EXPECT_FALSE(lifecycle.can_move("CANCELING", "RUNNING"));
  EXPECT_FALSE(lifecycle.can_move("RUNNING", "QUEUED"));
  ASSERT_EQ(notes.missing.size(), 1u);
  EXPECT_NE(notes.missing[0].find("'UNKNOWN'"), std::string::npos);
}

TEST(ImportStates, WordsWithNoEndAreExitOne) {
  Notes notes;
  auto [code, message] = import_failure([&] { draft_lifecycle("x", "/status", "/id", {"pending", "running"}, notes); });
  EXPECT_EQ(code, 1);
  EXPECT_NE(message.find("none that ends a run"), std::string::npos) << message;
}

TEST(ImportStates, TheStateFieldIsTheEnumNamedLikeAState) {
  auto set = document(kRun);
  Notes notes;
  auto field = find_state_field(SchemaView(set), run_of(set), "", notes);
  EXPECT_EQ(field.pointer, "/job_status") << "a name containing status beats a nested exact 'stage'; 'kind' is no state";
  EXPECT_EQ(field.words, (std::vector<std::string>{"Waiting", "InProgress", "Done"}));
}

TEST(ImportStates, ANestedStateFieldCanBeNamed) {
  auto set = document(kRun);
  Notes notes;
  auto field = find_state_field(SchemaView(set), run_of(set), "/progress/stage", notes);
  EXPECT_EQ(field.pointer, "/progress/stage");
  EXPECT_EQ(field.words, (std::vector<std::string>{"one", "two"}));
}

TEST(ImportStates, AStateFieldThatIsNoEnumIsRefusedWithItsPlace) {
  auto set = document(kRun);
  Notes notes;
  auto [code, message] = import_failure([&] { find_state_field(SchemaView(set), run_of(set), "/name", notes); });
  EXPECT_EQ(code, 2);
  EXPECT_NE(message.find("test.yaml:9:9: --state /name: the property is not an enum"), std::string::npos) << message;
  auto [code2, message2] = import_failure([&] { find_state_field(SchemaView(set), run_of(set), "/nope", notes); });
  EXPECT_EQ(code2, 2);
  EXPECT_NE(message2.find("has no property 'nope'"), std::string::npos) << message2;
}

TEST(ImportStates, NoStateFieldIsExitOne) {
  auto set = document("openapi: 3.1.0\ncomponents: {schemas: {Run: {type: object, properties: {id: {type: string}}}}}\n");
  Notes notes;
  auto [code, message] = import_failure([&] { find_state_field(SchemaView(set), run_of(set), "", notes); });
  EXPECT_EQ(code, 1);
  EXPECT_NE(message.find("--state POINTER"), std::string::npos) << message;
}

}  // namespace
