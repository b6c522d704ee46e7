#include "proxy/operation_matcher.h"

namespace runmock::proxy {

namespace {

// The run's parameter of an operation path: the parameter segment that follows another
// operation's whole path ("/runs" + "/{run_id}"), as every item path follows its collection's.
std::string run_parameter(const std::string& path, const std::vector<contracts::Operation>& operations) {
  for (const auto& collection : operations) {
    const std::string& prefix = collection.path;
    if (path.size() <= prefix.size() + 2 || path.compare(0, prefix.size(), prefix) != 0 || path.compare(prefix.size(), 2, "/{") != 0) continue;
    auto close = path.find('}', prefix.size());
    if (close == std::string::npos) continue;
    return path.substr(prefix.size() + 2, close - prefix.size() - 2);
  }
  return "";
}

}  // namespace

OperationMatcher::OperationMatcher(const contracts::ApiContract& contract) : contract_(contract) {
  for (const auto& operation : contract_.operations()) {
    // Webhooks (pennsieve's completion callback) are sent by the server, not asked of it.
    if (operation.path.empty() || operation.path.front() != '/') continue;
    router_.add(operation.method, operation.path);
    operations_.push_back(&operation);
    run_parameters_.push_back(run_parameter(operation.path, contract_.operations()));
  }
}

OperationMatch OperationMatcher::match(std::string_view method, std::string_view path) const {
  OperationMatch out;
  http::Router::Match found = router_.match(method, path);
  if (found.kind != http::Router::Match::Kind::found) return out;
  out.operation = operations_[found.index];
  out.path_params = std::move(found.params);
  if (const std::string& name = run_parameters_[found.index]; !name.empty()) {
    auto it = out.path_params.find(name);
    if (it != out.path_params.end()) out.run_id = it->second;
  }
  return out;
}

}  // namespace runmock::proxy
