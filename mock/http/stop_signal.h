// The server's "stopping" flag, with a wait that it cuts short: streams, drips and fault delays
// wait on it between steps, so a stopping server is never held up by their schedules.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace runmock::http {

class StopSignal {
 public:
  // Waits `duration`, or less when the server stops. True when it stopped.
  bool wait_for(std::chrono::milliseconds duration) const {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, duration, [this] { return stopped_.load(); });
  }
  void trigger() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    cv_.notify_all();
  }
  bool stopped() const { return stopped_.load(); }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable cv_;
  std::atomic<bool> stopped_{false};
};

}  // namespace runmock::http
