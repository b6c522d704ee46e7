// mock/dialect/template.h: every reference root, each operator, "key?" omission, the order in
// which a representation is built, and the compile errors with the pointer they name. Runs come
// from engine::Engine on a manual clock (2024-01-15T10:30:00Z).
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <regex>

#include "dialect/template.h"
#include "engine/engine.h"
#include "engine_test_support.h"

using namespace std::chrono_literals;
using nlohmann::json;
using runmock::dialect::Expr;
using runmock::dialect::Representations;
using runmock::dialect::RepresentHook;
using runmock::dialect::Scope;
using runmock::dialect::TemplateError;
using runmock::testing::lifecycle_of;
using runmock::testing::ScriptBuilder;
using runmock::testing::states;
namespace engine = runmock::engine;

namespace {

// pending 2s (sets pipeline_id, secret) → running 1.5s (task a running, b pending, c not yet) →
// running 3s (a completed, b running) → completed (output; a, b completed; c never appears).
// Phases are entered at 10:30:00, :02, :03.5 and :06.5.
std::shared_ptr<const engine::Script> script() {
  return ScriptBuilder("templates")
      .declare("tasks", {{{"name", "a"}}, {{"name", "b"}}, {{"name", "c"}}})
      .phase("pending", engine::Advance::time(2s), {{"pipeline_id", "p-1"}, {"secret", "s"}})
      .phase("running", engine::Advance::time(1500ms), json::object(), {{"tasks", states({"running", "pending"})}})
      .phase("running", engine::Advance::time(3s), json::object(), {{"tasks", states({"completed", "running"})}})
      .phase("completed", engine::Advance::terminal(), {{"output", {{"n", 1}}}}, {{"tasks", states({"completed", "completed"})}})
      .build();
}

class TemplateTest : public ::testing::Test {
 protected:
  TemplateTest() : engine_(engine::Clock::manual(), engine::EngineOptions{1000, 7}) { engine_.add_api("emergence", lifecycle_of("emergence")); }

  engine::RunSnapshot create(json data = {{"configuration", {{"workflow_name", "wf"}}}, {"count", 3}, {"run", {{"x", 1}}}}) {
    engine::CreateRequest request;
    request.api = "emergence";
    request.tenant = "run-tenant";
    request.script = script();
    request.data = std::move(data);
    return engine_.create(std::move(request));
  }

  // The run `by` later on the manual clock.
  engine::RunSnapshot later(const engine::RunSnapshot& run, engine::Duration by) {
    engine_.advance_clock(by);
    return *engine_.peek(run.id());
  }

  static Scope scope_of(const engine::RunSnapshot& run, int digits = -1) {
    Scope scope;
    scope.run = &run;
    scope.fraction_digits = digits;
    return scope;
  }

  engine::Engine engine_;
};

json eval(const json& expression, const Scope& scope) { return Expr::compile(expression, "/t").evaluate(scope); }

// The TemplateError compiling `expression` throws, as "pointer | message".
std::string compile_error(const json& expression) {
  try {
    Expr::compile(expression, "/t");
  } catch (const TemplateError& e) {
    return e.pointer + " | " + e.what();
  }
  return "no error";
}

RepresentHook no_hooks(const std::string& name) { throw TemplateError("", "no hook '" + name + "'"); }

Representations compile(const json& spec, const std::function<RepresentHook(const std::string&)>& hooks = no_hooks) {
  return Representations::compile(spec, "/representations", hooks);
}

std::string representations_error(const json& spec, const std::function<RepresentHook(const std::string&)>& hooks = no_hooks) {
  try {
    compile(spec, hooks);
  } catch (const TemplateError& e) {
    return e.pointer + " | " + e.what();
  }
  return "no error";
}

const char* const kRoots = "(roots: id, state, tenant, created_at, ended_at, duration_seconds, data, phase_fields, body, path, configuration, kind, item)";

}  // namespace

// --- references ---

