// Schema compilation and validation, both fuzzed: the input is "<schema JSON>\0<instance>". The
// instance is JSON when it parses, else the raw bytes as a string (form bodies reach the validator
// as strings of arbitrary bytes). `format` asserts, as in runmock's own contracts.
#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "validator/validator.h"

namespace {

using nlohmann::json;
using runmock::fuzz::check;
namespace schema = runmock::schema;

json instance_of(std::string_view text) {
  json parsed = json::parse(text, nullptr, false);
  return parsed.is_discarded() ? json(std::string(text)) : parsed;
}

void validate_both_ways(const schema::Schema& compiled, const json& instance) {
  std::vector<schema::ValidationError> errors;
  bool valid = compiled.validate(instance, errors);
  check(valid == errors.empty(), "validate() is true exactly when it reports no error");
  check(compiled.validate(instance) == valid, "the quick validate() agrees with the one that collects errors");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > runmock::fuzz::kMaxInputBytes) return -1;
  auto fields = runmock::fuzz::split_fields(runmock::fuzz::as_text(data, size), 2);
  json document = json::parse(fields[0], nullptr, false);
  if (document.is_discarded()) return -1;
  schema::CompileOptions options;
  options.format_assertion = true;
  schema::SchemaRegistry registry;
  schema::Schema compiled;
  try {
    compiled = registry.compile_document(std::move(document), options);
  } catch (const schema::SchemaError&) {
    return 0;
  }
  validate_both_ways(compiled, instance_of(fields[1]));
  return 0;
}
