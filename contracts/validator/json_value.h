// Equality and hashing of JSON values as JSON Schema defines them: numbers compare by value
// (1 and 1.0 are equal), objects ignore member order. Both stop at a depth limit instead of
// overflowing the stack on hostile, deeply nested input.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace runmock::schema {

inline constexpr std::size_t kMaxCompareDepth = 512;

// Thrown when a value is nested deeper than kMaxCompareDepth.
struct TooDeep {};

bool json_equal(const nlohmann::json& a, const nlohmann::json& b, std::size_t depth = 0);
std::size_t json_hash(const nlohmann::json& value, std::size_t depth = 0);

// Compares two JSON numbers exactly where both are integers, as doubles otherwise.
// Returns <0, 0 or >0.
int compare_numbers(const nlohmann::json& a, const nlohmann::json& b);

// Escapes one reference token of a JSON Pointer (RFC 6901: "~" → "~0", "/" → "~1").
std::string pointer_escape(std::string_view token);

}  // namespace runmock::schema
