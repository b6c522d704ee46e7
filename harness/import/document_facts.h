// What import-openapi reads from the top of an OpenAPI document before anything else: its version
// (3.0.x or 3.1.x; Swagger 2.0 and anything else refused, exit 2) and the mount prefix, the path
// of `servers[0].url` (`https://{host}/ga4gh/tes/v1` → `/ga4gh/tes/v1`, variables filled with
// their defaults) that the generated contract puts in front of every path.
#pragma once

#include <string>

#include "import/notes.h"
#include "import/source_document.h"

namespace runmock::import {

enum class OpenApiVersion { v30, v31 };

// Throws ImportError (exit 2) for a document that is not OpenAPI 3.0 or 3.1.
OpenApiVersion openapi_version(const SourceDocument& doc);

// The path of the first server's URL without its trailing slash ("" for "/" or no servers).
std::string mount_prefix(const SourceDocument& doc, Notes& notes);

}  // namespace runmock::import