TEST_F(TemplateTest, RunRootsWhileRunning) {
  engine::RunSnapshot run = create();
  Scope scope = scope_of(run);
  EXPECT_EQ(eval("$id", scope), run.id());
  EXPECT_EQ(eval("$state", scope), "pending");
  EXPECT_EQ(eval("$tenant", scope), "run-tenant");
  EXPECT_EQ(eval("$created_at", scope), "2024-01-15T10:30:00Z");
  EXPECT_EQ(eval("$ended_at", scope), nullptr);
  EXPECT_EQ(eval("$duration_seconds", scope), nullptr);
  EXPECT_EQ(eval("$data/configuration/workflow_name", scope), "wf");
  EXPECT_EQ(eval("$data/count", scope), 3);
  EXPECT_EQ(eval("$data/missing/deeper", scope), nullptr);
  EXPECT_EQ(eval("$data", scope), run.data());
  EXPECT_EQ(eval("$phase_fields/pipeline_id", scope), "p-1");
  EXPECT_EQ(eval("$phase_fields", scope), (json{{"pipeline_id", "p-1"}, {"secret", "s"}}));
  EXPECT_EQ(eval("$phase_fields/output", scope), nullptr);
  scope.tenant = "request-tenant";  // the request's tenant wins over the run's
  EXPECT_EQ(eval("$tenant", scope), "request-tenant");
}

TEST_F(TemplateTest, TimestampsTakeTheFractionDigits) {
  engine::RunSnapshot run = create();
  EXPECT_EQ(eval("$created_at", scope_of(run, 0)), "2024-01-15T10:30:00Z");
  EXPECT_EQ(eval("$created_at", scope_of(run, 3)), "2024-01-15T10:30:00.000Z");
  EXPECT_EQ(eval("$created_at", scope_of(run, 6)), "2024-01-15T10:30:00.000000Z");
  engine::RunSnapshot done = later(run, 1h);
  ASSERT_EQ(done.state(), "completed");
  EXPECT_EQ(eval("$state", scope_of(done)), "completed");
  EXPECT_EQ(eval("$ended_at", scope_of(done)), "2024-01-15T10:30:06.500Z");
  EXPECT_EQ(eval("$ended_at", scope_of(done, 3)), "2024-01-15T10:30:06.500Z");
  EXPECT_EQ(eval("$ended_at", scope_of(done, 6)), "2024-01-15T10:30:06.500000Z");
  EXPECT_EQ(eval("$duration_seconds", scope_of(done)), 6.5);
  EXPECT_EQ(eval("$phase_fields/output/n", scope_of(done)), 1);
}

TEST_F(TemplateTest, RequestRootsReadTheScope) {
  json body = {{"asset_fqn", "PostgreSQL.db"}, {"list", {"zero", "one"}}, {"a/b", {{"~c", "escaped"}}}};
  json configuration = {{"workflow_name", "Profile"}, {"workflow_type", "profiling"}};
  json kind = {{"type", "courier.group/run"}};
  std::map<std::string, std::string, std::less<>> path = {{"configuration_id", "cfg-1"}};
  Scope scope;
  scope.body = &body;
  scope.configuration = &configuration;
  scope.kind = &kind;
  scope.path = &path;
  EXPECT_EQ(eval("$body/asset_fqn", scope), "PostgreSQL.db");
  EXPECT_EQ(eval("$body/list/1", scope), "one");
  EXPECT_EQ(eval("$body/list/2", scope), nullptr);
  EXPECT_EQ(eval("$body/a~1b/~0c", scope), "escaped");
  EXPECT_EQ(eval("$body", scope), body);
  EXPECT_EQ(eval("$path/configuration_id", scope), "cfg-1");
  EXPECT_EQ(eval("$path/other", scope), nullptr);
  EXPECT_EQ(eval("$configuration", scope), configuration);
  EXPECT_EQ(eval("$configuration/workflow_type", scope), "profiling");
  EXPECT_EQ(eval("$kind/type", scope), "courier.group/run");
  EXPECT_EQ(eval("$kind/name", scope), nullptr);
  // Without a run, an item or a request, every reference is null.
  Scope empty;
  for (const char* ref : {"$id", "$state", "$tenant", "$created_at", "$ended_at", "$duration_seconds", "$data/x", "$phase_fields/x", "$body/x",
                          "$path/x", "$configuration", "$kind/x", "$item/id", "$item/state"}) {
    EXPECT_EQ(eval(ref, empty), nullptr) << ref;
  }
}

