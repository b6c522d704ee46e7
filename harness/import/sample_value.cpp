// Placeholder values a schema accepts (see sample_value.h).
#include "import/sample_value.h"

#include <algorithm>
#include <optional>
#include <set>
#include <string>

namespace runmock::import {
namespace {

using nlohmann::json;

constexpr int kMaxDepth = 6;

// A non-negative integer keyword (minLength, minItems), 0 when absent or not one.
std::size_t count_keyword(const json& schema, const char* key) {
  auto it = schema.find(key);
  return it != schema.end() && it->is_number_unsigned() ? it->get<std::size_t>() : 0;
}

bool fits(const json& value, const std::set<std::string>& types) {
  if (types.empty()) return true;
  if (value.is_null()) return types.count("null") > 0;
  if (value.is_boolean()) return types.count("boolean") > 0;
  if (value.is_number_integer() || value.is_number_unsigned()) return types.count("integer") || types.count("number");
  if (value.is_number()) return types.count("number") > 0;
  if (value.is_string()) return types.count("string") > 0;
  if (value.is_array()) return types.count("array") > 0;
  return types.count("object") > 0;
}

// The schema's own value for itself: const, default, an example of the right type, an enum word.
std::optional<json> declared(const SchemaView& view, const Place& schema, const std::set<std::string>& types) {
  for (const Place& part : view.parts(schema)) {
    const json& v = part.value();
    if (v.contains("const")) return v["const"];
    if (v.contains("default") && fits(v["default"], types)) return v["default"];
    if (v.contains("example") && fits(v["example"], types)) return v["example"];
    if (v.contains("examples") && v["examples"].is_array() && !v["examples"].empty() && fits(v["examples"][0], types)) return v["examples"][0];
    if (v.contains("enum") && v["enum"].is_array() && !v["enum"].empty()) return v["enum"][0];
  }
  return std::nullopt;
}

json text_sample(const SchemaView& view, const Place& schema) {
  const std::string format = view.format(schema);
  if (format == "uuid") return "00000000-0000-4000-8000-000000000000";
  if (format == "date-time") return "2024-01-15T10:30:00Z";
  if (format == "date") return "2024-01-15";
  if (format == "uri" || format == "url") return "https://example.com/";
  if (format == "email") return "user@example.com";
  std::size_t min_length = 0;
  for (const Place& part : view.parts(schema)) min_length = std::max(min_length, count_keyword(part.value(), "minLength"));
  std::string text = "string";
  if (text.size() < min_length) text.append(min_length - text.size(), 'x');
  return text;
}

json number_sample(const SchemaView& view, const Place& schema, bool integer) {
  for (const Place& part : view.parts(schema)) {
    const json& v = part.value();
    for (const char* bound : {"minimum", "exclusiveMinimum"}) {
      if (v.contains(bound) && v[bound].is_number()) {
        double low = v[bound].get<double>() + (std::string(bound) == "exclusiveMinimum" ? 1 : 0);
        return integer ? json(static_cast<long long>(low)) : json(low);
      }
    }
  }
  return integer ? json(0) : json(0.0);
}

json sample_at(const SchemaView& view, const Place& schema, int depth);

json object_sample(const SchemaView& view, const Place& schema, int depth) {
  json out = json::object();
  auto props = view.properties(schema);
  for (const auto& name : view.required(schema)) {
    auto it = props.find(name);
    out[name] = it == props.end() ? json("string") : sample_at(view, it->second, depth + 1);
  }
  return out;
}

json array_sample(const SchemaView& view, const Place& schema, int depth) {
  std::size_t min_items = 0;
  for (const Place& part : view.parts(schema)) min_items = std::max(min_items, count_keyword(part.value(), "minItems"));
  json out = json::array();
  Place items = view.items(schema);
  for (std::size_t i = 0; i < min_items && i < 16; ++i) out.push_back(items.valid() ? sample_at(view, items, depth + 1) : json("string"));
  return out;
}

json sample_at(const SchemaView& view, const Place& schema, int depth) {
  const Place& at = schema;
  if (!at.valid() || depth > kMaxDepth || !at.value().is_object()) return nullptr;
  const auto types = view.types(at);
  if (auto value = declared(view, at, types)) return *value;
  if (types.count("null")) return nullptr;
  if (types.count("string")) return text_sample(view, at);
  if (types.count("integer")) return number_sample(view, at, true);
  if (types.count("number")) return number_sample(view, at, false);
  if (types.count("boolean")) return false;
  if (types.count("array")) return array_sample(view, at, depth);
  if (types.count("object") || !view.properties(at).empty()) return object_sample(view, at, depth);
  for (const char* choice : {"anyOf", "oneOf"}) {
    if (at.value().contains(choice) && at.value()[choice].is_array() && !at.value()[choice].empty()) {
      return sample_at(view, at.child(choice).child("0"), depth + 1);
    }
  }
  return nullptr;
}

}  // namespace

json sample_value(const SchemaView& view, const Place& schema) { return sample_at(view, schema, 0); }

json template_literal(const json& value) {
  if (value.is_string()) {
    const std::string& text = value.get_ref<const std::string&>();
    return !text.empty() && text.front() == '$' ? json("$" + text) : value;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) out.push_back(template_literal(item));
    return out;
  }
  if (!value.is_object()) return value;
  json out = json::object();
  for (const auto& [key, member] : value.items()) {
    if (!key.empty() && key.front() != '$') out[key] = template_literal(member);
  }
  return out;
}

}  // namespace runmock::import
