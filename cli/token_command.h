// `runmock token`: prints a development JWT (HS256) for the emergence dialect's Bearer auth.
#pragma once

#include <CLI/CLI.hpp>

namespace runmock::cli {

// Adds the subcommand to `app`; it runs when parsed and sets the process exit code.
void add_token_command(CLI::App& app, int& exit_code);

}  // namespace runmock::cli
