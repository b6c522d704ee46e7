#include "engine/engine.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <unordered_map>

namespace runmock::engine {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// RunSnapshot snapshot helpers

std::string_view to_string(Reason reason) {
  switch (reason) {
    case Reason::created: return "created";
    case Reason::time: return "time";
    case Reason::polls: return "polls";
    case Reason::action: return "action";
    case Reason::admin: return "admin";
    case Reason::forced: return "forced";
  }
  return "unknown";
}

std::optional<Instant> PartItem::entered(std::string_view wanted) const {
  for (const auto& [state, at] : history) {
    if (state == wanted) return at;
  }
  return std::nullopt;
}

const Phase* RunSnapshot::phase() const {
  if (state_->phase == kOffScript || state_->phase >= info_->script->phases.size()) return nullptr;
  return &info_->script->phases[state_->phase];
}

std::optional<Instant> RunSnapshot::entered_at(std::string_view wanted) const {
  for (const auto& entry : state_->timeline) {
    if (entry.state == wanted) return entry.at;
  }
  return std::nullopt;
}

const std::vector<PartItem>& RunSnapshot::part(const std::string& key) const {
  static const std::vector<PartItem> none;
  auto it = state_->parts.find(key);
  return it == state_->parts.end() ? none : it->second;
}

std::optional<Instant> RunSnapshot::next_change_at() const {
  const Phase* current = phase();
  if (!current || state_->terminal || current->advance.kind != Advance::Kind::time || !current->next) return std::nullopt;
  return state_->entered_at + current->advance.after;
}

// ---------------------------------------------------------------------------------------------
// Lifecycle helpers

namespace {

bool contains_ci(std::string_view text, std::string_view word) {
  auto lower = [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); };
  for (std::size_t i = 0; i + word.size() <= text.size(); ++i) {
    bool same = true;
    for (std::size_t j = 0; j < word.size() && same; ++j) same = lower(text[i + j]) == lower(word[j]);
    if (same) return true;
  }
  return false;
}

std::string join_words(const std::vector<std::string>& words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) out += (i ? ", " : "") + words[i];
  return out;
}

std::vector<std::string> successors(const contracts::Lifecycle& lifecycle, const std::string& from) {
  std::vector<std::string> out;
  for (const auto& [state, rule] : lifecycle.states()) {
    if (lifecycle.can_move(from, state)) out.push_back(state);
  }
  return out;
}

}  // namespace

std::string default_settle_state(const contracts::Lifecycle& part, const std::string& item_state) {
  if (part.is_terminal(item_state)) return item_state;
  // Breadth-first over the part's transitions: every reachable terminal state with its distance.
  std::map<std::string, std::size_t> distance{{item_state, 0}};
  std::deque<std::string> queue{item_state};
  std::vector<std::pair<std::size_t, std::string>> terminals;
  while (!queue.empty()) {
    std::string state = queue.front();
    queue.pop_front();
    for (const auto& next : successors(part, state)) {
      if (distance.count(next)) continue;
      distance[next] = distance[state] + 1;
      if (part.is_terminal(next)) {
        terminals.emplace_back(distance[next], next);
      } else {
        queue.push_back(next);
      }
    }
  }
  if (terminals.empty()) return item_state;
  for (std::string_view word : {"cancel", "stop"}) {
    const std::pair<std::size_t, std::string>* best = nullptr;
    for (const auto& candidate : terminals) {
      if (contains_ci(candidate.second, word) && (!best || candidate.first < best->first)) best = &candidate;
    }
    if (best) return best->second;
  }
  return std::min_element(terminals.begin(), terminals.end())->second;
}

std::string part_key(const contracts::Lifecycle& part) {
  const std::string& pointer = part.collection_pointer();
  auto slash = pointer.rfind('/');
  std::string token = slash == std::string::npos ? pointer : pointer.substr(slash + 1);
  std::string out;
  for (std::size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size()) {
      out.push_back(token[i + 1] == '1' ? '/' : '~');
      ++i;
    } else {
      out.push_back(token[i]);
    }
  }
  return out;
}

std::string describe_forbidden(const std::string& api, const contracts::Lifecycle& lifecycle, const std::string& from, const std::string& to) {
  std::string rule = api + "'s lifecycle forbids " + from + " → " + to + ": ";
  auto allowed = successors(lifecycle, from);
  std::string where = " (transitions." + from + " in contracts/" + api + "/lifecycle.json)";
  if (lifecycle.is_terminal(from) || allowed.empty()) return rule + from + " is terminal, nothing may follow it" + where;
  return rule + "from " + from + " the " + lifecycle.resource() + " may move only to " + join_words(allowed) + where;
}

