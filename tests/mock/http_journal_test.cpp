#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

#include "http/journal.h"

namespace runmock::http {
namespace {

using nlohmann::json;

JournalEntry entry(std::string api, std::string run, std::string verdict) {
  JournalEntry e;
  e.method = "GET";
  e.path = "/x";
  e.status = 200;
  e.api = std::move(api);
  e.run = std::move(run);
  e.verdict = std::move(verdict);
  return e;
}

JournalFilter filter(std::string run, std::string api = "", std::string verdict = "", std::size_t limit = 0, std::uint64_t after = 0) {
  JournalFilter f;
  f.run = std::move(run);
  f.api = std::move(api);
  f.verdict = std::move(verdict);
  f.limit = limit;
  f.after = after;
  return f;
}

TEST(Journal, RingKeepsTheNewestAndCountsTheDropped) {
  Journal journal(3, [] { return std::string("2024-01-15T10:30:00Z"); });
  for (int i = 0; i < 5; ++i) journal.record(entry("emergence", "run-" + std::to_string(i), verdict::valid));
  auto all = journal.entries();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all.front().sequence, 3u);
  EXPECT_EQ(all.back().sequence, 5u);
  EXPECT_EQ(all.front().run, "run-2");
  EXPECT_EQ(all.front().time, "2024-01-15T10:30:00Z");
  auto stats = journal.stats();
  EXPECT_EQ(stats.size, 3u);
  EXPECT_EQ(stats.capacity, 3u);
  EXPECT_EQ(stats.recorded, 5u);
  EXPECT_EQ(stats.dropped, 2u);
  EXPECT_EQ(stats.verdicts.at("valid"), 5u) << "counts include dropped entries";
}

TEST(Journal, ZeroCapacityKeepsNothing) {
  Journal journal(0);
  journal.record(entry("a", "", verdict::invalid));
  EXPECT_TRUE(journal.entries().empty());
  EXPECT_EQ(journal.stats().dropped, 1u);
  EXPECT_EQ(journal.stats().verdicts.at("invalid"), 1u);
}

TEST(Journal, Filters) {
  Journal journal(100);
  journal.record(entry("emergence", "r1", verdict::valid));
  journal.record(entry("amperity", "r2", verdict::invalid));
  journal.record(entry("emergence", "r1", verdict::invalid));
  journal.record(entry("emergence", "r3", verdict::valid));
  EXPECT_EQ(journal.entries(filter("r1")).size(), 2u);
  EXPECT_EQ(journal.entries(filter("", "emergence")).size(), 3u);
  EXPECT_EQ(journal.entries(filter("", "", "invalid")).size(), 2u);
  EXPECT_EQ(journal.entries(filter("r1", "", "invalid")).size(), 1u);
  auto last_two = journal.entries(filter("", "emergence", "", 2));
  ASSERT_EQ(last_two.size(), 2u);
  EXPECT_EQ(last_two[0].sequence, 3u) << "limit keeps the newest matches, oldest first";
  EXPECT_EQ(last_two[1].sequence, 4u);
  EXPECT_EQ(journal.entries(filter("", "", "", 0, 2)).size(), 2u);
  EXPECT_TRUE(journal.entries(filter("nope")).empty());
}

TEST(Journal, ClearKeepsSequencesGrowing) {
  Journal journal(10);
  journal.record(entry("a", "", verdict::valid));
  journal.record(entry("a", "", verdict::valid));
  journal.clear();
  EXPECT_TRUE(journal.entries().empty());
  EXPECT_EQ(journal.stats().recorded, 0u);
  EXPECT_EQ(journal.record(entry("a", "", verdict::valid)), 3u);
}

TEST(Journal, JsonForm) {
  Journal journal(10, [] { return std::string("T"); });
  JournalEntry e = entry("emergence", "", verdict::invalid);
  e.request_errors.push_back({"body", "/a", "https://x#/type", "expected string, got number"});
  journal.record(e);
  nlohmann::json j = journal.to_json();
  ASSERT_EQ(j["entries"].size(), 1u);
  const auto& first = j["entries"][0];
  EXPECT_EQ(first["sequence"], 1);
  EXPECT_EQ(first["time"], "T");
  EXPECT_TRUE(first["run"].is_null());
  EXPECT_EQ(first["request_errors"][0]["instance_location"], "/a");
  EXPECT_EQ(first["request_errors"][0]["in"], "body");
  EXPECT_EQ(j["verdicts"]["invalid"], 1);
  EXPECT_EQ(j["dropped"], 0);
}

TEST(Journal, ClockCanBeReplaced) {
  Journal journal(10);
  EXPECT_EQ(journal.now().size(), 24u) << journal.now();  // 2024-01-15T10:30:00.000Z
  journal.set_clock([] { return std::string("2030-01-01T00:00:00Z"); });
  journal.record(entry("a", "", verdict::valid));
  EXPECT_EQ(journal.entries()[0].time, "2030-01-01T00:00:00Z");
}

TEST(Journal, ConcurrentRecordsAreAllCounted) {
  Journal journal(50);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&journal, t] {
      for (int i = 0; i < 200; ++i) {
        journal.record(entry("api", std::to_string(t), verdict::valid));
        if (i % 50 == 0) (void)journal.entries(filter(std::to_string(t)));
      }
    });
  }
  for (auto& t : threads) t.join();
  auto stats = journal.stats();
  EXPECT_EQ(stats.recorded, 1600u);
  EXPECT_EQ(stats.size, 50u);
  EXPECT_EQ(stats.dropped, 1550u);
  std::set<std::uint64_t> sequences;
  for (const auto& e : journal.entries()) sequences.insert(e.sequence);
  EXPECT_EQ(sequences.size(), 50u);
  EXPECT_EQ(*sequences.rbegin(), 1600u);
}

