#include "scenario/lint.h"

#include <exception>

#include "scenario/loader.h"

namespace runmock::scenario {

LintResult lint(const std::vector<std::filesystem::path>& paths, const LintOptions& options) {
  LintResult result;
  if (paths.empty()) {
    result.exit_code = 2;
    result.messages.push_back("usage: runmock lint DIR... (scenario folders or files)");
    return result;
  }
  std::map<std::string, contracts::ApiContract> loaded;
  const std::map<std::string, contracts::ApiContract>* contracts = options.contracts;
  if (!contracts) {
    try {
      loaded = contracts::load_all(options.contracts_dir.empty() ? contracts::default_contracts_dir() : options.contracts_dir);
    } catch (const std::exception& e) {
      result.exit_code = 2;
      result.messages.push_back(std::string("cannot load the contracts: ") + e.what());
      return result;
    }
    contracts = &loaded;
  }
  LoadOptions load_options;
  load_options.contracts = contracts;
  load_options.checkers = options.checkers;
  LoadResult loaded_scenarios = load_scenarios(paths, load_options);
  result.files = loaded_scenarios.files.size();
  for (const auto& e : loaded_scenarios.errors) result.messages.push_back(e.to_string());
  if (loaded_scenarios.set) result.scenarios = loaded_scenarios.set->size();
  std::string files = std::to_string(result.files) + (result.files == 1 ? " file" : " files");
  if (loaded_scenarios.io_error) {
    result.exit_code = 2;
  } else if (result.files == 0) {
    result.exit_code = 2;
    result.messages.push_back("no scenario files (*.yaml, *.yml) found");
    return result;
  } else if (!loaded_scenarios.errors.empty()) {
    result.exit_code = 1;
  }
  if (result.exit_code == 0) {
    result.messages.push_back(files + ", " + std::to_string(result.scenarios) + (result.scenarios == 1 ? " scenario" : " scenarios") + ": ok");
  } else {
    std::size_t n = loaded_scenarios.errors.size();
    result.messages.push_back(std::to_string(n) + (n == 1 ? " problem" : " problems") + " in " + files);
  }
  return result;
}

}  // namespace runmock::scenario
