// `runmock verify`: runs the contract suite against a live server of one API (provider side).
#pragma once

#include <CLI/CLI.hpp>

namespace runmock::cli {

// Adds the subcommand to `app`; it runs when parsed and sets the process exit code.
void add_verify_command(CLI::App& app, int& exit_code);

}  // namespace runmock::cli
