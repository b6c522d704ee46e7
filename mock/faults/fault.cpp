#include "faults/fault.h"

#include <array>
#include <set>
#include <utility>

namespace runmock::faults {

using nlohmann::json;

namespace {

constexpr std::array<std::pair<Kind, std::string_view>, 8> kKinds{{
    {Kind::delay, "delay"},
    {Kind::status, "status"},
    {Kind::reset, "reset"},
    {Kind::empty, "empty"},
    {Kind::truncate, "truncate"},
    {Kind::malformed, "malformed"},
    {Kind::drip, "drip"},
    {Kind::corrupt, "corrupt"},
}};

// The keys each kind takes beyond `kind`, `delay_ms` and `delay_max_ms`.
std::set<std::string> keys_of(Kind kind) {
  switch (kind) {
    case Kind::status:
      return {"status", "code", "message", "retry_after"};
    case Kind::truncate:
      return {"bytes"};
    case Kind::drip:
      return {"bytes", "interval_ms"};
    case Kind::corrupt:
      return {"merge"};
    default:
      return {};
  }
}

std::int64_t whole_number(const json& value, const std::string& key, std::int64_t min, std::int64_t max) {
  if (!value.is_number_integer() && !value.is_number_unsigned()) {
    throw FaultError("/" + key, "'" + key + "' must be a whole number, got " + std::string(value.type_name()));
  }
  // Unsigned values above int64's range compare as out of range below.
  std::int64_t n = value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max) ? max + 1 : value.get<std::int64_t>();
  if (n < min || n > max) throw FaultError("/" + key, "'" + key + "' must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " + value.dump());
  return n;
}

std::string text(const json& value, const std::string& key) {
  if (!value.is_string()) throw FaultError("/" + key, "'" + key + "' must be a string, got " + std::string(value.type_name()));
  return value.get<std::string>();
}

// An hour: a fault is for reproducing trouble, not for holding a worker forever.
constexpr std::int64_t kMaxMilliseconds = 3600 * 1000;
// A run detail of ~2 KB drips out in about 3 s at the default interval.
constexpr std::size_t kDefaultDripBytes = 64;

}  // namespace

std::string_view to_string(Kind kind) {
  for (const auto& [k, name] : kKinds) {
    if (k == kind) return name;
  }
  return "delay";
}

std::optional<Kind> parse_kind(std::string_view text) {
  for (const auto& [k, name] : kKinds) {
    if (name == text) return k;
  }
  return std::nullopt;
}

std::string kind_list() {
  std::string out;
  for (const auto& [k, name] : kKinds) out += (out.empty() ? "" : ", ") + std::string(name);
  return out;
}

bool Fault::replaces_answer() const { return kind == Kind::status || kind == Kind::reset || kind == Kind::empty; }
bool Fault::changes_answer() const { return kind == Kind::truncate || kind == Kind::malformed || kind == Kind::drip || kind == Kind::corrupt; }

