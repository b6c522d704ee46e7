// `runmock lint DIR...`: loads scenario folders (or files) exactly as `runmock serve` would and
// reports every problem as `file:line:col: message`.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "loader/api_contract.h"
#include "scenario/checker.h"

namespace runmock::scenario {

struct LintOptions {
  // Contracts to check against: `contracts` when given (must outlive the call), else loaded from
  // `contracts_dir` (default: contracts::default_contracts_dir()).
  const std::map<std::string, contracts::ApiContract>* contracts = nullptr;
  std::filesystem::path contracts_dir;
  std::map<std::string, FragmentChecker> checkers;  // as LoadOptions::checkers
};

struct LintResult {
  // 0: every file is clean; 1: problems found; 2: usage or I/O error (no path, a path that cannot
  // be read, no scenario file found, contracts that do not load).
  int exit_code = 0;
  std::vector<std::string> messages;  // one problem per line, then a summary line
  std::size_t files = 0;
  std::size_t scenarios = 0;
};

// The paths are layers, as for serve: bundled scenarios first, then user folders.
LintResult lint(const std::vector<std::filesystem::path>& paths, const LintOptions& options = {});

}  // namespace runmock::scenario
