#include "http/journal.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <utility>

namespace runmock::http {

using nlohmann::json;

json to_json(const Violation& v) {
  return {{"in", v.in}, {"instance_location", v.instance_location}, {"schema_location", v.schema_location}, {"message", v.message}};
}

void cap_text(std::string& text) {
  if (text.size() <= kMaxTextBytes) return;
  std::size_t cut = kMaxTextBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;  // not inside a character
  std::string marker = "...[" + std::to_string(text.size() - cut) + " more bytes]";
  text.resize(cut);
  text += marker;
  text.shrink_to_fit();  // the cut is to save memory: give the rest back
}

void cap_texts(Violation& v) {
  for (std::string* text : {&v.in, &v.instance_location, &v.schema_location, &v.message}) cap_text(*text);
}

namespace {

// The texts of an entry (not those of its violations), for capping and for measuring.
template <class Entry, class Visit>
void for_each_text(Entry& e, Visit visit) {
  for (auto* text : {&e.time, &e.request_id, &e.method, &e.path, &e.query, &e.api, &e.operation, &e.run, &e.scenario, &e.verdict, &e.message,
                     &e.fault}) {
    visit(*text);
  }
}

std::size_t heap_bytes(const std::string& text) {
  static const std::size_t inline_capacity = std::string().capacity();  // held inside the object itself
  return text.capacity() > inline_capacity ? text.capacity() + 1 : 0;
}

std::size_t heap_bytes(const std::vector<Violation>& violations) {
  std::size_t bytes = violations.capacity() * sizeof(Violation);
  for (const auto& v : violations) bytes += heap_bytes(v.in) + heap_bytes(v.instance_location) + heap_bytes(v.schema_location) + heap_bytes(v.message);
  return bytes;
}

// A new group, for the first violation of its kind (counted by the caller).
ViolationGroup first_group(const JournalEntry& entry, const std::string& side, const Violation& v) {
  ViolationGroup group;
  group.api = entry.api;
  group.operation = entry.operation;
  group.side = side;
  group.violation = v;
  group.first_time = entry.time;
  group.first_method = entry.method;
  group.first_path = entry.path;
  return group;
}

// Caps the texts of the violations, leaves the first kMaxListedViolations of them in
// `violations` and returns them all (for the tally).
std::vector<Violation> keep_first(std::vector<Violation>& violations) {
  for (auto& v : violations) cap_texts(v);
  if (violations.size() <= kMaxListedViolations) return violations;
  std::vector<Violation> all = std::exchange(violations, {});
  violations.assign(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(kMaxListedViolations));  // a vector of just that size
  return all;
}

json violations_json(const std::vector<Violation>& violations) {
  json out = json::array();
  for (const auto& v : violations) out.push_back(to_json(v));
  return out;
}

json text_or_null(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

}  // namespace

json to_json(const JournalEntry& e) {
  return {{"sequence", e.sequence},
          {"time", e.time},
          {"request_id", e.request_id},
          {"method", e.method},
          {"path", e.path},
          {"query", e.query},
          {"status", e.status},
          {"duration_ms", std::round(e.duration_ms * 1000.0) / 1000.0},
          {"api", text_or_null(e.api)},
          {"operation", text_or_null(e.operation)},
          {"run", text_or_null(e.run)},
          {"scenario", text_or_null(e.scenario)},
          {"verdict", e.verdict},
          {"message", text_or_null(e.message)},
          {"fault", text_or_null(e.fault)},
          {"request_errors", violations_json(e.request_errors)},
          {"request_errors_omitted", e.request_errors_omitted},
          {"response_errors", violations_json(e.response_errors)},
          {"response_errors_omitted", e.response_errors_omitted}};
}

std::size_t estimated_bytes(const JournalEntry& e) {
  std::size_t bytes = sizeof(JournalEntry) + heap_bytes(e.request_errors) + heap_bytes(e.response_errors);
  for_each_text(e, [&](const std::string& text) { bytes += heap_bytes(text); });
  return bytes;
}

json to_json(const ViolationGroup& g) {
  return {{"api", text_or_null(g.api)},
          {"operation", text_or_null(g.operation)},
          {"side", g.side},
          {"in", g.violation.in},
          {"instance_location", g.violation.instance_location},
          {"schema_location", g.violation.schema_location},
          {"message", g.violation.message},
          {"count", g.count},
          {"first_time", g.first_time},
          {"last_time", g.last_time},
          {"request_ids", g.request_ids}};
}

json to_json(const ViolationTally& tally) {
  json groups = json::array();
  for (const auto& g : tally.groups) groups.push_back(to_json(g));
  return {{"invalid_exchanges", tally.invalid_exchanges}, {"violations", tally.violations}, {"ungrouped", tally.ungrouped}, {"groups", std::move(groups)}};
}

std::string describe(const ViolationTally& tally, std::size_t max_groups) {
  std::string out = std::to_string(tally.invalid_exchanges) + (tally.invalid_exchanges == 1 ? " exchange" : " exchanges") +
                    " broke the contract (" + std::to_string(tally.violations) + " violations in " + std::to_string(tally.groups.size()) +
                    (tally.groups.size() == 1 ? " group" : " groups") + ")\n";
  for (std::size_t i = 0; i < tally.groups.size() && i < max_groups; ++i) {
    const ViolationGroup& g = tally.groups[i];
    std::string where = g.violation.in + (g.violation.instance_location.empty() ? "" : " " + g.violation.instance_location);
    out += "  " + std::to_string(g.count) + "x " + (g.api.empty() ? "-" : g.api) + " " + (g.operation.empty() ? "-" : g.operation) + " " +
           g.side + " " + where + ": " + g.violation.message + " (first: " + (g.request_ids.empty() ? "-" : g.request_ids.front()) + " " +
           g.first_method + " " + g.first_path + ")\n";
  }
  if (tally.ungrouped > 0) out += "  " + std::to_string(tally.ungrouped) + " more violations in no group (over " + std::to_string(ViolationTally::kMaxGroups) + " groups)\n";
  if (tally.groups.size() > max_groups) {
    out += "  ... and " + std::to_string(tally.groups.size() - max_groups) + " more groups (GET /__runmock/violations lists them all)\n";
  }
  return out;
}

std::string utc_now_iso8601() {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buffer[40];
  std::size_t n = std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buffer + n, sizeof buffer - n, ".%03dZ", static_cast<int>(ms));
  return buffer;
}

Journal::Journal(std::size_t capacity, std::size_t max_bytes, Clock clock)
    : capacity_(capacity), max_bytes_(max_bytes), clock_(clock ? std::move(clock) : Clock(utc_now_iso8601)) {}

Journal::Journal(std::size_t capacity, Clock clock) : Journal(capacity, kDefaultMaxBytes, std::move(clock)) {}

void Journal::set_clock(Clock clock) {
  std::lock_guard lock(mutex_);
  clock_ = clock ? std::move(clock) : Clock(utc_now_iso8601);
}

std::string Journal::now() const {
  Clock clock;
  {
    std::lock_guard lock(mutex_);
    clock = clock_;
  }
  return clock();  // outside the lock: the engine's clock may take its own
}

std::uint64_t Journal::record(JournalEntry entry) {
  if (entry.time.empty()) entry.time = now();
  // Capped before the lock is taken; all the violations are tallied, and those cut off freed after it.
  for_each_text(entry, cap_text);
  std::vector<Violation> request_errors = keep_first(entry.request_errors);
  std::vector<Violation> response_errors = keep_first(entry.response_errors);
  entry.request_errors_omitted = request_errors.size() - entry.request_errors.size();
  entry.response_errors_omitted = response_errors.size() - entry.response_errors.size();
  std::size_t bytes = estimated_bytes(entry);
  std::lock_guard lock(mutex_);
  entry.sequence = next_sequence_++;
  ++recorded_;
  ++verdicts_[entry.verdict];
  if (entry.verdict == verdict::invalid) tally(entry, request_errors, response_errors);
  std::uint64_t sequence = entry.sequence;
  store(std::move(entry), bytes);
  return sequence;
}

void Journal::store(JournalEntry entry, std::size_t bytes) {
  ring_.emplace_back(std::move(entry), bytes);
  bytes_ += bytes;
  while (!ring_.empty() && (ring_.size() > capacity_ || bytes_ > max_bytes_)) {
    bytes_ -= ring_.front().second;
    ring_.pop_front();
    ++dropped_;
  }
}

void Journal::tally(const JournalEntry& entry, const std::vector<Violation>& request_errors, const std::vector<Violation>& response_errors) {
  ++invalid_exchanges_;
  tally_side(entry, "request", request_errors);
  tally_side(entry, "response", response_errors);
  // An exchange judged invalid with no itemized violation still counts, under its message.
  if (request_errors.empty() && response_errors.empty()) tally_side(entry, "request", {{"request", "", "", entry.message}});
}

void Journal::tally_side(const JournalEntry& entry, const std::string& side, const std::vector<Violation>& violations) {
  const std::string prefix = entry.api + '\n' + entry.operation + '\n' + side + '\n';
  std::string key;  // one buffer for every violation: a flood of them makes this the journal's hottest loop
  for (const auto& v : violations) {
    ++violation_count_;
    key.assign(prefix).append(v.in).append(1, '\n').append(v.instance_location).append(1, '\n').append(v.message);
    auto it = groups_.find(key);
    if (it == groups_.end()) {
      if (groups_.size() >= ViolationTally::kMaxGroups) {
        ++ungrouped_;
        continue;
      }
      it = groups_.emplace(key, std::pair(next_group_order_++, first_group(entry, side, v))).first;
    }
    ViolationGroup& group = it->second.second;
    ++group.count;
    group.last_time = entry.time;
    if (group.request_ids.size() < ViolationGroup::kMaxRequestIds) group.request_ids.push_back(entry.request_id);
  }
}

ViolationTally Journal::violations() const {
  ViolationTally out;
  std::vector<std::pair<std::uint64_t, ViolationGroup>> ordered;
  {
    std::lock_guard lock(mutex_);
    out.invalid_exchanges = invalid_exchanges_;
    out.violations = violation_count_;
    out.ungrouped = ungrouped_;
    for (const auto& [key, value] : groups_) ordered.push_back(value);
  }
  std::sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) {
    return a.second.count != b.second.count ? a.second.count > b.second.count : a.first < b.first;
  });
  for (auto& [order, group] : ordered) out.groups.push_back(std::move(group));
  return out;
}

