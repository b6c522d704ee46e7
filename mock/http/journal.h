// The request journal: a bounded, thread-safe ring of what each exchange was and whether it kept
// the contract. The admin API serves it (GET/DELETE /__runmock/journal); CI reads it to learn
// whether every request its app sent was valid.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/time.h"

namespace runmock::http {

// Verdicts the layer itself gives (a dialect may set others, e.g. "unauthorized").
namespace verdict {
inline constexpr const char* valid = "valid";      // request and response kept the contract
inline constexpr const char* invalid = "invalid";  // the request or the response broke it, or the request was unreadable
inline constexpr const char* error = "error";      // runmock itself failed (a handler threw)
inline constexpr const char* fault = "fault";      // a fault answered on purpose (the request kept the contract)
inline constexpr const char* refused = "refused";  // runmock was overloaded or stopping: a 503 before any handler ran
}  // namespace verdict

// One way a request or response breaks its contract.
struct Violation {
  std::string in;                 // "body", "path", "query", "header", "route", "status" ...
  std::string instance_location;  // JSON Pointer into the body, or "/<name>" for a parameter
  std::string schema_location;    // absolute keyword location, empty when no schema is involved
  std::string message;
};
nlohmann::json to_json(const Violation& violation);

// What one exchange may cost. A client chooses most of an entry: its path, its query, and through
// its body how many violations there are and how long their messages and locations get (a 507 KB
// body with 40,000 unknown properties once made 40,000 violations, a 4.6 MB 422 answer and an
// 8.8 MB journal entry). So a journal entry, and a 422 answer, keep the first kMaxListedViolations
// of each side (the rest are counted), and every text in them keeps at most kMaxTextBytes.
inline constexpr std::size_t kMaxListedViolations = 50;
inline constexpr std::size_t kMaxTextBytes = 2048;

// `text` cut to kMaxTextBytes (at a UTF-8 character boundary) followed by "...[N more bytes]";
// unchanged when it is short enough.
void cap_text(std::string& text);
// Caps each text of the violation (cap_text).
void cap_texts(Violation& violation);

struct JournalEntry {
  std::uint64_t sequence = 0;  // set by Journal::record: 1, 2, 3 ... never reused, not even after clear()
  std::string time;            // ISO 8601; Journal::record fills it from its clock when empty
  std::string request_id;
  std::string method;
  std::string path;
  std::string query;  // raw, without '?'
  int status = 0;
  double duration_ms = 0;
  std::string api;  // the dialect ("emergence", ...), "admin", or empty outside every dialect
  std::string operation;  // the contract operation ("createWorkflowRun"), else the route template; empty when no route matched
  std::string run;
  std::string scenario;
  std::string verdict;
  std::string message;  // why the request was refused or the response replaced; empty otherwise
  std::string fault;    // the fault carried out (faults::describe), empty for none
  std::vector<Violation> request_errors;
  std::vector<Violation> response_errors;
  // Set by Journal::record: the violations beyond the first kMaxListedViolations of each side,
  // counted in the tally (Journal::violations) but not kept in the entry.
  std::uint64_t request_errors_omitted = 0;
  std::uint64_t response_errors_omitted = 0;
};
nlohmann::json to_json(const JournalEntry& entry);
// An estimate of the memory an entry holds: its own size, the heap blocks of its texts (by their
// capacity) and of its violation lists. Allocator overhead is not counted.
std::size_t estimated_bytes(const JournalEntry& entry);

// GET /__runmock/journal?run=&api=&verdict=&after=&since=&limit=
struct JournalFilter {
  std::string run;
  std::string api;
  std::string verdict;
  std::uint64_t after = 0;              // only entries with a greater sequence
  std::optional<engine::Instant> since;  // only entries at or after this instant (by the journal's clock)
  std::size_t limit = 0;    // the last `limit` matching entries; 0 is all
};

// The current time as ISO 8601 UTC with milliseconds, from the system clock.
std::string utc_now_iso8601();

// One group of GET /__runmock/violations: the same violation (api, operation, side, where, message)
// seen `count` times.
struct ViolationGroup {
  std::string api;
  std::string operation;
  std::string side;  // "request" or "response"
  Violation violation;
  std::uint64_t count = 0;
  std::string first_time;
  std::string last_time;
  std::vector<std::string> request_ids;  // the first kMaxRequestIds
  std::string first_method;              // of the first exchange, for summaries
  std::string first_path;
  static constexpr std::size_t kMaxRequestIds = 20;
};
nlohmann::json to_json(const ViolationGroup& group);

struct ViolationTally {
  std::uint64_t invalid_exchanges = 0;  // exchanges with verdict "invalid"
  std::uint64_t violations = 0;         // violations in them (an exchange may have several)
  std::vector<ViolationGroup> groups;   // most frequent first, then first seen first
  // Violations counted but in no group: the groups are bounded (kMaxGroups), so a client sending
  // endlessly different bad values cannot grow the tally without limit.
  std::uint64_t ungrouped = 0;
  static constexpr std::size_t kMaxGroups = 1000;
};
// {"invalid_exchanges", "violations", "ungrouped", "groups": [...]}
nlohmann::json to_json(const ViolationTally& tally);
// The tally for a person (the --fail-on-violations summary): a headline, then one line per group
// (at most `max_groups`) with its first request id, method, path and message.
std::string describe(const ViolationTally& tally, std::size_t max_groups = 10);

class Journal {
 public:
  using Clock = std::function<std::string()>;  // returns ISO 8601

