// Which contract operation a live request is, for the three APIs' OpenAPI documents.
#include <gtest/gtest.h>

#include "loader/api_contract.h"
#include "proxy/operation_matcher.h"

namespace runmock::proxy {
namespace {

class OperationMatcherTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { contracts = new std::map<std::string, contracts::ApiContract>(contracts::load_all(RUNMOCK_SOURCE_DIR "/contracts")); }
  static void TearDownTestSuite() { delete contracts; }
  static std::map<std::string, contracts::ApiContract>* contracts;

  // "operationId run_id" of a match, "-" when nothing matches.
  static std::string match(const std::string& api, const std::string& method, const std::string& path) {
    OperationMatch m = OperationMatcher(contracts->at(api)).match(method, path);
    return m.operation ? m.operation->id + " " + m.run_id : "-";
  }
};
std::map<std::string, contracts::ApiContract>* OperationMatcherTest::contracts = nullptr;

TEST_F(OperationMatcherTest, Emergence) {
  const std::string runs = "/api/data-readiness/workflows/cfg-1/runs";
  EXPECT_EQ(match("emergence", "POST", runs), "createWorkflowRun ");
  EXPECT_EQ(match("emergence", "GET", runs), "listWorkflowRuns ");
  EXPECT_EQ(match("emergence", "GET", runs + "/r-1"), "getWorkflowRun r-1");
  EXPECT_EQ(match("emergence", "HEAD", runs + "/r-1"), "getWorkflowRun r-1");
  EXPECT_EQ(match("emergence", "POST", runs + "/r-1/cancel"), "cancelWorkflowRun r-1");
  EXPECT_EQ(match("emergence", "GET", runs + "/r-1/events/stream"), "streamWorkflowRunEvents r-1");
  EXPECT_EQ(match("emergence", "DELETE", runs + "/r-1"), "-");
  EXPECT_EQ(match("emergence", "GET", runs + "/r-1/other"), "-");
  EXPECT_EQ(match("emergence", "GET", "/"), "-");
}

TEST_F(OperationMatcherTest, PathParametersAreNamed) {
  OperationMatch m = OperationMatcher(contracts->at("emergence")).match("GET", "/api/data-readiness/workflows/cfg-1/runs/r-1");
  ASSERT_NE(m.operation, nullptr);
  EXPECT_EQ(m.path_params.at("configuration_id"), "cfg-1");
  EXPECT_EQ(m.path_params.at("run_id"), "r-1");
}

TEST_F(OperationMatcherTest, Amperity) {
  EXPECT_EQ(match("amperity", "POST", "/api/workflow/runs"), "startWorkflowRun ");
  EXPECT_EQ(match("amperity", "GET", "/api/workflow/runs"), "listWorkflowRuns ");
  EXPECT_EQ(match("amperity", "GET", "/api/workflow/runs/wf-1"), "getWorkflowRun wf-1");
  EXPECT_EQ(match("amperity", "POST", "/api/workflow/runs/wf-1/stop"), "stopWorkflowRun wf-1");
  EXPECT_EQ(match("amperity", "GET", "/api/workflow/other"), "-");
}

TEST_F(OperationMatcherTest, PennsieveWithoutItsWebhook) {
  EXPECT_EQ(match("pennsieve", "POST", "/compute/workflows/runs"), "createWorkflowRun ");
  EXPECT_EQ(match("pennsieve", "GET", "/compute/workflows/runs/u-1"), "getWorkflowRun u-1");
  EXPECT_EQ(match("pennsieve", "GET", "/compute/workflows/runs/u-1/status"), "getWorkflowRunStatus u-1");
  EXPECT_EQ(match("pennsieve", "POST", "/compute/workflows/runs/u-1/cancel"), "cancelWorkflowRun u-1");
  EXPECT_EQ(match("pennsieve", "POST", "workflowRunCompleted"), "-") << "a webhook is sent by the server, never asked of it";
}

}  // namespace
}  // namespace runmock::proxy
