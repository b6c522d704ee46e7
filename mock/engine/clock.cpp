#include "engine/clock.h"

#include <cmath>
#include <stdexcept>

namespace runmock::engine {

using namespace std::chrono;

Clock::Clock(bool manual, double scale, Instant start)
    : manual_(manual), scale_(scale), start_(start), origin_(steady_clock::now()), manual_now_(start.time_since_epoch().count()) {
  if (!(scale > 0) || !std::isfinite(scale)) throw std::invalid_argument("the time scale must be a positive number");
}

std::shared_ptr<Clock> Clock::real(double scale, std::optional<Instant> start) {
  Instant from = start ? *start : time_point_cast<Duration>(system_clock::now());
  return std::make_shared<Clock>(false, scale, from);
}

std::shared_ptr<Clock> Clock::manual(Instant start) { return std::make_shared<Clock>(true, 1.0, start); }

Instant Clock::now() const {
  if (manual_) return Instant{Duration{manual_now_.load(std::memory_order_acquire)}};
  auto elapsed = duration_cast<Duration>(steady_clock::now() - origin_);
  if (scale_ == 1.0) return start_ + elapsed;
  return start_ + Duration{static_cast<long long>(static_cast<double>(elapsed.count()) * scale_)};
}

Instant Clock::advance(Duration by) {
  if (!manual_) throw std::logic_error("only a manual clock can be advanced");
  if (by.count() < 0) throw std::invalid_argument("a clock cannot go back in time");
  long long now = manual_now_.fetch_add(by.count(), std::memory_order_acq_rel) + by.count();
  return Instant{Duration{now}};
}

void Clock::reset() {
  if (manual_) manual_now_.store(start_.time_since_epoch().count(), std::memory_order_release);
}

std::optional<steady_clock::duration> Clock::real_delay_until(Instant instant) const {
  if (manual_) return std::nullopt;
  auto ahead = instant - now();
  if (ahead.count() <= 0) return steady_clock::duration::zero();
  double real_us = std::ceil(static_cast<double>(ahead.count()) / scale_);
  return duration_cast<steady_clock::duration>(Duration{static_cast<long long>(real_us)});
}

}  // namespace runmock::engine
