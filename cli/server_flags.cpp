#include "server_flags.h"

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "http/log.h"
#include "http/signals.h"

namespace runmock::cli {
namespace {

std::chrono::milliseconds from_seconds(double seconds) { return std::chrono::milliseconds(static_cast<std::int64_t>(seconds * 1000.0 + 0.5)); }

std::string seconds_text(std::chrono::milliseconds ms) {
  std::string text = std::to_string(static_cast<double>(ms.count()) / 1000.0);
  while (text.back() == '0') text.pop_back();
  if (text.back() == '.') text.pop_back();
  return text;
}

void add_duration(CLI::App* cmd, const std::string& name, std::chrono::milliseconds& field, const std::string& what) {
  cmd->add_option_function<double>(name, [&field](double seconds) { field = from_seconds(seconds); }, what)
      ->check(CLI::PositiveNumber)
      ->default_str(seconds_text(field));
}

void add_connection_flags(CLI::App* cmd, http::ServerConfig& s) {
  cmd->add_option("--threads", s.threads, "most worker threads, started on demand; only a request being answered holds one")->capture_default_str();
  cmd->add_option("--max-connections", s.max_connections, "open connections at most; past it the oldest idle one is closed, else 503")->capture_default_str();
  cmd->add_option("--max-connections-per-client", s.max_connections_per_client, "open connections from one peer address; 0: no cap")->capture_default_str();
  cmd->add_option("--max-streams", s.max_streams, "open event streams at most (then 503); 0: half of --threads")->capture_default_str();
  cmd->add_option("--keep-alive-max", s.keep_alive_max_count, "requests on one connection before it closes")->capture_default_str();
  add_duration(cmd, "--keep-alive-timeout", s.keep_alive_timeout, "seconds an idle connection stays open");
  add_duration(cmd, "--header-timeout", s.header_timeout, "seconds a request head may take to arrive whole (then 408)");
  add_duration(cmd, "--queue-timeout", s.queue_timeout, "seconds a request may wait for a free worker when every one is busy (then 503)");
  cmd->add_option("--min-body-rate", s.min_body_rate, "bytes per second a request body must keep up once --header-timeout has passed (then 408); 0: none")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  add_duration(cmd, "--read-timeout", s.read_timeout, "seconds of silence allowed in the middle of a request (then 408)");
  add_duration(cmd, "--write-timeout", s.write_timeout, "seconds an answer may wait for the client to read it");
  cmd->add_option("--max-body-bytes", s.max_body_bytes, "larger request bodies get 413")->capture_default_str();
  cmd->add_option("--max-headers", s.max_headers, "more request header fields get 431")->capture_default_str();
  cmd->add_option("--max-header-bytes", s.max_header_bytes, "a larger request head (line and headers) gets 431")->capture_default_str();
}

void add_admin_flags(CLI::App* cmd, http::ServerConfig& s) {
  cmd->add_option("--cors-origin", s.cors_origins, "API routes answer CORS for these origins only (repeatable; default: any)");
  cmd->add_flag("--no-cors", [&s](std::int64_t) { s.cors = false; }, "answer no CORS preflights and send no CORS headers");
  cmd->add_option("--admin-origin", s.admin_origins, "another origin allowed to call the admin API, CORS included (repeatable)");
  cmd->add_option("--admin-host", s.admin_hosts, "another Host name the admin API answers to (repeatable)");
  cmd->add_option("--admin-token", s.admin_token, "the admin API wants 'Authorization: Bearer TOKEN'");
  cmd->add_flag("--admin-remote", s.admin_remote, "let the admin API answer peers other than loopback (needs --admin-token)");
}

}  // namespace

void add_server_flags(CLI::App* cmd, http::ServerConfig& s, ServerFlags& flags) {
  cmd->add_option("--host", s.host, "address to bind")->capture_default_str();
  cmd->add_option("--port", s.port, "port to bind; 0 takes a free one")->capture_default_str()->check(CLI::Range(0, 65535));
  cmd->add_option("--log-format", flags.log_format, "request log lines: text, json or off")->capture_default_str();
  cmd->add_option("--journal-size", s.journal_size, "journal entries kept")->capture_default_str();
  cmd->add_option("--journal-bytes", s.journal_bytes, "the journal's memory budget in bytes (the oldest entries go first)")->capture_default_str();
  add_connection_flags(cmd, s);
  add_admin_flags(cmd, s);
}

std::string finish_server_flags(http::ServerConfig& s, const ServerFlags& flags) {
  auto format = http::parse_log_format(flags.log_format);
  if (!format) return "--log-format must be text, json or off";
  s.log_format = *format;
  if (s.admin_remote && s.admin_token.empty()) {
    return "--admin-remote needs --admin-token: an admin API open to other machines must ask for a token (anyone who reaches it could wipe, seed or read the mock)";
  }
  return "";
}

void serve_until_signalled(http::ShutdownSignals& signals, http::Server& server, const std::function<int()>& exit_code) {
  http::wait_and_stop(signals, server);
  if (server.stop()) return;  // stop() again: its first result
  std::cerr << "runmock: requests still in their handlers " << seconds_text(server.config().shutdown_grace)
            << " s after the signal were abandoned" << std::endl;
  std::fflush(stdout);
  std::_Exit(exit_code());
}

}  // namespace runmock::cli
