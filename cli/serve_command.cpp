#include "serve_command.h"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "admin/admin_api.h"
#include "dialects/amperity.h"
#include "dialects/emergence.h"
#include "dialects/pennsieve.h"
#include "engine/engine.h"
#include "engine/time.h"
#include "http/jwt.h"
#include "http/server.h"
#include "http/signals.h"
#include "loader/api_contract.h"
#include "scenario/loader.h"
#include "scenario/watch.h"
#include "server_flags.h"

namespace runmock::cli {
namespace {

namespace fs = std::filesystem;

struct ServeOptions {
  http::ServerConfig server;
  ServerFlags server_flags;
  std::vector<std::string> scenario_dirs;
  bool no_bundled = false;
  std::string clock = "real";
  double time_scale = 1.0;
  std::string clock_start;
  std::uint64_t seed = engine::IdGenerator::kDefaultSeed;
  std::size_t max_runs = 100000;
  std::string jwt_secret;
  std::string jwt_public_key;
  dialects::PennsieveOptions pennsieve;
  std::string contracts_dir;
  int amperity_rate_limit = 10;
  int amperity_start_status = 200;
  bool watch = false;
  bool fail_on_violations = false;
};

// The exit status of a run that served a contract-breaking exchange (--fail-on-violations).
constexpr int kViolationsExitCode = 3;

struct StartupError {
  std::string message;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StartupError{"cannot read " + path};
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

int serve(ServeOptions& options) {
  auto contracts = contracts::load_all(options.contracts_dir.empty() ? contracts::default_contracts_dir() : fs::path(options.contracts_dir));

  std::optional<engine::Instant> start;
  if (!options.clock_start.empty()) {
    start = engine::parse_timestamp(options.clock_start);
    if (!start) throw StartupError{"--clock-start: '" + options.clock_start + "' is not an RFC 3339 timestamp"};
  }
  if (options.time_scale <= 0) throw StartupError{"--time-scale must be greater than 0"};
  auto clock = options.clock == "manual" ? engine::Clock::manual(start.value_or(engine::default_start()))
                                         : engine::Clock::real(options.time_scale, start);
  engine::Engine engine(clock, {options.max_runs, options.seed});
  for (const auto& [name, contract] : contracts) engine.add_api(name, contract.lifecycle());

  std::vector<fs::path> paths;
  if (!options.no_bundled) paths.push_back(scenario::default_scenarios_dir());
  for (const auto& dir : options.scenario_dirs) paths.emplace_back(dir);
  scenario::LoadOptions load_options;
  load_options.contracts = &contracts;
  scenario::ScenarioRegistry scenarios(paths, load_options);
  auto loaded = scenarios.reload();
  if (!loaded.ok()) throw StartupError{"the scenarios do not load:\n" + loaded.report()};

  http::jwt::Verifier verifier;
  std::string token_secret = http::jwt::kDevSecret;
  if (!options.jwt_secret.empty()) {
    verifier = http::jwt::Verifier::hs256(options.jwt_secret);
    token_secret = options.jwt_secret;
  } else if (!options.jwt_public_key.empty()) {
    verifier = http::jwt::Verifier::rs256(read_file(options.jwt_public_key));
  }

  if (auto usage = finish_server_flags(options.server, options.server_flags); !usage.empty()) throw StartupError{usage};

  http::Server server(options.server);
  server.set_clock([clock] { return engine::format_timestamp(clock->now()); });
  dialects::Emergence emergence(engine, scenarios, contracts.at("emergence"), verifier);
  emergence.install(server);
  dialects::Amperity amperity(engine, scenarios, contracts.at("amperity"), verifier,
                              {options.amperity_start_status, options.amperity_rate_limit});
  amperity.install(server);
  dialects::Pennsieve pennsieve(engine, scenarios, contracts.at("pennsieve"), verifier, options.pennsieve);
  admin::install(server, engine, scenarios,
                 {{dialects::Emergence::kApi, [&emergence](const engine::SeedSpec& spec) { return emergence.seed_run(spec); }},
                  {dialects::Amperity::kApi, [&amperity](const engine::SeedSpec& spec) { return amperity.seed_run(spec); }},
                  {dialects::Pennsieve::kApi, [&pennsieve](const engine::SeedSpec& spec) { return pennsieve.seed_run(spec); }}});
  pennsieve.install(server);

  http::ShutdownSignals signals;
  std::vector<std::string> banner{"runmock dev token: " + http::jwt::dev_token(http::jwt::kDevClientId, http::jwt::kDevProjectId, token_secret)};
  if (options.server.admin_remote) banner.push_back("runmock: the admin API answers every peer (--admin-remote)");
  if (!options.jwt_public_key.empty()) banner.back() = "runmock: tokens are checked against " + options.jwt_public_key + " (RS256)";
  try {
    server.start(banner);
  } catch (const std::exception& e) {
    throw StartupError{std::string("cannot listen on ") + options.server.host + ":" + std::to_string(options.server.port) + ": " + e.what()};
  }
  std::optional<scenario::ScenarioWatcher> watcher;
  if (options.watch) {
    watcher.emplace(scenarios, std::chrono::milliseconds(250), [](const scenario::LoadResult& result) {
      if (result.ok()) {
        std::cerr << "runmock: scenarios reloaded (" << result.files.size() << " files)" << std::endl;
      } else {
        std::cerr << "runmock: the scenarios did not reload, the previous ones stay in force: " << result.errors.front().to_string()
                  << (result.errors.size() > 1 ? " (and " + std::to_string(result.errors.size() - 1) + " more)" : "") << std::endl;
      }
    });
  }
  auto exit_code = [&] {
    if (!options.fail_on_violations) return 0;
    auto tally = server.journal().violations();
    if (tally.invalid_exchanges == 0) return 0;
    std::cerr << "runmock: --fail-on-violations: " << http::describe(tally) << std::flush;
    return kViolationsExitCode;
  };
  serve_until_signalled(signals, server, exit_code);
  watcher.reset();
  return exit_code();
}

}  // namespace

void add_serve_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<ServeOptions>();
  auto& s = options->server;
  CLI::App* cmd = app.add_subcommand("serve", "Serve the mock APIs from the bundled scenarios (and yours)");
  add_server_flags(cmd, s, options->server_flags);
  cmd->add_option("--scenarios", options->scenario_dirs, "another folder (or file) of scenarios; repeatable; later ones override by name");
  cmd->add_flag("--no-bundled", options->no_bundled, "do not load the bundled scenarios");
  cmd->add_option("--clock", options->clock, "real: wall time (scaled by --time-scale); manual: moved only by POST /__runmock/clock/advance")
      ->check(CLI::IsMember({"real", "manual"}))
      ->capture_default_str();
  cmd->add_option("--time-scale", options->time_scale, "clock seconds per real second (real clock)")->capture_default_str();
  cmd->add_option("--clock-start", options->clock_start, "the clock's first instant, RFC 3339 (manual default: 2024-01-15T10:30:00Z)");
  cmd->add_option("--seed", options->seed, "seed of the generated ids")->capture_default_str();
  cmd->add_option("--max-json-depth", s.max_json_depth, "deeper JSON bodies get 400")->capture_default_str();
  cmd->add_option("--max-runs", options->max_runs, "runs kept (ended runs are evicted oldest first)")->capture_default_str();
  auto* secret = cmd->add_option("--jwt-secret", options->jwt_secret, "check HS256 token signatures with this secret");
  cmd->add_option("--jwt-public-key", options->jwt_public_key, "check RS256 token signatures with this PEM public key")->excludes(secret);
  cmd->add_option("--webhook-region", options->pennsieve.region, "pennsieve: SigV4 region for callback URLs that are not Lambda URLs")
      ->capture_default_str();
  cmd->add_option("--webhook-access-key-id", options->pennsieve.access_key_id, "pennsieve: webhook signing key id (default: $AWS_ACCESS_KEY_ID, else AKIDEXAMPLE)");
  cmd->add_option("--webhook-secret-access-key", options->pennsieve.secret_access_key, "pennsieve: webhook signing secret (default: $AWS_SECRET_ACCESS_KEY, else AWS's example secret)");
  cmd->add_option("--webhook-session-token", options->pennsieve.session_token, "pennsieve: session token sent as X-Amz-Security-Token (default: $AWS_SESSION_TOKEN)");
  cmd->add_option("--webhook-max-attempts", options->pennsieve.max_attempts, "pennsieve: webhook delivery attempts in all")->capture_default_str()->check(CLI::Range(1, 100));
  cmd->add_option("--webhook-backoff", options->pennsieve.backoff_seconds, "pennsieve: clock seconds before the first retry (doubles each time)")->capture_default_str()->check(CLI::NonNegativeNumber);
  cmd->add_option("--webhook-jitter", options->pennsieve.jitter, "pennsieve: retry delay jitter, 0..1 (0: exact backoff)")->capture_default_str()->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--webhook-timeout", options->pennsieve.timeout_seconds, "pennsieve: seconds one webhook attempt may take")->capture_default_str()->check(CLI::Range(1, 600));
  cmd->add_flag("--webhook-allow-remote", options->pennsieve.allow_remote, "pennsieve: deliver webhooks to hosts other than loopback");
  cmd->add_option("--callback-policy", options->pennsieve.callback_policy, "pennsieve: completionCallbackUrl accepted: lambda-or-loopback, lambda, any")
      ->capture_default_str()
      ->check(CLI::IsMember({"lambda-or-loopback", "lambda", "any"}));
  cmd->add_flag("--watch", options->watch, "reload the scenario folders when a file changes (a broken edit keeps the old set)");
  cmd->add_flag("--fail-on-violations", options->fail_on_violations,
                "exit 3 at shutdown when a request or response broke the contract (summary on standard error)");
  cmd->add_option("--contracts", options->contracts_dir, "folder of the API contracts (default: the bundled contracts/)");
  cmd->add_option("--amperity-rate-limit", options->amperity_rate_limit, "amperity: requests per second per tenant before 429; 0: no limit")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--amperity-start-status", options->amperity_start_status, "amperity: the status of a start, 200 (seed 003) or 201 (published OpenAPI)")
      ->capture_default_str()
      ->check(CLI::IsMember({200, 201}));
  cmd->callback([options, &exit_code] {
    try {
      exit_code = serve(*options);
    } catch (const StartupError& e) {
      std::cerr << "runmock serve: " << e.message << "\n";
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
