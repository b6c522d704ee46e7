// runmock import-openapi as a library: an OpenAPI 3.0 / 3.1 description in, one API folder out
// (openapi.yaml, schemas/, a draft lifecycle.json, dialect.yaml, scenarios/) that
// `runmock serve --api-dir DIR` plays and `runmock verify --api-dir DIR` checks against.
//
//   import::ImportOptions options{"tes.yaml", "tes", "out/tes"};
//   import::Notes notes;
//   import::ImportPlan plan = import::plan_import(options, notes);  // reads and guesses; throws ImportError
//   import::write_folder(plan, options);                              // writes, then loads it back
//
// plan_import reads the document (document_set.h), its version and mount prefix
// (document_facts.h), guesses the roles (roles.h), the state field (state_field.h), the lifecycle
// (lifecycle_draft.h), the dialect (dialect_writer.h) and the scenarios (scenario_writer.h), and
// rewrites the contract (output_document.h); `notes` gets every guess and everything it could not
// guess. Nothing is written before everything is known.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "import/notes.h"
#include "import/output_document.h"
#include "import/roles.h"

namespace runmock::import {

struct ImportOptions {
  std::filesystem::path file;
  std::string api;
  std::filesystem::path out;
  RoleChoice roles;   // what --create, --get, --list, --cancel name
  std::string state;  // --state
  bool force = false;
  std::filesystem::path contracts_dir;  // where lifecycle.schema.json and dialect.schema.json are (empty: the bundled contracts/)
};

struct ImportPlan {
  OutputContract contract;
  nlohmann::ordered_json lifecycle;
  nlohmann::ordered_json dialect;
  nlohmann::ordered_json scenarios;
};

ImportPlan plan_import(const ImportOptions& options, Notes& notes);

// The file header of the generated dialect: what was guessed and what was not.
std::vector<std::string> dialect_comments(const ImportOptions& options, const Notes& notes);

}  // namespace runmock::import