Fault parse_fault(const json& value) {
  if (!value.is_object()) throw FaultError("", "a fault is an object with a 'kind' (" + kind_list() + "), got " + std::string(value.type_name()));
  if (!value.contains("kind")) throw FaultError("", "a fault needs a 'kind': " + kind_list());
  std::string kind_text = text(value["kind"], "kind");
  auto kind = parse_kind(kind_text);
  if (!kind) throw FaultError("/kind", "'" + kind_text + "' is not a fault kind (" + kind_list() + ")");
  Fault fault;
  fault.kind = *kind;
  std::set<std::string> allowed = keys_of(fault.kind);
  for (const auto& [key, member] : value.items()) {
    if (key == "kind" || key == "delay_ms" || key == "delay_max_ms" || allowed.count(key)) continue;
    std::string known = "kind, delay_ms, delay_max_ms";
    for (const auto& k : allowed) known += ", " + k;
    throw FaultError("/" + key, "unknown key '" + key + "' for a " + kind_text + " fault (it takes " + known + ")");
  }
  if (value.contains("delay_ms")) fault.delay = std::chrono::milliseconds(whole_number(value["delay_ms"], "delay_ms", 0, kMaxMilliseconds));
  if (value.contains("delay_max_ms")) {
    fault.delay_max = std::chrono::milliseconds(whole_number(value["delay_max_ms"], "delay_max_ms", 0, kMaxMilliseconds));
    if (fault.delay_max < fault.delay) throw FaultError("/delay_max_ms", "'delay_max_ms' must not be below 'delay_ms'");
  }
  switch (fault.kind) {
    case Kind::delay:
      if (!value.contains("delay_ms")) throw FaultError("", "a delay fault needs 'delay_ms'");
      break;
    case Kind::status:
      if (!value.contains("status")) throw FaultError("", "a status fault needs 'status' (400-599)");
      fault.status = static_cast<int>(whole_number(value["status"], "status", 400, 599));
      if (value.contains("code")) fault.code = text(value["code"], "code");
      if (value.contains("message")) fault.message = text(value["message"], "message");
      if (value.contains("retry_after")) fault.retry_after = static_cast<int>(whole_number(value["retry_after"], "retry_after", 0, 86400));
      break;
    case Kind::truncate:
      if (value.contains("bytes")) fault.bytes = static_cast<std::size_t>(whole_number(value["bytes"], "bytes", 0, 1 << 30));
      break;
    case Kind::drip:
      fault.bytes = kDefaultDripBytes;
      if (value.contains("bytes")) fault.bytes = static_cast<std::size_t>(whole_number(value["bytes"], "bytes", 1, 1 << 20));
      if (value.contains("interval_ms")) fault.interval = std::chrono::milliseconds(whole_number(value["interval_ms"], "interval_ms", 0, 60000));
      break;
    case Kind::corrupt:
      if (!value.contains("merge") || !value["merge"].is_object() || value["merge"].empty()) {
        throw FaultError(value.contains("merge") ? "/merge" : "", "a corrupt fault needs 'merge': a non-empty object merged into the answer");
      }
      fault.merge = value["merge"];
      break;
    case Kind::reset:
    case Kind::empty:
    case Kind::malformed:
      break;
  }
  return fault;
}

json to_json(const Fault& fault) {
  json out = {{"kind", to_string(fault.kind)}};
  if (fault.delay.count() > 0 || fault.kind == Kind::delay) out["delay_ms"] = fault.delay.count();
  if (fault.delay_max > fault.delay) out["delay_max_ms"] = fault.delay_max.count();
  switch (fault.kind) {
    case Kind::status:
      out["status"] = fault.status;
      if (!fault.code.empty()) out["code"] = fault.code;
      if (!fault.message.empty()) out["message"] = fault.message;
      if (fault.retry_after) out["retry_after"] = *fault.retry_after;
      break;
    case Kind::truncate:
      out["bytes"] = fault.bytes;
      break;
    case Kind::drip:
      out["bytes"] = fault.bytes;
      out["interval_ms"] = fault.interval.count();
      break;
    case Kind::corrupt:
      out["merge"] = fault.merge;
      break;
    default:
      break;
  }
  return out;
}

std::string describe(const Fault& fault) {
  std::string out(to_string(fault.kind));
  switch (fault.kind) {
    case Kind::status:
      out += " " + std::to_string(fault.status);
      break;
    case Kind::truncate:
      out += fault.bytes == 0 ? " half" : " " + std::to_string(fault.bytes) + "B";
      break;
    case Kind::drip:
      out += " " + std::to_string(fault.bytes) + "B/" + std::to_string(fault.interval.count()) + "ms";
      break;
    default:
      break;
  }
  if (fault.delay.count() > 0 || fault.kind == Kind::delay) {
    if (fault.kind != Kind::delay) out += " after";
    out += " " + std::to_string(fault.delay.count());
    if (fault.delay_max > fault.delay) out += "-" + std::to_string(fault.delay_max.count());
    out += "ms";
  }
  return out;
}

}  // namespace runmock::faults
