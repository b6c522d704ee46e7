#include <gtest/gtest.h>

#include <iostream>
#include <sstream>

#include "http/jwt.h"
#include "token_command.h"

namespace runmock::cli {
namespace {

// Runs `runmock <args>` with only the token subcommand wired; returns stdout.
std::string run(std::vector<std::string> args, int& exit_code) {
  CLI::App app{"runmock"};
  app.require_subcommand(1);
  add_token_command(app, exit_code);
  std::vector<const char*> argv{"runmock"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::stringstream out;
  auto* old = std::cout.rdbuf(out.rdbuf());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    exit_code = 2;
  }
  std::cout.rdbuf(old);
  return out.str();
}

TEST(TokenCommand, PrintsTheDevTokenByDefault) {
  int code = -1;
  std::string out = run({"token"}, code);
  EXPECT_EQ(code, 0);
  EXPECT_EQ(out, http::jwt::dev_token() + "\n");
  auto token = http::jwt::Verifier::hs256(http::jwt::kDevSecret).verify(out.substr(0, out.size() - 1), 1705314600);
  EXPECT_EQ(token.payload["client_id"], "runmock-dev");
  EXPECT_EQ(token.payload["project_id"], "proj:customer-analytics");
  EXPECT_EQ(token.payload["exp"], 4102444800);
}

TEST(TokenCommand, Options) {
  int code = -1;
  std::string out = run({"token", "--client-id", "craft-sdk", "--project-id", "proj:fraud-detection", "--secret", "s"}, code);
  EXPECT_EQ(code, 0);
  auto token = http::jwt::Verifier::hs256("s").verify(out.substr(0, out.size() - 1), 1705314600);
  EXPECT_EQ(token.payload["client_id"], "craft-sdk");
  EXPECT_EQ(token.payload["project_id"], "proj:fraud-detection");
  out = run({"token", "--claims", "--exp", "1700000000"}, code);
  EXPECT_EQ(nlohmann::json::parse(out)["exp"], 1700000000);
  run({"token", "--secret", ""}, code);
  EXPECT_EQ(code, 2);
}

}  // namespace
}  // namespace runmock::cli
