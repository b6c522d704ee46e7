#include "mechanisms/cursor_tag.h"

#include "mechanisms/digest.h"

namespace runmock::mechanisms {

namespace {
constexpr std::size_t kTagLength = 12;
}  // namespace

std::string cursor_tag(const std::vector<std::string>& filters) {
  std::string joined;
  for (std::size_t i = 0; i < filters.size(); ++i) joined += (i == 0 ? "" : "|") + filters[i];
  return sha256_hex(joined).substr(0, kTagLength);
}

std::string bind_cursor(const std::string& tag, const std::string& engine_cursor) { return tag + "." + engine_cursor; }

std::optional<std::string> unbind_cursor(const std::string& tag, const std::string& text) {
  if (text.size() < tag.size() + 2 || text.compare(0, tag.size(), tag) != 0 || text[tag.size()] != '.') return std::nullopt;
  return text.substr(tag.size() + 1);
}

}  // namespace runmock::mechanisms