// ---------------------------------------------------------------------------------------------
// The engine

namespace {

struct ApiEntry {
  struct Part {
    std::string key;
    json::json_pointer state_pointer;
    const contracts::Lifecycle* lifecycle = nullptr;
  };
  std::string name;
  contracts::Lifecycle lifecycle;
  SettleFunction settle;
  std::vector<Part> parts;
};

struct Record {
  std::mutex mutex;
  const ApiEntry* api = nullptr;
  std::shared_ptr<const RunInfo> info;
  std::shared_ptr<const RunState> state;
  std::uint64_t polls = 0;
  std::uint64_t polls_in_phase = 0;
  std::optional<std::pair<long long, std::uint64_t>> due_key;  // its entry in Impl::due
  bool gone = false;                                            // removed, evicted or reset
};

using DueKey = std::pair<long long, std::uint64_t>;

std::string owner_key(const std::string& api, const std::string& tenant) { return api + '\n' + tenant; }

}  // namespace

struct Engine::Impl {
  std::shared_ptr<Clock> clock;
  EngineOptions options;
  IdGenerator ids;
  std::map<std::string, std::unique_ptr<ApiEntry>> apis;

  static constexpr std::size_t kShards = 64;
  struct Shard {
    std::mutex mutex;
    std::unordered_map<std::string, std::shared_ptr<Record>> runs;
  };
  std::array<Shard, kShards> shards;

  // Creation order and per-owner indexes. Lock order: index → shard; index → record → due;
  // record → due. A record lock is never held while taking index or shard.
  std::shared_mutex index_mutex;
  std::map<std::uint64_t, std::shared_ptr<Record>> all;
  std::unordered_map<std::string, std::map<std::uint64_t, std::shared_ptr<Record>>> by_owner;
  std::uint64_t next_sequence = 0;

  // When each run ends (or will end by time alone): the eviction order.
  std::mutex due_mutex;
  std::set<DueKey> due;

  // Change notification, sharded by run sequence.
  struct Slot {
    std::mutex mutex;
    std::condition_variable cv;
    std::uint64_t generation = 0;
  };
  static constexpr std::size_t kSlots = 64;
  std::array<Slot, kSlots> slots;

  Impl(std::shared_ptr<Clock> c, EngineOptions o) : clock(std::move(c)), options(o), ids(o.seed) {}

  Shard& shard_of(const std::string& id) { return shards[std::hash<std::string>{}(id) % kShards]; }
  Slot& slot_of(std::uint64_t sequence) { return slots[sequence % kSlots]; }

  void notify(std::uint64_t sequence) {
    Slot& slot = slot_of(sequence);
    {
      std::lock_guard lock(slot.mutex);
      ++slot.generation;
    }
    slot.cv.notify_all();
  }

  void notify_all() {
    for (auto& slot : slots) {
      {
        std::lock_guard lock(slot.mutex);
        ++slot.generation;
      }
      slot.cv.notify_all();
    }
  }

  std::shared_ptr<Record> find(const std::string& id, const std::optional<Owner>& owner) {
    Shard& shard = shard_of(id);
    std::shared_ptr<Record> record;
    {
      std::lock_guard lock(shard.mutex);
      auto it = shard.runs.find(id);
      if (it == shard.runs.end()) return nullptr;
      record = it->second;
    }
    if (owner && (record->info->api != owner->api || record->info->tenant != owner->tenant)) return nullptr;
    return record;
  }

  static RunSnapshot snapshot(const Record& r) { return RunSnapshot(r.info, r.state, r.polls, r.polls_in_phase); }

  // --- phase mechanics (under the record's lock) ---

  bool is_terminal(const Record& r, const std::string& state) const { return r.api->lifecycle.is_terminal(state); }

  void set_item_state(const ApiEntry::Part& part, PartItem& item, const std::string& state, Instant at) {
    if (!item.fields.is_object()) item.fields = json::object();
    item.fields[part.state_pointer] = state;
    if (item.state == state) return;
    item.state = state;
    item.history.emplace_back(state, at);
    if (part.lifecycle->is_terminal(state)) {
      item.ended_at = at;
    } else {
      item.ended_at.reset();
    }
  }