TEST(Journal, SinceKeepsEntriesAtOrAfterAnInstantWhateverTheirFractionDigits) {
  std::vector<std::string> times{"2024-01-15T10:30:00Z", "2024-01-15T10:30:00.5Z", "2024-01-15T10:30:01Z", "2024-01-15T10:30:02.250Z"};
  std::size_t next = 0;
  Journal journal(10, [&] { return times[next++]; });
  for (int i = 0; i < 4; ++i) journal.record(entry("a", "run-" + std::to_string(i), verdict::valid));
  JournalFilter f;
  f.since = engine::parse_timestamp("2024-01-15T10:30:00.500Z");
  auto found = journal.entries(f);
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found.front().run, "run-1");  // at the instant itself
  f.since = engine::parse_timestamp("2024-01-15T11:30:02+01:00");
  found = journal.entries(f);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found.front().run, "run-3");
  f.limit = 1;
  f.since = engine::parse_timestamp("2024-01-15T10:30:00Z");
  EXPECT_EQ(journal.entries(f).front().run, "run-3");  // limit keeps the newest matches
}

JournalEntry invalid_request(std::string operation, std::string pointer, std::string message, std::string request_id) {
  JournalEntry e = entry("emergence", "", verdict::invalid);
  e.method = "POST";
  e.path = "/api/runs";
  e.operation = std::move(operation);
  e.request_id = std::move(request_id);
  e.request_errors.push_back({"body", std::move(pointer), "https://x/schema#/required", std::move(message)});
  return e;
}

