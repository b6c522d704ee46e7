// The run store: lookup, ownership, bounded eviction of ended runs, listing and pagination.
#include <gtest/gtest.h>

#include <set>

#include "engine/engine.h"
#include "mock/engine_test_support.h"

using namespace runmock::engine;
using runmock::testing::lifecycle_of;
using runmock::testing::ScriptBuilder;
using namespace std::chrono_literals;

namespace {

std::unique_ptr<Engine> make_engine(std::size_t max_runs = 1000) {
  auto engine = std::make_unique<Engine>(Clock::manual(), EngineOptions{max_runs, 7});
  engine->add_api("emergence", lifecycle_of("emergence"));
  return engine;
}

// pending for `pending`, then completed.
std::shared_ptr<const Script> short_script(Duration pending = 1s) {
  return ScriptBuilder("short").phase("pending", Advance::time(pending)).phase("completed", Advance::terminal()).build();
}

std::shared_ptr<const Script> manual_script() {
  return ScriptBuilder("manual").phase("pending", Advance::manual()).phase("completed", Advance::terminal()).build();
}

RunSnapshot create(Engine& engine, std::shared_ptr<const Script> script, const std::string& tenant = "t1", const std::string& api = "emergence") {
  CreateRequest request;
  request.api = api;
  request.tenant = tenant;
  request.script = std::move(script);
  return engine.create(std::move(request));
}

std::vector<std::string> ids(const std::vector<RunSnapshot>& runs) {
  std::vector<std::string> out;
  for (const auto& r : runs) out.push_back(r.id());
  return out;
}

}  // namespace

TEST(Store, LooksUpRunsById) {
  auto engine = make_engine(20000);
  auto script = short_script();
  std::vector<std::string> created;
  for (int i = 0; i < 20000; ++i) created.push_back(create(*engine, script).id());
  EXPECT_EQ(engine->size(), 20000u);
  EXPECT_EQ(std::set<std::string>(created.begin(), created.end()).size(), created.size());
  for (const auto& id : created) {
    auto run = engine->peek(id);
    ASSERT_TRUE(run);
    EXPECT_EQ(run->id(), id);
  }
  EXPECT_FALSE(engine->observe("no-such-run"));
}

TEST(Store, AnotherOwnerSeesNothingAndCountsNoPoll) {
  auto engine = make_engine();
  RunSnapshot run = create(*engine, short_script(), "tenant-a");
  EXPECT_FALSE(engine->observe(run.id(), {true, Owner{"emergence", "tenant-b"}}));
  EXPECT_FALSE(engine->observe(run.id(), {true, Owner{"amperity", "tenant-a"}}));
  auto mine = engine->observe(run.id(), {true, Owner{"emergence", "tenant-a"}});
  ASSERT_TRUE(mine);
  EXPECT_EQ(mine->polls(), 1u);
  EXPECT_EQ(engine->act(run.id(), "cancel", {"cancelled", Owner{"emergence", "tenant-b"}}).outcome, ActResult::Outcome::not_found);
  EXPECT_EQ(engine->peek(run.id())->state(), "pending");
}

TEST(Store, EvictsTheRunThatEndedFirst) {
  auto engine = make_engine(3);
  RunSnapshot a = create(*engine, short_script(1s));  // ends at +1s
  RunSnapshot b = create(*engine, manual_script());   // never ends by itself
  engine->advance_clock(500ms);
  RunSnapshot c = create(*engine, short_script(1s));  // ends at +1.5s
  engine->advance_clock(1500ms);              // now +2s: a and c have ended, never observed
  RunSnapshot d = create(*engine, short_script(1s));  // evicts a
  EXPECT_FALSE(engine->peek(a.id()));
  EXPECT_TRUE(engine->peek(b.id()));
  EXPECT_TRUE(engine->peek(c.id()));
  RunSnapshot e = create(*engine, short_script(1s));  // evicts c
  EXPECT_FALSE(engine->peek(c.id()));
  EXPECT_EQ(engine->size(), 3u);
  // b never ends, d and e end at +3s: nothing to evict at +2s.
  EXPECT_THROW(create(*engine, short_script()), StoreFull);
  engine->advance_clock(1s);
  RunSnapshot f = create(*engine, short_script());  // d ended (tie with e: created first)
  EXPECT_FALSE(engine->peek(d.id()));
  EXPECT_TRUE(engine->peek(e.id()));
  EXPECT_TRUE(engine->peek(b.id()));
  EXPECT_TRUE(engine->peek(f.id()));
}

