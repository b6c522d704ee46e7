// What a run follows: the phases of a scenario, as the engine sees them. The scenario loader
// (mock/scenario/) builds Scripts from YAML and checks them against the API's lifecycle; tests
// and dialects may also build them by hand. A Script is immutable once shared: runs keep a
// shared_ptr to theirs, so a reload of the scenarios never changes a run that already exists.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/time.h"
#include "faults/fault.h"

namespace runmock::engine {

// What moves a run on from a phase.
struct Advance {
  enum class Kind {
    manual,    // only the admin API (advance / transition) moves it on
    time,      // `after` of clock time after the phase was entered
    polls,     // after the phase has been seen by `polls` polls (the next poll sees the next phase)
    terminal,  // the run has ended (a terminal state): nothing moves it on but a forced transition
  };
  Kind kind = Kind::manual;
  Duration after{0};
  std::uint64_t polls = 0;

  static Advance manual() { return {}; }
  static Advance terminal() { return {Kind::terminal, Duration{0}, 0}; }
  static Advance time(Duration d) { return {Kind::time, d, 0}; }
  static Advance poll_count(std::uint64_t n) { return {Kind::polls, Duration{0}, n}; }
};

// How a phase sets one collection of parts (emergence's tasks, amperity's task_instances,
// pennsieve's dag): item i takes items[i] (a JSON object merged into it, whose state word sits at
// the part's state pointer, e.g. {"status": "running"}; null leaves item i as it is); then every
// item that has appeared and is not terminal takes unfinished[its state], else unfinished["*"]
// (when there is one).
struct PartUpdate {
  std::vector<nlohmann::json> items;
  std::map<std::string, std::string> unfinished;  // item state (or "*") → new state

  // The state `unfinished` gives an item in `state`, or "" when it leaves it alone.
  std::string unfinished_target(const std::string& state) const;
};

struct Phase {
  std::string name;   // unique in its script
  std::string state;  // the API's state word
  // Merged into the run's fields when the phase is entered (JSON merge patch, RFC 7386: null
  // removes a field). A string value "${uuid}" becomes a fresh id for each run.
  nlohmann::json set = nlohmann::json::object();
  std::map<std::string, PartUpdate> parts;  // by part key ("tasks")
  Advance advance;
  // The phase that follows when `advance` fires or the admin API advances the run; none on a
  // terminal phase.
  std::optional<std::size_t> next;
  // "" for the main flow; else the action ("cancel", "stop") whose branch this phase belongs to.
  std::string branch;
  // Every answer that shows the run in this phase carries this fault (a flaky 503, a slow poll, a
  // dropped connection); null for none.
  std::shared_ptr<const faults::Fault> fault;
};

struct Script {
  std::string name;  // the scenario's name
  std::string api;
  // The main flow first (phase 0 is where every run starts), then each action's branch.
  std::vector<Phase> phases;
  // action → the first phase of its branch.
  std::map<std::string, std::size_t> actions;
  // Declared part items, by part key: their fixed fields (e.g. {"name": "fetch-table-metadata",
  // "task_type": "metadata"}). An item appears in the run once a phase gives it a state.
  std::map<std::string, std::vector<nlohmann::json>> parts;
  // Set by whoever builds the script: some `set` holds a "${uuid}" placeholder.
  bool has_placeholders = false;

  const Phase* find(std::string_view phase_name) const;
  // How many items of `part` a run of this script has: declared ones, or as many as the longest
  // positional list of any phase.
  std::size_t part_count(const std::string& part) const;
};

// How a run seeded in phase `target` got there by `now`: created at `created_at` in phase 0, it
// entered each of `phases` (index, instant) in turn, the last one being `target`.
struct SeedPlan {
  Instant created_at;
  std::vector<std::pair<std::size_t, Instant>> phases;
};
// The phase a nominal step lasts in a seed plan when its script says no duration (polls, manual).
inline constexpr Duration kSeedNominalStep = std::chrono::seconds(1);
// Plans a run that has been in phase `target` for `in_phase` at `now`: phase 0, then along the
// main flow's `next` links to the target (a phase of an action's branch: phase 0, then the
// branch); each phase passed lasts its scripted `after` (kSeedNominalStep when it moves on by
// polls or by hand), so the creation is back-dated by their sum plus `in_phase`. Throws
// std::invalid_argument when the target is not a phase of the script, cannot be reached that way,
// or would have moved on by time within `in_phase`.
SeedPlan plan_seed(const Script& script, std::size_t target, Instant now, Duration in_phase = Duration{0});

// The placeholder a `set` string value may hold to get a fresh id per run.
inline constexpr std::string_view kUuidPlaceholder = "${uuid}";

// True when `fragment` holds a placeholder string anywhere.
bool has_placeholder(const nlohmann::json& fragment);

}  // namespace runmock::engine