TEST(Journal, ViolationsAreGroupedAndCountedPastTheRingAndItsClearing) {
  std::vector<std::string> times{"2024-01-15T10:30:00Z", "2024-01-15T10:30:01Z", "2024-01-15T10:30:02Z", "2024-01-15T10:30:03Z", "2024-01-15T10:30:04Z"};
  std::size_t next = 0;
  Journal journal(1, [&] { return times[next++]; });
  journal.record(invalid_request("createWorkflowRun", "/parameters", "missing required property 'include'", "req-000001"));
  journal.record(entry("emergence", "", verdict::valid));
  journal.record(invalid_request("createWorkflowRun", "/parameters", "missing required property 'include'", "req-000003"));
  JournalEntry broken_response = entry("emergence", "r", verdict::invalid);
  broken_response.operation = "getWorkflowRun";
  broken_response.request_id = "req-000004";
  broken_response.response_errors.push_back({"body", "/status", "", "expected string, got number"});
  broken_response.response_errors.push_back({"body", "/id", "", "missing required property 'id'"});
  journal.record(broken_response);
  journal.clear();  // DELETE /__runmock/journal and reset keep the tally
  journal.record(invalid_request("createWorkflowRun", "/parameters", "missing required property 'include'", "req-000005"));

  ViolationTally tally = journal.violations();
  EXPECT_EQ(tally.invalid_exchanges, 4u);
  EXPECT_EQ(tally.violations, 5u);
  ASSERT_EQ(tally.groups.size(), 3u);
  const ViolationGroup& top = tally.groups[0];
  EXPECT_EQ(top.count, 3u);
  EXPECT_EQ(top.operation, "createWorkflowRun");
  EXPECT_EQ(top.side, "request");
  EXPECT_EQ(top.violation.instance_location, "/parameters");
  EXPECT_EQ(top.first_time, "2024-01-15T10:30:00Z");
  EXPECT_EQ(top.last_time, "2024-01-15T10:30:04Z");
  EXPECT_EQ(top.request_ids, (std::vector<std::string>{"req-000001", "req-000003", "req-000005"}));
  EXPECT_EQ(tally.groups[1].side, "response");
  EXPECT_EQ(tally.groups[1].violation.instance_location, "/status");  // equal counts: first seen first
  EXPECT_EQ(to_json(tally)["groups"][0]["count"], 3);

  std::string summary = describe(tally, 2);
  EXPECT_EQ(summary.substr(0, summary.find('\n')), "4 exchanges broke the contract (5 violations in 3 groups)");
  EXPECT_NE(summary.find("3x emergence createWorkflowRun request body /parameters: missing required property 'include' (first: req-000001 POST /api/runs)"),
            std::string::npos)
      << summary;
  EXPECT_NE(summary.find("... and 1 more groups"), std::string::npos) << summary;

  EXPECT_EQ(journal.clear_violations(), 4u);
  EXPECT_EQ(journal.violations().invalid_exchanges, 0u);
  EXPECT_TRUE(journal.violations().groups.empty());
}

TEST(Journal, AnInvalidExchangeWithoutItemizedErrorsCountsUnderItsMessage) {
  Journal journal(0);  // keeps nothing, tallies all
  JournalEntry e = entry("amperity", "", verdict::invalid);
  e.message = "the request could not be read";
  journal.record(e);
  auto tally = journal.violations();
  ASSERT_EQ(tally.groups.size(), 1u);
  EXPECT_EQ(tally.groups[0].violation.message, "the request could not be read");
  EXPECT_EQ(journal.stats().dropped, 1u);
}

TEST(Journal, ViolationGroupsAreBoundedAndTheRestCounted) {
  Journal journal(0);
  const std::size_t distinct = ViolationTally::kMaxGroups + 5;
  for (std::size_t i = 0; i < distinct; ++i) {
    JournalEntry e = entry("emergence", "", verdict::invalid);
    e.request_errors.push_back({"body", "/asset_fqn", "", "'value-" + std::to_string(i) + "' is not allowed"});
    journal.record(e);
  }
  JournalEntry again = entry("emergence", "", verdict::invalid);
  again.request_errors.push_back({"body", "/asset_fqn", "", "'value-0' is not allowed"});
  journal.record(again);  // a known group still counts in it
  auto tally = journal.violations();
  EXPECT_EQ(tally.groups.size(), ViolationTally::kMaxGroups);
  EXPECT_EQ(tally.ungrouped, 5u);
  EXPECT_EQ(tally.violations, distinct + 1);
  EXPECT_EQ(tally.groups[0].count, 2u);
  EXPECT_NE(describe(tally).find("5 more violations in no group"), std::string::npos);
  journal.clear_violations();
  EXPECT_EQ(journal.violations().ungrouped, 0u);
}

