// The error answers the mock gives that the imported document does not declare. runmock checks
// its own answers against the contract and turns an undocumented status into a 500, and public
// documents often declare only their successes (GA4GH TES declares a 200 and nothing else), so
// the generated contract gets, on each played operation, a response for every status the
// dialect may answer with (a refused credential, a bad request, an unknown run, a cancel of an
// ended run ...) that the operation neither declares nor covers with 4XX, 5XX or default. It is a
// copy of the declared error response the error body was guessed from, else a {code, message}
// schema added as components.schemas.runmock-error; each says it was added.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "import/notes.h"

namespace runmock::import {

struct ErrorResponseNeed {
  std::string path;    // as written in the generated document (behind the mount prefix)
  std::string method;  // lower case
  std::string id;
  std::vector<int> statuses;
};

// `model`: the generated document's copy of the declared error response to reuse (null for none).
void add_error_responses(nlohmann::ordered_json& openapi, const std::vector<ErrorResponseNeed>& needs, const nlohmann::ordered_json& model, Notes& notes);

}  // namespace runmock::import
