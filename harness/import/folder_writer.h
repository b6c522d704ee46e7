// Writing the generated API folder. OUT must not exist or be empty, unless --force: then the
// entries the import owns (openapi.yaml, lifecycle.json, dialect.yaml, schemas/, scenarios/) are
// replaced and anything else in OUT is left alone. The folder is first written beside OUT
// (.<name>.import-<pid>), loaded back exactly as `runmock serve --api-dir` loads it (the registry
// of mock/registry with the contract, the dialect and the scenarios), and only then moved into
// place, so a folder that would not load is never left behind.
#pragma once

#include <filesystem>

#include "import/importer.h"

namespace runmock::import {

// Throws ImportError: 2 for OUT not empty (without force) or not writable, 1 when the generated
// folder does not load (the message says why).
void write_folder(const ImportPlan& plan, const ImportOptions& options, const Notes& notes);

// Loads an API folder as serve does (its contract, dialect and scenarios), with the format
// schemas of `contracts_dir`. Throws ImportError naming what does not load.
void check_api_folder(const std::filesystem::path& dir, const std::filesystem::path& contracts_dir);

}  // namespace runmock::import
