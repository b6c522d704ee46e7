// The lifecycle engine, shared by every dialect: runs in memory, each following its scenario's
// phases on the engine's clock.
//
// How a run moves: it is created in phase 0 and enters the next phase when its `advance` fires —
// a duration of clock time, a number of polls, or only the admin API. Time-based phases advance
// lazily: when a run is observed at clock time T the engine computes exactly which phase it is in
// at T and the instant each phase was entered (so timestamps are phase-entry instants, never the
// observation time). An action (cancel, stop) jumps to the scenario's branch for it. The admin API
// advances a run to its next phase or moves it to any state the API's lifecycle allows (or any
// state at all, with force). Every entry is recorded in the run's timeline.
//
// Thread-safety: every method may be called from any thread. Each run has its own lock; lookups
// take a sharded lock briefly; no lock at all is held while a caller builds JSON from a
// RunSnapshot (it is immutable). Register every API (add_api) before serving.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/clock.h"
#include "engine/ids.h"
#include "engine/run.h"
#include "engine/script.h"
#include "loader/lifecycle.h"

namespace runmock::engine {

struct EngineOptions {
  // At most this many runs are kept. When a create would exceed it, the run that ended first is
  // evicted (ties: the one created first); when no run has ended, create throws StoreFull. The
  // default keeps a mock's runs under ~85 MB (a stored run takes ~8 KB, bench/soak) while holding
  // far more runs than a test or a frontend session makes.
  std::size_t max_runs = 10000;
  std::uint64_t seed = IdGenerator::kDefaultSeed;
};

// Thrown by create when the store is full of runs that have not ended.
class StoreFull : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Who a run belongs to. Operations given an Owner act only on runs of that API and tenant (a
// mismatch looks exactly like an unknown id, with no side effect).
struct Owner {
  std::string api;
  std::string tenant;
};

// What state a part item takes when its run ends while the item is not terminal. The default
// picks, among the terminal states the part's lifecycle can reach from the item's state, one
// whose word contains "cancel" (then "stop", then the nearest).
using SettleFunction = std::function<std::string(const std::string& part_key, const std::string& item_state, const std::string& run_state)>;
std::string default_settle_state(const contracts::Lifecycle& part_lifecycle, const std::string& item_state);

// The key of a part collection in scenarios and runs: the last token of its collection pointer
// ("/tasks" → "tasks").
std::string part_key(const contracts::Lifecycle& part_lifecycle);

// "emergence's lifecycle forbids running → pending: from running the workflow run may move only
// to cancelled, cancelling, completed, failed (transitions.running in
// contracts/emergence/lifecycle.json)": the rule a forbidden move breaks, for messages.
std::string describe_forbidden(const std::string& api, const contracts::Lifecycle& lifecycle, const std::string& from, const std::string& to);

struct CreateRequest {
  std::string api;
  std::string tenant;  // opaque: whatever the dialect isolates runs by
  std::shared_ptr<const Script> script;
  nlohmann::json data;  // kept with the run for the dialect (request body, configuration…)
  // Part items the dialect supplies (pennsieve's DAG nodes), by part key: their fixed fields,
  // merged by position over the items the script declares.
  std::map<std::string, std::vector<nlohmann::json>> parts;
  // The run's id (default: a UUID), and each part item's (default: a UUID). Ids are drawn from
  // the engine's seeded generator, so they are deterministic. They run under the store's lock:
  // they must not call back into the engine.
  std::function<std::string(IdGenerator&)> make_id;
  std::function<std::string(IdGenerator&, const std::string& part)> make_part_id;
  // Seeding (the admin API): the run was created at `seed->created_at` and entered each of
  // `seed->phases` in turn (see plan_seed). Unset: a new run, created now in phase 0.
  std::optional<SeedPlan> seed;
};

// What the admin API's seeding hands a dialect to build a run as its create would: the run's
// tenant and create request as the admin API got them (null: the dialect's defaults, the dev
// token's tenant), its scenario and its creation instant. A dialect's builder throws
// std::invalid_argument with a message naming the field ("tenant.client_id: ...") for bad input.
struct SeedSpec {
  nlohmann::json tenant;
  nlohmann::json request;
  std::shared_ptr<const Script> script;
  Instant created_at;
};
using RunBuilder = std::function<CreateRequest(const SeedSpec&)>;

struct ObserveOptions {
  bool count_poll = true;  // a GET of the run is a poll; the event stream and listings are not
  std::optional<Owner> owner;
};

struct ActOptions {
  // When the scenario has no branch for the action: move straight to this state (if the
  // lifecycle allows it from the current state). Empty: the action is unsupported.
  std::string fallback_state;
  std::optional<Owner> owner;
};

struct ActResult {
  enum class Outcome {
    applied,      // the run took the action's branch (or the fallback state)
    already,      // the run is already in that action's branch: nothing changed
    terminal,     // the run has ended (409-worthy)
    forbidden,    // the lifecycle forbids the branch's (or fallback's) state from the current one
    unsupported,  // no branch and no fallback
    not_found,
  };
  Outcome outcome = Outcome::not_found;
  std::string message;
  RunSnapshot run;  // the run after the call (empty when not_found)
  bool ok() const { return outcome == Outcome::applied || outcome == Outcome::already; }
};

struct AdminResult {
  enum class Outcome {
    applied,
    not_found,
    unknown_state,  // not a state word of the run's API
    forbidden,      // the lifecycle forbids the move (message names the rule); force overrides
    terminal,       // advance: the run has ended
    no_next,        // advance: the current phase has no next phase (off-script)
  };
  Outcome outcome = Outcome::not_found;
  std::string message;
  RunSnapshot run;
  bool ok() const { return outcome == Outcome::applied; }
};

struct ListQuery {
  std::string api;
  std::string tenant;
  std::vector<std::string> states;  // any of these; empty: every state
  // An extra condition (e.g. the configuration id). It runs under the store's lock: it must not
  // call back into the engine.
  std::function<bool(const RunSnapshot&)> filter;
  bool newest_first = false;                // default: creation order
  std::size_t offset = 0;                   // matches to skip (ignored when a cursor is given)
  std::size_t limit = 50;
  std::string cursor;       // from a previous ListResult::next_cursor; continues after it
  bool count_total = true;  // count every match (costs a full pass over the tenant's runs)
};

struct ListResult {
  std::vector<RunSnapshot> items;
  std::size_t total = 0;    // every match of the query (when count_total)
  std::string next_cursor;  // non-empty when more matches follow the page
  bool bad_cursor = false;  // the cursor was not one this engine made for this order
};

class Engine {
 public:
  explicit Engine(std::shared_ptr<Clock> clock, EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Registers an API's lifecycle (call before serving). `settle` overrides default_settle_state.
  void add_api(const std::string& api, contracts::Lifecycle lifecycle, SettleFunction settle = {});
  const contracts::Lifecycle* lifecycle(const std::string& api) const;

  Clock& clock() const;
  IdGenerator& ids();
  const EngineOptions& options() const;

  // Creates a run in phase 0 of its script at the clock's now (zero-length time phases are
  // passed at once), or as request.seed plans it. Throws std::invalid_argument (unknown API, empty
  // script, a seed plan in the future or naming no phase), StoreFull.
  RunSnapshot create(CreateRequest request);

  // The run as of now; a poll (count_poll) may move a poll-based phase on. nullopt: no such run
  // (or another owner's).
  std::optional<RunSnapshot> observe(const std::string& id, const ObserveOptions& options = {});
  // observe without counting a poll.
  std::optional<RunSnapshot> peek(const std::string& id, std::optional<Owner> owner = std::nullopt);

  // A client's action ("cancel", "stop").
  ActResult act(const std::string& id, const std::string& action, const ActOptions& options = {});

  // Admin: to the current phase's next phase.
  AdminResult advance(const std::string& id);
  // Admin: to `state`: the script's next phase in that state (else its first one; else an
  // off-script phase). Checked against the API's lifecycle unless `force`.
  AdminResult transition(const std::string& id, const std::string& state, bool force = false);
  // Admin/dialect: merges `patch` (JSON merge patch) into the run's fields.
  std::optional<RunSnapshot> patch(const std::string& id, const nlohmann::json& patch);
  // Admin: removes one run.
  bool remove(const std::string& id);

  ListResult list(const ListQuery& query);
  // Every run (all APIs and tenants) in creation order, for the admin API; at most `limit`.
  std::vector<RunSnapshot> all(std::size_t limit = static_cast<std::size_t>(-1));
  std::size_t size() const;

  // Blocks until the run's version exceeds `seen_version`, the timeout passes, or the run goes
  // away. Returns the run as of then (version unchanged on timeout); nullopt when it is gone.
  // Time-based changes are picked up on their own (a real clock's next change instant bounds the
  // wait); polls, actions, admin calls and advance_clock wake waiters.
  std::optional<RunSnapshot> wait_for_change(const std::string& id, std::uint64_t seen_version,
                                             std::chrono::steady_clock::duration timeout, std::optional<Owner> owner = std::nullopt);

  // Manual clock: moves it on and wakes every waiter. Throws std::logic_error on a real clock.
  Instant advance_clock(Duration by);

  // Drops every run, restarts the id sequence from the seed and a manual clock from its start.
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace runmock::engine
