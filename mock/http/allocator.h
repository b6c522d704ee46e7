// How a long-running runmock process (serve, proxy) uses glibc's allocator, so that its memory
// stays flat under load. Measured by bench/soak: with glibc's defaults a process whose requests
// are answered by many worker threads gets up to 8 malloc arenas per core, and the memory freed
// in each is kept; a mixed load on a full store grew RSS by half in three minutes. Two settings:
// - at most `arenas` malloc arenas (M_ARENA_MAX; default: the cores, at least 2), so freed memory
//   is reused by the next request whichever thread serves it;
// - every `trim_every`, malloc_trim(0) hands the free pages inside the heaps back to the system.
// Construct one for the process's lifetime; the destructor stops the trimming thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace runmock::http {

class AllocatorPolicy {
 public:
  explicit AllocatorPolicy(unsigned arenas = 0, std::chrono::milliseconds trim_every = std::chrono::seconds(10));
  ~AllocatorPolicy();
  AllocatorPolicy(const AllocatorPolicy&) = delete;
  AllocatorPolicy& operator=(const AllocatorPolicy&) = delete;

 private:
  void trim_until_stopped(std::chrono::milliseconds every);

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopped_ = false;
  std::thread trimmer_;
};

}  // namespace runmock::http
