// The faults set at runtime: per-request rules (POST /__runmock/faults {match, fault, times}) and
// named faults a request asks for with `Prefer: fault=<name>` (the built-in catalogue below, plus
// any the admin API names). Thread-safe; the HTTP layer asks it once per request.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "faults/fault.h"

namespace runmock::faults {

// What a rule applies to; an empty field matches anything. `path` is exact, or a pattern where
// `*` stands for one path segment (or part of one) and a trailing `**` for the rest of the path.
// `run` matches a request whose path has the run id as one of its segments.
struct Match {
  std::string method;  // upper case
  std::string path;
  std::string run;
  std::string api;
};

// The request a rule is matched against.
struct RequestInfo {
  std::string_view api;
  std::string_view method;
  std::string_view path;
};

struct Rule {
  std::uint64_t id = 0;
  Match match;
  std::shared_ptr<const Fault> fault;
  std::optional<std::uint64_t> remaining;  // requests it still hits; nullopt: every request
  std::uint64_t hits = 0;
};

bool matches(const Match& match, const RequestInfo& request);
// Path pattern matching as Match describes it.
bool path_matches(std::string_view pattern, std::string_view path);

// Reads {match: {method, path, run, api}, fault: {...}, times: N} (match and times optional).
// Throws FaultError with the pointer of the problem ("/match/method", "/fault/status" ...).
Rule parse_rule(const nlohmann::json& value);
nlohmann::json to_json(const Rule& rule);

// The built-in named faults: slow (delay 1000 ms), unavailable (503, Retry-After 1), rate-limited
// (429, Retry-After 1), server-error (500), reset, empty, truncate, malformed, drip.
const std::map<std::string, std::shared_ptr<const Fault>, std::less<>>& builtin_faults();

class FaultBook {
 public:
  // Adds a rule (its id assigned here) and returns it. Rules are tried in the order added.
  Rule add(Rule rule);
  // Names a fault for `Prefer: fault=<name>`; a built-in name is overridden.
  void define(const std::string& name, Fault fault);

  // The fault of the first rule matching the request that still has hits left (counting the hit;
  // a rule whose hits run out is removed). Null when none matches.
  std::shared_ptr<const Fault> take(const RequestInfo& request);
  // A named fault: one the admin API defined, else a built-in one. Null when unknown.
  std::shared_ptr<const Fault> named(std::string_view name) const;
  std::vector<std::string> names() const;

  bool remove(std::uint64_t id);
  // Forgets every rule and every defined name (built-ins stay); returns how many rules there were.
  std::size_t clear();

  // {"rules": [...], "named": {name: fault}} (built-ins included, each with "builtin": true)
  nlohmann::json to_json() const;

 private:
  mutable std::mutex mutex_;
  std::vector<Rule> rules_;
  std::map<std::string, std::shared_ptr<const Fault>, std::less<>> named_;
  std::uint64_t next_id_ = 1;
  // Lets take() skip the lock when there are no rules (the common case: every request asks).
  std::atomic<bool> has_rules_{false};
};

}  // namespace runmock::faults
