// ECMA-262 patterns: the input is "<pattern>\0<subject>". The syntax check and the translation must
// agree, and a translation that succeeds must compile with RE2 (as the validator compiles it) and
// match the subject without trouble.
#include <re2/re2.h>

#include <string>

#include "fuzz_support.h"
#include "validator/ecma_regex.h"

namespace {

using runmock::fuzz::check;

constexpr std::string_view kInvalidPrefix = "invalid ECMA-262 regular expression: ";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > runmock::fuzz::kMaxInputBytes) return -1;
  auto fields = runmock::fuzz::split_fields(runmock::fuzz::as_text(data, size), 2);
  std::string syntax_error;
  bool valid = runmock::schema::is_valid_ecma_regex(fields[0], &syntax_error);
  check(valid == syntax_error.empty(), "is_valid_ecma_regex() gives a message exactly when it says invalid");
  auto translation = runmock::schema::ecma_to_re2(fields[0]);
  check(translation.ok() || translation.re2_pattern.empty(), "a failed translation has no RE2 pattern");
  bool says_invalid = std::string_view(translation.error).substr(0, kInvalidPrefix.size()) == kInvalidPrefix;
  check(valid != says_invalid, "ecma_to_re2() calls a pattern invalid exactly when is_valid_ecma_regex() does");
  if (!translation.ok()) return 0;
  RE2::Options options;
  options.set_log_errors(false);
  options.set_never_capture(true);
  RE2 compiled(translation.re2_pattern, options);
  check(compiled.ok(), "RE2 compiles every translation ecma_to_re2() reports as ok");
  RE2::PartialMatch(fields[1], compiled);
  return 0;
}
