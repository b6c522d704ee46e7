// mock/dialect/spec.h: the bundled dialect files load; a broken file is refused with
// file:line:col and what is wrong (YAML, duplicate keys, the schema, the contract, the hooks, the
// templates); fill() puts values into {placeholders}.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "dialect/spec.h"
#include "hooks/hooks.h"
#include "registry/registry.h"
#include "scenario_test_support.h"

using nlohmann::json;
using runmock::testing::all_contracts;
using runmock::testing::TempDir;
namespace dialect = runmock::dialect;

namespace {

// A small emergence dialect; each test breaks one line of it. Line numbers are 1-based.
const std::string kValid =
    "version: 1\n"                                  // 1
    "api: emergence\n"                              // 2
    "roles:\n"                                      // 3
    "  create: createWorkflowRun\n"                 // 4
    "  get: getWorkflowRun\n"                       // 5
    "create:\n"                                     // 6
    "  data: {asset_fqn: $body/asset_fqn}\n"        // 7
    "  answer: {representation: detail}\n"          // 8
    "representations:\n"                            // 9
    "  detail:\n"                                   // 10
    "    fields: {id: $id, status: $state}\n";      // 11

bool starts_with(const std::string& text, const std::string& prefix) { return text.rfind(prefix, 0) == 0; }

// kValid with `from` replaced by `to` (which must be there).
std::string with(const std::string& from, const std::string& to) {
  std::string text = kValid;
  auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

class SpecTest : public ::testing::Test {
 protected:
  dialect::DialectSpec load(const std::string& text, const std::string& api = "emergence") {
    auto file = dir_.write(api + "/dialect.yaml", text);
    const auto& modules = runmock::hooks::builtin();
    auto represent = [&modules](const std::string& name) { return dialect::represent_hook(modules, name); };
    return dialect::load_dialect(file, runmock::contracts::default_contracts_dir() / "dialect.schema.json", all_contracts().at(api), represent,
                                 dialect::stateful_hook_names(modules));
  }

  // The DialectError loading `text` gives, its file written as FILE.
  std::string error_of(const std::string& text, const std::string& api = "emergence") {
    try {
      load(text, api);
    } catch (const dialect::DialectError& e) {
      std::string message = e.what();
      std::string file = (dir_.path() / api / "dialect.yaml").string();
      if (message.rfind(file, 0) == 0) message.replace(0, file.size(), "FILE");
      return message;
    }
    return "no error";
  }

  TempDir dir_;
};

const char* const kEmergenceOperations =
    "(its operations: listWorkflowRuns, createWorkflowRun, getWorkflowRun, cancelWorkflowRun, streamWorkflowRunEvents)";

}  // namespace

TEST(BundledDialects, AllThreeLoad) {
  auto registry = runmock::registry::ApiRegistry::load(runmock::contracts::default_contracts_dir());
  EXPECT_EQ(registry.names(), (std::vector<std::string>{"amperity", "emergence", "pennsieve"}));

  const dialect::DialectSpec& emergence = registry.find("emergence")->dialect;
  EXPECT_EQ(emergence.roles.create, "createWorkflowRun");
  EXPECT_EQ(emergence.auth.kind, dialect::AuthSpec::Kind::jwt);
  EXPECT_EQ(emergence.auth.claims_schema, "token-claims.schema.json");
  EXPECT_EQ(emergence.auth.query_token, (std::set<std::string>{"streamWorkflowRunEvents"}));
  EXPECT_EQ(emergence.tenancy.claims, (std::vector<std::string>{"client_id", "project_id"}));
  ASSERT_EQ(emergence.tenancy.match_headers.size(), 1u);
  EXPECT_EQ(emergence.tenancy.match_headers[0].refuse.status, 403);
  EXPECT_EQ(emergence.errors.details, dialect::ErrorsSpec::Details::field_list);
  EXPECT_EQ(emergence.errors.wrong_content_type, 400);
  EXPECT_EQ(emergence.configurations.from, dialect::ConfigurationSpec::From::path);
  EXPECT_EQ(emergence.representations.names(), (std::vector<std::string>{"created", "detail", "summary", "task"}));
  EXPECT_FALSE(emergence.version.has_value());

  const dialect::DialectSpec& amperity = registry.find("amperity")->dialect;
  EXPECT_EQ(amperity.auth.kind, dialect::AuthSpec::Kind::bearer);
  EXPECT_EQ(amperity.tenancy.header, "amperity-tenant");
  ASSERT_TRUE(amperity.version.has_value());
  EXPECT_EQ(amperity.version->value, "2024-04-01");
  EXPECT_EQ(amperity.version->body, "api_version");
  ASSERT_TRUE(amperity.rate_limit.has_value());
  EXPECT_EQ(amperity.rate_limit->requests_per_second.option, "rate-limit");
  EXPECT_EQ(amperity.rate_limit->refuse.status, 429);
  EXPECT_EQ(amperity.fraction_digits, 3);
  EXPECT_EQ(amperity.run_id_template, "wf-{date}-{digits:5}-{letters:5}");
  EXPECT_EQ(amperity.create.status.option, "start-status");
  EXPECT_EQ(amperity.errors.details, dialect::ErrorsSpec::Details::first_and_count);
  EXPECT_EQ(amperity.configurations.kinds.size(), 3u);
  EXPECT_EQ(amperity.options.at("rate-limit").default_value, 10);

  const dialect::DialectSpec& pennsieve = registry.find("pennsieve")->dialect;
  EXPECT_EQ(pennsieve.hooks.validate_create, "pennsieve.workflow");
  EXPECT_EQ(pennsieve.hooks.resolve_create, "pennsieve.instance");
  EXPECT_EQ(pennsieve.hooks.observe, "pennsieve.budget");
  EXPECT_EQ(pennsieve.hooks.seed, "pennsieve.seed");
  EXPECT_TRUE(pennsieve.tenancy.first_claim);
  EXPECT_EQ(pennsieve.errors.details, dialect::ErrorsSpec::Details::joined);
  ASSERT_TRUE(pennsieve.errors.one_of.has_value());
  EXPECT_EQ(pennsieve.errors.one_of->first, "workflowInstanceId, workflowInstanceConfiguration");
  EXPECT_FALSE(pennsieve.create.data.has_value());
  ASSERT_TRUE(pennsieve.webhook.has_value());
  EXPECT_EQ(pennsieve.webhook->url_pointer, "/completionCallbackUrl");
  EXPECT_EQ(pennsieve.lists.at("listWorkflowRuns").paging, dialect::ListSpec::Paging::cursor);
}

TEST_F(SpecTest, TheSmallDialectLoadsWithItsDefaults) {
  dialect::DialectSpec spec = load(kValid);
  EXPECT_EQ(spec.api, "emergence");
  EXPECT_EQ(spec.roles.get, "getWorkflowRun");
  EXPECT_EQ(spec.auth.kind, dialect::AuthSpec::Kind::none);
  EXPECT_EQ(spec.create.status.value, 201);
  EXPECT_EQ(spec.create.representation, "detail");
  ASSERT_TRUE(spec.create.data.has_value());
  json body = {{"asset_fqn", "a.b"}};
  dialect::Scope scope;
  scope.body = &body;
  EXPECT_EQ(spec.create.data->evaluate(scope), (json{{"asset_fqn", "a.b"}}));
  EXPECT_EQ(spec.errors.details, dialect::ErrorsSpec::Details::field_list);
  EXPECT_EQ(spec.errors.wrong_content_type, 415);
  EXPECT_EQ(spec.fraction_digits, -1);
  EXPECT_EQ(spec.representations.names(), (std::vector<std::string>{"detail"}));
}

TEST_F(SpecTest, YamlErrorsNameTheirPlace) {
  EXPECT_EQ(error_of(with("api: emergence\n", "api: [emergence\n")), "FILE:3:6: not valid YAML: end of sequence flow not found");
  EXPECT_EQ(error_of("- just\n- a list\n"), "FILE:1:1: a dialect file is a mapping that starts with 'version: 1'");
}

TEST_F(SpecTest, DuplicateKeysAreRefused) {
  EXPECT_EQ(error_of(with("  get: getWorkflowRun\n", "  get: getWorkflowRun\n  get: getWorkflowRun\n")), "FILE:6:3: duplicate key 'get'");
}

TEST_F(SpecTest, SchemaErrorsNameTheirPlace) {
  EXPECT_EQ(error_of(kValid + "colour: blue\n"), "FILE:12:9: colour: property 'colour' is not allowed");
  EXPECT_EQ(error_of(with("version: 1", "version: 2")), "FILE:1:10: version: expected 1, got 2");
  EXPECT_EQ(error_of(with("version: 1\n", "")), "FILE:1:1: missing required property 'version'");
  EXPECT_PRED2(starts_with, error_of(with("fields: {id: $id,", "fields: {id: $nope,")),
              std::string("FILE:11:18: representations.detail.fields.id: '$nope' does not match the pattern"));
}

TEST_F(SpecTest, ContractErrorsNameTheOperation) {
  EXPECT_EQ(error_of(with("get: getWorkflowRun", "get: getNothing")),
            std::string("FILE:5:8: roles.get: 'getNothing' is not an operationId of emergence's openapi.yaml ") + kEmergenceOperations);
  EXPECT_EQ(error_of(kValid + "operations:\n  getNothing: {representation: detail}\n"),
            std::string("FILE:13:15: operations.getNothing: 'getNothing' is not an operationId of emergence's openapi.yaml ") + kEmergenceOperations);
  EXPECT_EQ(error_of(kValid + "lists:\n  listNothing:\n    filters: []\n    paging: {style: offset, limit: {}}\n    item: detail\n"),
            std::string("FILE:14:5: lists.listNothing: 'listNothing' is not an operationId of emergence's openapi.yaml ") + kEmergenceOperations);
  EXPECT_EQ(error_of(kValid + "actions:\n  stopNothing:\n    action: stop\n    not_found: {status: 404, message: gone}\n"
                              "    terminal: {status: 409, message: ended}\n    refused: {status: 409, message: no}\n"),
            std::string("FILE:14:5: actions.stopNothing: 'stopNothing' is not an operationId of emergence's openapi.yaml ") + kEmergenceOperations);
  EXPECT_EQ(error_of(kValid + "auth: {kind: jwt, claims_schema: nothing.schema.json}\n"),
            "FILE:12:34: auth.claims_schema: no schema 'nothing.schema.json' under emergence's schemas/");
  EXPECT_EQ(error_of(with("api: emergence", "api: amperity")), "FILE:2:6: api: the dialect says api 'amperity', but its folder is emergence's");
}

TEST_F(SpecTest, HookAndRepresentationNamesAreChecked) {
  EXPECT_EQ(error_of(kValid + "    hooks: [emergence.nothing]\n"),
            "FILE:12:13: representations.detail.hooks[0]: no representation hook 'emergence.nothing' (runmock's: emergence.asset_fqn, pennsieve.error_message)");
  EXPECT_EQ(error_of(kValid + "hooks: {observe: pennsieve.nothing}\n"),
            "FILE:12:18: hooks.observe: no hook 'pennsieve.nothing' (runmock's hooks are in mock/hooks/)");
  EXPECT_EQ(error_of(with("answer: {representation: detail}", "answer: {representation: nothing}")),
            "FILE:8:28: create.answer.representation: no representation 'nothing'");
  EXPECT_EQ(error_of(with("  data: {asset_fqn: $body/asset_fqn}\n", "")), "FILE:7:3: create: create needs `data` (or a validate_create hook that builds it)");
}

TEST_F(SpecTest, TemplateErrorsNameTheirPlace) {
  EXPECT_PRED2(starts_with, error_of(with("status: $state}", "status: {$format: \"{nope}\"}}")),
              std::string("FILE:11:41: representations.detail.fields.status.$format: '{nope}' does not match the pattern"));
  EXPECT_EQ(error_of(with("status: $state}", "status: {$part: tasks, item: nothing}}")),
            "FILE:11:52: representations.detail.fields.status.item: no representation 'nothing' (known: detail)");
  EXPECT_EQ(error_of(kValid + "  summary: {from: nothing}\n"), "FILE:12:19: representations.summary.from: no representation 'nothing' (known: detail, summary)");
  EXPECT_EQ(error_of(kValid + "  a: {from: b}\n  b: {from: a}\n"), "FILE:12:13: representations.a.from: representations built from each other in a circle");
}

TEST(Fill, PutsValuesIntoPlaceholdersAndLeavesUnknownOnes) {
  EXPECT_EQ(dialect::fill("no workflow '{id}' in '{tenant}'", {{"id", "wf-1"}, {"tenant", "t"}}), "no workflow 'wf-1' in 't'");
  EXPECT_EQ(dialect::fill("{id}{id}", {{"id", "x"}}), "xx");
  EXPECT_EQ(dialect::fill("keep {unknown} and {id}", {{"id", "x"}}), "keep {unknown} and x");
  EXPECT_EQ(dialect::fill("open { without close", {{"id", "x"}}), "open { without close");
  EXPECT_EQ(dialect::fill("{}", {{"", "empty"}}), "empty");
  EXPECT_EQ(dialect::fill("", {{"id", "x"}}), "");
  EXPECT_EQ(dialect::fill("{reason}", {{"reason", "{id}"}, {"id", "no"}}), "{id}");  // values are not filled again
}
