// Internal: the compiled form of a `match` pattern.
#pragma once

#include <re2/re2.h>

#include <string>

namespace runmock::scenario {

struct CompiledPattern {
  explicit CompiledPattern(const std::string& text) : regex(text, RE2::Quiet) {}
  RE2 regex;
};

}  // namespace runmock::scenario
