// Timestamps: amperity's partial ISO 8601 filters (parse_partial_timestamp), the engine's RFC 3339
// timestamps and its scenario durations. Whatever parses must format and parse back to the same
// value (the shortest form exactly, the forced second and millisecond forms truncated).
#include <chrono>
#include <string>

#include "mechanisms/partial_timestamp.h"
#include "engine/time.h"
#include "fuzz_support.h"

namespace {

namespace engine = runmock::engine;
using runmock::fuzz::check;

void check_round_trip(engine::Instant instant) {
  using std::chrono::floor;
  check(engine::parse_timestamp(engine::format_timestamp(instant)) == instant, "timestamp: parse(format(t)) == t");
  check(engine::parse_timestamp(engine::format_timestamp(instant, 6)) == instant, "timestamp: parse(format(t, 6)) == t");
  check(engine::parse_timestamp(engine::format_timestamp(instant, 3)) == floor<std::chrono::milliseconds>(instant),
        "timestamp: parse(format(t, 3)) == t truncated to milliseconds");
  check(engine::parse_timestamp(engine::format_timestamp(instant, 0)) == floor<std::chrono::seconds>(instant),
        "timestamp: parse(format(t, 0)) == t truncated to seconds");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > runmock::fuzz::kMaxInputBytes) return -1;
  std::string text(runmock::fuzz::as_text(data, size));
  if (auto instant = engine::parse_timestamp(text)) check_round_trip(*instant);
  if (auto instant = runmock::mechanisms::parse_partial_timestamp(text)) check_round_trip(*instant);
  if (auto duration = engine::parse_duration(text)) {
    check(engine::parse_duration(engine::format_duration(*duration)) == duration, "duration: parse(format(d)) == d");
  }
  return 0;
}
