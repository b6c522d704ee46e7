#include "faults/prefer.h"

#include <cctype>

namespace runmock::faults {

namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
  return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

}  // namespace

std::optional<std::string> prefer_parameter(std::string_view header_value, std::string_view name) {
  std::size_t start = 0;
  while (start <= header_value.size()) {
    std::size_t end = header_value.find_first_of(",;", start);
    if (end == std::string_view::npos) end = header_value.size();
    std::string_view token = trim(header_value.substr(start, end - start));
    if (auto eq = token.find('='); eq != std::string_view::npos && equals_ignoring_case(trim(token.substr(0, eq)), name)) {
      std::string_view value = trim(token.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      if (!value.empty()) return std::string(value);
    }
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace runmock::faults
