// An API's lifecycle rules as data (contracts/<api>/lifecycle.json, format in
// contracts/lifecycle.schema.json): states, legal transitions, terminal states, and the fields
// each state requires or forbids, for the run and for its nested parts (tasks, DAG nodes).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace runmock::contracts {

struct StateRule {
  bool terminal = false;
  std::string description;
  std::vector<std::string> present;  // JSON Pointers that must be present and not null
  std::vector<std::string> absent;   // JSON Pointers that must be absent or null
};

struct LifecycleViolation {
  std::string instance_location;  // JSON Pointer into the checked representation
  std::string message;
};

class Lifecycle {
 public:
  // Builds the rules from a lifecycle document already checked against lifecycle.schema.json.
  // Throws std::invalid_argument when the rules contradict themselves (a transition to an
  // unknown state, a terminal state that moves on, an unknown initial state), naming the pointer.
  static Lifecycle from_json(const nlohmann::json& document, const std::string& pointer = "");

  const std::string& resource() const { return resource_; }
  const std::string& state_pointer() const { return state_pointer_; }
  const std::string& collection_pointer() const { return collection_pointer_; }
  const std::vector<std::string>& initial() const { return initial_; }
  const std::map<std::string, StateRule>& states() const { return states_; }
  const std::vector<Lifecycle>& parts() const { return parts_; }

  bool has_state(const std::string& state) const { return states_.count(state) > 0; }
  bool is_terminal(const std::string& state) const;
  // A direct transition.
  bool can_move(const std::string& from, const std::string& to) const;
  // Whether `to` can follow `from` through any number of transitions (what a poller can observe
  // between two polls).
  bool can_reach(const std::string& from, const std::string& to) const;

  // Checks one representation of the resource (and of its parts): a known state word and the
  // per-state field rules. A missing state field is not a violation here (the schema decides).
  std::vector<LifecycleViolation> check(const nlohmann::json& representation) const;

  // Checks that `after` may follow `before` (two polls of the same resource; parts are matched by
  // their "id" or "uuid", else by position).
  std::vector<LifecycleViolation> check_change(const nlohmann::json& before, const nlohmann::json& after) const;

 private:
  void check_into(const nlohmann::json& representation, const std::string& prefix, std::vector<LifecycleViolation>& out) const;
  void check_change_into(const nlohmann::json& before, const nlohmann::json& after, const std::string& prefix,
                         std::vector<LifecycleViolation>& out) const;

  std::string resource_;
  std::string state_pointer_;
  std::string collection_pointer_;
  std::vector<std::string> initial_;
  std::map<std::string, StateRule> states_;
  std::map<std::string, std::vector<std::string>> transitions_;
  std::vector<Lifecycle> parts_;
};

}  // namespace runmock::contracts