TEST_F(TemplateTest, ItemRootsReadOnePartItem) {
  engine::RunSnapshot run = later(create(), 2s);  // a running, b pending, c not yet
  ASSERT_EQ(run.part("tasks").size(), 3u);
  Scope b = scope_of(run);
  b.item = &run.part("tasks")[1];
  EXPECT_EQ(eval("$item/left/pending", b), nullptr);  // still pending
  EXPECT_EQ(eval("$item/entered/pending", b), "2024-01-15T10:30:02Z");

  run = later(run, 1500ms);  // a completed, b running (since 10:30:03.5)
  const auto& items = run.part("tasks");
  Scope scope = scope_of(run);
  scope.item = &items[0];
  EXPECT_EQ(eval("$item/id", scope), items[0].id);
  EXPECT_EQ(eval("$item/state", scope), "completed");
  EXPECT_EQ(eval("$item/fields/name", scope), "a");
  EXPECT_EQ(eval("$item/fields", scope), (json{{"name", "a"}, {"status", "completed"}}));
  EXPECT_EQ(eval("$item/first_at", scope), "2024-01-15T10:30:02Z");
  EXPECT_EQ(eval("$item/last_at", scope), "2024-01-15T10:30:03.500Z");
  EXPECT_EQ(eval("$item/ended_at", scope), "2024-01-15T10:30:03.500Z");
  EXPECT_EQ(eval("$item/entered/running", scope), "2024-01-15T10:30:02Z");
  EXPECT_EQ(eval("$item/entered/failed", scope), nullptr);
  EXPECT_EQ(eval("$item/left/pending", scope), "2024-01-15T10:30:02Z");  // appeared moving
  EXPECT_EQ(eval("$item/left/running", scope), "2024-01-15T10:30:03.500Z");
  EXPECT_EQ(eval("$id", scope), run.id());  // the run's roots still read the run

  scope.item = &items[1];
  EXPECT_EQ(eval("$item/state", scope), "running");
  EXPECT_EQ(eval("$item/ended_at", scope), nullptr);
  EXPECT_EQ(eval("$item/left/pending", scope), "2024-01-15T10:30:03.500Z");
  EXPECT_EQ(eval("$item/first_at", scope), "2024-01-15T10:30:02Z");

  scope.item = &items[2];  // declared, never given a state: invisible
  EXPECT_EQ(eval("$item/id", scope), items[2].id);
  EXPECT_EQ(eval("$item/state", scope), nullptr);
  EXPECT_EQ(eval("$item/fields/name", scope), "c");
  EXPECT_EQ(eval("$item/first_at", scope), nullptr);
  EXPECT_EQ(eval("$item/last_at", scope), nullptr);
  EXPECT_EQ(eval("$item/left/pending", scope), nullptr);
}

// --- literals and operators ---

TEST_F(TemplateTest, DollarDollarEscapesAndOtherValuesAreThemselves) {
  Scope scope;
  EXPECT_EQ(eval("$$id", scope), "$id");
  EXPECT_EQ(eval("$$", scope), "$");
  EXPECT_EQ(eval("$$$state", scope), "$$state");
  EXPECT_EQ(eval("$", scope), "$");
  EXPECT_EQ(eval("plain $id", scope), "plain $id");
  EXPECT_EQ(eval(42, scope), 42);
  EXPECT_EQ(eval(nullptr, scope), nullptr);
  EXPECT_EQ(eval(json::array({"$$x", 1}), scope), json::array({"$x", 1}));
}

TEST_F(TemplateTest, FirstIsTheFirstValueThatIsNotNull) {
  engine::RunSnapshot run = create();
  Scope scope = scope_of(run);
  EXPECT_EQ(eval({{"$first", {"$data/missing", nullptr, "$data/count", "x"}}}, scope), 3);
  EXPECT_EQ(eval({{"$first", {"$data/missing", false, "x"}}}, scope), false);  // false is not null
  EXPECT_EQ(eval({{"$first", {"$data/missing", nullptr}}}, scope), nullptr);
  EXPECT_EQ(eval({{"$first", {"$data/missing", {{"$first", {"$data/none", "nested"}}}}}}, scope), "nested");
}

