#include "http/allocator.h"

#include <malloc.h>

#include <algorithm>

namespace runmock::http {

AllocatorPolicy::AllocatorPolicy(unsigned arenas, std::chrono::milliseconds trim_every) {
  if (arenas == 0) arenas = std::max(2u, std::thread::hardware_concurrency());
  ::mallopt(M_ARENA_MAX, static_cast<int>(arenas));
  trimmer_ = std::thread([this, trim_every] { trim_until_stopped(trim_every); });
}

AllocatorPolicy::~AllocatorPolicy() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  wake_.notify_all();
  trimmer_.join();
}

void AllocatorPolicy::trim_until_stopped(std::chrono::milliseconds every) {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, every, [this] { return stopped_; })) {
    lock.unlock();
    ::malloc_trim(0);
    lock.lock();
  }
}

}  // namespace runmock::http
