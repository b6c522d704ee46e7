#include "http/json_text.h"

#include "loader/form_body.h"
#include "loader/source_locations.h"
#include "validator/uri.h"

#include <cctype>
#include <cstdint>
#include <cstdio>

namespace runmock::http {

using nlohmann::json;

std::size_t find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size();
  std::size_t i = 0;
  while (i < n) {
    unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length;
    std::uint32_t min;
    std::uint32_t cp;
    if ((c & 0xE0) == 0xC0) {
      length = 2, min = 0x80, cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, min = 0x800, cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, min = 0x10000, cp = c & 0x07;
    } else {
      return i;
    }
    if (i + length > n) return i;
    for (std::size_t k = 1; k < length; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += length;
  }
  return std::string_view::npos;
}

namespace {

// Line and column (1-based) of a byte offset, for messages.
std::string where(std::string_view text, std::size_t offset) {
  auto [line, column] = contracts::line_column_of_offset(text, offset);
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// The offset where nesting first goes deeper than max_depth, or npos. Brackets inside strings do
// not count; whether the brackets balance is the parser's business.
std::size_t find_too_deep(std::string_view text, std::size_t max_depth) {
  std::size_t depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > max_depth) return i;
        break;
      case ']':
      case '}':
        if (depth > 0) --depth;
        break;
      default:
        break;
    }
  }
  return std::string_view::npos;
}

}  // namespace

JsonText parse_json_text(std::string_view text, std::size_t max_depth) {
  JsonText result;
  if (auto bad = find_invalid_utf8(text); bad != std::string_view::npos) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(text[bad]));
    result.error = "not valid UTF-8: ill-formed byte " + std::string(hex) + " at " + where(text, bad) + " (offset " +
                   std::to_string(bad) + ")";
    return result;
  }
  if (auto deep = find_too_deep(text, max_depth); deep != std::string_view::npos) {
    result.error = "nested deeper than " + std::to_string(max_depth) + " levels of arrays and objects (at " + where(text, deep) + ")";
    return result;
  }
  try {
    result.value = json::parse(text);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number beyond a double (1e400)
    std::string what = e.what();
    if (auto end = what.find("] "); what.rfind("[json.exception", 0) == 0 && end != std::string::npos) what = what.substr(end + 2);
    result.error = "not valid JSON: " + what;
  }
  return result;
}

std::string media_type(std::string_view content_type) {
  std::string_view type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.front()))) type.remove_prefix(1);
  while (!type.empty() && std::isspace(static_cast<unsigned char>(type.back()))) type.remove_suffix(1);
  std::string out(type);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool is_json_media_type(std::string_view media) {
  return media == "application/json" || (media.size() > 5 && media.substr(media.size() - 5) == "+json");
}

std::string percent_decode(std::string_view text, bool plus_as_space) {
  return plus_as_space ? contracts::decode_form_component(text) : schema::percent_decode(text);
}

std::multimap<std::string, std::string> parse_query(std::string_view query) {
  std::multimap<std::string, std::string> params;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq), true);
    std::string value = eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1), true);
    params.emplace(std::move(key), std::move(value));
  }
  return params;
}

std::string dump_json(const json& value, int indent) { return value.dump(indent, ' ', false, json::error_handler_t::replace); }

}  // namespace runmock::http
