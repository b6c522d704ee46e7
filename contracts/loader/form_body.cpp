#include "loader/form_body.h"

#include <string>

#include "validator/uri.h"

namespace runmock::contracts {
namespace {

// Form fields encode a space as '+' on top of percent-encoding.
std::string unescape(std::string_view text) {
  std::string spaced(text);
  for (char& ch : spaced) {
    if (ch == '+') ch = ' ';
  }
  return schema::percent_decode(spaced);
}

}  // namespace

nlohmann::json decode_form(std::string_view body) {
  nlohmann::json fields = nlohmann::json::object();
  while (!body.empty()) {
    auto amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    while (!pair.empty() && (pair.back() == '\n' || pair.back() == '\r')) pair.remove_suffix(1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    fields[unescape(pair.substr(0, eq))] = eq == std::string_view::npos ? std::string() : unescape(pair.substr(eq + 1));
  }
  return fields;
}

}  // namespace runmock::contracts
