// The one error `runmock import-openapi` stops with: what is wrong (starting with file:line:col
// where the problem has a place in a file) and the exit status it means. 2: a usage error or a
// document that cannot be read (YAML or JSON errors, Swagger 2.0, a role naming no operation, a
// state field that is no enum, cyclic $refs, nesting past the loader's bounds); 1: a readable
// document in which no create or no get operation could be found.
#pragma once

#include <stdexcept>
#include <string>

namespace runmock::import {

inline constexpr int kExitUsage = 2;
inline constexpr int kExitNoRoles = 1;

class ImportError : public std::runtime_error {
 public:
  explicit ImportError(const std::string& message, int exit_code = kExitUsage) : std::runtime_error(message), exit_code_(exit_code) {}
  int exit_code() const { return exit_code_; }

 private:
  int exit_code_;
};

}  // namespace runmock::import
