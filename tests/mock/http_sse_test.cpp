// Server-Sent Events through the real server: framing, keep-alive comments, and every way a
// stream ends (the step says so, the client goes away, max duration, server stop).
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "http/server.h"

namespace runmock::http {
namespace {

using namespace std::chrono_literals;

SseOptions options(std::chrono::milliseconds poll, std::chrono::milliseconds keep_alive = 15s, std::chrono::milliseconds max = 0ms) {
  SseOptions o;
  o.poll_interval = poll;
  o.keep_alive_interval = keep_alive;
  o.max_duration = max;
  return o;
}

class SseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.port = 0;
    config.sse_max_duration = std::chrono::seconds(1);
    server = std::make_unique<Server>(config);
    server->set_log_sink([](std::string_view) {});
    server->add_dialect({"test", {"/api/test/"}, nullptr, 415});
    // Three events, then the end.
    server->route("test", "GET", "/api/test/runs/{id}/events", [this](RequestContext& ctx) {
      std::string run = ctx.path_param("id");
      ctx.run_id = run;
      auto sent = std::make_shared<int>(0);
      return Response::event_stream(
          [run, sent](SseSink& sink) {
            if (*sent == 0) sink.retry(3000ms);
            ++*sent;
            sink.event(*sent == 3 ? "end" : "status", R"({"run_id":")" + run + R"(","n":)" + std::to_string(*sent) + "}", std::to_string(*sent));
            return *sent < 3;
          },
          options(5ms));
    });
    // Silent for a while: only keep-alive comments.
    server->route("test", "GET", "/api/test/quiet", [](RequestContext&) {
      auto calls = std::make_shared<int>(0);
      return Response::event_stream(
          [calls](SseSink& sink) {
            if (++*calls == 20) sink.close();
            return true;
          },
          options(5ms, 20ms));
    });
    // Never ends by itself; counts its steps.
    server->route("test", "GET", "/api/test/endless", [this](RequestContext&) {
      return Response::event_stream(
          [this](SseSink& sink) {
            ++endless_steps;
            sink.event("tick", "{}");
            return true;
          },
          options(5ms, 15s, max_duration));
    });
    server->start();
  }

  void TearDown() override { server->stop(); }

  // GETs a stream; `keep` decides after each chunk whether to go on reading.
  std::string read_stream(const std::string& path, std::function<bool(const std::string&)> keep = nullptr) {
    httplib::Client c("127.0.0.1", server->port());
    c.set_read_timeout(5);
    std::string text;
    auto r = c.Get(path.c_str(), [&](const char* data, size_t length) {
      text.append(data, length);
      return !keep || keep(text);
    });
    if (r) {
      EXPECT_EQ(r->status, 200);
      EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
      EXPECT_EQ(r->get_header_value("Cache-Control"), "no-cache");
    }
    return text;
  }

  std::unique_ptr<Server> server;
  std::atomic<int> endless_steps{0};
  std::chrono::milliseconds max_duration{0};
};

TEST_F(SseTest, FramesEventsAndEndsWhenTheStepSaysSo) {
  std::string text = read_stream("/api/test/runs/r1/events");
  EXPECT_EQ(text,
            "retry: 3000\n\n"
            "id: 1\nevent: status\ndata: {\"run_id\":\"r1\",\"n\":1}\n\n"
            "id: 2\nevent: status\ndata: {\"run_id\":\"r1\",\"n\":2}\n\n"
            "id: 3\nevent: end\ndata: {\"run_id\":\"r1\",\"n\":3}\n\n");
  JournalFilter filter;
  filter.run = "r1";
  auto entries = server->journal().entries(filter);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].status, 200);
  EXPECT_EQ(entries[0].verdict, "valid");
}

TEST_F(SseTest, KeepAliveCommentsFillTheSilence) {
  std::string text = read_stream("/api/test/quiet");
  EXPECT_NE(text.find(": keep-alive\n\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("data:"), std::string::npos);
}

TEST_F(SseTest, EndsAfterTheMaximumDuration) {
  max_duration = 150ms;
  auto started = std::chrono::steady_clock::now();
  std::string text = read_stream("/api/test/endless");
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_NE(text.find("event: tick"), std::string::npos);
  EXPECT_GE(took, 140ms);
  EXPECT_LT(took, 900ms);
}

TEST_F(SseTest, ServerMaximumAppliesWhenTheRouteSetsNone) {
  auto started = std::chrono::steady_clock::now();
  read_stream("/api/test/endless");
  auto took = std::chrono::steady_clock::now() - started;
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 3s);
}

TEST_F(SseTest, EndsWhenTheClientGoesAway) {
  max_duration = 10s;
  read_stream("/api/test/endless", [](const std::string& text) { return text.find("tick") == std::string::npos; });
  // The next writes fail once the client's socket is gone; then the steps stop.
  int last = -1;
  for (int i = 0; i < 100 && endless_steps.load() != last; ++i) {
    last = endless_steps.load();
    std::this_thread::sleep_for(50ms);
  }
  int settled = endless_steps.load();
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(endless_steps.load(), settled) << "the stream still runs after its client left";
  EXPECT_LT(settled, 200);
}

TEST_F(SseTest, StopEndsOpenStreamsPromptly) {
  max_duration = 10s;
  std::thread reader([&] { read_stream("/api/test/endless"); });
  while (endless_steps.load() < 3) std::this_thread::sleep_for(5ms);
  auto started = std::chrono::steady_clock::now();
  server->stop();
  reader.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

}  // namespace
}  // namespace runmock::http
