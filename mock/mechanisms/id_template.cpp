#include "mechanisms/id_template.h"

#include <charconv>
#include <stdexcept>

namespace runmock::mechanisms {
namespace {

constexpr std::string_view kHexDigits = "0123456789abcdef";

[[noreturn]] void fail(std::string_view text, std::size_t offset, const std::string& what) {
  throw std::invalid_argument("id template '" + std::string(text) + "', offset " + std::to_string(offset) + ": " + what);
}

// The UTC date of `instant` as yyyymmdd.
std::string date_digits(engine::Instant instant) {
  std::string out;
  for (char c : engine::format_timestamp(instant, 0).substr(0, 10)) {
    if (c != '-') out.push_back(c);
  }
  return out;
}

}  // namespace

IdTemplate IdTemplate::parse(std::string_view text) {
  if (text.empty()) fail(text, 0, "an id template cannot be empty");
  IdTemplate out;
  out.text_ = std::string(text);
  if (text == "uuid") {
    out.pieces_.push_back({Kind::uuid, "", 0});
    return out;
  }
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t special = text.find_first_of("{}", i);
    if (special != i) {
      out.pieces_.push_back({Kind::literal, std::string(text.substr(i, special - i)), 0});
      if (special == std::string_view::npos) break;
    }
    if (text[special] == '}') fail(text, special, "'}' without a '{' before it");
    std::size_t close = text.find('}', special);
    if (close == std::string_view::npos) fail(text, special, "'{' is never closed by a '}'");
    out.pieces_.push_back(parse_piece(text, special, text.substr(special + 1, close - special - 1)));
    i = close + 1;
  }
  return out;
}

IdTemplate::Piece IdTemplate::parse_piece(std::string_view text, std::size_t open, std::string_view inside) {
  struct Name {
    std::string_view name;
    Kind kind;
    bool counted;
  };
  static constexpr Name kNames[] = {
      {"date", Kind::date, false},
      {"uuid", Kind::uuid, false},
      {"digits", Kind::digits, true},
      {"letters", Kind::letters, true},
      {"alphanumerics", Kind::alphanumerics, true},
      {"hex", Kind::hex, true},
  };
  std::size_t colon = inside.find(':');
  std::string_view name = inside.substr(0, colon);
  const Name* found = nullptr;
  for (const auto& candidate : kNames) {
    if (candidate.name == name) found = &candidate;
  }
  std::string piece = "{" + std::string(inside) + "}";
  if (!found) fail(text, open, "unknown piece " + piece + " (expected {date}, {uuid}, {digits:N}, {letters:N}, {alphanumerics:N} or {hex:N})");
  if (!found->counted) {
    if (colon != std::string_view::npos) fail(text, open, piece + ": {" + std::string(name) + "} takes no count");
    return {found->kind, "", 0};
  }
  if (colon == std::string_view::npos) fail(text, open, piece + " needs a count, as in {" + std::string(name) + ":5}");
  std::string_view digits = inside.substr(colon + 1);
  std::size_t count = 0;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (digits.empty() || error != std::errc() || end != digits.data() + digits.size() || count < 1 || count > kMaxCount) {
    fail(text, open + 2 + name.size(), piece + ": the count '" + std::string(digits) + "' is not a number from 1 to " + std::to_string(kMaxCount));
  }
  return {found->kind, "", count};
}

std::string IdTemplate::draw(const Piece& piece, engine::IdGenerator& ids, engine::Instant instant) {
  switch (piece.kind) {
    case Kind::literal:
      return piece.literal;
    case Kind::date:
      return date_digits(instant);
    case Kind::digits:
      return ids.digits(piece.count);
    case Kind::letters:
      return ids.letters(piece.count);
    case Kind::alphanumerics:
      return ids.alphanumerics(piece.count);
    case Kind::hex:
      return ids.pick(piece.count, kHexDigits);
    case Kind::uuid:
      return ids.uuid();
  }
  return {};
}

std::string IdTemplate::make(engine::IdGenerator& ids, engine::Instant instant) const {
  // Right to left: see the header (the seeds' ids depend on it).
  std::vector<std::string> parts(pieces_.size());
  for (std::size_t i = pieces_.size(); i-- > 0;) parts[i] = draw(pieces_[i], ids, instant);
  std::string out;
  for (const auto& part : parts) out += part;
  return out;
}

}  // namespace runmock::mechanisms
