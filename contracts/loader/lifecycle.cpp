#include "lifecycle.h"

#include <set>
#include <stdexcept>

namespace runmock::contracts {
namespace {

using nlohmann::json;

const json* at_pointer(const json& value, const std::string& pointer) {
  try {
    json::json_pointer p(pointer);
    return value.contains(p) ? &value.at(p) : nullptr;
  } catch (const json::exception&) {
    return nullptr;
  }
}

std::string state_of(const json& representation, const std::string& pointer) {
  const json* state = at_pointer(representation, pointer);
  return state && state->is_string() ? state->get<std::string>() : std::string();
}

std::string part_key(const json& part, std::size_t index) {
  for (const char* id : {"id", "uuid"}) {
    if (part.is_object() && part.contains(id) && part[id].is_string()) return part[id].get<std::string>();
  }
  return "#" + std::to_string(index);
}

}  // namespace

Lifecycle Lifecycle::from_json(const json& document, const std::string& pointer) {
  Lifecycle lc;
  lc.resource_ = document.at("resource").get<std::string>();
  lc.state_pointer_ = document.at("state_pointer").get<std::string>();
  lc.collection_pointer_ = document.value("collection_pointer", "");
  lc.initial_ = document.at("initial").get<std::vector<std::string>>();
  for (const auto& [name, rule] : document.at("states").items()) {
    StateRule r;
    r.terminal = rule.at("terminal").get<bool>();
    r.description = rule.value("description", "");
    r.present = rule.value("present", std::vector<std::string>{});
    r.absent = rule.value("absent", std::vector<std::string>{});
    lc.states_.emplace(name, std::move(r));
  }
  for (const auto& [from, targets] : document.at("transitions").items()) {
    if (!lc.states_.count(from)) throw std::invalid_argument(pointer + "/transitions/" + from + ": '" + from + "' is not one of the states");
    auto list = targets.get<std::vector<std::string>>();
    for (const auto& to : list) {
      if (!lc.states_.count(to)) throw std::invalid_argument(pointer + "/transitions/" + from + ": '" + to + "' is not one of the states");
    }
    if (lc.states_.at(from).terminal && !list.empty()) {
      throw std::invalid_argument(pointer + "/transitions/" + from + ": '" + from + "' is terminal and cannot move on");
    }
    lc.transitions_[from] = std::move(list);
  }
  for (const auto& state : lc.initial_) {
    if (!lc.states_.count(state)) throw std::invalid_argument(pointer + "/initial: '" + state + "' is not one of the states");
  }
  for (const auto& [name, rule] : lc.states_) {
    if (!rule.terminal && lc.transitions_[name].empty()) {
      throw std::invalid_argument(pointer + "/transitions: the non-terminal state '" + name + "' has no way out");
    }
  }
  if (document.contains("parts")) {
    for (std::size_t i = 0; i < document["parts"].size(); ++i) {
      lc.parts_.push_back(from_json(document["parts"][i], pointer + "/parts/" + std::to_string(i)));
      if (lc.parts_.back().collection_pointer_.empty()) {
        throw std::invalid_argument(pointer + "/parts/" + std::to_string(i) + ": a part needs a collection_pointer");
      }
    }
  }
  return lc;
}

bool Lifecycle::is_terminal(const std::string& state) const {
  auto it = states_.find(state);
  return it != states_.end() && it->second.terminal;
}

bool Lifecycle::can_move(const std::string& from, const std::string& to) const {
  auto it = transitions_.find(from);
  if (it == transitions_.end()) return false;
  for (const auto& target : it->second) {
    if (target == to) return true;
  }
  return false;
}

bool Lifecycle::can_reach(const std::string& from, const std::string& to) const {
  std::set<std::string> seen{from};
  std::vector<std::string> frontier{from};
  while (!frontier.empty()) {
    std::string state = frontier.back();
    frontier.pop_back();
    auto it = transitions_.find(state);
    if (it == transitions_.end()) continue;
    for (const auto& next : it->second) {
      if (next == to) return true;
      if (seen.insert(next).second) frontier.push_back(next);
    }
  }
  return false;
}

std::vector<LifecycleViolation> Lifecycle::check(const json& representation) const {
  std::vector<LifecycleViolation> out;
  check_into(representation, "", out);
  return out;
}

void Lifecycle::check_into(const json& representation, const std::string& prefix, std::vector<LifecycleViolation>& out) const {
  const json* state_value = at_pointer(representation, state_pointer_);
  if (state_value && state_value->is_string()) {
    const std::string state = state_value->get<std::string>();
    auto rule = states_.find(state);
    if (rule == states_.end()) {
      std::string known;
      for (const auto& [name, r] : states_) known += (known.empty() ? "" : ", ") + name;
      out.push_back({prefix + state_pointer_, "'" + state + "' is not a " + resource_ + " state (" + known + ")"});
    } else {
      for (const auto& field : rule->second.present) {
        const json* v = at_pointer(representation, field);
        if (!v || v->is_null()) out.push_back({prefix + field, "a " + state + " " + resource_ + " must have " + field.substr(1)});
      }
      for (const auto& field : rule->second.absent) {
        const json* v = at_pointer(representation, field);
        if (v && !v->is_null()) out.push_back({prefix + field, "a " + state + " " + resource_ + " must not have " + field.substr(1)});
      }
    }
  }
  for (const auto& part : parts_) {
    const json* items = at_pointer(representation, part.collection_pointer_);
    if (!items || !items->is_array()) continue;
    for (std::size_t i = 0; i < items->size(); ++i) {
      part.check_into((*items)[i], prefix + part.collection_pointer_ + "/" + std::to_string(i), out);
    }
  }
}

std::vector<LifecycleViolation> Lifecycle::check_change(const json& before, const json& after) const {
  std::vector<LifecycleViolation> out;
  check_change_into(before, after, "", out);
  return out;
}

void Lifecycle::check_change_into(const json& before, const json& after, const std::string& prefix,
                                  std::vector<LifecycleViolation>& out) const {
  std::string from = state_of(before, state_pointer_), to = state_of(after, state_pointer_);
  if (!from.empty() && !to.empty() && from != to && has_state(from) && has_state(to)) {
    if (is_terminal(from)) {
      out.push_back({prefix + state_pointer_, "the " + resource_ + " was " + from + ", a terminal state, and is now " + to + "; a terminal state never changes"});
    } else if (!can_reach(from, to)) {
      out.push_back({prefix + state_pointer_, "the " + resource_ + " moved from " + from + " to " + to + ", which its lifecycle does not allow"});
    }
  }
  for (const auto& part : parts_) {
    const json* old_items = at_pointer(before, part.collection_pointer_);
    const json* new_items = at_pointer(after, part.collection_pointer_);
    if (!old_items || !new_items || !old_items->is_array() || !new_items->is_array()) continue;
    std::map<std::string, const json*> previous;
    for (std::size_t i = 0; i < old_items->size(); ++i) previous[part_key((*old_items)[i], i)] = &(*old_items)[i];
    for (std::size_t i = 0; i < new_items->size(); ++i) {
      auto it = previous.find(part_key((*new_items)[i], i));
      if (it != previous.end()) {
        part.check_change_into(*it->second, (*new_items)[i], prefix + part.collection_pointer_ + "/" + std::to_string(i), out);
      }
    }
  }
}

}  // namespace runmock::contracts
