#include "proxy/run_tracker.h"

#include <algorithm>

namespace runmock::proxy {

using nlohmann::json;

namespace {

const json* at_pointer(const json& document, const std::string& pointer) {
  json::json_pointer p(pointer);
  return document.contains(p) ? &document.at(p) : nullptr;
}

}  // namespace

RunTracker::RunTracker(const contracts::Lifecycle& lifecycle, std::size_t capacity) : lifecycle_(lifecycle), capacity_(std::max<std::size_t>(capacity, 1)) {}

json RunTracker::essentials(const contracts::Lifecycle& lifecycle, const json& representation) const {
  json out = json::object();
  if (!representation.is_object()) return out;
  for (const char* key : {"id", "uuid"}) {
    if (representation.contains(key)) out[key] = representation[key];
  }
  if (const json* state = at_pointer(representation, lifecycle.state_pointer())) out[json::json_pointer(lifecycle.state_pointer())] = *state;
  for (const auto& part : lifecycle.parts()) {
    const json* items = at_pointer(representation, part.collection_pointer());
    if (!items || !items->is_array()) continue;
    json kept = json::array();
    for (const auto& item : *items) kept.push_back(essentials(part, item));
    out[json::json_pointer(part.collection_pointer())] = std::move(kept);
  }
  return out;
}

std::vector<contracts::LifecycleViolation> RunTracker::observe(const std::string& run_id, const json& representation, Observation observation) {
  std::vector<contracts::LifecycleViolation> out;
  if (observation.check_fields) out = lifecycle_.check(representation);
  if (observation.created) {
    const json* state = at_pointer(representation, lifecycle_.state_pointer());
    const auto& initial = lifecycle_.initial();
    if (state && state->is_string() && std::find(initial.begin(), initial.end(), state->get<std::string>()) == initial.end()) {
      std::string allowed;
      for (const auto& s : initial) allowed += (allowed.empty() ? "" : ", ") + s;
      out.push_back({lifecycle_.state_pointer(), "a new " + lifecycle_.resource() + " starts in " + allowed + ", not " + state->get<std::string>()});
    }
  }
  json kept = essentials(lifecycle_, representation);
  std::lock_guard lock(mutex_);
  auto it = runs_.find(run_id);
  if (it != runs_.end()) {
    auto changes = lifecycle_.check_change(it->second.last, representation);
    out.insert(out.end(), changes.begin(), changes.end());
    it->second.last = std::move(kept);
    recency_.splice(recency_.end(), recency_, it->second.position);
    return out;
  }
  if (runs_.size() >= capacity_) {
    runs_.erase(recency_.front());
    recency_.pop_front();
  }
  recency_.push_back(run_id);
  runs_.emplace(run_id, Tracked{std::move(kept), std::prev(recency_.end())});
  return out;
}

std::size_t RunTracker::size() const {
  std::lock_guard lock(mutex_);
  return runs_.size();
}

}  // namespace runmock::proxy
