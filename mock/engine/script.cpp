#include "engine/script.h"

#include <algorithm>
#include <stdexcept>

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

namespace runmock::engine {

namespace {

// Phase indices from `from` along `next` links up to `target` (both included), or empty.
std::vector<std::size_t> walk(const Script& script, std::size_t from, std::size_t target) {
  std::vector<std::size_t> path;
  std::optional<std::size_t> at = from;
  while (at && *at < script.phases.size() && path.size() <= script.phases.size()) {
    path.push_back(*at);
    if (*at == target) return path;
    at = script.phases[*at].next;
  }
  return {};
}

}  // namespace

SeedPlan plan_seed(const Script& script, std::size_t target, Instant now, Duration in_phase) {
  if (target >= script.phases.size()) throw std::invalid_argument("scenario '" + script.name + "' has no phase " + std::to_string(target));
  const Phase& goal = script.phases[target];
  std::vector<std::size_t> path = walk(script, 0, target);
  if (path.empty() && !goal.branch.empty()) {
    if (auto branch = script.actions.find(goal.branch); branch != script.actions.end()) {
      path = walk(script, branch->second, target);
      if (!path.empty()) path.insert(path.begin(), 0);
    }
  }
  if (path.empty()) {
    throw std::invalid_argument("phase '" + goal.name + "' of scenario '" + script.name + "' cannot be reached from its first phase");
  }
  if (goal.advance.kind == Advance::Kind::time && goal.next && in_phase >= goal.advance.after) {
    throw std::invalid_argument("phase '" + goal.name + "' moves on after " + format_duration(goal.advance.after) + ": a run cannot have been in it for " +
                                format_duration(in_phase));
  }
  auto lasts = [&](std::size_t index) {
    const Advance& advance = script.phases[index].advance;
    return advance.kind == Advance::Kind::time ? advance.after : kSeedNominalStep;
  };
  Duration total = in_phase;
  for (std::size_t i = 0; i + 1 < path.size(); ++i) total += lasts(path[i]);
  SeedPlan plan;
  plan.created_at = now - total;
  Instant at = plan.created_at;
  for (std::size_t i = 1; i < path.size(); ++i) {
    at += lasts(path[i - 1]);
    plan.phases.emplace_back(path[i], at);
  }
  return plan;
}

}  // namespace runmock::engine
