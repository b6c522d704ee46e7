// `runmock proxy`: forwards live traffic to a real server of one API and checks every exchange
// against its contract and lifecycle, until SIGINT or SIGTERM.
#pragma once

#include <CLI/CLI.hpp>

namespace runmock::cli {

void add_proxy_command(CLI::App& app, int& exit_code);

}  // namespace runmock::cli