  // Applies a phase's `set` and part updates to `next` (no timeline entry).
  void apply_phase(const Record& r, RunState& next, std::size_t index, Instant at) {
    const Script& script = *r.info->script;
    const Phase& phase = script.phases[index];
    const json& set = r.info->sets.empty() ? phase.set : r.info->sets[index];
    if (set.is_object() && !set.empty()) next.fields.merge_patch(set);
    for (const auto& [key, update] : phase.parts) {
      const ApiEntry::Part* part = nullptr;
      for (const auto& p : r.api->parts) {
        if (p.key == key) part = &p;
      }
      if (!part) continue;
      auto& items = next.parts[key];
      for (std::size_t i = 0; i < update.items.size(); ++i) {
        const json& fragment = update.items[i];
        if (fragment.is_null()) continue;
        if (i >= items.size()) items.resize(i + 1);
        PartItem& item = items[i];
        if (!item.fields.is_object()) item.fields = json::object();
        std::string state;
        if (fragment.is_object()) {
          item.fields.merge_patch(fragment);
          if (fragment.contains(part->state_pointer) && fragment[part->state_pointer].is_string()) {
            state = fragment[part->state_pointer].get<std::string>();
          }
        } else if (fragment.is_string()) {
          state = fragment.get<std::string>();
        }
        if (!state.empty()) set_item_state(*part, item, state, at);
      }
      if (!update.unfinished.empty()) {
        for (auto& item : items) {
          if (!item.visible() || part->lifecycle->is_terminal(item.state)) continue;
          std::string to = update.unfinished_target(item.state);
          if (!to.empty()) set_item_state(*part, item, to, at);
        }
      }
    }
  }

  void settle_parts(const Record& r, RunState& next, Instant at) {
    for (const auto& part : r.api->parts) {
      auto it = next.parts.find(part.key);
      if (it == next.parts.end()) continue;
      for (auto& item : it->second) {
        if (!item.visible() || part.lifecycle->is_terminal(item.state)) continue;
        std::string to = r.api->settle ? r.api->settle(part.key, item.state, next.state) : default_settle_state(*part.lifecycle, item.state);
        if (!to.empty() && to != item.state) set_item_state(part, item, to, at);
      }
    }
  }

  // Enters phase `index` (or an off-script `state` when index is kOffScript) at `at`. `fold`:
  // phases passed over on the way (a transition forward along the flow), applied silently first.
  void enter(Record& r, std::size_t index, const std::string& off_script_state, Instant at, Reason reason, const std::string& detail,
             const std::vector<std::size_t>& fold = {}) {
    auto next = std::make_shared<RunState>(*r.state);
    for (std::size_t skipped : fold) apply_phase(r, *next, skipped, at);
    const Script& script = *r.info->script;
    if (index != kOffScript) {
      apply_phase(r, *next, index, at);
      next->state = script.phases[index].state;
    } else {
      next->state = off_script_state;
    }
    next->phase = index;
    next->entered_at = at;
    next->terminal = is_terminal(r, next->state);
    if (next->terminal) {
      next->ended_at = at;
      settle_parts(r, *next, at);
    } else {
      next->ended_at.reset();
    }
    next->timeline.push_back({next->state, index, index == kOffScript ? std::string() : script.phases[index].name, at, reason, detail});
    ++next->version;
    r.state = std::move(next);
    r.polls_in_phase = 0;
  }

  // Passes every time-based phase whose duration has run out by `now`.
  void settle_time(Record& r, Instant now) {
    const Script& script = *r.info->script;
    for (std::size_t guard = 0; guard <= script.phases.size() + 1; ++guard) {
      const RunState& s = *r.state;
      if (s.terminal || s.phase == kOffScript || s.phase >= script.phases.size()) return;
      const Phase& phase = script.phases[s.phase];
      if (phase.advance.kind != Advance::Kind::time || !phase.next || *phase.next >= script.phases.size()) return;
      Instant due_at = s.entered_at + phase.advance.after;
      if (due_at > now) return;
      enter(r, *phase.next, "", due_at, Reason::time, "");
    }
  }

  void poll(Record& r, Instant now) {
    settle_time(r, now);
    const Script& script = *r.info->script;
    const RunState& s = *r.state;
    if (!s.terminal && s.phase != kOffScript && s.phase < script.phases.size()) {
      const Phase& phase = script.phases[s.phase];
      if (phase.advance.kind == Advance::Kind::polls && phase.next && *phase.next < script.phases.size() && r.polls_in_phase >= phase.advance.polls) {
        enter(r, *phase.next, "", now, Reason::polls, "");
        settle_time(r, now);
      }
    }
    ++r.polls_in_phase;
    ++r.polls;
  }

