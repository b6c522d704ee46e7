#include "http/task_queue.h"

#include <algorithm>

namespace runmock::http {

ElasticTaskQueue::ElasticTaskQueue(std::size_t max_threads) : max_threads_(std::max<std::size_t>(max_threads, 1)) {}

ElasticTaskQueue::~ElasticTaskQueue() { shutdown(); }

void ElasticTaskQueue::enqueue(std::function<void()> task) {
  {
    std::lock_guard lock(mutex_);
    tasks_.push_back(std::move(task));
    // Idle workers are already waiting for these tasks; start one more only when they are too few.
    if (idle_ < tasks_.size() && workers_.size() < max_threads_) workers_.emplace_back([this] { work(); });
  }
  ready_.notify_one();
}

void ElasticTaskQueue::shutdown() {
  std::vector<std::thread> workers;
  {
    std::lock_guard lock(mutex_);
    shutting_down_ = true;
    workers.swap(workers_);
  }
  ready_.notify_all();
  for (auto& worker : workers) worker.join();
}

std::size_t ElasticTaskQueue::threads() const {
  std::lock_guard lock(mutex_);
  return workers_.size();
}

void ElasticTaskQueue::work() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mutex_);
      ++idle_;
      ready_.wait(lock, [this] { return shutting_down_ || !tasks_.empty(); });
      --idle_;
      if (tasks_.empty()) return;  // shutting down, nothing left to run
      task = std::move(tasks_.front());
      tasks_.pop_front();
    }
    task();
  }
}

}  // namespace runmock::http