  static constexpr std::size_t kDefaultCapacity = 10000;
  // 32 MiB: an ordinary entry costs about 1 KB (estimated_bytes), so 10,000 of them fit in a third
  // of it and the entry count stays the limit in normal use; a flood of entries each near the
  // per-entry caps (up to some 850 KB: 100 violations of four 2 KiB texts) is stopped after a few
  // dozen instead of growing to gigabytes.
  static constexpr std::size_t kDefaultMaxBytes = std::size_t{32} << 20;

  // The ring keeps at most `capacity` entries and at most `max_bytes` of them (estimated_bytes);
  // the oldest are dropped first, and an entry larger than max_bytes on its own is dropped at
  // once. 0 for either keeps nothing (every entry counts as dropped). A null clock is
  // utc_now_iso8601.
  explicit Journal(std::size_t capacity = kDefaultCapacity, std::size_t max_bytes = kDefaultMaxBytes, Clock clock = nullptr);
  // The default byte budget.
  Journal(std::size_t capacity, Clock clock);

  // Plugs in another clock (the engine's, so a manual clock shows in the journal).
  void set_clock(Clock clock);
  // The clock's current time.
  std::string now() const;

  // Tallies the entry, caps it (kMaxListedViolations, kMaxTextBytes), stores it (dropping the
  // oldest while the ring is over its capacity or its byte budget) and returns its sequence number.
  std::uint64_t record(JournalEntry entry);

  // Matching entries, oldest first.
  std::vector<JournalEntry> entries(const JournalFilter& filter = {}) const;

  // Forgets the entries and the counts; sequence numbers keep growing.
  void clear();

  struct Stats {
    std::size_t size = 0;
    std::size_t capacity = 0;
    std::uint64_t recorded = 0;  // since start or the last clear(), dropped ones included
    std::uint64_t dropped = 0;   // pushed out of the ring
    std::map<std::string, std::uint64_t> verdicts;  // per verdict, dropped ones included
    std::size_t bytes = 0;      // estimated_bytes of the entries kept
    std::size_t max_bytes = 0;  // the byte budget
  };
  Stats stats() const;

  // {"entries": [...], "size", "capacity", "bytes", "max_bytes", "recorded", "dropped", "verdicts": {...}}
  nlohmann::json to_json(const JournalFilter& filter = {}) const;

  // Every "invalid" exchange since start (or clear_violations()), grouped: kept apart from the
  // ring, so neither dropped entries nor clear() (DELETE /__runmock/journal, reset) hide one.
  ViolationTally violations() const;
  // Forgets the tally; returns how many invalid exchanges it held.
  std::uint64_t clear_violations();

 private:
  mutable std::mutex mutex_;
  std::size_t capacity_;
  std::size_t max_bytes_;
  Clock clock_;
  std::deque<std::pair<JournalEntry, std::size_t>> ring_;  // (entry, its estimated_bytes)
  std::size_t bytes_ = 0;
  std::uint64_t next_sequence_ = 1;
  std::uint64_t recorded_ = 0;
  std::uint64_t dropped_ = 0;
  std::map<std::string, std::uint64_t> verdicts_;
  std::uint64_t invalid_exchanges_ = 0;
  std::uint64_t violation_count_ = 0;
  std::uint64_t next_group_order_ = 0;
  std::uint64_t ungrouped_ = 0;
  // By key: (first seen order, group). Hashed: a flood of violations looks each one up, and the
  // keys share long prefixes (api, operation, side) that make ordered comparisons slow.
  std::unordered_map<std::string, std::pair<std::uint64_t, ViolationGroup>> groups_;
  // Counts the exchange and its violations: all of them, not only those the entry keeps.
  void tally(const JournalEntry& entry, const std::vector<Violation>& request_errors, const std::vector<Violation>& response_errors);
  void tally_side(const JournalEntry& entry, const std::string& side, const std::vector<Violation>& violations);
  void store(JournalEntry entry, std::size_t bytes);
};

}  // namespace runmock::http
