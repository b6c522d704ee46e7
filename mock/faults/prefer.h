// The `Prefer` request header (RFC 7240) as runmock reads it: `Prefer: scenario=slow, fault=reset`
// picks a scenario for a new run and a fault for this request.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace runmock::faults {

// The value of preference `name` (case-insensitive) in a Prefer header value: tokens separated by
// commas or semicolons, values optionally quoted. nullopt when absent or empty.
std::optional<std::string> prefer_parameter(std::string_view header_value, std::string_view name);

}  // namespace runmock::faults
