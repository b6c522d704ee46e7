// Ids in an API's own shape, drawn from the engine's seeded IdGenerator: amperity's
// "wf-20240603-12345-MNabc" is the template "wf-{date}-{digits:5}-{letters:5}".
//
// Configuration: the template text, literal text and pieces in braces:
//   {date}             the instant's UTC date, yyyymmdd
//   {digits:N}         N characters of 0-9
//   {letters:N}        N characters of A-Z a-z
//   {alphanumerics:N}  N characters of 0-9 A-Z a-z
//   {hex:N}            N characters of 0-9 a-f
//   {uuid}             a version 4 UUID, lower case
// N is 1 to 64. The template "uuid" on its own means "{uuid}" (runmock's default ids).
//
// The order of the draws is part of runmock's byte-identical replay under --seed: the random
// pieces are drawn right to left, the last one first. That is the order in which the dialects
// drew them before templates existed ("wf-" + date + "-" + ids.digits(5) + "-" + ids.letters(5),
// whose operands g++ evaluates right to left), so the same seed still gives the same ids.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "engine/ids.h"
#include "engine/time.h"

namespace runmock::mechanisms {

class IdTemplate {
 public:
  static constexpr std::size_t kMaxCount = 64;

  // Throws std::invalid_argument naming the template, the offset of the fault (0-based) and what
  // is wrong: an empty template, an unclosed '{', a '}' without '{', an unknown piece, a missing,
  // unexpected or out-of-range count.
  static IdTemplate parse(std::string_view text);

  // One id: the literal text and the pieces, drawn from `ids` right to left (see above); {date}
  // is the date of `instant`.
  std::string make(engine::IdGenerator& ids, engine::Instant instant) const;

  const std::string& text() const { return text_; }

 private:
  enum class Kind { literal, date, digits, letters, alphanumerics, hex, uuid };
  struct Piece {
    Kind kind = Kind::literal;
    std::string literal;    // Kind::literal
    std::size_t count = 0;  // the counted kinds
  };

  static Piece parse_piece(std::string_view text, std::size_t open, std::string_view inside);
  static std::string draw(const Piece& piece, engine::IdGenerator& ids, engine::Instant instant);

  std::string text_;
  std::vector<Piece> pieces_;
};

}  // namespace runmock::mechanisms
