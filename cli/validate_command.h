// `runmock validate`: checks JSON payload files against an API operation's contract or against
// any JSON Schema, printing one line per error (or JSON with --json).
#pragma once

#include <CLI/CLI.hpp>

namespace runmock::cli {

// Adds the subcommand to `app`; it runs when parsed and sets the process exit code.
void add_validate_command(CLI::App& app, int& exit_code);

}  // namespace runmock::cli