  // The instant the run ends (or will end by time alone); nullopt when it waits on polls, an
  // action or the admin API.
  std::optional<Instant> end_instant(const Record& r) const {
    const RunState& s = *r.state;
    if (s.terminal) return s.ended_at ? *s.ended_at : s.entered_at;
    const Script& script = *r.info->script;
    std::size_t index = s.phase;
    Instant at = s.entered_at;
    for (std::size_t guard = 0; guard <= script.phases.size(); ++guard) {
      if (index == kOffScript || index >= script.phases.size()) return std::nullopt;
      const Phase& phase = script.phases[index];
      if (is_terminal(r, phase.state)) return at;
      if (phase.advance.kind != Advance::Kind::time || !phase.next) return std::nullopt;
      at += phase.advance.after;
      index = *phase.next;
    }
    return std::nullopt;
  }

  void update_due(Record& r) {
    if (r.gone) return;
    std::optional<DueKey> key;
    if (auto end = end_instant(r)) key = DueKey{end->time_since_epoch().count(), r.info->sequence};
    if (key == r.due_key) return;
    std::lock_guard lock(due_mutex);
    if (r.due_key) due.erase(*r.due_key);
    if (key) due.insert(*key);
    r.due_key = key;
  }

  // --- store maintenance (under the index lock, exclusive) ---

  void drop(const std::shared_ptr<Record>& record) {
    {
      std::lock_guard lock(record->mutex);
      record->gone = true;
      if (record->due_key) {
        std::lock_guard due_lock(due_mutex);
        due.erase(*record->due_key);
        record->due_key.reset();
      }
    }
    const RunInfo& info = *record->info;
    {
      Shard& shard = shard_of(info.id);
      std::lock_guard lock(shard.mutex);
      shard.runs.erase(info.id);
    }
    all.erase(info.sequence);
    auto owner = by_owner.find(owner_key(info.api, info.tenant));
    if (owner != by_owner.end()) {
      owner->second.erase(info.sequence);
      if (owner->second.empty()) by_owner.erase(owner);
    }
  }

  void make_room(Instant now) {
    while (all.size() >= options.max_runs) {
      DueKey candidate;
      {
        std::lock_guard lock(due_mutex);
        if (due.empty() || due.begin()->first > now.time_since_epoch().count()) {
          throw StoreFull("the run store is full: " + std::to_string(all.size()) + " runs, none of them ended (limit " +
                          std::to_string(options.max_runs) + ")");
        }
        candidate = *due.begin();
      }
      auto it = all.find(candidate.second);
      if (it == all.end()) {
        std::lock_guard lock(due_mutex);
        due.erase(candidate);
        continue;
      }
      auto record = it->second;
      drop(record);
      notify(candidate.second);
    }
  }

  // A change of one run asked from outside (a client's action, the admin API): under the run's
  // lock, once time has caught up with the clock, `change(record, now, result)` decides; a change
  // of state is then recorded for the due list and announced to waiters.
  template <typename Result, typename Change>
  Result change_run(const std::string& id, const std::optional<Owner>& owner, Change change) {
    Result result;
    auto record = find(id, owner);
    if (!record) {
      result.message = "no run " + id;
      return result;
    }
    bool changed;
    {
      std::lock_guard lock(record->mutex);
      if (record->gone) {
        result.message = "no run " + id;
        return result;
      }
      auto before = record->state;
      Instant now = clock->now();
      settle_time(*record, now);
      change(*record, now, result);
      changed = record->state != before;
      if (changed) update_due(*record);
      result.run = snapshot(*record);
    }
    if (changed) notify(result.run.sequence());
    return result;
  }
};

Engine::Engine(std::shared_ptr<Clock> clock, EngineOptions options) : impl_(std::make_unique<Impl>(std::move(clock), options)) {
  if (!impl_->clock) throw std::invalid_argument("the engine needs a clock");
  if (options.max_runs == 0) throw std::invalid_argument("max_runs must be at least 1");
}

Engine::~Engine() = default;

