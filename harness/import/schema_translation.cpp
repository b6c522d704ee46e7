// OpenAPI 3.0 schemas as JSON Schema 2020-12 (see schema_translation.h).
#include "import/schema_translation.h"

#include "import/source_document.h"

#include <algorithm>
#include <array>

namespace runmock::import {
namespace {

using nlohmann::json;

// Keywords whose value is one schema, and those whose value is a list or a map of schemas.
constexpr std::array kOneSchema{"items", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else",
                                "unevaluatedItems", "unevaluatedProperties", "additionalItems"};
constexpr std::array kSchemaLists{"allOf", "anyOf", "oneOf", "prefixItems"};
constexpr std::array kSchemaMaps{"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"};

class Translator {
 public:
  Translator(SchemaDialect dialect, const RefRewriter& rewrite) : openapi30_(dialect == SchemaDialect::openapi30), rewrite_(rewrite) {}

  json schema(const json& in) const {
    if (!in.is_object()) return in;  // true / false schemas, or a broken value the loader will name
    if (in.contains("$ref") && in["$ref"].is_string()) return reference(in);
    json out = subschemas(in);
    if (openapi30_) {
      exclusive_bound(out, "exclusiveMinimum", "minimum");
      exclusive_bound(out, "exclusiveMaximum", "maximum");
      example(out);
      return nullable(std::move(out));
    }
    return out;
  }

 private:
  json reference(const json& in) const {
    std::optional<std::string> ref = rewrite_(in["$ref"].get<std::string>());
    json out = openapi30_ ? json::object() : subschemas(in);
    if (ref) {
      out["$ref"] = *ref;
    } else {
      out.erase("$ref");
      out["description"] = "runmock import-openapi: the reference '" + in["$ref"].get<std::string>() + "' is not followed; any value is accepted here";
    }
    if (openapi30_ && member(in, "nullable") == true) return json{{"anyOf", json::array({out, json{{"type", "null"}}})}};
    return out;
  }

  json subschemas(const json& in) const {
    json out = in;
    for (const char* key : kOneSchema) {
      if (out.contains(key)) out[key] = schema(out[key]);
    }
    for (const char* key : kSchemaLists) {
      if (!out.contains(key) || !out[key].is_array()) continue;
      for (auto& item : out[key]) item = schema(item);
    }
    for (const char* key : kSchemaMaps) {
      if (!out.contains(key) || !out[key].is_object()) continue;
      for (auto& [name, member] : out[key].items()) member = schema(member);
    }
    return out;
  }

  static void exclusive_bound(json& out, const char* exclusive, const char* bound) {
    auto it = out.find(exclusive);
    if (it == out.end() || !it->is_boolean()) return;
    const bool on = it->get<bool>();
    out.erase(exclusive);
    if (on && out.contains(bound)) {
      out[exclusive] = out[bound];
      out.erase(bound);
    }
  }

  static void example(json& out) {
    auto it = out.find("example");
    if (it == out.end()) return;
    if (!out.contains("examples")) out["examples"] = json::array({*it});
    out.erase("example");
  }

  static json nullable(json out) {
    auto it = out.find("nullable");
    if (it == out.end()) return out;
    const bool on = it->is_boolean() && it->get<bool>();
    out.erase("nullable");
    if (!on) return out;
    if (auto list = out.find("enum"); list != out.end() && list->is_array() &&
                                      std::find(list->begin(), list->end(), json(nullptr)) == list->end()) {
      list->push_back(nullptr);
    }
    auto type = out.find("type");
    if (type == out.end()) return json{{"anyOf", json::array({out, json{{"type", "null"}}})}};
    if (type->is_string()) *type = json::array({*type, "null"});
    else if (type->is_array() && std::find(type->begin(), type->end(), json("null")) == type->end()) type->push_back("null");
    return out;
  }

  bool openapi30_;
  const RefRewriter& rewrite_;
};

}  // namespace

json translate_schema(const json& schema, SchemaDialect dialect, const RefRewriter& rewrite) { return Translator(dialect, rewrite).schema(schema); }

}  // namespace runmock::import
