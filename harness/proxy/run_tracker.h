// Follows each run across the answers a proxy sees, keyed by run id: every new representation is
// checked against the lifecycle's per-state rules (when asked) and against the last one seen
// (check_change: legal transitions, terminal states never change), so a run that goes from
// completed back to running is caught even when each answer is valid on its own. Bounded: past
// the capacity, the run seen least recently is forgotten. Thread-safe.
#pragma once

#include <cstddef>
#include <list>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "loader/lifecycle.h"

namespace runmock::proxy {

struct Observation {
  // Check the per-state field rules (Lifecycle::check): the answer carries the whole run as a poll
  // returns it, not a subset of its fields (a list item, a cancel acknowledgement).
  bool check_fields = false;
  // The answer created the run: its state must be one of the lifecycle's initial states.
  bool created = false;
};

class RunTracker {
 public:
  // `lifecycle` must outlive the tracker.
  explicit RunTracker(const contracts::Lifecycle& lifecycle, std::size_t capacity = 100000);

  // Records `representation` as the latest of run `run_id` and returns what breaks the lifecycle.
  std::vector<contracts::LifecycleViolation> observe(const std::string& run_id, const nlohmann::json& representation,
                                                     Observation observation = {});

  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }

 private:
  // What check_change needs of a representation: the state, and the parts' ids and states.
  nlohmann::json essentials(const contracts::Lifecycle& lifecycle, const nlohmann::json& representation) const;

  const contracts::Lifecycle& lifecycle_;
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<std::string> recency_;  // least recently seen first
  struct Tracked {
    nlohmann::json last;
    std::list<std::string>::iterator position;
  };
  std::unordered_map<std::string, Tracked> runs_;
};

}  // namespace runmock::proxy
