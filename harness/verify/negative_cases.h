// Negative cases derived from the contract: a documented valid request, changed in one place so
// that the contract rejects it. The contract itself is the oracle: a change is kept only when the
// operation's schema refuses it with the keyword the case is about.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loader/api_contract.h"

namespace runmock::verify {

struct BodyCase {
  std::string name;     // e.g. "required field /asset_fqn missing"
  std::string pointer;  // the changed field
  std::string keyword;  // required, type or enum
  nlohmann::json body;
};

// From a valid JSON body of `operation` (its request variant, if any): each required field
// missing, each field of the wrong type, each enum field out of range, nested objects included.
std::vector<BodyCase> derive_body_cases(const contracts::ApiContract& contract, const contracts::Operation& operation,
                                        const nlohmann::json& valid_body, const std::string& variant);

struct QueryCase {
  std::string name;  // e.g. "query parameter status out of range"
  std::string parameter;
  std::string keyword;  // type or enum
  std::map<std::string, std::string> query;
};

// From a valid query of `operation`: each declared query parameter given a value of the wrong
// type, and each enum parameter a value out of range.
std::vector<QueryCase> derive_query_cases(const contracts::ApiContract& contract, const contracts::Operation& operation,
                                          const std::map<std::string, std::string>& valid_query);

}  // namespace runmock::verify