TEST_F(TemplateTest, FormatPutsReferencesIntoAText) {
  engine::RunSnapshot run = create();
  Scope scope = scope_of(run);
  EXPECT_EQ(eval({{"$format", "run {id} is {state}: {data/count} of {data/missing}|{data/run}"}}, scope),
            "run " + run.id() + " is pending: 3 of |{\"x\":1}");
  EXPECT_EQ(eval({{"$format", "no references"}}, scope), "no references");
}

TEST_F(TemplateTest, IdDrawsFromTheSeededGenerator) {
  engine::IdGenerator ids(42);
  engine::IdGenerator same(42);
  Scope scope;
  scope.ids = &ids;
  scope.now = engine::default_start();
  Expr id = Expr::compile({{"$id", "wf-{date}-{digits:5}"}}, "/t");
  json first = id.evaluate(scope);
  json second = id.evaluate(scope);
  EXPECT_EQ(first, "wf-20240115-" + same.digits(5));
  EXPECT_EQ(second, "wf-20240115-" + same.digits(5));
  EXPECT_NE(first, second);
  EXPECT_TRUE(std::regex_match(first.get<std::string>(), std::regex("wf-20240115-[0-9]{5}"))) << first;
  scope.now += 24h;
  EXPECT_EQ(id.evaluate(scope), "wf-20240116-" + same.digits(5));
  scope.ids = nullptr;
  EXPECT_EQ(id.evaluate(scope), nullptr);  // nothing to draw from
}

TEST_F(TemplateTest, PartRendersVisibleItemsUnlessAllAndHonoursTheLimit) {
  Representations reps = compile({{"task", {{"fields", {{"name", "$item/fields/name"}, {"status", "$item/state"}}}}}});
  engine::RunSnapshot run = later(create({{"limit", 2}}), 2s);  // a running, b pending, c not yet
  Scope scope = scope_of(run);
  scope.representations = &reps;
  EXPECT_EQ(eval({{"$part", "tasks"}, {"item", "task"}}, scope),
            json::parse(R"([{"name": "a", "status": "running"}, {"name": "b", "status": "pending"}])"));
  EXPECT_EQ(eval({{"$part", "tasks"}, {"item", "task"}, {"all", true}}, scope),
            json::parse(R"([{"name": "a", "status": "running"}, {"name": "b", "status": "pending"}, {"name": "c", "status": null}])"));
  EXPECT_EQ(eval({{"$part", "tasks"}, {"item", "task"}, {"all", true}, {"limit", "$data/limit"}}, scope),
            json::parse(R"([{"name": "a", "status": "running"}, {"name": "b", "status": "pending"}])"));
  EXPECT_EQ(eval({{"$part", "tasks"}, {"item", "task"}, {"limit", 1}}, scope), json::parse(R"([{"name": "a", "status": "running"}])"));
  EXPECT_EQ(eval({{"$part", "tasks"}, {"item", "task"}, {"limit", 0}}, scope), json::array());
  EXPECT_EQ(eval({{"$part", "other"}, {"item", "task"}}, scope), json::array());
  scope.representations = nullptr;
  EXPECT_EQ(eval({{"$part", "tasks"}, {"item", "task"}}, scope), json::array());
}

TEST_F(TemplateTest, IfTestsTheRunStateOrTheItemState) {
  engine::RunSnapshot run = create();
  json when_running = {{"$if", {{"state", "running"}}}, {"then", "$phase_fields/pipeline_id"}};
  EXPECT_EQ(eval(when_running, scope_of(run)), nullptr);
  run = later(run, 2s);
  EXPECT_EQ(eval(when_running, scope_of(run)), "p-1");

  json when_item_pending = {{"$if", {{"item_state", "pending"}}}, {"then", "$item/fields/name"}};
  Scope scope = scope_of(run);
  EXPECT_EQ(eval(when_item_pending, scope), nullptr);  // no item
  scope.item = &run.part("tasks")[0];
  EXPECT_EQ(eval(when_item_pending, scope), nullptr);  // running
  scope.item = &run.part("tasks")[1];
  EXPECT_EQ(eval(when_item_pending, scope), "b");
  scope.item = &run.part("tasks")[2];
  EXPECT_EQ(eval({{"$if", {{"item_state", ""}}}, {"then", "invisible"}}, scope), nullptr);  // an invisible item is in no state
}

