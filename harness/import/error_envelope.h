// The dialect's `errors`: the body of every error, guessed from the schema the role operations'
// error responses (4xx, 5xx, default) declare most often. Its properties are matched by name:
//   RFC 7807 problem details (title, status, detail ...): type about:blank, title $code, status
//   $status, detail $message; otherwise code/error_code → $code, message/detail/description →
//   $message, status/status_code → $status, details/errors/violations → $details,
//   request_id/correlation_id → $request_id; an object property that holds such members (an
//   `{"error": {...}}` envelope) is matched inside; other required properties get a value their
//   schema accepts. Without a declared error schema (or one none of whose names match), the body
//   is a plain {code, message}. A request that breaks the contract is answered 422 with every
//   violation in $details (field-list) when the operations declare a 422, else 400 naming the
//   first violation and how many more (first-and-count).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "import/notes.h"
#include "import/roles.h"

namespace runmock::import {

struct ErrorGuess {
  nlohmann::ordered_json section;  // the dialect's errors:
  std::vector<std::string> statuses;  // every status the role operations declare ("404", "4XX", "default" ...)
  // The declared error response whose schema the body follows (empty when none was used).
  const OperationInfo* model_operation = nullptr;
  std::string model_status;
};

ErrorGuess guess_errors(const SchemaView& view, const std::vector<const OperationInfo*>& operations, const std::string& noun, Notes& notes);

}  // namespace runmock::import
