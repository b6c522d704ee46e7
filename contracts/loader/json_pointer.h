// JSON Pointers (RFC 6901) over nlohmann::json values, looked up without exceptions: the scenario
// conditions and the dialect templates read request bodies and run data by pointer.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace runmock::contracts {

// "/a/b~1c/0" → {"a", "b/c", "0"} (~1 is '/', ~0 is '~'); "" → {} (the whole document).
std::vector<std::string> pointer_tokens(const std::string& pointer);

// The value `tokens` lead to inside `root` (an array index is decimal digits, at most 9), or null.
const nlohmann::json* find_at(const nlohmann::json& root, const std::vector<std::string>& tokens);

}  // namespace runmock::contracts
