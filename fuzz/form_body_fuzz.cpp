// application/x-www-form-urlencoded bodies: decode_form() gives an object of strings, and every
// field it keeps is the decoding of a name that appears in the body.
#include <algorithm>
#include <nlohmann/json.hpp>

#include "fuzz_support.h"
#include "loader/form_body.h"

namespace {

using runmock::fuzz::check;
namespace contracts = runmock::contracts;

void check_component(std::string_view text) {
  std::string decoded = contracts::decode_form_component(text);
  check(decoded.size() <= text.size(), "decoding a form component never makes it longer");
  if (text.find_first_of("%+") == std::string_view::npos) check(decoded == text, "a component without '%' or '+' decodes to itself");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > runmock::fuzz::kMaxInputBytes) return -1;
  std::string_view body = runmock::fuzz::as_text(data, size);
  check_component(body);
  nlohmann::json fields = contracts::decode_form(body);
  check(fields.is_object(), "decode_form() gives an object");
  check(fields.size() <= static_cast<std::size_t>(std::count(body.begin(), body.end(), '&')) + 1, "decode_form() keeps at most one field per pair");
  for (const auto& value : fields) check(value.is_string(), "every form field is a string");
  return 0;
}
