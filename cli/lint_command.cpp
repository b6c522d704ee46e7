#include "lint_command.h"

#include <iostream>
#include <memory>

#include "registry/registry.h"
#include "scenario/lint.h"

namespace runmock::cli {

namespace {

struct LintCommandOptions {
  std::vector<std::string> paths;
  std::string contracts_dir;
  std::vector<std::string> api_dirs;
};

// The folders to lint: those named, then each --api-dir's scenarios/.
std::vector<std::filesystem::path> lint_dirs(const LintCommandOptions& options, const registry::ApiRegistry& apis) {
  std::vector<std::filesystem::path> dirs(options.paths.begin(), options.paths.end());
  for (const auto& dir : registry::scenario_dirs(apis, false)) dirs.push_back(dir);
  return dirs;
}

int lint_command(const LintCommandOptions& options) {
  registry::ApiRegistry apis;
  try {
    std::vector<std::filesystem::path> api_dirs(options.api_dirs.begin(), options.api_dirs.end());
    apis = registry::ApiRegistry::load(options.contracts_dir.empty() ? contracts::default_contracts_dir() : std::filesystem::path(options.contracts_dir), api_dirs);
  } catch (const registry::RegistryError& e) {
    std::cerr << "runmock lint: " << e.what() << "\n";
    return 2;
  }
  scenario::LintOptions lint_options;
  lint_options.contracts = &apis.contracts();
  auto result = scenario::lint(lint_dirs(options, apis), lint_options);
  for (const auto& line : result.messages) (result.exit_code == 0 ? std::cout : std::cerr) << line << "\n";
  return result.exit_code;
}

}  // namespace

void add_lint_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<LintCommandOptions>();
  CLI::App* cmd = app.add_subcommand("lint", "Check scenario folders without serving");
  cmd->footer("Exit status: 0 clean, 1 problems found (each as file:line:col: message), 2 usage or I/O error.");
  cmd->add_option("DIR", options->paths, "scenario folders or files, in the order serve would layer them");
  cmd->add_option("--contracts", options->contracts_dir, "folder of the API contracts (default: the bundled contracts/)");
  cmd->add_option("--api-dir", options->api_dirs, "an API folder (runmock import-openapi makes one): its API is known and its scenarios/ linted; repeatable")
      ->check(CLI::ExistingDirectory);
  cmd->callback([options, &exit_code] {
    if (options->paths.empty() && options->api_dirs.empty()) throw CLI::ValidationError("DIR", "name a scenario folder or file, or an --api-dir");
    exit_code = lint_command(*options);
  });
}

}  // namespace runmock::cli
