// OpenAPI 3.0 schema objects as JSON Schema 2020-12 (what OpenAPI 3.1 and runmock's validator
// speak), applied to a schema and every schema inside it:
//   - `nullable: true` adds "null" to `type` (and null to an `enum`); without a `type` the schema
//     becomes `anyOf: [<it>, {type: null}]`; `nullable: false` is dropped;
//   - boolean `exclusiveMinimum` / `exclusiveMaximum` become the number (taking `minimum` /
//     `maximum`'s place), `false` is dropped;
//   - `example` becomes `examples: [example]`;
//   - a `$ref` keeps only itself, as 3.0 ignores its siblings (with `nullable: true` beside it,
//     `anyOf: [{$ref}, {type: null}]`, what such a schema means).
// Every `$ref` (3.0 or 3.1) goes through the caller's RefRewriter: a new text for it, or nullopt
// for a reference that cannot be followed, whose schema then accepts any value (its description
// says which reference was dropped).
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace runmock::import {

using RefRewriter = std::function<std::optional<std::string>(const std::string& ref)>;

enum class SchemaDialect { openapi30, json_schema };

// The schema, translated when `dialect` is openapi30, its references rewritten in both cases.
nlohmann::json translate_schema(const nlohmann::json& schema, SchemaDialect dialect, const RefRewriter& rewrite);

}  // namespace runmock::import
