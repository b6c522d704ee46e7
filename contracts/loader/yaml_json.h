// YAML documents (openapi.yaml, scenarios) as nlohmann::json, keeping where each value came from.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace runmock::contracts {

// Converts a YAML node to JSON. Plain scalars follow YAML 1.2's core schema (null, booleans,
// integers, floats); quoted scalars stay strings. Mapping keys become strings. Aliases are
// expanded within the bounds of yaml_bounds.h: past them it throws YamlBoundsError (its mark says
// where); `source`, the document's text, lets that name the anchor of a recursive alias.
nlohmann::json yaml_to_json(const YAML::Node& node, std::string_view source = {});

// Reads a JSON or YAML file (by extension) into JSON. Throws std::runtime_error naming
// `file:line:col` on a syntax error and on a YAML document past the bounds of yaml_bounds.h.
nlohmann::json read_document(const std::filesystem::path& file);

}  // namespace runmock::contracts
