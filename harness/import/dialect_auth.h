// The dialect's `auth`, from the security the create operation declares (its own `security`,
// else the document's), its first requirement's first scheme in components.securitySchemes:
//   http bearer → bearer (any non-empty Bearer token), http basic → basic, apiKey in a header →
//   api_key with that header, oauth2 / openIdConnect → bearer (their tokens travel as Bearer),
//   nothing declared or an optional requirement ({}) → none.
// What cannot be played (an apiKey in the query or a cookie, mutual TLS) is none, and said so.
#pragma once

#include <nlohmann/json.hpp>

#include "import/notes.h"
#include "import/roles.h"

namespace runmock::import {

nlohmann::ordered_json guess_auth(const DocumentSet& set, const OperationInfo& create, Notes& notes);

}  // namespace runmock::import
