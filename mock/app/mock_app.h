// One runmock mock, assembled: the APIs of the registry (bundled and --api-dir), the lifecycle
// engine on its clock, the scenarios, the HTTP server with every API's dialect and the admin API.
// `runmock serve` is this plus signals and --watch; tests and embedders start one in-process.
//
//   app::MockOptions options;            // what serve's flags say
//   options.server.port = 0;
//   app::MockApp mock(std::move(options));  // loads everything; throws app::StartupError
//   mock.start();                        // listens; mock.url(), mock.token()
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "http/server.h"
#include "scenario/loader.h"

namespace runmock::app {

// A mock that cannot start: what is wrong, ready for the user.
class StartupError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct MockOptions {
  http::ServerConfig server;
  std::vector<std::filesystem::path> scenario_dirs;  // --scenarios
  bool no_bundled = false;                            // --no-bundled
  std::string clock = "real";                         // real | manual
  double time_scale = 1.0;
  std::string clock_start;  // RFC 3339
  std::uint64_t seed = engine::IdGenerator::kDefaultSeed;
  std::size_t max_runs = engine::EngineOptions{}.max_runs;
  std::string jwt_secret;
  std::string jwt_public_key;  // a PEM file
  std::filesystem::path contracts_dir;  // empty: contracts::default_contracts_dir()
  std::vector<std::filesystem::path> api_dirs;
  // API options by API and name (a dialect's `options:`), as text.
  std::map<std::string, std::map<std::string, std::string>> api_options;
};

class MockApp {
 public:
  explicit MockApp(MockOptions options);
  ~MockApp();
  MockApp(const MockApp&) = delete;
  MockApp& operator=(const MockApp&) = delete;

  // Listens (the listening line and the dev token line go to the server's log sink). Throws StartupError.
  void start();
  bool stop();

  http::Server& server();
  engine::Engine& engine();
  scenario::ScenarioRegistry& scenarios();
  std::string url() const;
  // The development token, signed with --jwt-secret when one is given.
  const std::string& token() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace runmock::app
