#include "verify/api_profile.h"

#include <algorithm>

namespace runmock::verify {
namespace {

// A JWT's three parts must be base64url JSON; this one's are not.
constexpr const char* kMalformedJwt = "Bearer not-a-jwt.%%%.token";

const std::vector<ApiProfile>& profiles() {
  static const std::vector<ApiProfile> all = {
      {.api = "emergence",
       .create_operation = "createWorkflowRun",
       .get_operation = "getWorkflowRun",
       .list_operation = "listWorkflowRuns",
       .cancel_operation = "cancelWorkflowRun",
       .other_run_reads = {},
       .run_id_pointer = "/id",
       .run_id_parameter = "run_id",
       .list_items_pointer = "/items",
       .cancelled_state = "cancelled",
       .variant_pointer = "/workflow_type",
       .malformed_authorization = kMalformedJwt,
       .identity_headers = {"X-Project-ID"},
       .not_exercised = {{"streamWorkflowRunEvents", "an event stream; verify follows runs by polling getWorkflowRun"}}},
      // Amperity's tokens are opaque: only a credential that is not a Bearer token is malformed.
      {.api = "amperity",
       .create_operation = "startWorkflowRun",
       .get_operation = "getWorkflowRun",
       .list_operation = "listWorkflowRuns",
       .cancel_operation = "stopWorkflowRun",
       .other_run_reads = {},
       .run_id_pointer = "/id",
       .run_id_parameter = "workflow-id",
       .list_items_pointer = "/data",
       .cancelled_state = "canceled",
       .variant_pointer = "",
       .malformed_authorization = "Token not-a-bearer-credential",
       .identity_headers = {"amperity-tenant"},
       .not_exercised = {}},
      {.api = "pennsieve",
       .create_operation = "createWorkflowRun",
       .get_operation = "getWorkflowRun",
       .list_operation = "listWorkflowRuns",
       .cancel_operation = "cancelWorkflowRun",
       .other_run_reads = {"getWorkflowRunStatus"},
       .run_id_pointer = "/uuid",
       .run_id_parameter = "runId",
       .list_items_pointer = "/runs",
       .cancelled_state = "CANCELED",
       .variant_pointer = "",
       .malformed_authorization = kMalformedJwt,
       .identity_headers = {},
       .not_exercised = {{"workflowRunCompleted", "a webhook the server sends, not a route it serves"}}},
  };
  return all;
}

}  // namespace

const ApiProfile* find_profile(const std::string& api) {
  const auto& all = profiles();
  auto it = std::find_if(all.begin(), all.end(), [&](const ApiProfile& p) { return p.api == api; });
  return it == all.end() ? nullptr : &*it;
}

std::vector<std::string> profiled_apis() {
  std::vector<std::string> names;
  for (const auto& p : profiles()) names.push_back(p.api);
  return names;
}

}  // namespace runmock::verify