TEST_F(TemplateTest, QuestionMarkKeysAreLeftOutWhenNull) {
  engine::RunSnapshot run = create();
  json built = eval({{"ended_at?", "$ended_at"}, {"state?", "$state"}, {"kept", "$ended_at"}, {"inner", {{"gone?", nullptr}, {"false?", false}}},
                     {"?", "question"}},
                    scope_of(run));
  EXPECT_EQ(built, (json{{"state", "pending"}, {"kept", nullptr}, {"inner", {{"false", false}}}, {"?", "question"}}));
}

// --- representations ---

TEST_F(TemplateTest, RepresentationStepsRunInOrder) {
  json seen;
  auto hooks = [&seen](const std::string& name) -> RepresentHook {
    if (name != "test.record") throw TemplateError("", "no hook '" + name + "'");
    return [&seen](json& out, const Scope&) {
      seen = out;
      out["d"] = "hook-d";
      out["pipeline_id"] = "hook-pipeline";  // the phases' fields come later and win
      out["output"] = "hook-output";          // objects come last
    };
  };
  Representations reps = compile(json::parse(R"({
    "base": {"fields": {"a": "base-a", "b": "base-b", "c": "base-c", "dropped": "base-dropped"}},
    "ordered": {
      "from": "base",
      "pick": ["a", "b", "c", "absent"],
      "fields": {"b": "field-b", "c?": "$data/missing", "d": "field-d", "pipeline_id": "field-pipeline"},
      "defaults": {"a": "default-a", "b": "default-b", "e": "default-e", "f?": "$data/missing"},
      "hooks": ["test.record"],
      "merge_phase_fields": {"except": ["secret"]},
      "objects": ["output", "box"]
    },
    "merged": {"fields": {"pipeline_id": "field"}, "merge_phase_fields": true}
  })"),
                                 hooks);
  engine::RunSnapshot run = create();
  Scope scope = scope_of(run);
  EXPECT_EQ(reps.render("ordered", scope),
            json::parse(R"({"a": "base-a", "b": "field-b", "d": "hook-d", "e": "default-e", "pipeline_id": "p-1", "output": {}, "box": {}})"));
  EXPECT_EQ(seen, json::parse(R"({"a": "base-a", "b": "field-b", "d": "field-d", "e": "default-e", "pipeline_id": "field-pipeline"})"));
  EXPECT_EQ(reps.render("merged", scope), (json{{"pipeline_id", "p-1"}, {"secret", "s"}}));
  run = later(run, 1h);  // the phases set output {n: 1}: an object, kept
  EXPECT_EQ(reps.render("ordered", scope_of(run))["output"], (json{{"n", 1}}));
}

TEST_F(TemplateTest, RepresentationStartsFromARepresentationAnExpressionOrTheItemFields) {
  Representations reps = compile(json::parse(R"({
    "detail": {"fields": {"id": "$id", "status": "$state", "ended_at?": "$ended_at"}},
    "summary": {"from": "detail", "pick": ["id"]},
    "from_data": {"from": "$data/run", "fields": {"y": 2}},
    "from_text": {"from": "$state", "fields": {"y": 2}},
    "from_missing": {"from": "$data/missing"},
    "task": {"from_item_fields": true, "defaults": {"id": "$item/id", "name": "never"}}
  })"));
  engine::RunSnapshot run = later(create(), 2s);
  Scope scope = scope_of(run);
  EXPECT_EQ(reps.render("detail", scope), (json{{"id", run.id()}, {"status", "running"}}));
  EXPECT_EQ(reps.render("summary", scope), (json{{"id", run.id()}}));
  EXPECT_EQ(reps.render("from_data", scope), (json{{"x", 1}, {"y", 2}}));
  EXPECT_EQ(reps.render("from_text", scope), (json{{"y", 2}}));  // not an object: {}
  EXPECT_EQ(reps.render("from_missing", scope), json::object());
  EXPECT_EQ(reps.render("task", scope), (json{{"id", nullptr}, {"name", "never"}}));  // no item: {}
  scope.item = &run.part("tasks")[0];
  EXPECT_EQ(reps.render("task", scope), (json{{"id", run.part("tasks")[0].id}, {"name", "a"}, {"status", "running"}}));
  EXPECT_THROW(reps.render("nope", scope), std::out_of_range);
  EXPECT_EQ(reps.names(), (std::vector<std::string>{"detail", "from_data", "from_missing", "from_text", "summary", "task"}));
  EXPECT_TRUE(reps.contains("summary"));
  EXPECT_FALSE(reps.contains("nope"));
  EXPECT_EQ(reps.field_of("summary", "$id"), "/id");  // found through `from`
  EXPECT_EQ(reps.field_of("detail", "$state"), "/status");
  EXPECT_EQ(reps.field_of("detail", "$tenant"), "");
  EXPECT_EQ(reps.field_of("nope", "$id"), "");
}

