#include "proxy_command.h"

#include <iostream>
#include <memory>

#include "http/allocator.h"
#include "http/server.h"
#include "http/signals.h"
#include "loader/api_contract.h"
#include "proxy/proxy.h"
#include "registry/registry.h"
#include "server_flags.h"

namespace runmock::cli {
namespace {

struct ProxyOptions {
  http::ServerConfig server;
  ServerFlags server_flags;
  std::string target;
  std::string api;
  std::string mode = "report";
  std::string contracts_dir;
  std::vector<std::string> api_dirs;
  int timeout = 30;
  std::size_t max_checked_body_bytes = 4 << 20;
  std::size_t max_runs = 100000;
};

struct StartupError {
  std::string message;
};

int run_proxy(ProxyOptions& options) {
  proxy::ProxyConfig config;
  try {
    config.target = proxy::Target::parse(options.target);
  } catch (const std::invalid_argument& e) {
    throw StartupError{std::string("--target: ") + e.what()};
  }
  auto mode = proxy::parse_mode(options.mode);
  if (!mode) throw StartupError{"--mode must be report or enforce"};
  config.mode = *mode;
  config.timeout = std::chrono::seconds(options.timeout);
  config.max_checked_body_bytes = options.max_checked_body_bytes;
  config.max_tracked_runs = options.max_runs;

  registry::ApiRegistry apis = [&] {
    try {
      std::vector<std::filesystem::path> api_dirs(options.api_dirs.begin(), options.api_dirs.end());
      return registry::ApiRegistry::load(options.contracts_dir.empty() ? contracts::default_contracts_dir() : std::filesystem::path(options.contracts_dir),
                                         api_dirs);
    } catch (const registry::RegistryError& e) {
      throw StartupError{e.what()};
    }
  }();
  const registry::ApiEntry* entry = apis.find(options.api);
  if (!entry) {
    std::string known;
    for (const auto& name : apis.names()) known += (known.empty() ? "" : ", ") + name;
    throw StartupError{"--api: no contract '" + options.api + "' (" + known + ")"};
  }
  if (auto usage = finish_server_flags(options.server, options.server_flags); !usage.empty()) throw StartupError{usage};
  options.server.name = "runmock proxy";
  options.server.faults = false;  // a client's Prefer: fault=... is for the target (a runmock serve, say)

  options.server.cors_headers = apis.cors_headers();
  http::Server server(options.server);
  http::AllocatorPolicy allocator;
  proxy::Proxy proxy(*entry->contract, entry->dialect, config);
  proxy.install(server);
  http::ShutdownSignals signals;
  try {
    server.start();
  } catch (const std::exception& e) {
    throw StartupError{std::string("cannot listen on ") + options.server.host + ":" + std::to_string(options.server.port) + ": " + e.what()};
  }
  serve_until_signalled(signals, server, [] { return 0; });
  return 0;
}

}  // namespace

void add_proxy_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ProxyOptions>();
  auto& s = options->server;
  s.port = 8090;
  s.max_body_bytes = 16 << 20;
  CLI::App* cmd = app.add_subcommand("proxy", "Forward traffic to a real server and check it against the contract and lifecycle");
  cmd->add_option("--target", options->target, "the real server: http(s)://HOST:PORT[/base]")->required();
  cmd->add_option("--api", options->api, "the API it serves (an API folder's name: contracts/<api>/, or an --api-dir)")->required();
  cmd->add_option("--mode", options->mode, "report: forward everything; enforce: answer invalid requests without forwarding them")
      ->check(CLI::IsMember({"report", "enforce"}))
      ->capture_default_str();
  add_server_flags(cmd, s, options->server_flags);
  cmd->add_option("--timeout", options->timeout, "seconds to connect to the target, and of silence while reading its answer")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_option("--max-checked-body-bytes", options->max_checked_body_bytes, "larger JSON answers stream through unchecked")->capture_default_str();
  cmd->add_option("--max-runs", options->max_runs, "runs followed across polls (the least recently seen is forgotten)")->capture_default_str();
  cmd->add_option("--contracts", options->contracts_dir, "folder of the API contracts (default: the bundled contracts/)");
  cmd->add_option("--api-dir", options->api_dirs, "an API folder (runmock import-openapi makes one); repeatable")->check(CLI::ExistingDirectory);
  cmd->callback([options, &exit_code] {
    try {
      exit_code = run_proxy(*options);
    } catch (const StartupError& e) {
      std::cerr << "runmock proxy: " << e.message << "\n";
      exit_code = 2;
    } catch (const contracts::ContractError& e) {
      std::cerr << "runmock proxy: broken contract: " << e.what() << "\n";
      exit_code = 2;
    }
  });
}

}  // namespace runmock::cli
