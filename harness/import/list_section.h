// The dialect's `lists` entry for the list operation, from its query parameters and its response:
//   paging: a limit parameter (limit, page_size, per_page, max_results ...) with its schema's
//   default and maximum; a cursor parameter (page_token, cursor, next_token, after ...) and a
//   response property for the next one (next_page_token, next_cursor ...) make cursor paging,
//   else offset paging (offset, skip, start);
//   filters: a parameter named status, state or phase, or whose schema is the run's state enum,
//   filters on the state;
//   envelope: the response's array property (the one whose items are runs first), and its total,
//   limit and offset properties when it has them.
// A listing whose answer is a bare array cannot be played (the format needs an envelope): nullopt.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "import/notes.h"
#include "import/roles.h"

namespace runmock::import {

struct ListGuess {
  nlohmann::ordered_json section;
  Place item_schema;  // the schema of one listed run
};

std::optional<ListGuess> guess_list(const SchemaView& view, const OperationInfo& list, const Place& run_schema,
                                    const std::vector<std::string>& state_words, Notes& notes);

}  // namespace runmock::import