std::uint64_t Journal::clear_violations() {
  std::lock_guard lock(mutex_);
  std::uint64_t cleared = invalid_exchanges_;
  invalid_exchanges_ = 0;
  violation_count_ = 0;
  ungrouped_ = 0;
  groups_.clear();
  return cleared;
}

std::vector<JournalEntry> Journal::entries(const JournalFilter& filter) const {
  auto matches = [&](const JournalEntry& e) {
    if (filter.since) {
      auto at = engine::parse_timestamp(e.time);
      if (!at || *at < *filter.since) return false;
    }
    return e.sequence > filter.after && (filter.run.empty() || e.run == filter.run) && (filter.api.empty() || e.api == filter.api) &&
           (filter.verdict.empty() || e.verdict == filter.verdict);
  };
  std::vector<JournalEntry> out;
  std::lock_guard lock(mutex_);
  if (filter.limit == 0) {
    for (const auto& [e, bytes] : ring_) {
      if (matches(e)) out.push_back(e);
    }
    return out;
  }
  // The last `limit` matches: walk back from the newest.
  for (auto it = ring_.rbegin(); it != ring_.rend() && out.size() < filter.limit; ++it) {
    if (matches(it->first)) out.push_back(it->first);
  }
  return {out.rbegin(), out.rend()};
}

void Journal::clear() {
  std::lock_guard lock(mutex_);
  ring_.clear();
  bytes_ = 0;
  recorded_ = 0;
  dropped_ = 0;
  verdicts_.clear();
}

Journal::Stats Journal::stats() const {
  std::lock_guard lock(mutex_);
  return {ring_.size(), capacity_, recorded_, dropped_, verdicts_, bytes_, max_bytes_};
}

json Journal::to_json(const JournalFilter& filter) const {
  json entries_json = json::array();
  for (const auto& e : entries(filter)) entries_json.push_back(http::to_json(e));
  Stats s = stats();
  return {{"entries", std::move(entries_json)},
          {"size", s.size},
          {"capacity", s.capacity},
          {"bytes", s.bytes},
          {"max_bytes", s.max_bytes},
          {"recorded", s.recorded},
          {"dropped", s.dropped},
          {"verdicts", s.verdicts}};
}

}  // namespace runmock::http
