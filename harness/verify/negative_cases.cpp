#include "verify/negative_cases.h"

#include <set>

#include "validator/json_value.h"

namespace runmock::verify {
namespace {

using nlohmann::json;

constexpr const char* kOutOfRange = "runmock-not-an-allowed-value";

// The keyword of a validation error: the last segment of its schema location.
std::string keyword_of(const schema::ValidationError& error) {
  auto slash = error.schema_location.rfind('/');
  return slash == std::string::npos ? error.schema_location : error.schema_location.substr(slash + 1);
}

// A value of another JSON type than `value`'s.
json wrong_type_value(const json& value) {
  if (value.is_string()) return 12345;
  return "runmock-wrong-type";
}

// Whether the contract refuses `body` at `pointer` (or, for a missing field, at its parent)
// with `keyword`.
bool refused_with(const std::vector<schema::ValidationError>& errors, const std::string& pointer, const std::string& keyword) {
  for (const auto& error : errors) {
    if (error.instance_location == pointer && keyword_of(error) == keyword) return true;
  }
  return false;
}

struct BodyDeriver {
  const contracts::ApiContract& contract;
  const contracts::Operation& operation;
  const json& valid_body;
  const std::string& variant;
  std::vector<BodyCase> cases;

  std::vector<schema::ValidationError> check(const json& body) const {
    return contract.check_request_body(operation, body, "application/json", variant);
  }

  void add(std::string name, std::string pointer, std::string keyword, json body) {
    cases.push_back({std::move(name), std::move(pointer), std::move(keyword), std::move(body)});
  }

  void walk(const json::json_pointer& at) {
    const json& object = valid_body.at(at);
    if (!object.is_object()) return;
    for (const auto& [key, value] : object.items()) {
      json::json_pointer field = at / key;
      std::string pointer = field.to_string();

      json missing = valid_body;
      missing.at(at).erase(key);
      if (refused_with(check(missing), at.to_string(), "required")) add("required field " + pointer + " missing", pointer, "required", std::move(missing));

      json wrong = valid_body;
      wrong.at(field) = wrong_type_value(value);
      if (refused_with(check(wrong), pointer, "type")) add("field " + pointer + " of the wrong type", pointer, "type", std::move(wrong));

      if (value.is_string()) {
        json out_of_range = valid_body;
        out_of_range.at(field) = kOutOfRange;
        if (refused_with(check(out_of_range), pointer, "enum")) add("field " + pointer + " out of its enum", pointer, "enum", std::move(out_of_range));
      }
      walk(field);
    }
  }
};

}  // namespace

std::vector<BodyCase> derive_body_cases(const contracts::ApiContract& contract, const contracts::Operation& operation, const json& valid_body,
                                        const std::string& variant) {
  BodyDeriver deriver{contract, operation, valid_body, variant, {}};
  if (valid_body.is_object()) deriver.walk(json::json_pointer());
  return std::move(deriver.cases);
}

std::vector<QueryCase> derive_query_cases(const contracts::ApiContract& contract, const contracts::Operation& operation,
                                          const std::map<std::string, std::string>& valid_query) {
  std::vector<QueryCase> cases;
  for (const auto& parameter : operation.parameters) {
    if (parameter.in != "query") continue;
    std::string pointer = "/" + schema::pointer_escape(parameter.name);
    std::set<std::string> found;
    // A word where a number belongs fails `type`; the same word for an enum fails `enum`.
    for (const char* value : {"runmock-wrong-type", kOutOfRange}) {
      auto query = valid_query;
      query[parameter.name] = value;
      auto errors = contract.check_parameters(operation, "query", query);
      for (const char* keyword : {"type", "enum"}) {
        if (found.count(keyword) || !refused_with(errors, pointer, keyword)) continue;
        found.insert(keyword);
        std::string what = std::string(keyword) == "type" ? " of the wrong type" : " out of its enum";
        cases.push_back({"query parameter " + parameter.name + what, parameter.name, keyword, query});
      }
    }
  }
  return cases;
}

}  // namespace runmock::verify
