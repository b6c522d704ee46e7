// The engine's clock. Every instant the engine exposes (phase entries, timestamps) comes from it.
//   real:   wall time, optionally scaled (scale 10 = ten clock seconds per real second), starting at
//           the system time or at a given instant;
//   manual: stands still at its start (default 2024-01-15T10:30:00Z) and moves only when advanced,
//           so a test gets byte-identical results run after run.
// now() is lock-free and thread-safe. Advance a manual clock through Engine::advance_clock, which
// also wakes the runs' waiters.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>

#include "engine/time.h"

namespace runmock::engine {

class Clock {
 public:
  static std::shared_ptr<Clock> real(double scale = 1.0, std::optional<Instant> start = std::nullopt);
  static std::shared_ptr<Clock> manual(Instant start = default_start());

  bool is_manual() const { return manual_; }
  double scale() const { return scale_; }
  Instant start() const { return start_; }
  Instant now() const;

  // Manual clock only: moves it on by `by` (>= 0) and returns the new instant. Throws
  // std::logic_error on a real clock, std::invalid_argument on a negative duration.
  Instant advance(Duration by);
  // Manual clock: back to its start. Real clock: nothing.
  void reset();

  // How long in real time until this clock shows `instant`: zero when it already has, nullopt on
  // a manual clock (it gets there only when advanced).
  std::optional<std::chrono::steady_clock::duration> real_delay_until(Instant instant) const;

  Clock(bool manual, double scale, Instant start);

 private:
  bool manual_;
  double scale_;
  Instant start_;
  std::chrono::steady_clock::time_point origin_;
  std::atomic<long long> manual_now_;  // microseconds since the epoch
};

}  // namespace runmock::engine
