#include "scenario/checker.h"

#include <set>

#include "validator/json_value.h"

namespace runmock::scenario {

using nlohmann::json;

namespace {

// Every pointer of a value the fragment writes (nulls included: writing null is writing), and
// which of them are objects.
void written_pointers(const json& value, const std::string& pointer, std::set<std::string>& out, std::set<std::string>& objects) {
  out.insert(pointer);
  if (value.is_object()) {
    objects.insert(pointer);
    for (auto it = value.begin(); it != value.end(); ++it) written_pointers(it.value(), pointer + "/" + schema::pointer_escape(it.key()), out, objects);
  } else if (value.is_array()) {
    for (std::size_t i = 0; i < value.size(); ++i) {
      if (value[i].is_null()) continue;  // a null item means "leave it as it is"
      written_pointers(value[i], pointer + "/" + std::to_string(i), out, objects);
    }
  }
}

std::string keyword_of(const std::string& schema_location) {
  auto slash = schema_location.rfind('/');
  return slash == std::string::npos ? schema_location : schema_location.substr(slash + 1);
}

bool blamed(const schema::ValidationError& error, const std::set<std::string>& written, const std::set<std::string>& objects) {
  // The validator reports each error at the failing value itself: the fragment is to blame when
  // it wrote that value. An object it wrote may still lack fields the dialect fills in.
  if (error.instance_location.empty() || !written.count(error.instance_location)) return false;
  if (objects.count(error.instance_location)) {
    static const std::set<std::string> filled_by_dialect = {"required", "anyOf", "oneOf", "dependentRequired", "minProperties", "dependencies"};
    if (filled_by_dialect.count(keyword_of(error.schema_location))) return false;
  }
  return true;
}

}  // namespace

FragmentChecker contract_checker(const contracts::ApiContract& contract, std::string operation_id, int status) {
  const contracts::ApiContract* c = &contract;
  return [c, operation_id = std::move(operation_id), status](const FragmentContext& context) {
    std::vector<schema::ValidationError> kept;
    const contracts::Operation* operation = c->find(operation_id);
    if (!operation) return kept;
    std::set<std::string> written, objects;
    written_pointers(context.fragment, "", written, objects);
    auto blame = [&](std::vector<schema::ValidationError> errors) {
      std::vector<schema::ValidationError> out;
      for (auto& e : errors) {
        if (blamed(e, written, objects)) out.push_back(std::move(e));
      }
      return out;
    };
    std::string code = std::to_string(status);
    if (auto variants = operation->response_variants.find(code); variants != operation->response_variants.end()) {
      bool first = true;
      for (const auto& [name, schema] : variants->second.schemas) {
        auto errors = blame(c->check_response_body(*operation, status, context.sample, name));
        if (first || errors.size() < kept.size()) kept = std::move(errors);
        first = false;
        if (kept.empty()) break;
      }
      return kept;
    }
    return blame(c->check_response_body(*operation, status, context.sample));
  };
}

json merge_under(const json& base, const json& sample) {
  json out = base.is_object() ? base : json::object();
  if (sample.is_object()) {
    for (auto it = sample.begin(); it != sample.end(); ++it) out[it.key()] = it.value();
  }
  return out;
}

}  // namespace runmock::scenario
