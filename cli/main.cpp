// runmock: a mock server and contract-test harness for workflow-run APIs. This file only wires
// the subcommands; each lives in its own file.
#include <CLI/CLI.hpp>
#include <iostream>

#include "import_command.h"
#include "lint_command.h"
#include "proxy_command.h"
#include "serve_command.h"
#include "token_command.h"
#include "validate_command.h"
#include "verify_command.h"

int main(int argc, char** argv) {
  CLI::App app{"runmock: mock server and contract-test harness for workflow-run APIs"};
  app.set_version_flag("--version", std::string("runmock ") + RUNMOCK_VERSION);
  app.require_subcommand(1);
  int exit_code = 0;
  runmock::cli::add_serve_command(app, exit_code);
  runmock::cli::add_validate_command(app, exit_code);
  runmock::cli::add_lint_command(app, exit_code);
  runmock::cli::add_token_command(app, exit_code);
  runmock::cli::add_proxy_command(app, exit_code);
  runmock::cli::add_verify_command(app, exit_code);
  runmock::cli::add_import_command(app, exit_code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  }
  return exit_code;
}
