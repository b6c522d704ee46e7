// A run as the engine hands it out: an immutable snapshot, cheap to copy (two shared pointers and
// a few counters) and safe to read from any thread without a lock while a dialect builds its JSON.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/script.h"
#include "engine/time.h"

namespace runmock::engine {

// Why a run entered a phase.
enum class Reason { created, time, polls, action, admin, forced };
std::string_view to_string(Reason reason);

struct TimelineEntry {
  std::string state;
  std::size_t phase = 0;  // index in the script, or kOffScript
  std::string phase_name;
  Instant at;
  Reason reason = Reason::created;
  std::string detail;  // the action ("cancel"), "advance", "transition" …
};

// A phase index meaning "a state the script has no phase for" (an admin transition or an action's
// fallback put the run there); such a state moves on only through the admin API.
inline constexpr std::size_t kOffScript = std::numeric_limits<std::size_t>::max();

// One item of a part collection (a task).
struct PartItem {
  std::string id;         // generated when the run was created (the dialect may use its own)
  std::string state;      // "" until a phase gives the item a state: it has not appeared yet
  nlohmann::json fields;  // declared fields merged with the phases' fragments (state word included)
  std::vector<std::pair<std::string, Instant>> history;  // each state entered, and when
  std::optional<Instant> ended_at;                        // when it entered a terminal state

  bool visible() const { return !state.empty(); }
  // The first time the item entered `state`.
  std::optional<Instant> entered(std::string_view state) const;
};

// What does not change during a run.
struct RunInfo {
  std::string id;
  std::string api;
  std::string tenant;
  std::shared_ptr<const Script> script;
  nlohmann::json data;  // the dialect's own, given at creation (request body, configuration…)
  std::uint64_t sequence = 0;  // creation order, from 1
  Instant created_at;
  std::vector<nlohmann::json> sets;  // the phases' `set` with placeholders expanded (empty when none)
};

// One version of what does change; replaced (never modified) on every change.
struct RunState {
  std::size_t phase = 0;
  std::string state;
  bool terminal = false;
  Instant entered_at;               // when the current phase was entered
  std::optional<Instant> ended_at;  // when the run entered its terminal state
  nlohmann::json fields = nlohmann::json::object();
  std::map<std::string, std::vector<PartItem>> parts;
  std::vector<TimelineEntry> timeline;
  std::uint64_t version = 0;  // 1 at creation, +1 on every change
};

class RunSnapshot {
 public:
  RunSnapshot() = default;
  RunSnapshot(std::shared_ptr<const RunInfo> info, std::shared_ptr<const RunState> state, std::uint64_t polls, std::uint64_t polls_in_phase)
      : info_(std::move(info)), state_(std::move(state)), polls_(polls), polls_in_phase_(polls_in_phase) {}

  const std::string& id() const { return info_->id; }
  const std::string& api() const { return info_->api; }
  const std::string& tenant() const { return info_->tenant; }
  const std::string& scenario() const { return info_->script->name; }
  const Script& script() const { return *info_->script; }
  const nlohmann::json& data() const { return info_->data; }
  std::uint64_t sequence() const { return info_->sequence; }
  Instant created_at() const { return info_->created_at; }

  const std::string& state() const { return state_->state; }
  bool terminal() const { return state_->terminal; }
  std::size_t phase_index() const { return state_->phase; }
  // The current phase, or null when the run is off-script.
  const Phase* phase() const;
  Instant phase_entered_at() const { return state_->entered_at; }
  std::optional<Instant> ended_at() const { return state_->ended_at; }
  // The first time the run entered `state` (from the timeline).
  std::optional<Instant> entered_at(std::string_view state) const;
  // Fields the phases set so far (merged).
  const nlohmann::json& fields() const { return state_->fields; }
  // Items of one part collection (all of them, visible or not yet); empty when none.
  const std::vector<PartItem>& part(const std::string& key) const;
  const std::map<std::string, std::vector<PartItem>>& parts() const { return state_->parts; }
  const std::vector<TimelineEntry>& timeline() const { return state_->timeline; }
  std::uint64_t version() const { return state_->version; }
  std::uint64_t polls() const { return polls_; }
  std::uint64_t polls_in_phase() const { return polls_in_phase_; }

  // The clock instant at which time alone will move the run on, if the current phase is
  // time-based. (Poll-based and manual phases change on a poll or an admin call.)
  std::optional<Instant> next_change_at() const;

  bool empty() const { return info_ == nullptr; }
  const std::shared_ptr<const RunState>& shared_state() const { return state_; }

 private:
  std::shared_ptr<const RunInfo> info_;
  std::shared_ptr<const RunState> state_;
  std::uint64_t polls_ = 0;
  std::uint64_t polls_in_phase_ = 0;
};

}  // namespace runmock::engine
