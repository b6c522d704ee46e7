// Instants and durations of the engine's clock, and their text forms: RFC 3339 timestamps
// ("2024-01-15T10:30:00Z") and scenario durations ("2s", "500ms", "1m30s").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace runmock::engine {

// Microsecond resolution everywhere: enough for timestamps, exact for arithmetic.
using Duration = std::chrono::microseconds;
using Instant = std::chrono::sys_time<Duration>;

// 2024-01-15T10:30:00Z, where a manual clock starts unless told otherwise (the seeds' instant).
Instant default_start();

// RFC 3339 in UTC with a "Z". `fraction_digits` < 0 picks the shortest exact form (none, 3 or 6
// digits); 0, 3 or 6 force that many.
std::string format_timestamp(Instant instant, int fraction_digits = -1);

// ISO 8601's basic format in UTC, to the second: "20240115T103000Z" (SigV4's X-Amz-Date, run names).
std::string format_basic_timestamp(Instant instant);

// Parses an RFC 3339 date-time ("2024-01-15T10:30:00Z", "…T10:30:00.5+02:00"). Fractions beyond
// microseconds are truncated. nullopt when malformed.
std::optional<Instant> parse_timestamp(std::string_view text);

// Parses a duration: one or more <number><unit> groups, units ms, s, m, h ("2s", "500ms", "1.5s",
// "1m30s"). nullopt when malformed or negative.
std::optional<Duration> parse_duration(std::string_view text);

// "2s", "500ms", "1m30s": the shortest form parse_duration reads back to the same value.
std::string format_duration(Duration duration);

// Seconds as a double (for duration_seconds-like fields).
double to_seconds(Duration duration);

}  // namespace runmock::engine
