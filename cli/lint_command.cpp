#include "lint_command.h"

#include <iostream>
#include <memory>

#include "scenario/lint.h"

namespace runmock::cli {

void add_lint_command(CLI::App& app, int& exit_code) {
  auto paths = std::make_shared<std::vector<std::string>>();
  auto contracts_dir = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("lint", "Check scenario folders without serving");
  cmd->footer("Exit status: 0 clean, 1 problems found (each as file:line:col: message), 2 usage or I/O error.");
  cmd->add_option("DIR", *paths, "scenario folders or files, in the order serve would layer them")->required();
  cmd->add_option("--contracts", *contracts_dir, "folder of the API contracts (default: the bundled contracts/)");
  cmd->callback([paths, contracts_dir, &exit_code] {
    scenario::LintOptions options;
    if (!contracts_dir->empty()) options.contracts_dir = *contracts_dir;
    std::vector<std::filesystem::path> dirs(paths->begin(), paths->end());
    auto result = scenario::lint(dirs, options);
    for (const auto& line : result.messages) (result.exit_code == 0 ? std::cout : std::cerr) << line << "\n";
    exit_code = result.exit_code;
  });
}

}  // namespace runmock::cli