TEST(Store, ARunEndedByAnActionBecomesEvictable) {
  auto engine = make_engine(2);
  RunSnapshot a = create(*engine, manual_script());
  RunSnapshot b = create(*engine, manual_script());
  EXPECT_THROW(create(*engine, manual_script()), StoreFull);
  ASSERT_TRUE(engine->act(b.id(), "cancel", {"cancelled", std::nullopt}).ok());
  RunSnapshot c = create(*engine, manual_script());
  EXPECT_FALSE(engine->peek(b.id()));
  EXPECT_TRUE(engine->peek(a.id()));
  EXPECT_TRUE(engine->remove(a.id()));
  EXPECT_FALSE(engine->remove(a.id()));
  EXPECT_EQ(engine->size(), 1u);
}

TEST(Store, ListsByOwnerWithFiltersAndOffsets) {
  auto engine = make_engine();
  std::vector<std::string> mine;
  for (int i = 0; i < 5; ++i) {
    mine.push_back(create(*engine, i % 2 ? manual_script() : short_script(1s), "me").id());
    create(*engine, short_script(), "other");
  }
  create(*engine, short_script(), "me", "emergence");
  mine.push_back(engine->all().back().id());
  engine->advance_clock(2s);  // runs 0, 2, 4 and the last have completed (never observed)

  ListQuery query;
  query.api = "emergence";
  query.tenant = "me";
  auto all = engine->list(query);
  EXPECT_EQ(all.total, 6u);
  EXPECT_EQ(ids(all.items), mine);
  EXPECT_TRUE(all.next_cursor.empty());

  query.states = {"completed"};
  auto done = engine->list(query);
  EXPECT_EQ(done.total, 4u);
  EXPECT_EQ(ids(done.items), (std::vector<std::string>{mine[0], mine[2], mine[4], mine[5]}));

  query.states = {"pending"};
  query.newest_first = true;
  EXPECT_EQ(ids(engine->list(query).items), (std::vector<std::string>{mine[3], mine[1]}));

  query.states.clear();
  query.newest_first = false;
  query.offset = 2;
  query.limit = 3;
  auto page = engine->list(query);
  EXPECT_EQ(page.total, 6u);
  EXPECT_EQ(ids(page.items), (std::vector<std::string>{mine[2], mine[3], mine[4]}));
  EXPECT_FALSE(page.next_cursor.empty());

  query.filter = [&](const RunSnapshot& run) { return run.id() == mine[1]; };
  query.offset = 0;
  auto filtered = engine->list(query);
  EXPECT_EQ(filtered.total, 1u);
  EXPECT_EQ(ids(filtered.items), std::vector<std::string>{mine[1]});

  ListQuery nobody;
  nobody.api = "emergence";
  nobody.tenant = "nobody";
  EXPECT_EQ(engine->list(nobody).total, 0u);
}

TEST(Store, CursorsWalkEveryPageInBothOrders) {
  auto engine = make_engine();
  std::vector<std::string> created;
  for (int i = 0; i < 7; ++i) created.push_back(create(*engine, short_script()).id());
  for (bool newest_first : {false, true}) {
    for (bool count_total : {true, false}) {
      ListQuery query;
      query.api = "emergence";
      query.tenant = "t1";
      query.limit = 3;
      query.newest_first = newest_first;
      query.count_total = count_total;
      std::vector<std::string> seen;
      int pages = 0;
      while (true) {
        auto page = engine->list(query);
        ASSERT_FALSE(page.bad_cursor);
        if (count_total) {
          EXPECT_EQ(page.total, 7u);
        }
        for (const auto& run : page.items) seen.push_back(run.id());
        ++pages;
        if (page.next_cursor.empty()) break;
        query.cursor = page.next_cursor;
        ASSERT_LT(pages, 10);
      }
      auto expected = created;
      if (newest_first) std::reverse(expected.begin(), expected.end());
      EXPECT_EQ(seen, expected);
      EXPECT_EQ(pages, 3);
    }
  }
  ListQuery bad;
  bad.api = "emergence";
  bad.tenant = "t1";
  bad.cursor = "garbage";
  EXPECT_TRUE(engine->list(bad).bad_cursor);
  bad.cursor = "n3";  // a newest-first cursor used in creation order
  EXPECT_TRUE(engine->list(bad).bad_cursor);
}

TEST(Store, ResetDropsEverythingAndRestartsIds) {
  auto engine = make_engine();
  std::string first = create(*engine, short_script()).id();
  create(*engine, short_script());
  engine->advance_clock(5s);
  engine->reset();
  EXPECT_EQ(engine->size(), 0u);
  EXPECT_FALSE(engine->peek(first));
  EXPECT_EQ(format_timestamp(engine->clock().now()), "2024-01-15T10:30:00Z");
  RunSnapshot again = create(*engine, short_script());
  EXPECT_EQ(again.id(), first);
  EXPECT_EQ(again.sequence(), 1u);
}
