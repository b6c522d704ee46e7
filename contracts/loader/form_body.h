// application/x-www-form-urlencoded bodies (amperity's start accepts one, as curl --data sends
// it) as the JSON object of strings that the contract checks.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace runmock::contracts {

// One name or value of a form or query string: '+' is a space, then %XX escapes.
std::string decode_form_component(std::string_view text);

// "a=1&b=x%20y" → {"a": "1", "b": "x y"}. A repeated field keeps its last value.
nlohmann::json decode_form(std::string_view body);

}  // namespace runmock::contracts