void Engine::add_api(const std::string& api, contracts::Lifecycle lifecycle, SettleFunction settle) {
  auto entry = std::make_unique<ApiEntry>();
  entry->name = api;
  entry->lifecycle = std::move(lifecycle);
  entry->settle = std::move(settle);
  for (const auto& part : entry->lifecycle.parts()) {
    entry->parts.push_back({part_key(part), json::json_pointer(part.state_pointer()), &part});
  }
  impl_->apis[api] = std::move(entry);
}

const contracts::Lifecycle* Engine::lifecycle(const std::string& api) const {
  auto it = impl_->apis.find(api);
  return it == impl_->apis.end() ? nullptr : &it->second->lifecycle;
}

Clock& Engine::clock() const { return *impl_->clock; }
IdGenerator& Engine::ids() { return impl_->ids; }
const EngineOptions& Engine::options() const { return impl_->options; }

namespace {

json expand_placeholders(const json& value, IdGenerator& ids) {
  if (value.is_string() && value.get_ref<const std::string&>() == kUuidPlaceholder) return ids.uuid();
  if (value.is_object()) {
    json out = json::object();
    for (auto it = value.begin(); it != value.end(); ++it) out[it.key()] = expand_placeholders(it.value(), ids);
    return out;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) out.push_back(expand_placeholders(item, ids));
    return out;
  }
  return value;
}

}  // namespace

RunSnapshot Engine::create(CreateRequest request) {
  Impl& m = *impl_;
  auto api = m.apis.find(request.api);
  if (api == m.apis.end()) throw std::invalid_argument("unknown API '" + request.api + "'");
  if (!request.script || request.script->phases.empty()) throw std::invalid_argument("a run needs a scenario with at least one phase");
  const Script& script = *request.script;

  std::shared_ptr<Record> record;
  RunSnapshot result;
  {
    std::unique_lock index(m.index_mutex);
    Instant now = m.clock->now();
    if (request.seed) {
      if (request.seed->created_at > now) throw std::invalid_argument("a seeded run cannot be created after the clock's now");
      for (const auto& [phase, at] : request.seed->phases) {
        if (phase >= script.phases.size()) throw std::invalid_argument("scenario '" + script.name + "' has no phase " + std::to_string(phase));
      }
    }
    Instant created_at = request.seed ? request.seed->created_at : now;
    m.make_room(now);

    auto info = std::make_shared<RunInfo>();
    for (int attempt = 0;; ++attempt) {
      info->id = request.make_id ? request.make_id(m.ids) : m.ids.uuid();
      Impl::Shard& shard = m.shard_of(info->id);
      std::lock_guard lock(shard.mutex);
      if (!shard.runs.count(info->id)) break;
      if (attempt > 100) throw std::runtime_error("could not make a unique run id");
    }
    info->api = request.api;
    info->tenant = std::move(request.tenant);
    info->script = request.script;
    info->data = std::move(request.data);
    info->sequence = ++m.next_sequence;
    info->created_at = created_at;
    if (script.has_placeholders) {
      for (const auto& phase : script.phases) info->sets.push_back(expand_placeholders(phase.set, m.ids));
    }

    auto initial = std::make_shared<RunState>();
    for (const auto& part : api->second->parts) {
      std::size_t count = script.part_count(part.key);
      const std::vector<json>* supplied = nullptr;
      if (auto it = request.parts.find(part.key); it != request.parts.end()) {
        supplied = &it->second;
        count = std::max(count, supplied->size());
      }
      if (count == 0) continue;
      const std::vector<json>* declared = nullptr;
      if (auto it = script.parts.find(part.key); it != script.parts.end()) declared = &it->second;
      auto& items = initial->parts[part.key];
      items.resize(count);
      for (std::size_t i = 0; i < count; ++i) {
        PartItem& item = items[i];
        item.fields = json::object();
        if (declared && i < declared->size() && (*declared)[i].is_object()) item.fields.merge_patch((*declared)[i]);
        if (supplied && i < supplied->size() && (*supplied)[i].is_object()) item.fields.merge_patch((*supplied)[i]);
        item.id = request.make_part_id ? request.make_part_id(m.ids, part.key) : m.ids.uuid();
      }
    }

    record = std::make_shared<Record>();
    record->api = api->second.get();
    record->info = std::move(info);
    record->state = std::move(initial);
    {
      std::lock_guard lock(record->mutex);
      m.enter(*record, 0, "", created_at, Reason::created, "");
      if (request.seed) {
        for (const auto& [phase, at] : request.seed->phases) m.enter(*record, phase, "", at, Reason::admin, "seed");
      }
      m.settle_time(*record, now);
      m.update_due(*record);
      result = Impl::snapshot(*record);
    }
    const RunInfo& i = *record->info;
    {
      Impl::Shard& shard = m.shard_of(i.id);
      std::lock_guard lock(shard.mutex);
      shard.runs.emplace(i.id, record);
    }
    m.all.emplace(i.sequence, record);
    m.by_owner[owner_key(i.api, i.tenant)].emplace(i.sequence, record);
  }
  return result;
}

