// application/x-www-form-urlencoded bodies (amperity's start accepts one, as curl --data sends
// it) as the JSON object of strings that the contract checks.
#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

namespace runmock::contracts {

// "a=1&b=x%20y" → {"a": "1", "b": "x y"}. A repeated field keeps its last value.
nlohmann::json decode_form(std::string_view body);

}  // namespace runmock::contracts
