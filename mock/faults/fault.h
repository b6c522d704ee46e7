// A fault: a broken or slow answer on purpose, to reproduce what a real server does on a bad day.
// One model serves the three places a fault comes from: a scenario phase (`fault:` in YAML), a
// per-request rule (POST /__runmock/faults) and a `Prefer: fault=<name>` header. The HTTP layer
// carries them out (mock/http/server.cpp); this library only knows what they are.
//
//   {"kind": "status", "status": 503, "retry_after": 1}   the API's error shape, 503, Retry-After: 1
//   {"kind": "delay", "delay_ms": 1000, "delay_max_ms": 3000}   the real answer, 1 to 3 s late
//   {"kind": "reset"} / {"kind": "empty"}               the connection reset / closed, no byte sent
//   {"kind": "truncate", "bytes": 10}                    the real answer cut after 10 body bytes
//   {"kind": "malformed"}                                the real answer, no longer JSON
//   {"kind": "drip", "bytes": 64, "interval_ms": 100}    the real answer, 64 bytes every 100 ms (the defaults)
//   {"kind": "corrupt", "merge": {"status": 7}}          the real answer merged with a patch that breaks the contract
// Every kind takes `delay_ms` (and `delay_max_ms`) too: a late 503 is a common sight.
#pragma once

#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace runmock::faults {

enum class Kind { delay, status, reset, empty, truncate, malformed, drip, corrupt };

std::string_view to_string(Kind kind);
std::optional<Kind> parse_kind(std::string_view text);
// "delay, status, reset, empty, truncate, malformed, drip, corrupt"
std::string kind_list();

struct Fault {
  Kind kind = Kind::delay;
  std::chrono::milliseconds delay{0};
  std::chrono::milliseconds delay_max{0};  // above `delay`: a random delay in [delay, delay_max]
  // status
  int status = 0;
  std::string code;     // empty: the layer's default code for the status
  std::string message;  // empty: a message naming the fault
  std::optional<int> retry_after;  // seconds, sent as Retry-After
  // truncate: body bytes sent before the connection closes (0: half the body); drip: bytes per write
  std::size_t bytes = 0;
  std::chrono::milliseconds interval{100};  // drip: between writes
  nlohmann::json merge;                     // corrupt: a JSON merge patch (RFC 7386) applied to the answer

  // True when the fault replaces the answer before the handler would run (status, reset, empty):
  // a real server failing that way never did the work.
  bool replaces_answer() const;
  // True when the fault needs the real answer to change it (truncate, malformed, drip, corrupt).
  bool changes_answer() const;
};

// A fault that is not well-formed: `pointer` is where in the JSON (e.g. "/status"), for
// file:line:col in scenario files and for the admin API's 400.
struct FaultError : std::runtime_error {
  FaultError(std::string pointer, const std::string& message) : std::runtime_error(message), pointer(std::move(pointer)) {}
  std::string pointer;
};

// Reads a fault from its JSON form (the header's table). Throws FaultError.
Fault parse_fault(const nlohmann::json& value);
nlohmann::json to_json(const Fault& fault);
// One line for the journal and the log: "status 503", "delay 1000ms", "drip 8B/100ms".
std::string describe(const Fault& fault);

}  // namespace runmock::faults