std::vector<Violation> numbered_violations(std::size_t count, const std::string& word) {
  std::vector<Violation> out;
  for (std::size_t i = 0; i < count; ++i) out.push_back({"body", "", "https://x/schema#/additionalProperties", "property '" + word + std::to_string(i) + "' is not allowed"});
  return out;
}

TEST(Journal, AnEntryKeepsTheFirstViolationsOfEachSideAndCountsTheRest) {
  Journal journal(10);
  JournalEntry e = entry("emergence", "", verdict::invalid);
  e.request_errors = numbered_violations(kMaxListedViolations + 70, "p");
  e.response_errors = numbered_violations(kMaxListedViolations + 10, "r");
  journal.record(e);
  JournalEntry few = entry("emergence", "", verdict::invalid);
  few.request_errors = numbered_violations(3, "p");
  journal.record(few);

  auto kept = journal.entries();
  ASSERT_EQ(kept.size(), 2u);
  ASSERT_EQ(kept[0].request_errors.size(), kMaxListedViolations);
  EXPECT_EQ(kept[0].request_errors.back().message, "property 'p" + std::to_string(kMaxListedViolations - 1) + "' is not allowed") << "the first ones are kept";
  EXPECT_EQ(kept[0].request_errors_omitted, 70u);
  EXPECT_EQ(kept[0].response_errors.size(), kMaxListedViolations);
  EXPECT_EQ(kept[0].response_errors_omitted, 10u);
  EXPECT_EQ(kept[1].request_errors.size(), 3u);
  EXPECT_EQ(kept[1].request_errors_omitted, 0u);
  json first = journal.to_json()["entries"][0];
  EXPECT_EQ(first["request_errors"].size(), kMaxListedViolations);
  EXPECT_EQ(first["request_errors_omitted"], 70);
  EXPECT_EQ(first["response_errors_omitted"], 10);
  EXPECT_EQ(journal.to_json()["entries"][1]["request_errors_omitted"], 0);
}

TEST(Journal, TheTallyCountsTheViolationsLeftOutOfTheEntries) {
  Journal journal(1);  // the ring keeps one entry; the tally sees every violation of every entry
  const std::size_t per_entry = kMaxListedViolations + 30;
  for (int i = 0; i < 3; ++i) {
    JournalEntry e = entry("emergence", "", verdict::invalid);
    e.request_errors = numbered_violations(per_entry, "p");
    e.response_errors = numbered_violations(2, "r");
    journal.record(e);
  }
  ViolationTally tally = journal.violations();
  EXPECT_EQ(tally.invalid_exchanges, 3u);
  EXPECT_EQ(tally.violations, 3 * (per_entry + 2));
  ASSERT_EQ(tally.groups.size(), per_entry + 2);
  EXPECT_EQ(tally.ungrouped, 0u);
  for (const auto& group : tally.groups) EXPECT_EQ(group.count, 3u) << group.violation.message;
  EXPECT_EQ(tally.groups.back().violation.message, "property 'r1' is not allowed") << "first seen first: request side, kept then omitted, then response";
  EXPECT_EQ(tally.groups[per_entry - 1].violation.message, "property 'p" + std::to_string(per_entry - 1) + "' is not allowed");
}

