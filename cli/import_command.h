// `runmock import-openapi FILE --api NAME --out DIR`: an OpenAPI 3.0 / 3.1 description of a
// workflow-run API made into an API folder that `runmock serve --api-dir DIR` plays (the library
// is harness/import/, importer.h). What it guessed goes to standard error.
#pragma once

#include <CLI/CLI.hpp>

namespace runmock::cli {

// Adds the subcommand to `app`; it runs when parsed and sets the process exit code.
void add_import_command(CLI::App& app, int& exit_code);

}  // namespace runmock::cli
