// `runmock serve`: the mock server with the bundled scenarios (and the user's), until SIGINT or
// SIGTERM.
#pragma once

#include <CLI/CLI.hpp>

namespace runmock::cli {

void add_serve_command(CLI::App& app, int& exit_code);

}  // namespace runmock::cli
