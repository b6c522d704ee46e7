// The fault model: parsing (with the pointer of each problem), rules and their matching, named
// faults, and the Prefer header.
#include <gtest/gtest.h>

#include "faults/fault_book.h"
#include "faults/prefer.h"

using nlohmann::json;
using namespace runmock::faults;

namespace {

std::string pointer_of(const json& value) {
  try {
    parse_fault(value);
  } catch (const FaultError& e) {
    return e.pointer + " " + e.what();
  }
  return "accepted";
}

TEST(Fault, ParsesEveryKind) {
  Fault status = parse_fault({{"kind", "status"}, {"status", 429}, {"retry_after", 2}, {"code", "RATE_LIMIT_EXCEEDED"}, {"delay_ms", 5}});
  EXPECT_EQ(status.kind, Kind::status);
  EXPECT_EQ(status.status, 429);
  EXPECT_EQ(status.retry_after, 2);
  EXPECT_TRUE(status.replaces_answer());
  EXPECT_EQ(describe(status), "status 429 after 5ms");
  Fault drip = parse_fault({{"kind", "drip"}});
  EXPECT_EQ(drip.bytes, 64u);
  EXPECT_EQ(drip.interval.count(), 100);
  EXPECT_TRUE(drip.changes_answer());
  Fault delay = parse_fault({{"kind", "delay"}, {"delay_ms", 100}, {"delay_max_ms", 300}});
  EXPECT_EQ(describe(delay), "delay 100-300ms");
  EXPECT_FALSE(delay.replaces_answer());
  EXPECT_FALSE(delay.changes_answer());
  for (const char* kind : {"reset", "empty", "truncate", "malformed"}) {
    Fault f = parse_fault({{"kind", kind}});
    EXPECT_EQ(to_string(f.kind), kind);
    EXPECT_EQ(parse_fault(to_json(f)).kind, f.kind);  // round trip
  }
  EXPECT_EQ(to_json(parse_fault({{"kind", "corrupt"}, {"merge", {{"status", 1}}}}))["merge"], json({{"status", 1}}));
}

TEST(Fault, RefusesWithThePointerOfTheProblem) {
  EXPECT_EQ(pointer_of(json::array()), " a fault is an object with a 'kind' (delay, status, reset, empty, truncate, malformed, drip, corrupt), got array");
  EXPECT_EQ(pointer_of({{"kind", "gremlins"}}), "/kind 'gremlins' is not a fault kind (delay, status, reset, empty, truncate, malformed, drip, corrupt)");
  EXPECT_EQ(pointer_of({{"kind", "status"}}), " a status fault needs 'status' (400-599)");
  EXPECT_EQ(pointer_of({{"kind", "status"}, {"status", 302}}), "/status 'status' must be between 400 and 599, got 302");
  EXPECT_EQ(pointer_of({{"kind", "status"}, {"status", "503"}}), "/status 'status' must be a whole number, got string");
  EXPECT_EQ(pointer_of({{"kind", "reset"}, {"bytes", 3}}), "/bytes unknown key 'bytes' for a reset fault (it takes kind, delay_ms, delay_max_ms)");
  EXPECT_EQ(pointer_of({{"kind", "delay"}}), " a delay fault needs 'delay_ms'");
  EXPECT_EQ(pointer_of({{"kind", "delay"}, {"delay_ms", 10}, {"delay_max_ms", 5}}), "/delay_max_ms 'delay_max_ms' must not be below 'delay_ms'");
  EXPECT_EQ(pointer_of({{"kind", "delay"}, {"delay_ms", -1}}), "/delay_ms 'delay_ms' must be between 0 and 3600000, got -1");
  EXPECT_EQ(pointer_of({{"kind", "corrupt"}, {"merge", json::object()}}), "/merge a corrupt fault needs 'merge': a non-empty object merged into the answer");
  EXPECT_EQ(pointer_of({{"kind", "drip"}, {"bytes", 0}}), "/bytes 'bytes' must be between 1 and 1048576, got 0");
}

TEST(FaultRules, PathPatterns) {
  EXPECT_TRUE(path_matches("/a/b", "/a/b"));
  EXPECT_FALSE(path_matches("/a/b", "/a/b/c"));
  EXPECT_TRUE(path_matches("/runs/*", "/runs/42"));
  EXPECT_FALSE(path_matches("/runs/*", "/runs/42/cancel"));
  EXPECT_TRUE(path_matches("/runs/*/cancel", "/runs/42/cancel"));
  EXPECT_TRUE(path_matches("/runs/wf-*", "/runs/wf-20240115"));
  EXPECT_FALSE(path_matches("/runs/wf-*", "/runs/x-1"));
  EXPECT_TRUE(path_matches("/api/**", "/api/workflow/runs/1"));
  EXPECT_TRUE(path_matches("/api/**", "/api"));
  EXPECT_FALSE(path_matches("/api/**", "/apix/runs"));
  EXPECT_TRUE(path_matches("/*/workflows/**", "/compute/workflows/runs"));
}

TEST(FaultRules, MatchOnEveryField) {
  Rule rule = parse_rule({{"match", {{"method", "get"}, {"run", "r-1"}, {"api", "emergence"}}}, {"fault", {{"kind", "reset"}}}});
  EXPECT_EQ(rule.match.method, "GET");
  EXPECT_TRUE(matches(rule.match, {"emergence", "GET", "/w/c/runs/r-1"}));
  EXPECT_FALSE(matches(rule.match, {"emergence", "GET", "/w/c/runs/r-10"}));  // a whole segment only
  EXPECT_FALSE(matches(rule.match, {"emergence", "POST", "/w/c/runs/r-1"}));
  EXPECT_FALSE(matches(rule.match, {"amperity", "GET", "/w/c/runs/r-1"}));
  EXPECT_TRUE(matches(Match{}, {"x", "DELETE", "/anything"}));
}

TEST(FaultRules, TimesRunOutAndTheRuleGoes) {
  FaultBook book;
  EXPECT_EQ(book.take({"emergence", "GET", "/x"}), nullptr);
  Rule added = book.add(parse_rule({{"fault", {{"kind", "status"}, {"status", 503}}}, {"times", 2}, {"match", {{"path", "/x"}}}}));
  EXPECT_EQ(added.id, 1u);
  EXPECT_EQ(book.take({"emergence", "GET", "/y"}), nullptr);
  EXPECT_NE(book.take({"emergence", "GET", "/x"}), nullptr);
  EXPECT_EQ(book.to_json()["rules"][0]["remaining"], 1);
  EXPECT_EQ(book.to_json()["rules"][0]["hits"], 1);
  EXPECT_NE(book.take({"emergence", "GET", "/x"}), nullptr);
  EXPECT_EQ(book.take({"emergence", "GET", "/x"}), nullptr);
  EXPECT_TRUE(book.to_json()["rules"].empty());

  Rule forever = book.add(parse_rule({{"fault", {{"kind", "empty"}}}}));
  for (int i = 0; i < 5; ++i) EXPECT_NE(book.take({"a", "GET", "/"}), nullptr);
  EXPECT_TRUE(book.remove(forever.id));
  EXPECT_FALSE(book.remove(forever.id));
  EXPECT_EQ(book.take({"a", "GET", "/"}), nullptr);
}

TEST(FaultRules, RefusesBadRules) {
  auto pointer = [](const json& value) {
    try {
      parse_rule(value);
    } catch (const FaultError& e) {
      return e.pointer;
    }
    return std::string("accepted");
  };
  EXPECT_EQ(pointer({{"match", {{"path", "/x"}}}}), "");
  EXPECT_EQ(pointer({{"fault", {{"kind", "nope"}}}}), "/fault/kind");
  EXPECT_EQ(pointer({{"fault", {{"kind", "reset"}}}, {"match", {{"path", "x"}}}}), "/match/path");
  EXPECT_EQ(pointer({{"fault", {{"kind", "reset"}}}, {"match", {{"run", 7}}}}), "/match/run");
  EXPECT_EQ(pointer({{"fault", {{"kind", "reset"}}}, {"times", -1}}), "/times");
  EXPECT_EQ(pointer({{"fault", {{"kind", "reset"}}}, {"when", 1}}), "/when");
}

TEST(FaultRules, NamedFaultsOverrideBuiltins) {
  FaultBook book;
  EXPECT_EQ(book.named("unavailable")->status, 503);
  EXPECT_EQ(book.named("rate-limited")->status, 429);
  EXPECT_EQ(book.named("nope"), nullptr);
  book.define("unavailable", parse_fault({{"kind", "status"}, {"status", 502}}));
  EXPECT_EQ(book.named("unavailable")->status, 502);
  book.clear();
  EXPECT_EQ(book.named("unavailable")->status, 503);
  EXPECT_EQ(book.names().size(), builtin_faults().size());
}

TEST(Prefer, ReadsOneParameter) {
  EXPECT_EQ(prefer_parameter("fault=reset", "fault"), "reset");
  EXPECT_EQ(prefer_parameter("respond-async, scenario=\"slow\"; fault = drip ", "fault"), "drip");
  EXPECT_EQ(prefer_parameter("respond-async, scenario=\"slow\"", "scenario"), "slow");
  EXPECT_EQ(prefer_parameter("Fault=x", "fault"), "x");
  EXPECT_EQ(prefer_parameter("faults=x", "fault"), std::nullopt);
  EXPECT_EQ(prefer_parameter("fault=", "fault"), std::nullopt);
  EXPECT_EQ(prefer_parameter("", "fault"), std::nullopt);
}

}  // namespace
