// Which operation of a contract a live request is: method + path against the OpenAPI path
// templates (the most literal template wins, HEAD is a GET), with the path parameters it names
// and the parameter that names the run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "http/router.h"
#include "loader/api_contract.h"

namespace runmock::proxy {

struct OperationMatch {
  const contracts::Operation* operation = nullptr;  // null: no operation matches
  http::PathParams path_params;
  // The run the path names (its {run_id}, {workflow-id}, {runId} ...), empty when it names none.
  std::string run_id;
};

class OperationMatcher {
 public:
  // `contract` must outlive the matcher.
  explicit OperationMatcher(const contracts::ApiContract& contract);

  // `path` is percent-decoded, without the query.
  OperationMatch match(std::string_view method, std::string_view path) const;

 private:
  const contracts::ApiContract& contract_;
  http::Router router_;
  std::vector<const contracts::Operation*> operations_;  // by router index
  std::vector<std::string> run_parameters_;              // by router index: the parameter naming the run, or ""
};

}  // namespace runmock::proxy
