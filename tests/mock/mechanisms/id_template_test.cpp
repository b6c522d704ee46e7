// Id templates: the ids they make (the same, draw for draw, as the dialects' hand-written ids)
// and the errors of bad templates.
#include "mechanisms/id_template.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace {

using runmock::mechanisms::IdTemplate;
namespace engine = runmock::engine;

constexpr std::uint64_t kSeed = 7;
const engine::Instant kInstant = *engine::parse_timestamp("2024-06-03T10:30:00Z");

std::string parse_error(std::string_view text) {
  try {
    IdTemplate::parse(text);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no error)";
}

bool only_of(const std::string& text, std::string_view alphabet) { return text.find_first_not_of(alphabet) == std::string::npos; }

TEST(IdTemplate, AmperityRunIdsAreTheOnesTheDialectMadeByHand) {
  // What amperity.cpp's make_id computes today, compiled by the same compiler.
  engine::IdGenerator by_hand(kSeed);
  std::string date = "20240603";
  std::string expected = "wf-" + date + "-" + by_hand.digits(5) + "-" + by_hand.letters(5);

  engine::IdGenerator ids(kSeed);
  EXPECT_EQ(IdTemplate::parse("wf-{date}-{digits:5}-{letters:5}").make(ids, kInstant), expected);
  EXPECT_EQ(ids.next(), by_hand.next());  // and the generator is left where the dialect left it
}

TEST(IdTemplate, RandomPiecesAreDrawnRightToLeft) {
  engine::IdGenerator by_hand(kSeed);
  std::string letters = by_hand.letters(5);
  std::string digits = by_hand.digits(5);

  engine::IdGenerator ids(kSeed);
  EXPECT_EQ(IdTemplate::parse("wf-{date}-{digits:5}-{letters:5}").make(ids, kInstant), "wf-20240603-" + digits + "-" + letters);
}

TEST(IdTemplate, AmperityVersionAndTaskIdsToo) {
  for (const char* prefix : {"etv-", "wft-"}) {
    engine::IdGenerator by_hand(kSeed);
    std::string expected = prefix + std::string("20240603") + "-" + by_hand.digits(5) + "-" + by_hand.alphanumerics(6);
    engine::IdGenerator ids(kSeed);
    EXPECT_EQ(IdTemplate::parse(prefix + std::string("{date}-{digits:5}-{alphanumerics:6}")).make(ids, kInstant), expected) << prefix;
  }
}

TEST(IdTemplate, UuidOnItsOwnIsTheGeneratorsUuid) {
  engine::IdGenerator by_hand(kSeed);
  engine::IdGenerator ids(kSeed);
  IdTemplate uuid = IdTemplate::parse("uuid");
  EXPECT_EQ(uuid.make(ids, kInstant), by_hand.uuid());
  EXPECT_EQ(uuid.make(ids, kInstant), by_hand.uuid());
  EXPECT_EQ(IdTemplate::parse("run-{uuid}").make(ids, kInstant), "run-" + by_hand.uuid());
  EXPECT_EQ(uuid.text(), "uuid");
}

TEST(IdTemplate, EachPieceDrawsFromItsAlphabet) {
  engine::IdGenerator ids(kSeed);
  std::string id = IdTemplate::parse("{digits:10}|{letters:10}|{alphanumerics:10}|{hex:10}").make(ids, kInstant);
  ASSERT_EQ(id.size(), 43u) << id;
  EXPECT_TRUE(only_of(id.substr(0, 10), "0123456789")) << id;
  EXPECT_TRUE(only_of(id.substr(11, 10), "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")) << id;
  EXPECT_TRUE(only_of(id.substr(22, 10), "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")) << id;
  EXPECT_TRUE(only_of(id.substr(33, 10), "0123456789abcdef")) << id;
}

TEST(IdTemplate, HexIsDrawnLikeTheOtherAlphabets) {
  engine::IdGenerator by_hand(kSeed);
  engine::IdGenerator ids(kSeed);
  EXPECT_EQ(IdTemplate::parse("{hex:12}").make(ids, kInstant), by_hand.pick(12, "0123456789abcdef"));
}

