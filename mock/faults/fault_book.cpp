#include "faults/fault_book.h"

#include <algorithm>
#include <cctype>

namespace runmock::faults {

using nlohmann::json;

namespace {

std::string upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

// True when `segment` appears as a whole segment of `path`.
bool has_segment(std::string_view path, std::string_view segment) {
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    if (path.substr(start, end - start) == segment) return true;
    start = end + 1;
  }
  return false;
}

std::shared_ptr<const Fault> builtin(const json& value) { return std::make_shared<const Fault>(parse_fault(value)); }

}  // namespace

bool path_matches(std::string_view pattern, std::string_view path) {
  if (pattern.size() >= 3 && pattern.substr(pattern.size() - 3) == "/**") {
    std::string_view prefix = pattern.substr(0, pattern.size() - 3);
    if (path_matches(prefix, path)) return true;
    for (std::size_t slash = path.find('/', 1); slash != std::string_view::npos; slash = path.find('/', slash + 1)) {
      if (path_matches(prefix, path.substr(0, slash))) return true;
    }
    return false;
  }
  // Glob where '*' never crosses a '/': iterative with one backtrack point per segment.
  std::size_t p = 0, s = 0, star = std::string_view::npos, resume = 0;
  while (s < path.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = s;
    } else if (p < pattern.size() && pattern[p] == path[s]) {
      ++p;
      ++s;
    } else if (star != std::string_view::npos && path[resume] != '/') {
      p = star + 1;
      s = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool matches(const Match& match, const RequestInfo& request) {
  if (!match.api.empty() && match.api != request.api) return false;
  if (!match.method.empty() && match.method != request.method) return false;
  if (!match.path.empty() && !path_matches(match.path, request.path)) return false;
  if (!match.run.empty() && !has_segment(request.path, match.run)) return false;
  return true;
}

Rule parse_rule(const json& value) {
  if (!value.is_object()) throw FaultError("", "a fault rule is an object {match, fault, times}, got " + std::string(value.type_name()));
  for (const auto& [key, member] : value.items()) {
    if (key != "match" && key != "fault" && key != "times") {
      throw FaultError("/" + key, "unknown key '" + key + "' (a fault rule takes match, fault, times)");
    }
  }
  if (!value.contains("fault")) throw FaultError("", "a fault rule needs 'fault': what to do to the matching requests");
  Rule rule;
  try {
    rule.fault = std::make_shared<const Fault>(parse_fault(value["fault"]));
  } catch (const FaultError& e) {
    throw FaultError("/fault" + e.pointer, e.what());
  }
  if (value.contains("match")) {
    const json& m = value["match"];
    if (!m.is_object()) throw FaultError("/match", "'match' must be an object {method, path, run, api}");
    for (const auto& [key, member] : m.items()) {
      if (!member.is_string()) throw FaultError("/match/" + key, "'" + key + "' must be a string");
      if (key == "method") rule.match.method = upper(member.get<std::string>());
      else if (key == "path") rule.match.path = member.get<std::string>();
      else if (key == "run") rule.match.run = member.get<std::string>();
      else if (key == "api") rule.match.api = member.get<std::string>();
      else throw FaultError("/match/" + key, "unknown key '" + key + "' (match takes method, path, run, api)");
    }
    if (!rule.match.path.empty() && rule.match.path.front() != '/') throw FaultError("/match/path", "'path' must start with '/'");
  }
  if (value.contains("times")) {
    const json& t = value["times"];
    bool positive = t.is_number_unsigned() ? t.get<std::uint64_t>() > 0 : t.is_number_integer() && t.get<std::int64_t>() > 0;
    if (!positive) throw FaultError("/times", "'times' must be a whole number of requests, 1 or more");
    rule.remaining = t.get<std::uint64_t>();
  }
  return rule;
}

json to_json(const Rule& rule) {
  json match = json::object();
  if (!rule.match.method.empty()) match["method"] = rule.match.method;
  if (!rule.match.path.empty()) match["path"] = rule.match.path;
  if (!rule.match.run.empty()) match["run"] = rule.match.run;
  if (!rule.match.api.empty()) match["api"] = rule.match.api;
  return {{"id", rule.id},
          {"match", std::move(match)},
          {"fault", to_json(*rule.fault)},
          {"remaining", rule.remaining ? json(*rule.remaining) : json(nullptr)},
          {"hits", rule.hits}};
}

const std::map<std::string, std::shared_ptr<const Fault>, std::less<>>& builtin_faults() {
  static const std::map<std::string, std::shared_ptr<const Fault>, std::less<>> faults = {
      {"slow", builtin({{"kind", "delay"}, {"delay_ms", 1000}})},
      {"unavailable", builtin({{"kind", "status"}, {"status", 503}, {"retry_after", 1}})},
      {"rate-limited", builtin({{"kind", "status"}, {"status", 429}, {"retry_after", 1}})},
      {"server-error", builtin({{"kind", "status"}, {"status", 500}})},
      {"reset", builtin({{"kind", "reset"}})},
      {"empty", builtin({{"kind", "empty"}})},
      {"truncate", builtin({{"kind", "truncate"}})},
      {"malformed", builtin({{"kind", "malformed"}})},
      {"drip", builtin({{"kind", "drip"}})},
  };
  return faults;
}

Rule FaultBook::add(Rule rule) {
  std::lock_guard lock(mutex_);
  rule.id = next_id_++;
  rule.hits = 0;
  rules_.push_back(rule);
  has_rules_ = true;
  return rule;
}

void FaultBook::define(const std::string& name, Fault fault) {
  std::lock_guard lock(mutex_);
  named_[name] = std::make_shared<const Fault>(std::move(fault));
}

std::shared_ptr<const Fault> FaultBook::take(const RequestInfo& request) {
  if (!has_rules_.load(std::memory_order_acquire)) return nullptr;
  std::lock_guard lock(mutex_);
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if (!matches(it->match, request)) continue;
    auto fault = it->fault;
    ++it->hits;
    if (it->remaining && --*it->remaining == 0) rules_.erase(it);
    has_rules_ = !rules_.empty();
    return fault;
  }
  return nullptr;
}

std::shared_ptr<const Fault> FaultBook::named(std::string_view name) const {
  {
    std::lock_guard lock(mutex_);
    if (auto it = named_.find(name); it != named_.end()) return it->second;
  }
  const auto& builtins = builtin_faults();
  auto it = builtins.find(name);
  return it == builtins.end() ? nullptr : it->second;
}

std::vector<std::string> FaultBook::names() const {
  std::vector<std::string> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, fault] : named_) out.push_back(name);
  }
  for (const auto& [name, fault] : builtin_faults()) {
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

bool FaultBook::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(rules_.begin(), rules_.end(), [id](const Rule& r) { return r.id == id; });
  if (it == rules_.end()) return false;
  rules_.erase(it);
  has_rules_ = !rules_.empty();
  return true;
}

std::size_t FaultBook::clear() {
  std::lock_guard lock(mutex_);
  std::size_t rules = rules_.size();
  rules_.clear();
  named_.clear();
  has_rules_ = false;
  return rules;
}

json FaultBook::to_json() const {
  std::lock_guard lock(mutex_);
  json rules = json::array();
  for (const auto& rule : rules_) rules.push_back(faults::to_json(rule));
  json named = json::object();
  for (const auto& [name, fault] : builtin_faults()) {
    named[name] = faults::to_json(*fault);
    named[name]["builtin"] = true;
  }
  for (const auto& [name, fault] : named_) named[name] = faults::to_json(*fault);
  return {{"rules", std::move(rules)}, {"named", std::move(named)}};
}

}  // namespace runmock::faults
