#include "serve_command.h"

#include <iostream>
#include <memory>
#include <optional>

#include "api_options.h"
#include "app/mock_app.h"
#include "http/allocator.h"
#include "http/jwt.h"
#include "http/server.h"
#include "http/signals.h"
#include "loader/api_contract.h"
#include "scenario/watch.h"
#include "server_flags.h"

namespace runmock::cli {
namespace {

struct ServeOptions {
  app::MockOptions mock;
  ServerFlags server_flags;
  std::vector<std::string> scenario_dirs;
  std::vector<std::string> api_dirs;
  std::string contracts_dir;
  ApiOptionFlags api_options;
  bool watch = false;
  bool fail_on_violations = false;
};

// The exit status of a run that served a contract-breaking exchange (--fail-on-violations).
constexpr int kViolationsExitCode = 3;

// Reloads the scenario folders when a file changes, saying so (or why not) on standard error.
void watch_scenarios(std::optional<scenario::ScenarioWatcher>& watcher, scenario::ScenarioRegistry& scenarios) {
  watcher.emplace(scenarios, std::chrono::milliseconds(250), [](const scenario::LoadResult& result) {
    if (result.ok()) {
      std::cerr << "runmock: scenarios reloaded (" << result.files.size() << " files)" << std::endl;
    } else {
      std::cerr << "runmock: the scenarios did not reload, the previous ones stay in force: " << result.errors.front().to_string()
                << (result.errors.size() > 1 ? " (and " + std::to_string(result.errors.size() - 1) + " more)" : "") << std::endl;
    }
  });
}

// Everything the command line says, as the mock's options.
app::MockOptions mock_options(ServeOptions& options) {
  app::MockOptions mock = options.mock;
  if (auto usage = finish_server_flags(mock.server, options.server_flags); !usage.empty()) throw app::StartupError(usage);
  mock.scenario_dirs.assign(options.scenario_dirs.begin(), options.scenario_dirs.end());
  mock.api_dirs.assign(options.api_dirs.begin(), options.api_dirs.end());
  mock.contracts_dir = options.contracts_dir;
  try {
    for (const auto& [api, given] : options.api_options.given) mock.api_options[api] = given;
    for (const auto& item : options.api_options.set) {
      std::string api = item.substr(0, item.find('.'));
      mock.api_options[api] = options_given(options.api_options, api);
    }
  } catch (const std::invalid_argument& e) {
    throw app::StartupError(e.what());
  }
  return mock;
}

int serve(ServeOptions& options) {
  http::AllocatorPolicy allocator;
  app::MockApp mock(mock_options(options));
  http::ShutdownSignals signals;
  mock.start();
  std::optional<scenario::ScenarioWatcher> watcher;
  if (options.watch) watch_scenarios(watcher, mock.scenarios());
  auto exit_code = [&] {
    if (!options.fail_on_violations) return 0;
    auto tally = mock.server().journal().violations();
    if (tally.invalid_exchanges == 0) return 0;
    std::cerr << "runmock: --fail-on-violations: " << http::describe(tally) << std::flush;
    return kViolationsExitCode;
  };
  serve_until_signalled(signals, mock.server(), exit_code);
  watcher.reset();
  return exit_code();
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ServeOptions>();
  auto& s = options->mock.server;
  CLI::App* cmd = app.add_subcommand("serve", "Serve the mock APIs from the bundled scenarios (and yours)");
  add_server_flags(cmd, s, options->server_flags);
  cmd->add_option("--scenarios", options->scenario_dirs, "another folder (or file) of scenarios; repeatable; later ones override by name");
  cmd->add_flag("--no-bundled", options->mock.no_bundled, "do not load the bundled scenarios");
  cmd->add_option("--clock", options->mock.clock, "real: wall time (scaled by --time-scale); manual: moved only by POST /__runmock/clock/advance")
      ->check(CLI::IsMember({"real", "manual"}))
      ->capture_default_str();
  cmd->add_option("--time-scale", options->mock.time_scale, "clock seconds per real second (real clock)")->capture_default_str();
  cmd->add_option("--clock-start", options->mock.clock_start, "the clock's first instant, RFC 3339 (manual default: 2024-01-15T10:30:00Z)");
  cmd->add_option("--seed", options->mock.seed, "seed of the generated ids")->capture_default_str();
  cmd->add_option("--max-json-depth", s.max_json_depth, "deeper JSON bodies get 400")->capture_default_str();
  cmd->add_option("--max-runs", options->mock.max_runs, "runs kept (ended runs are evicted oldest first)")->capture_default_str();
  auto* secret = cmd->add_option("--jwt-secret", options->mock.jwt_secret, "check HS256 token signatures with this secret");
  cmd->add_option("--jwt-public-key", options->mock.jwt_public_key, "check RS256 token signatures with this PEM public key")->excludes(secret);
  add_api_option_flags(cmd, options->api_options);
  cmd->add_option("--api-dir", options->api_dirs, "an API folder (runmock import-openapi makes one) served beside the bundled ones; repeatable")
      ->check(CLI::ExistingDirectory);
  cmd->add_flag("--watch", options->watch, "reload the scenario folders when a file changes (a broken edit keeps the old set)");
  cmd->add_flag("--fail-on-violations", options->fail_on_violations,
                "exit 3 at shutdown when a request or response broke the contract (summary on standard error)");
  cmd->add_option("--contracts", options->contracts_dir, "folder of the API contracts (default: the bundled contracts/)");
  cmd->callback([options, &exit_code] {
    try {
      exit_code = serve(*options);
    } catch (const app::StartupError& e) {
      std::cerr << "runmock serve: " << e.what() << "\n";
      exit_code = 2;
    } catch (const contracts::ContractError& e) {
      std::cerr << "runmock serve: broken contract: " << e.what() << "\n";
      exit_code = 2;
    } catch (const http::jwt::JwtError& e) {
      std::cerr << "runmock serve: " << e.what() << "\n";
      exit_code = 2;
    }
  });
}

}  // namespace runmock::cli
