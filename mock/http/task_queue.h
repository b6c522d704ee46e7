// The workers of the HTTP server: a pool that grows on demand up to a cap. cpp-httplib gives each
// connection a worker for as long as it stays open, and a delayed answer (a fault) holds its worker
// while it waits; with a fixed pool, 200 delayed requests would queue behind each other and stall
// every other client. Here a new connection never waits while fewer than `max_threads` work.
// Workers, once started, stay (an idle one costs a few pages of stack).
#pragma once

#include <httplib.h>

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace runmock::http {

class ElasticTaskQueue : public httplib::TaskQueue {
 public:
  explicit ElasticTaskQueue(std::size_t max_threads);
  ~ElasticTaskQueue() override;

  void enqueue(std::function<void()> task) override;
  // Runs what is queued, then joins every worker (httplib calls it when the server stops).
  void shutdown() override;

  std::size_t threads() const;

 private:
  void work();

  const std::size_t max_threads_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> tasks_;
  std::vector<std::thread> workers_;
  std::size_t idle_ = 0;
  bool shutting_down_ = false;
};

}  // namespace runmock::http
