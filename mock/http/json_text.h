// Reading untrusted request text: JSON with a depth limit, UTF-8 checks, media types, query strings.
#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace runmock::http {

// The result of parse_json_text: the value, or a message for a person saying what is wrong.
struct JsonText {
  nlohmann::json value;
  std::string error;  // empty when the text parsed
  bool ok() const { return error.empty(); }
};

// Parses untrusted JSON text. Refuses, without recursing and in time linear in the text:
// ill-formed UTF-8, nesting deeper than `max_depth` arrays/objects (found by a scan before the
// parser runs), and anything nlohmann's parser rejects. Messages start with "not valid JSON",
// "not valid UTF-8" or "nested deeper than".
JsonText parse_json_text(std::string_view text, std::size_t max_depth);

// Offset of the first byte of `text` that is not well-formed UTF-8 (overlong forms, surrogates and
// code points above U+10FFFF included), or std::string_view::npos when all of it is.
std::size_t find_invalid_utf8(std::string_view text);

// The media type of a Content-Type value, lower case, without parameters:
// "Application/JSON; charset=utf-8" → "application/json".
std::string media_type(std::string_view content_type);

// True for application/json and any "+json" type (application/merge-patch+json).
bool is_json_media_type(std::string_view media);

// "%41+b" → "A b" when plus_as_space (query strings and forms); invalid escapes stay as they are.
std::string percent_decode(std::string_view text, bool plus_as_space);

// A query string without its '?': "a=1&b=x%20y&a=2" → {a: 1, a: 2, b: "x y"}; "flag" → {flag: ""}.
std::multimap<std::string, std::string> parse_query(std::string_view query);

// nlohmann's dump for anything that may hold bytes from the wire: ill-formed UTF-8 becomes U+FFFD
// instead of throwing.
std::string dump_json(const nlohmann::json& value, int indent = -1);

}  // namespace runmock::http
