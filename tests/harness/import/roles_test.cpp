// Guessing which operations create, read, list and cancel a run (harness/import/roles.h).
#include <gtest/gtest.h>

#include "import/roles.h"
#include "import_test_support.h"

namespace {

using runmock::import::guess_cancel;
using runmock::import::guess_roles;
using runmock::import::list_operations;
using runmock::import::Notes;
using runmock::import::RoleChoice;
using runmock::import::SchemaView;
using runmock::import::testing::document;
using runmock::import::testing::import_failure;

const char* kTasks = R"(openapi: 3.0.1
paths:
  /service-info:
    get: {operationId: GetServiceInfo, responses: {200: {description: ok}}}
  /tasks:
    get: {operationId: ListTasks, responses: {200: {description: ok}}}
    post: {operationId: CreateTask, responses: {200: {description: ok}}}
  /tasks/{id}:
    get: {operationId: GetTask, responses: {200: {description: ok}}}
  /tasks/{id}:cancel:
    post: {operationId: CancelTask, responses: {200: {description: ok}}}
)";

TEST(ImportRoles, GuessesCreateGetListAndColonCancel) {
  auto set = document(kTasks);
  auto ops = list_operations(set.main());
  Notes notes;
  RoleChoice roles = guess_roles(ops, {}, notes);
  EXPECT_EQ(roles.create, "CreateTask");
  EXPECT_EQ(roles.get, "GetTask");
  EXPECT_EQ(roles.list, "ListTasks");
  EXPECT_EQ(guess_cancel(ops, roles, "", "state", SchemaView(set), notes), "CancelTask");
  ASSERT_GE(notes.guessed.size(), 4u);
  EXPECT_NE(notes.guessed[0].find("create: CreateTask (POST /tasks"), std::string::npos) << notes.guessed[0];
}

TEST(ImportRoles, ASlashCancelOrStopIsACancel) {
  auto set = document(R"(openapi: 3.1.0
paths:
  /jobs: {post: {operationId: submit, responses: {201: {description: ok}}}}
  /jobs/{job_id}: {get: {operationId: read, responses: {200: {description: ok}}}}
  /jobs/{job_id}/stop: {post: {operationId: halt, responses: {200: {description: ok}}}}
)");
  auto ops = list_operations(set.main());
  Notes notes;
  RoleChoice roles = guess_roles(ops, {}, notes);
  EXPECT_EQ(guess_cancel(ops, roles, "", "status", SchemaView(set), notes), "halt");
  EXPECT_EQ(roles.list, "");
  ASSERT_FALSE(notes.missing.empty());
  EXPECT_NE(notes.missing[0].find("list: no GET on /jobs"), std::string::npos);
}

TEST(ImportRoles, APatchThatSetsTheStateIsACancel) {
  auto set = document(R"(openapi: 3.1.0
paths:
  /runs: {post: {operationId: create, responses: {201: {description: ok}}}}
  /runs/{id}:
    get: {operationId: get, responses: {200: {description: ok}}}
    patch:
      operationId: update
      requestBody: {content: {application/json: {schema: {type: object, properties: {status: {type: string}}}}}}
      responses: {200: {description: ok}}
)");
  auto ops = list_operations(set.main());
  Notes notes;
  RoleChoice roles = guess_roles(ops, {}, notes);
  EXPECT_EQ(guess_cancel(ops, roles, "", "status", SchemaView(set), notes), "update");
  EXPECT_EQ(guess_cancel(ops, roles, "", "phase", SchemaView(set), notes), "") << "the PATCH does not set that field";
}

TEST(ImportRoles, OperationsWithoutIdsGetOne) {
  auto set = document("openapi: 3.1.0\npaths:\n  /v1/runs: {post: {responses: {}}}\n  /v1/runs/{run-id}: {get: {responses: {}}}\n");
  auto ops = list_operations(set.main());
  Notes notes;
  RoleChoice roles = guess_roles(ops, {}, notes);
  EXPECT_EQ(roles.create, "post_v1_runs");
  EXPECT_EQ(roles.get, "get_v1_runs_run_id");
}

TEST(ImportRoles, WhatTheUserNamesWinsAndLeadsTheGuess) {
  auto set = document(R"(openapi: 3.1.0
paths:
  /a: {post: {operationId: makeA, responses: {}}}
  /a/{id}: {get: {operationId: getA, responses: {}}}
  /b: {post: {operationId: makeB, responses: {}}}
  /b/{id}: {get: {operationId: getB, responses: {}}}
)");
  auto ops = list_operations(set.main());
  Notes notes;
  RoleChoice given;
  given.get = "getB";
  RoleChoice roles = guess_roles(ops, given, notes);
  EXPECT_EQ(roles.create, "makeB");
  EXPECT_EQ(roles.get, "getB");
}

TEST(ImportRoles, ARoleNamingNoOperationIsAUsageError) {
  auto set = document(kTasks);
  auto ops = list_operations(set.main());
  Notes notes;
  RoleChoice given;
  given.cancel = "StopTask";
  auto [code, message] = import_failure([&] { guess_roles(ops, given, notes); });
  EXPECT_EQ(code, 2);
  EXPECT_NE(message.find("--cancel StopTask: the document has no operation 'StopTask'"), std::string::npos) << message;
  EXPECT_NE(message.find("(its operations: GetServiceInfo, ListTasks, CreateTask, GetTask, CancelTask)"), std::string::npos) << message;
}

TEST(ImportRoles, NoCreateOrNoGetIsExitOne) {
  auto only_reads = document("openapi: 3.1.0\npaths:\n  /tasks: {get: {operationId: list, responses: {}}}\n  /tasks/{id}: {get: {operationId: get, responses: {}}}\n");
  Notes notes;
  auto [code, message] = import_failure([&] { guess_roles(list_operations(only_reads.main()), {}, notes); });
  EXPECT_EQ(code, 1);
  EXPECT_NE(message.find("no create operation found"), std::string::npos) << message;

  auto no_get = document("openapi: 3.1.0\npaths:\n  /tasks: {post: {operationId: create, responses: {}}}\n");
  RoleChoice given;
  given.create = "create";
  auto [code2, message2] = import_failure([&] { guess_roles(list_operations(no_get.main()), given, notes); });
  EXPECT_EQ(code2, 1);
  EXPECT_NE(message2.find("no get operation found"), std::string::npos) << message2;
}

}  // namespace
