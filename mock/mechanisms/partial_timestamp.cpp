#include "mechanisms/partial_timestamp.h"

#include <array>
#include <string_view>

namespace runmock::mechanisms {
namespace {

// The full form the partial ones are completed to, its digits the period's first instant.
constexpr std::string_view kFullForm = "0000-01-01T00:00:00";

// `text` without its UTC designator, if it has one (and something before it).
std::string without_utc_designator(const std::string& text) {
  for (std::string_view designator : {"Z", "+00:00", "+0000"}) {
    if (text.size() > designator.size() && text.compare(text.size() - designator.size(), designator.size(), designator) == 0) {
      return text.substr(0, text.size() - designator.size());
    }
  }
  return text;
}

// YYYY, YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh, YYYY-MM-DDThh:mm: where a partial form may end.
bool is_partial_length(std::size_t length) {
  constexpr std::array<std::size_t, 5> kLengths = {4, 7, 10, 13, 16};
  for (std::size_t allowed : kLengths) {
    if (length == allowed) return true;
  }
  return false;
}

}  // namespace

std::optional<engine::Instant> parse_partial_timestamp(const std::string& text) {
  std::string base = without_utc_designator(text);
  if (base.size() < kFullForm.size()) {
    if (!is_partial_length(base.size())) return std::nullopt;
    base += kFullForm.substr(base.size());
  }
  return engine::parse_timestamp(base + "Z");
}

}  // namespace runmock::mechanisms