std::optional<RunSnapshot> Engine::observe(const std::string& id, const ObserveOptions& options) {
  Impl& m = *impl_;
  auto record = m.find(id, options.owner);
  if (!record) return std::nullopt;
  RunSnapshot run;
  bool changed;
  {
    std::lock_guard lock(record->mutex);
    if (record->gone) return std::nullopt;
    auto before = record->state;
    Instant now = m.clock->now();
    if (options.count_poll) {
      m.poll(*record, now);
    } else {
      m.settle_time(*record, now);
    }
    changed = record->state != before;
    if (changed) m.update_due(*record);
    run = Impl::snapshot(*record);
  }
  if (changed) m.notify(run.sequence());
  return run;
}

std::optional<RunSnapshot> Engine::peek(const std::string& id, std::optional<Owner> owner) {
  return observe(id, ObserveOptions{false, std::move(owner)});
}

ActResult Engine::act(const std::string& id, const std::string& action, const ActOptions& options) {
  Impl& m = *impl_;
  return m.change_run<ActResult>(id, options.owner, [&m, &action, &options](Record& record, Instant now, ActResult& result) {
    const Script& script = *record.info->script;
    const RunState& s = *record.state;
    const auto& lifecycle = record.api->lifecycle;
    const Phase* current = s.phase != kOffScript && s.phase < script.phases.size() ? &script.phases[s.phase] : nullptr;
    auto branch = script.actions.find(action);
    if (s.terminal) {
      result.outcome = ActResult::Outcome::terminal;
      result.message = "the run is already " + s.state + "; " + action + " is not possible once a run has ended";
    } else if ((current && current->branch == action) || (!current && branch == script.actions.end() && s.state == options.fallback_state)) {
      result.outcome = ActResult::Outcome::already;
      result.message = "the run is already " + s.state + " after a " + action;
    } else if (branch != script.actions.end() && branch->second < script.phases.size()) {
      const std::string& target = script.phases[branch->second].state;
      if (s.state != target && !lifecycle.can_move(s.state, target)) {
        result.outcome = ActResult::Outcome::forbidden;
        result.message = describe_forbidden(record.api->name, lifecycle, s.state, target);
      } else {
        m.enter(record, branch->second, "", now, Reason::action, action);
        m.settle_time(record, now);
        result.outcome = ActResult::Outcome::applied;
      }
    } else if (!options.fallback_state.empty()) {
      if (!lifecycle.has_state(options.fallback_state)) {
        result.outcome = ActResult::Outcome::unsupported;
        result.message = "'" + options.fallback_state + "' is not a state of " + record.api->name;
      } else if (!lifecycle.can_move(s.state, options.fallback_state)) {
        result.outcome = ActResult::Outcome::forbidden;
        result.message = describe_forbidden(record.api->name, lifecycle, s.state, options.fallback_state);
      } else {
        m.enter(record, kOffScript, options.fallback_state, now, Reason::action, action);
        result.outcome = ActResult::Outcome::applied;
      }
    } else {
      result.outcome = ActResult::Outcome::unsupported;
      result.message = "scenario '" + script.name + "' has no branch for '" + action + "'";
    }
  });
}

AdminResult Engine::advance(const std::string& id) {
  Impl& m = *impl_;
  return m.change_run<AdminResult>(id, std::nullopt, [&m](Record& record, Instant now, AdminResult& result) {
    const Script& script = *record.info->script;
    const RunState& s = *record.state;
    const Phase* current = s.phase != kOffScript && s.phase < script.phases.size() ? &script.phases[s.phase] : nullptr;
    if (s.terminal) {
      result.outcome = AdminResult::Outcome::terminal;
      result.message = "the run has ended (" + s.state + "); use a forced transition to move it";
    } else if (!current || !current->next || *current->next >= script.phases.size()) {
      result.outcome = AdminResult::Outcome::no_next;
      result.message = "the run is in " + s.state + " outside its scenario's phases: there is no next phase; use a transition";
    } else {
      m.enter(record, *current->next, "", now, Reason::admin, "advance");
      m.settle_time(record, now);
      result.outcome = AdminResult::Outcome::applied;
    }
  });
}

