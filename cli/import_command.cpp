// `runmock import-openapi` (see import_command.h): flags, the import, the report on standard error.
#include "import_command.h"

#include <iostream>
#include <memory>

#include "import/folder_writer.h"
#include "import/import_error.h"
#include "import/importer.h"

namespace runmock::cli {
namespace {

void report(const import::Notes& notes) {
  for (const auto& line : notes.guessed) std::cerr << "runmock import-openapi: guessed " << line << "\n";
  for (const auto& line : notes.missing) std::cerr << "runmock import-openapi: could not: " << line << "\n";
}

int run_import(const import::ImportOptions& options) {
  import::Notes notes;
  try {
    import::ImportPlan plan = import::plan_import(options, notes);
    report(notes);
    import::write_folder(plan, options, notes);
    std::cerr << "runmock import-openapi: wrote " << options.out.string() << " (serve it with: runmock serve --api-dir " << options.out.string() << ")\n";
    return 0;
  } catch (const import::ImportError& e) {
    report(notes);
    std::cerr << "runmock import-openapi: " << e.what() << "\n";
    return e.exit_code();
  } catch (const std::exception& e) {
    report(notes);
    std::cerr << "runmock import-openapi: " << options.file.string() << ": " << e.what() << "\n";
    return import::kExitUsage;
  }
}

}  // namespace

void add_import_command(CLI::App& app, int& exit_code) {
  auto options = std::make_shared<import::ImportOptions>();
  auto file = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("import-openapi", "Make an API folder (for serve --api-dir) from an OpenAPI 3.0 or 3.1 document");
  cmd->footer(
      "Guesses the roles it is not told from methods and paths, the state field from the run schema, a draft lifecycle from the state "
      "words, auth from securitySchemes and the error body from the error responses; prints them on standard error.\n"
      "Exit status: 0 written, 1 no create or no get operation (or no state field) found, 2 usage or document error (file:line:col).");
  cmd->add_option("FILE", *file, "the OpenAPI document (YAML or JSON; Swagger 2.0 is refused)")->required();
  cmd->add_option("--api", options->api, "the API's name (dialect api:, scenarios' api:)")->required();
  cmd->add_option("--out", *out, "the folder to write (must not exist or be empty, unless --force)")->required();
  cmd->add_option("--create", options->roles.create, "the operationId that creates a run (default: guessed)");
  cmd->add_option("--get", options->roles.get, "the operationId that reads a run (default: guessed)");
  cmd->add_option("--list", options->roles.list, "the operationId that lists runs (default: guessed)");
  cmd->add_option("--cancel", options->roles.cancel, "the operationId that cancels a run (default: guessed)");
  cmd->add_option("--state", options->state, "JSON Pointer of the state field in the run's body, e.g. /status (default: guessed)");
  cmd->add_flag("--force", options->force, "replace the files the import writes in a folder that is not empty");
  cmd->add_option("--contracts", options->contracts_dir, "folder holding lifecycle.schema.json and dialect.schema.json (default: the bundled contracts/)");
  cmd->callback([options, file, out, &exit_code] {
    options->file = *file;
    options->out = *out;
    exit_code = run_import(*options);
  });
}

}  // namespace runmock::cli
