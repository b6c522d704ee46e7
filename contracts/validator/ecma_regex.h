// ECMA-262 regular expressions (the dialect JSON Schema's `pattern` and `format: regex` use),
// checked for syntax and translated to RE2, which never backtracks catastrophically.
#pragma once

#include <string>
#include <string_view>

namespace runmock::schema {

struct RegexTranslation {
  std::string re2_pattern;  // RE2 syntax, same meaning as the ECMA-262 source; empty when !ok
  std::string error;        // why the pattern is invalid or cannot be expressed in RE2
  bool ok() const { return error.empty(); }
};

// Translates an ECMA-262 pattern (with the `u` flag's Unicode semantics) to an RE2 pattern that
// matches the same strings when searched unanchored (RE2::PartialMatch). ok() means RE2 (default
// options, UTF-8) compiles the result. Otherwise `error` says either what is invalid ECMA-262 (it
// then starts with "invalid ECMA-262 regular expression: ") or which construct RE2 cannot express
// (lookaround, backreferences, …; ecma_regex.cpp lists them) and why.
RegexTranslation ecma_to_re2(std::string_view ecma_pattern);

// True when `pattern` is a syntactically valid ECMA-262 regular expression (with the `u` flag).
// On false, `*error` (when given) says what is wrong.
bool is_valid_ecma_regex(std::string_view pattern, std::string* error = nullptr);

}  // namespace runmock::schema