AdminResult Engine::transition(const std::string& id, const std::string& state, bool force) {
  Impl& m = *impl_;
  return m.change_run<AdminResult>(id, std::nullopt, [&m, &state, force](Record& record, Instant now, AdminResult& result) {
    const auto& lifecycle = record.api->lifecycle;
    const Script& script = *record.info->script;
    const RunState& s = *record.state;
    if (!lifecycle.has_state(state)) {
      std::vector<std::string> words;
      for (const auto& [word, rule] : lifecycle.states()) words.push_back(word);
      result.outcome = AdminResult::Outcome::unknown_state;
      result.message = "'" + state + "' is not a state of " + record.api->name + " (" + join_words(words) + ")";
    } else if (!force && !lifecycle.can_move(s.state, state)) {
      result.outcome = AdminResult::Outcome::forbidden;
      result.message = describe_forbidden(record.api->name, lifecycle, s.state, state) + "; force overrides it";
    } else {
      // The target: the next phase in that state along the flow (the phases passed over are
      // folded in), else the script's first phase in that state, else off-script.
      std::size_t target = kOffScript;
      std::vector<std::size_t> fold;
      if (s.phase != kOffScript && s.phase < script.phases.size()) {
        std::vector<std::size_t> passed;
        std::optional<std::size_t> at = script.phases[s.phase].next;
        for (std::size_t guard = 0; at && *at < script.phases.size() && guard <= script.phases.size(); ++guard) {
          if (script.phases[*at].state == state) {
            target = *at;
            fold = passed;
            break;
          }
          passed.push_back(*at);
          at = script.phases[*at].next;
        }
      }
      if (target == kOffScript) {
        for (std::size_t i = 0; i < script.phases.size(); ++i) {
          if (script.phases[i].state == state) {
            target = i;
            break;
          }
        }
      }
      m.enter(record, target, state, now, force ? Reason::forced : Reason::admin, "transition", fold);
      m.settle_time(record, now);
      result.outcome = AdminResult::Outcome::applied;
    }
  });
}

std::optional<RunSnapshot> Engine::patch(const std::string& id, const json& patch) {
  Impl& m = *impl_;
  auto record = m.find(id, std::nullopt);
  if (!record) return std::nullopt;
  RunSnapshot run;
  {
    std::lock_guard lock(record->mutex);
    if (record->gone) return std::nullopt;
    m.settle_time(*record, m.clock->now());
    auto next = std::make_shared<RunState>(*record->state);
    next->fields.merge_patch(patch);
    ++next->version;
    record->state = std::move(next);
    m.update_due(*record);
    run = Impl::snapshot(*record);
  }
  m.notify(run.sequence());
  return run;
}

bool Engine::remove(const std::string& id) {
  Impl& m = *impl_;
  std::unique_lock index(m.index_mutex);
  auto record = m.find(id, std::nullopt);
  if (!record) return false;
  m.drop(record);
  index.unlock();
  m.notify(record->info->sequence);
  return true;
}

