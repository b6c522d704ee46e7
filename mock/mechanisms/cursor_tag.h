// List cursors bound to the filters they were made for: the engine's cursor (the position in a
// listing) is handed out as "<tag>.<engine cursor>", the tag a digest of the listing's filters,
// so a cursor used with other filters is refused instead of paging through another listing
// (pennsieve's nextCursor).
//
// Configuration: the filters, in a fixed order (pennsieve: organization, workflow, status,
// start_date, end_date, each as received, "" when absent).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace runmock::mechanisms {

// The first 12 hex digits of the SHA-256 of the filters joined by '|'. Filters that hold '|'
// can alias others ("a|b","" and "a","b|"): the tag catches a cursor reused by mistake, it does
// not stand against forgery (a cursor is not a secret either).
std::string cursor_tag(const std::vector<std::string>& filters);

// "<tag>.<engine_cursor>".
std::string bind_cursor(const std::string& tag, const std::string& engine_cursor);

// The engine cursor of `text` when `text` is "<tag>.<engine cursor>" with this tag and a
// non-empty engine cursor; nullopt otherwise (another listing's cursor, or no cursor at all).
std::optional<std::string> unbind_cursor(const std::string& tag, const std::string& text);

}  // namespace runmock::mechanisms
