// Maps a JSON Pointer to the line and column where that value starts in a JSON text, so that an
// error in a schema or a payload file can name `file:line:col`.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace runmock::contracts {

struct TextPosition {
  std::size_t line = 1;    // 1-based
  std::size_t column = 1;  // 1-based, in bytes
};

// The position of the value at `pointer` (RFC 6901) in the JSON `text`; the deepest existing
// ancestor's position when the pointer goes further than the text; nullopt if the text is not JSON.
std::optional<TextPosition> locate_pointer(std::string_view text, std::string_view pointer);

// Line and column (1-based) of a byte offset.
std::pair<std::size_t, std::size_t> line_column_of_offset(std::string_view text, std::size_t offset);

}  // namespace runmock::contracts