TEST(IdTemplate, DateAndLiteralsDrawNothing) {
  engine::IdGenerator by_hand(kSeed);
  engine::IdGenerator ids(kSeed);
  EXPECT_EQ(IdTemplate::parse("static-{date}").make(ids, *engine::parse_timestamp("1999-12-31T23:59:59.999Z")), "static-19991231");
  EXPECT_EQ(ids.next(), by_hand.next());
}

TEST(IdTemplate, TheSameSeedGivesTheSameIds) {
  IdTemplate id = IdTemplate::parse("x-{digits:3}{uuid}{letters:2}");
  engine::IdGenerator first(kSeed), second(kSeed), other(kSeed + 1);
  std::string a = id.make(first, kInstant);
  EXPECT_EQ(a, id.make(second, kInstant));
  EXPECT_NE(a, id.make(other, kInstant));
  EXPECT_NE(a, id.make(first, kInstant));
}

TEST(IdTemplate, BadTemplatesSayWhereAndWhat) {
  EXPECT_EQ(parse_error(""), "id template '', offset 0: an id template cannot be empty");
  EXPECT_EQ(parse_error("wf-{date"), "id template 'wf-{date', offset 3: '{' is never closed by a '}'");
  EXPECT_EQ(parse_error("wf-}"), "id template 'wf-}', offset 3: '}' without a '{' before it");
  const std::string expected = " (expected {date}, {uuid}, {digits:N}, {letters:N}, {alphanumerics:N} or {hex:N})";
  EXPECT_EQ(parse_error("a-{day}"), "id template 'a-{day}', offset 2: unknown piece {day}" + expected);
  EXPECT_EQ(parse_error("{}"), "id template '{}', offset 0: unknown piece {}" + expected);
  EXPECT_EQ(parse_error("{a{digits:5}}"), "id template '{a{digits:5}}', offset 0: unknown piece {a{digits:5}" + expected);
  EXPECT_EQ(parse_error("{digits}"), "id template '{digits}', offset 0: {digits} needs a count, as in {digits:5}");
  EXPECT_EQ(parse_error("{date:8}"), "id template '{date:8}', offset 0: {date:8}: {date} takes no count");
  EXPECT_EQ(parse_error("x{uuid:}"), "id template 'x{uuid:}', offset 1: {uuid:}: {uuid} takes no count");
  EXPECT_EQ(parse_error("id-{letters:0}"), "id template 'id-{letters:0}', offset 12: {letters:0}: the count '0' is not a number from 1 to 64");
  EXPECT_EQ(parse_error("{hex:65}"), "id template '{hex:65}', offset 5: {hex:65}: the count '65' is not a number from 1 to 64");
  EXPECT_EQ(parse_error("{hex:}"), "id template '{hex:}', offset 5: {hex:}: the count '' is not a number from 1 to 64");
  EXPECT_EQ(parse_error("{hex:+5}"), "id template '{hex:+5}', offset 5: {hex:+5}: the count '+5' is not a number from 1 to 64");
  EXPECT_EQ(parse_error("{hex:5x}"), "id template '{hex:5x}', offset 5: {hex:5x}: the count '5x' is not a number from 1 to 64");
  EXPECT_EQ(parse_error("{digits:99999999999999999999999}"),
            "id template '{digits:99999999999999999999999}', offset 8: {digits:99999999999999999999999}: the count "
            "'99999999999999999999999' is not a number from 1 to 64");
}

TEST(IdTemplate, UuidIsOnlySpecialAsTheWholeTemplate) {
  engine::IdGenerator ids(kSeed);
  EXPECT_EQ(IdTemplate::parse("uuid-{digits:1}").make(ids, kInstant).substr(0, 5), "uuid-");
  EXPECT_EQ(IdTemplate::parse("uuids").make(ids, kInstant), "uuids");
}

}  // namespace
