// `runmock lint DIR...`: checks scenario folders as `runmock serve` would load them, without serving.
#pragma once

#include <CLI/CLI.hpp>

namespace runmock::cli {

void add_lint_command(CLI::App& app, int& exit_code);

}  // namespace runmock::cli
