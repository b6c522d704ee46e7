// What every fuzz target shares: the input size cap, splitting one input into fields, and checks
// that fail loudly (an abort is a crash to libFuzzer and a failed test to the replay driver).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace runmock::fuzz {

// Larger inputs are skipped: every parser here is at most linear in its input, so they only slow
// the fuzzer down without reaching new code.
inline constexpr std::size_t kMaxInputBytes = 64 * 1024;

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// The input cut at its first `count - 1` NUL bytes: always `count` fields, the last one keeping
// the rest of the input (NULs included); missing fields are empty.
inline std::vector<std::string_view> split_fields(std::string_view text, std::size_t count) {
  std::vector<std::string_view> fields;
  while (fields.size() + 1 < count) {
    auto nul = text.find('\0');
    fields.push_back(text.substr(0, nul));
    text = nul == std::string_view::npos ? std::string_view{} : text.substr(nul + 1);
  }
  fields.push_back(text);
  return fields;
}

// A property the target asserts: when it does not hold, say which and abort.
inline void check(bool holds, const char* property) {
  if (holds) return;
  std::fprintf(stderr, "fuzz property violated: %s\n", property);
  std::abort();
}

}  // namespace runmock::fuzz
