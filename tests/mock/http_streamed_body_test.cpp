// Streamed response bodies (Response::streamed) through the real server: chunks go out as the
// producer makes them, a broken body cuts the connection, and a stopping server ends the stream.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "http/server.h"

namespace runmock::http {
namespace {

using namespace std::chrono_literals;

class StreamedBodyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ServerConfig config;
    config.port = 0;
    server = std::make_unique<Server>(config);
    server->set_log_sink([](std::string_view) {});
    server->add_dialect({"test", {"/api/test/"}, nullptr, 415});
    // "one", nothing yet, "two", then the end.
    server->route("test", "GET", "/api/test/complete", [](RequestContext&) {
      auto calls = std::make_shared<int>(0);
      return Response::streamed(
          200,
          [calls](std::string& chunk) {
            switch ((*calls)++) {
              case 0: chunk = "one,"; return BodyProgress::more;
              case 1: return BodyProgress::more;
              case 2: chunk = "two"; return BodyProgress::more;
              default: return BodyProgress::complete;
            }
          },
          "text/csv");
    });
    server->route("test", "GET", "/api/test/broken", [](RequestContext&) {
      auto calls = std::make_shared<int>(0);
      return Response::streamed(
          200, [calls](std::string& chunk) {
            if ((*calls)++ > 0) return BodyProgress::broken;
            chunk = "part";
            return BodyProgress::more;
          },
          "application/octet-stream");
    });
    server->route("test", "GET", "/api/test/endless", [this](RequestContext&) {
      return Response::streamed(
          200, [this](std::string& chunk) {
            ++endless_calls;
            chunk = "x";
            std::this_thread::sleep_for(5ms);
            return BodyProgress::more;
          },
          "text/plain");
    });
    server->start();
  }

  void TearDown() override { server->stop(); }

  std::unique_ptr<Server> server;
  std::atomic<int> endless_calls{0};
};

TEST_F(StreamedBodyTest, ChunksGoOutAsTheProducerMakesThem) {
  httplib::Client client("127.0.0.1", server->port());
  auto result = client.Get("/api/test/complete");
  ASSERT_TRUE(result);
  EXPECT_EQ(result->status, 200);
  EXPECT_EQ(result->body, "one,two");
  EXPECT_EQ(result->get_header_value("Content-Type"), "text/csv");
  EXPECT_EQ(result->get_header_value("Transfer-Encoding"), "chunked");
  EXPECT_TRUE(result->has_header("X-Request-Id"));
}

TEST_F(StreamedBodyTest, ABrokenBodyCutsTheConnection) {
  httplib::Client client("127.0.0.1", server->port());
  std::string received;
  auto result = client.Get("/api/test/broken", [&](const char* data, std::size_t length) {
    received.append(data, length);
    return true;
  });
  EXPECT_FALSE(result) << "the client must not take a cut body for a whole one";
  EXPECT_EQ(received, "part");
}

TEST_F(StreamedBodyTest, StopEndsAnEndlessStreamPromptly) {
  std::thread reader([&] {
    httplib::Client client("127.0.0.1", server->port());
    client.set_read_timeout(5, 0);
    client.Get("/api/test/endless", [](const char*, std::size_t) { return true; });
  });
  while (endless_calls.load() < 3) std::this_thread::sleep_for(5ms);
  auto started = std::chrono::steady_clock::now();
  server->stop();
  reader.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s);
}

}  // namespace
}  // namespace runmock::http
