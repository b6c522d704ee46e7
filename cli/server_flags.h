// The flags every command that serves HTTP takes (serve, proxy): where it listens, how it treats
// connections and their limits, CORS, the admin API's guard, the log. One definition, so the
// commands cannot drift apart.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>

#include "http/server.h"
#include "http/signals.h"

namespace runmock::cli {

struct ServerFlags {
  std::string log_format = "text";
};

// Adds the flags to `cmd`, writing straight into `config` (durations are given in seconds,
// fractions allowed). `flags` receives what needs checking after parsing (finish_server_flags).
void add_server_flags(CLI::App* cmd, http::ServerConfig& config, ServerFlags& flags);

// Checks what the parser cannot: the log format; --admin-remote without --admin-token. Returns the
// usage error to print (exit 2), empty when all is well.
std::string finish_server_flags(http::ServerConfig& config, const ServerFlags& flags);

// Waits for SIGINT/SIGTERM (`signals` made before the server started), then stops the server. When
// a handler had still not finished after the shutdown grace, the process leaves at once with
// `exit_code()` (it does not wait for the handler); otherwise returns normally.
void serve_until_signalled(http::ShutdownSignals& signals, http::Server& server, const std::function<int()>& exit_code);

}  // namespace runmock::cli
