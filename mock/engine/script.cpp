#include "engine/script.h"

#include <algorithm>

namespace runmock::engine {

const Phase* Script::find(std::string_view phase_name) const {
  for (const auto& phase : phases) {
    if (phase.name == phase_name) return &phase;
  }
  return nullptr;
}

std::size_t Script::part_count(const std::string& part) const {
  std::size_t count = 0;
  if (auto it = parts.find(part); it != parts.end()) count = it->second.size();
  for (const auto& phase : phases) {
    if (auto it = phase.parts.find(part); it != phase.parts.end()) count = std::max(count, it->second.items.size());
  }
  return count;
}

std::string PartUpdate::unfinished_target(const std::string& state) const {
  if (auto it = unfinished.find(state); it != unfinished.end()) return it->second;
  if (auto it = unfinished.find("*"); it != unfinished.end()) return it->second;
  return "";
}

bool has_placeholder(const nlohmann::json& fragment) {
  if (fragment.is_string()) return fragment.get_ref<const std::string&>() == kUuidPlaceholder;
  if (fragment.is_structured()) {
    for (const auto& item : fragment) {
      if (has_placeholder(item)) return true;
    }
  }
  return false;
}

}  // namespace runmock::engine
