// Reading untrusted request text (mock/http/json_text.h): percent-decoding both ways, query
// strings, JSON with a depth limit, the UTF-8 check (against nlohmann's own) and media types.
#include <cctype>
#include <nlohmann/json.hpp>
#include <string>

#include "fuzz_support.h"
#include "http/json_text.h"

namespace {

namespace http = runmock::http;
using nlohmann::json;
using runmock::fuzz::check;

constexpr std::size_t kMaxDepth = 64;

// nlohmann's strict dump refuses ill-formed UTF-8: a second opinion for find_invalid_utf8().
bool nlohmann_accepts_utf8(std::string_view text) {
  try {
    (void)json(std::string(text)).dump();
    return true;
  } catch (const json::type_error&) {
    return false;
  }
}

void check_percent_decoding(std::string_view text) {
  std::string plain = http::percent_decode(text, false);
  std::string spaced = http::percent_decode(text, true);
  check(plain.size() <= text.size() && spaced.size() == plain.size(), "percent-decoding never lengthens, '+' only turns into ' '");
  for (const auto& [name, value] : http::parse_query(text)) {
    check(name.size() + value.size() <= text.size(), "a query parameter is no longer than the query");
  }
}

void check_json(std::string_view text) {
  bool valid_utf8 = http::find_invalid_utf8(text) == std::string_view::npos;
  check(valid_utf8 == nlohmann_accepts_utf8(text), "find_invalid_utf8() agrees with nlohmann's UTF-8 check");
  http::JsonText parsed = http::parse_json_text(text, kMaxDepth);
  if (!valid_utf8) check(!parsed.ok(), "parse_json_text() refuses ill-formed UTF-8");
  if (parsed.ok()) check(!http::dump_json(parsed.value).empty(), "parsed JSON dumps");
}

void check_media_type(std::string_view text) {
  std::string media = http::media_type(text);
  check(media.find(';') == std::string::npos, "a media type has no parameters");
  for (char c : media) check(!std::isupper(static_cast<unsigned char>(c)), "a media type is lower case");
  (void)http::is_json_media_type(media);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > runmock::fuzz::kMaxInputBytes) return -1;
  std::string_view text = runmock::fuzz::as_text(data, size);
  check_percent_decoding(text);
  check_json(text);
  check_media_type(text);
  return 0;
}