TEST(Journal, LongTextsAreCutWithAMarker) {
  Journal journal(10);
  JournalEntry e = entry("emergence", "", verdict::invalid);
  e.path = "/" + std::string(10000, 'a');
  e.query = "q=" + std::string(5000, 'b');
  e.message = std::string(kMaxTextBytes, 'm');  // at the limit: kept whole
  std::string accents;
  for (int i = 0; i < 3000; ++i) accents += "\xC3\xA9";  // "é", two bytes each
  e.request_errors.push_back({"body", "/" + accents, "https://x#/additionalProperties", "property '" + std::string(9000, 'k') + "' is not allowed"});
  journal.record(e);
  JournalEntry kept = journal.entries().at(0);
  EXPECT_EQ(kept.path, "/" + std::string(kMaxTextBytes - 1, 'a') + "...[7953 more bytes]");
  EXPECT_EQ(kept.query.substr(kMaxTextBytes), "...[2954 more bytes]");
  EXPECT_EQ(kept.message, std::string(kMaxTextBytes, 'm'));
  const Violation& v = kept.request_errors.at(0);
  EXPECT_EQ(v.message.size(), kMaxTextBytes + std::string("...[6978 more bytes]").size()) << v.message.substr(kMaxTextBytes);
  // 2048 bytes would end inside a character: the cut falls before it.
  EXPECT_EQ(v.instance_location, "/" + accents.substr(0, kMaxTextBytes - 2) + "...[3954 more bytes]");
  EXPECT_NO_THROW((void)journal.to_json().dump()) << "the cut leaves valid UTF-8";
  EXPECT_EQ(journal.violations().groups.at(0).violation.message, v.message) << "the tally keeps the capped text too";
}

// Entries of equal size, so that the byte budget can be set in entries.
JournalEntry sized_entry(int i) {
  JournalEntry e = entry("emergence", "run-" + std::to_string(i), verdict::valid);
  e.path = "/api/runs/" + std::string(500, 'x');
  e.request_errors = numbered_violations(5, "p");
  return e;
}

TEST(Journal, TheRingIsBoundedByBytesAndDropsTheOldest) {
  auto clock = [] { return std::string("2024-01-15T10:30:00.000Z"); };
  Journal measure(10, clock);
  measure.record(sized_entry(0));
  const std::size_t one = measure.stats().bytes;
  EXPECT_GE(one, sizeof(JournalEntry) + 500 + 5 * sizeof(Violation) + 24) << "the estimate counts the heap blocks of texts and lists";

  Journal journal(100, 3 * one + one / 2, clock);
  for (int i = 0; i < 5; ++i) journal.record(sized_entry(i));
  auto kept = journal.entries();
  ASSERT_EQ(kept.size(), 3u);
  EXPECT_EQ(kept.front().run, "run-2") << "the oldest go first";
  EXPECT_EQ(kept.back().sequence, 5u);
  auto stats = journal.stats();
  EXPECT_EQ(stats.bytes, 3 * one);
  EXPECT_EQ(stats.max_bytes, 3 * one + one / 2);
  EXPECT_EQ(stats.recorded, 5u);
  EXPECT_EQ(stats.dropped, 2u);
  json j = journal.to_json();
  EXPECT_EQ(j["bytes"], 3 * one);
  EXPECT_EQ(j["max_bytes"], 3 * one + one / 2);
  EXPECT_EQ(j["dropped"], 2);

  journal.clear();
  EXPECT_EQ(journal.stats().bytes, 0u);
  journal.record(sized_entry(9));
  EXPECT_EQ(journal.stats().bytes, one);
}

TEST(Journal, AnEntryOverTheWholeBudgetIsDroppedAtOnceAndStillTallied) {
  Journal journal(10, sizeof(JournalEntry) / 2);
  journal.record(invalid_request("createWorkflowRun", "/x", "property 'x' is not allowed", "req-000001"));
  EXPECT_TRUE(journal.entries().empty());
  EXPECT_EQ(journal.stats().bytes, 0u);
  EXPECT_EQ(journal.stats().dropped, 1u);
  EXPECT_EQ(journal.violations().violations, 1u);
}

TEST(Journal, DefaultBudget) {
  Journal journal;
  EXPECT_EQ(journal.stats().capacity, Journal::kDefaultCapacity);
  EXPECT_EQ(journal.stats().max_bytes, Journal::kDefaultMaxBytes);
  EXPECT_EQ(Journal(5, [] { return std::string("T"); }).stats().max_bytes, Journal::kDefaultMaxBytes);
}

}  // namespace
}  // namespace runmock::http