ListResult Engine::list(const ListQuery& query) {
  Impl& m = *impl_;
  ListResult result;
  const bool descending = query.newest_first;
  std::optional<std::uint64_t> after;
  if (!query.cursor.empty()) {
    const char expected = descending ? 'n' : 'o';
    bool ok = query.cursor.size() > 1 && query.cursor[0] == expected;
    std::uint64_t value = 0;
    for (std::size_t i = 1; ok && i < query.cursor.size(); ++i) {
      char c = query.cursor[i];
      if (c < '0' || c > '9' || value > (UINT64_MAX - 9) / 10) ok = false;
      value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (!ok) {
      result.bad_cursor = true;
      return result;
    }
    after = value;
  }
  std::vector<std::uint64_t> changed;
  {
    std::shared_lock index(m.index_mutex);
    auto owner = m.by_owner.find(owner_key(query.api, query.tenant));
    if (owner == m.by_owner.end()) return result;
    const auto& runs = owner->second;
    Instant now = m.clock->now();
    std::size_t matched = 0;
    bool page_full = false;
    auto visit = [&](std::uint64_t sequence, const std::shared_ptr<Record>& record) -> bool {
      bool past_cursor = !after || (descending ? sequence < *after : sequence > *after);
      if (page_full && !query.count_total) return false;
      if (!past_cursor && !query.count_total) return true;
      RunSnapshot run;
      {
        std::lock_guard lock(record->mutex);
        auto before = record->state;
        m.settle_time(*record, now);
        if (record->state != before) {
          m.update_due(*record);
          changed.push_back(sequence);
        }
        run = Impl::snapshot(*record);
      }
      if (!query.states.empty() && std::find(query.states.begin(), query.states.end(), run.state()) == query.states.end()) return true;
      if (query.filter && !query.filter(run)) return true;
      ++result.total;
      if (!past_cursor) return true;
      ++matched;
      if (!after && matched <= query.offset) return true;
      if (result.items.size() < query.limit) {
        result.items.push_back(std::move(run));
      } else if (!page_full) {
        page_full = true;
        result.next_cursor = std::string(1, descending ? 'n' : 'o') + std::to_string(result.items.empty() ? sequence : result.items.back().sequence());
      }
      return true;
    };
    if (descending) {
      auto it = after && !query.count_total ? std::make_reverse_iterator(runs.lower_bound(*after)) : runs.rbegin();
      for (; it != runs.rend(); ++it) {
        if (!visit(it->first, it->second)) break;
      }
    } else {
      auto it = after && !query.count_total ? runs.upper_bound(*after) : runs.begin();
      for (; it != runs.end(); ++it) {
        if (!visit(it->first, it->second)) break;
      }
    }
    if (!query.count_total) result.total = 0;
    if (query.limit == 0) result.next_cursor.clear();
  }
  for (auto sequence : changed) m.notify(sequence);
  return result;
}

std::vector<RunSnapshot> Engine::all(std::size_t limit) {
  Impl& m = *impl_;
  std::vector<RunSnapshot> out;
  std::shared_lock index(m.index_mutex);
  Instant now = m.clock->now();
  for (const auto& [sequence, record] : m.all) {
    if (out.size() >= limit) break;
    std::lock_guard lock(record->mutex);
    auto before = record->state;
    m.settle_time(*record, now);
    if (record->state != before) m.update_due(*record);
    out.push_back(Impl::snapshot(*record));
  }
  return out;
}

std::size_t Engine::size() const {
  std::shared_lock index(impl_->index_mutex);
  return impl_->all.size();
}

std::optional<RunSnapshot> Engine::wait_for_change(const std::string& id, std::uint64_t seen_version,
                                                   std::chrono::steady_clock::duration timeout, std::optional<Owner> owner) {
  Impl& m = *impl_;
  auto record = m.find(id, owner);
  if (!record) return std::nullopt;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  Impl::Slot& slot = m.slot_of(record->info->sequence);
  while (true) {
    std::uint64_t generation;
    {
      std::lock_guard lock(slot.mutex);
      generation = slot.generation;
    }
    RunSnapshot run;
    {
      std::lock_guard lock(record->mutex);
      if (record->gone) return std::nullopt;
      auto before = record->state;
      m.settle_time(*record, m.clock->now());
      if (record->state != before) m.update_due(*record);
      run = Impl::snapshot(*record);
    }
    auto now = std::chrono::steady_clock::now();
    if (run.version() > seen_version || now >= deadline) return run;
    auto wake = deadline;
    if (auto next = run.next_change_at()) {
      if (auto delay = m.clock->real_delay_until(*next)) wake = std::min(wake, now + *delay + std::chrono::milliseconds(1));
    }
    std::unique_lock lock(slot.mutex);
    slot.cv.wait_until(lock, wake, [&] { return slot.generation != generation; });
  }
}

Instant Engine::advance_clock(Duration by) {
  Instant now = impl_->clock->advance(by);
  impl_->notify_all();
  return now;
}

void Engine::reset() {
  Impl& m = *impl_;
  {
    std::unique_lock index(m.index_mutex);
    for (auto& [sequence, record] : m.all) {
      std::lock_guard lock(record->mutex);
      record->gone = true;
      record->due_key.reset();
    }
    for (auto& shard : m.shards) {
      std::lock_guard lock(shard.mutex);
      shard.runs.clear();
    }
    {
      std::lock_guard lock(m.due_mutex);
      m.due.clear();
    }
    m.all.clear();
    m.by_owner.clear();
    m.next_sequence = 0;
    m.ids.reset();
    m.clock->reset();
  }
  m.notify_all();
}

}  // namespace runmock::engine