TEST_F(TemplateTest, FindPointerFollowsEscapedTokensAndIndexes) {
  json doc = {{"a", {{"b/c", {10, 20}}, {"d~e", "tilde"}}}};
  ASSERT_NE(runmock::dialect::find_pointer(doc, "/a/b~1c/1"), nullptr);
  EXPECT_EQ(*runmock::dialect::find_pointer(doc, "/a/b~1c/1"), 20);
  EXPECT_EQ(*runmock::dialect::find_pointer(doc, "a/d~0e"), "tilde");
  EXPECT_EQ(*runmock::dialect::find_pointer(doc, ""), doc);
  EXPECT_EQ(runmock::dialect::find_pointer(doc, "/a/b~1c/2"), nullptr);
  EXPECT_EQ(runmock::dialect::find_pointer(doc, "/a/b~1c/x"), nullptr);
  EXPECT_EQ(runmock::dialect::find_pointer(doc, "/a/missing"), nullptr);
  EXPECT_EQ(runmock::dialect::find_pointer(doc, "/a/d~0e/deeper"), nullptr);
}

// --- compile errors ---

TEST_F(TemplateTest, ExpressionCompileErrorsNameTheirPointer) {
  EXPECT_EQ(compile_error("$nope"), std::string("/t | '$nope' is not a reference ") + kRoots);
  EXPECT_EQ(compile_error("$nope/x"), std::string("/t | '$nope/x' is not a reference ") + kRoots);
  EXPECT_EQ(compile_error(json{{"a", {{"b", {"ok", "$nope"}}}}}), std::string("/t/a/b/1 | '$nope' is not a reference ") + kRoots);
  EXPECT_EQ(compile_error(json{{"$format", "x {nope} y"}}), std::string("/t/$format | '$nope' is not a reference ") + kRoots);
  EXPECT_EQ(compile_error(json{{"$format", "x {id"}}), "/t/$format | '{' without '}' in \"x {id\"");
  EXPECT_EQ(compile_error("$id/x"), "/t | '$id' takes nothing after it");
  EXPECT_EQ(compile_error("$item"), "/t | '$item' needs a name after it ('$item/...')");
  EXPECT_EQ(compile_error("$path/"), "/t | '$path' needs a name after it ('$path/...')");
  EXPECT_EQ(compile_error(json{{"$nope", 1}}), "/t | '$nope' is not an operator ($first, $format, $id, $part, $if; write \"$$\" for a literal '$')");
  EXPECT_EQ(compile_error(json{{"$first", json::array({"a"})}, {"other", 1}}), "/t | '$first' stands alone in its object");
  EXPECT_EQ(compile_error(json{{"$first", json::array()}}), "/t/$first | $first takes a list of values");
  EXPECT_EQ(compile_error(json{{"$first", {"ok", "$nope"}}}), std::string("/t/$first/1 | '$nope' is not a reference ") + kRoots);
  EXPECT_EQ(compile_error(json{{"$format", 1}}), "/t/$format | $format takes a text with {references}");
  EXPECT_EQ(compile_error(json{{"$id", 5}}), "/t/$id | $id takes an id template such as \"wf-{date}-{digits:5}\"");
  EXPECT_EQ(compile_error(json{{"$part", "tasks"}}),
            "/t | {$part: <part key>, item: <representation>} names a part and the representation of its items");
  EXPECT_EQ(compile_error(json{{"$part", "tasks"}, {"item", "task"}, {"max", 3}}), "/t/max | 'max' is not a key of this operator (it takes $part, item, limit, all)");
  EXPECT_EQ(compile_error(json{{"$part", "tasks"}, {"item", "task"}, {"limit", "$nope"}}), std::string("/t/limit | '$nope' is not a reference ") + kRoots);
  EXPECT_EQ(compile_error(json{{"$if", {{"colour", "x"}}}, {"then", 1}}), "/t | {$if: {state: S} or {item_state: S}, then: <value>}");
  EXPECT_EQ(compile_error(json{{"$if", {{"state", "x"}}}}), "/t | {$if: {state: S} or {item_state: S}, then: <value>}");
  EXPECT_EQ(compile_error(json{{"$if", {{"state", "x"}}}, {"then", "$nope"}}), std::string("/t/then | '$nope' is not a reference ") + kRoots);
  EXPECT_EQ(compile_error(json{{"$id", "wf-{nope}"}}),
            "/t/$id | id template 'wf-{nope}', offset 3: unknown piece {nope} (expected {date}, {uuid}, {digits:N}, {letters:N}, {alphanumerics:N} or {hex:N})");
}

