#include "http/journal.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace runmock::http {

using nlohmann::json;

json to_json(const Violation& v) {
  return {{"in", v.in}, {"instance_location", v.instance_location}, {"schema_location", v.schema_location}, {"message", v.message}};
}

namespace {

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
          {"run", text_or_null(e.run)},
          {"scenario", text_or_null(e.scenario)},
          {"verdict", e.verdict},
          {"message", text_or_null(e.message)},
          {"fault", text_or_null(e.fault)},
          {"request_errors", violations_json(e.request_errors)},
          {"response_errors", violations_json(e.response_errors)}};
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

Journal::Journal(std::size_t capacity, Clock clock) : capacity_(capacity), clock_(clock ? std::move(clock) : Clock(utc_now_iso8601)) {}

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
  std::lock_guard lock(mutex_);
  entry.sequence = next_sequence_++;
  ++recorded_;
  ++verdicts_[entry.verdict];
  if (capacity_ == 0) {
    ++dropped_;
    return entry.sequence;
  }
  if (ring_.size() == capacity_) {
    ring_.pop_front();
    ++dropped_;
  }
  ring_.push_back(std::move(entry));
  return ring_.back().sequence;
}

std::vector<JournalEntry> Journal::entries(const JournalFilter& filter) const {
  auto matches = [&](const JournalEntry& e) {
    return e.sequence > filter.after && (filter.run.empty() || e.run == filter.run) && (filter.api.empty() || e.api == filter.api) &&
           (filter.verdict.empty() || e.verdict == filter.verdict);
  };
  std::vector<JournalEntry> out;
  std::lock_guard lock(mutex_);
  if (filter.limit == 0) {
    for (const auto& e : ring_) {
      if (matches(e)) out.push_back(e);
    }
    return out;
  }
  // The last `limit` matches: walk back from the newest.
  for (auto it = ring_.rbegin(); it != ring_.rend() && out.size() < filter.limit; ++it) {
    if (matches(*it)) out.push_back(*it);
  }
  return {out.rbegin(), out.rend()};
}

void Journal::clear() {
  std::lock_guard lock(mutex_);
  ring_.clear();
  recorded_ = 0;
  dropped_ = 0;
  verdicts_.clear();
}

Journal::Stats Journal::stats() const {
  std::lock_guard lock(mutex_);
  return {ring_.size(), capacity_, recorded_, dropped_, verdicts_};
}

json Journal::to_json(const JournalFilter& filter) const {
  json entries_json = json::array();
  for (const auto& e : entries(filter)) entries_json.push_back(http::to_json(e));
  Stats s = stats();
  return {{"entries", std::move(entries_json)}, {"size", s.size},         {"capacity", s.capacity},
          {"recorded", s.recorded},             {"dropped", s.dropped}, {"verdicts", s.verdicts}};
}

}  // namespace runmock::http
