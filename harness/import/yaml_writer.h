// JSON values written as block YAML that runmock's loader (and any YAML 1.2 reader) reads back
// as the same JSON: mappings and sequences as blocks (empty ones as {} and []), a text plain only
// when it cannot be read as anything else (no number, boolean or null look-alike, no indicator
// characters), multi-line texts as literal blocks when that is exact, every other text double
// quoted with JSON escapes. Comment lines may head the file.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace runmock::import {

// `header`: comment lines before everything (without the "# ").
std::string to_yaml(const nlohmann::ordered_json& value, const std::vector<std::string>& header = {});

}  // namespace runmock::import
