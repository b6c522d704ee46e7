// The generated folder's scenarios (scenarios/<api>.yaml, format in docs/engine-and-scenarios.md),
// from the draft lifecycle:
//   default    (default: true) first state 1 s, running 2 s, then the succeeded state;
//   failing    the same, ending in the failed state (with an error text in the run's error
//              field when it has one: error, error_message, failure_reason, message ...);
//   cancelled  the same, then cancelling 1 s (when the API has such a state) and cancelled.
// Each scenario's `actions: cancel:` leads through cancelling to cancelled when the API can be
// cancelled. A scenario whose end state the API lacks is left out (and said so).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "import/lifecycle_draft.h"
#include "import/notes.h"

namespace runmock::import {

// `error_field`: a string property of the run for the failing scenario's message ("" for none).
nlohmann::ordered_json build_scenarios(const std::string& api, const LifecycleDraft& lifecycle, bool cancellable,
                                       const std::string& error_field, Notes& notes);

}  // namespace runmock::import