TEST_F(TemplateTest, RepresentationCompileErrorsNameTheirPointer) {
  EXPECT_EQ(representations_error(json{{"a", {{"fields", {{"x", {{"y", {"ok", "$nope"}}}}}}}}}),
            std::string("/representations/a/fields/x/y/1 | '$nope' is not a reference ") + kRoots);
  EXPECT_EQ(representations_error(json{{"a", {{"defaults", {{"x?", "$nope"}}}}}}),
            std::string("/representations/a/defaults/x? | '$nope' is not a reference ") + kRoots);
  EXPECT_EQ(representations_error(json{{"a", {{"from", "$nope"}}}}), std::string("/representations/a/from | '$nope' is not a reference ") + kRoots);
  EXPECT_EQ(representations_error(json{{"a", {{"from", "nope"}}}, {"b", json::object()}}), "/representations/a/from | no representation 'nope' (known: a, b)");
  EXPECT_EQ(representations_error(json{{"a", {{"fields", {{"tasks", {{"$part", "tasks"}, {"item", "nope"}}}}}}}}),
            "/representations/a/fields/tasks/item | no representation 'nope' (known: a)");
  EXPECT_EQ(representations_error(json{{"a", {{"fields", {{"tasks", {{"$part", "tasks"}}}}}}}}),
            "/representations/a/fields/tasks | {$part: <part key>, item: <representation>} names a part and the representation of its items");
  EXPECT_EQ(representations_error(json{{"a", {{"from", "b"}}}, {"b", {{"from", "a"}}}}), "/representations/a/from | representations built from each other in a circle");
  EXPECT_EQ(representations_error(json{{"a", {{"from", "a"}}}}), "/representations/a/from | representations built from each other in a circle");
  EXPECT_EQ(representations_error(json{{"a", json::object()}, {"b", {{"from", "c"}}}, {"c", {{"from", "d"}}}, {"d", {{"from", "c"}}}}),
            "/representations/b/from | representations built from each other in a circle");
  EXPECT_EQ(representations_error(json{{"a", {{"hooks", json::array({"x.y"})}}}}), "/representations/a/hooks/0 | no hook 'x.y'");
  EXPECT_EQ(representations_error(json{{"a", {{"pick", "id"}}}}), "/representations/a/pick | a list of names");
  EXPECT_EQ(representations_error(json{{"a", 1}}),
            "/representations/a | a representation is an object (from, pick, fields, defaults, hooks, merge_phase_fields, objects)");
  EXPECT_EQ(representations_error(json::array()), "/representations | representations: an object of named representations");
  EXPECT_EQ(representations_error(json{{"a", {{"from", "b"}}}, {"b", {{"fields", {{"id", "$id"}}}}}}), "no error");
}
