#include "loader/form_body.h"

#include <string>

#include "validator/uri.h"

namespace runmock::contracts {
std::string decode_form_component(std::string_view text) {
  std::string spaced(text);
  for (char& ch : spaced) {
    if (ch == '+') ch = ' ';
  }
  return schema::percent_decode(spaced);
}

nlohmann::json decode_form(std::string_view body) {
  nlohmann::json fields = nlohmann::json::object();
  while (!body.empty()) {
    auto amp = body.find('&');
    std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    while (!pair.empty() && (pair.back() == '\n' || pair.back() == '\r')) pair.remove_suffix(1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    fields[decode_form_component(pair.substr(0, eq))] = eq == std::string_view::npos ? std::string() : decode_form_component(pair.substr(eq + 1));
  }
  return fields;
}

}  // namespace runmock::contracts
