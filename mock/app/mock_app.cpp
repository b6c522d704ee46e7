#include "app/mock_app.h"

#include <fstream>
#include <set>
#include <sstream>

#include "admin/admin_api.h"
#include "dialect/generic_dialect.h"
#include "engine/time.h"
#include "hooks/hooks.h"
#include "http/jwt.h"
#include "loader/api_contract.h"
#include "registry/registry.h"

namespace runmock::app {

namespace fs = std::filesystem;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw StartupError("cannot read " + path.string());
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

registry::ApiRegistry load_registry(const MockOptions& options) {
  try {
    return registry::ApiRegistry::load(options.contracts_dir.empty() ? contracts::default_contracts_dir() : options.contracts_dir, options.api_dirs);
  } catch (const registry::RegistryError& e) {
    throw StartupError(e.what());
  }
}

std::shared_ptr<engine::Clock> make_clock(const MockOptions& options) {
  std::optional<engine::Instant> start;
  if (!options.clock_start.empty()) {
    start = engine::parse_timestamp(options.clock_start);
    if (!start) throw StartupError("--clock-start: '" + options.clock_start + "' is not an RFC 3339 timestamp");
  }
  if (options.time_scale <= 0) throw StartupError("--time-scale must be greater than 0");
  return options.clock == "manual" ? engine::Clock::manual(start.value_or(engine::default_start())) : engine::Clock::real(options.time_scale, start);
}

http::jwt::Verifier make_verifier(const MockOptions& options) {
  if (!options.jwt_secret.empty()) return http::jwt::Verifier::hs256(options.jwt_secret);
  if (!options.jwt_public_key.empty()) return http::jwt::Verifier::rs256(read_file(options.jwt_public_key));
  return {};
}

std::vector<fs::path> scenario_paths(const MockOptions& options, const registry::ApiRegistry& apis) {
  std::vector<fs::path> paths = registry::scenario_dirs(apis, !options.no_bundled);
  for (const auto& dir : options.scenario_dirs) paths.push_back(dir);
  return paths;
}

}  // namespace

struct MockApp::Impl {
  MockOptions options;
  registry::ApiRegistry apis;
  std::shared_ptr<engine::Clock> clock;
  engine::Engine engine;
  scenario::ScenarioRegistry scenarios;
  http::jwt::Verifier verifier;
  std::string token;
  std::unique_ptr<http::Server> server;
  std::vector<std::unique_ptr<dialect::GenericDialect>> dialects;

  explicit Impl(MockOptions o)
      : options(std::move(o)),
        apis(load_registry(options)),
        clock(make_clock(options)),
        engine(clock, {options.max_runs, options.seed}),
        scenarios(scenario_paths(options, apis), load_options()),
        verifier(make_verifier(options)) {
    for (const auto& [name, contract] : apis.contracts()) engine.add_api(name, contract.lifecycle());
    auto loaded = scenarios.reload();
    if (!loaded.ok()) throw StartupError("the scenarios do not load:\n" + loaded.report());
    std::string secret = options.jwt_secret.empty() ? http::jwt::kDevSecret : options.jwt_secret;
    token = http::jwt::dev_token(http::jwt::kDevClientId, http::jwt::kDevProjectId, secret);
    options.server.cors_headers = apis.cors_headers();
    server = std::make_unique<http::Server>(options.server);
    server->set_clock([c = clock] { return engine::format_timestamp(c->now()); });
    admin::install(*server, engine, scenarios, install_dialects());
  }

  scenario::LoadOptions load_options() const {
    scenario::LoadOptions load;
    load.contracts = &apis.contracts();
    return load;
  }

  // Every API of the registry played by the generic dialect, installed on the server; returns how
  // each builds a seeded run.
  std::map<std::string, engine::RunBuilder> install_dialects() {
    for (const auto& [api, given] : options.api_options) {
      if (!apis.find(api)) throw StartupError("--set " + api + ".…: no API '" + api + "'");
    }
    std::map<std::string, engine::RunBuilder> builders;
    for (const auto& entry : apis.entries()) {
      const dialect::DialectSpec& spec = entry->dialect;
      dialect::OptionValues values;
      try {
        auto given = options.api_options.find(entry->name);
        values = dialect::resolve_options(spec, given == options.api_options.end() ? std::map<std::string, std::string>{} : given->second);
      } catch (const std::invalid_argument& e) {
        throw StartupError(e.what());
      }
      dialect::HookEnv env{engine, scenarios, *entry->contract, entry->name, spec.fraction_digits};
      std::set<std::string> names = {spec.hooks.validate_create, spec.hooks.resolve_create, spec.hooks.observe, spec.hooks.seed};
      auto d = std::make_unique<dialect::GenericDialect>(spec, *entry->contract, engine, scenarios, verifier, std::move(values),
                                                         dialect::make_hooks(hooks::builtin(), names, env));
      d->install(*server);
      dialect::GenericDialect* raw = d.get();
      builders[entry->name] = [raw](const engine::SeedSpec& seed) { return raw->seed_run(seed); };
      dialects.push_back(std::move(d));
    }
    return builders;
  }
};

MockApp::MockApp(MockOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

MockApp::~MockApp() {
  if (impl_) impl_->server->stop();
}

void MockApp::start() {
  Impl& i = *impl_;
  std::vector<std::string> banner{"runmock dev token: " + i.token};
  if (!i.options.jwt_public_key.empty()) banner.back() = "runmock: tokens are checked against " + i.options.jwt_public_key + " (RS256)";
  try {
    i.server->start(banner);
  } catch (const std::exception& e) {
    const auto& s = i.options.server;
    throw StartupError("cannot listen on " + s.host + ":" + std::to_string(s.port) + ": " + e.what());
  }
}

bool MockApp::stop() { return impl_->server->stop(); }
http::Server& MockApp::server() { return *impl_->server; }
engine::Engine& MockApp::engine() { return impl_->engine; }
scenario::ScenarioRegistry& MockApp::scenarios() { return impl_->scenarios; }
std::string MockApp::url() const { return impl_->server->url(); }
const std::string& MockApp::token() const { return impl_->token; }

}  // namespace runmock::app
