#include "token_command.h"

#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include "http/jwt.h"

namespace runmock::cli {

namespace {

struct TokenOptions {
  std::string client_id = runmock::http::jwt::kDevClientId;
  std::string project_id = runmock::http::jwt::kDevProjectId;
  std::string secret = runmock::http::jwt::kDevSecret;
  std::int64_t exp = runmock::http::jwt::kDevExpiry;
  bool claims = false;
};

}  // namespace

void add_token_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<TokenOptions>();
  CLI::App* cmd = app.add_subcommand("token", "Print a development JWT (HS256) to send as 'Authorization: Bearer <token>'");
  cmd->footer(
      "The token carries client_id, project_id and exp; the same options always print the same token.\n"
      "Examples:\n"
      "  runmock token\n"
      "  runmock token --client-id craft-sdk --project-id proj:fraud-detection\n"
      "  curl -H \"Authorization: Bearer $(runmock token)\" http://127.0.0.1:8089/...");
  cmd->add_option("--client-id", options->client_id, "the client_id claim")->capture_default_str();
  cmd->add_option("--project-id", options->project_id, "the project_id claim (a project UUID or proj:<slug>)")->capture_default_str();
  cmd->add_option("--secret", options->secret, "the HS256 signing secret")->capture_default_str();
  cmd->add_option("--exp", options->exp, "the exp claim, in seconds since the epoch")->capture_default_str();
  cmd->add_flag("--claims", options->claims, "print the claims (JSON) instead of the token");
  cmd->callback([options, &exit_code] {
    if (options->client_id.empty() || options->project_id.empty() || options->secret.empty()) {
      std::cerr << "runmock token: --client-id, --project-id and --secret must not be empty\n";
      exit_code = 2;
      return;
    }
    if (options->claims) {
      std::cout << runmock::http::jwt::dev_claims(options->client_id, options->project_id, options->exp).dump() << "\n";
    } else {
      std::cout << runmock::http::jwt::dev_token(options->client_id, options->project_id, options->secret, options->exp) << "\n";
    }
    exit_code = 0;
  });
}

}  // namespace runmock::cli
