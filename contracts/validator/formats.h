// Checks of the JSON Schema `format` values runmock asserts (RFC 3339 dates and times, ISO 8601
// durations, e-mail addresses, host names, IP addresses, URIs, UUIDs, JSON pointers, regexes).
#pragma once

#include <string_view>

namespace runmock::schema {

// True for the formats check_format() knows how to check.
bool format_is_known(std::string_view format);

// True when `value` is a valid instance of `format`. Unknown formats are always valid: the
// specification makes them annotations only.
bool check_format(std::string_view format, std::string_view value);

}  // namespace runmock::schema
