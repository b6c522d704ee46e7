#include "engine/time.h"

#include <cctype>
#include <cstdio>

namespace runmock::engine {

using namespace std::chrono;

std::string format_basic_timestamp(Instant instant) {
  std::string extended = format_timestamp(instant, 0);  // 2024-01-15T10:30:00Z
  std::string out;
  for (char c : extended) {
    if (c != '-' && c != ':') out += c;
  }
  return out;
}

Instant default_start() { return Instant{sys_days{year{2024} / January / 15} + hours{10} + minutes{30}}; }

std::string format_timestamp(Instant instant, int fraction_digits) {
  auto day = floor<days>(instant);
  year_month_day ymd{day};
  auto time = instant - day;
  auto h = duration_cast<hours>(time);
  auto m = duration_cast<minutes>(time - h);
  auto s = duration_cast<seconds>(time - h - m);
  auto us = (time - h - m - s).count();
  if (fraction_digits < 0) fraction_digits = us == 0 ? 0 : us % 1000 == 0 ? 3 : 6;
  char buffer[64];
  int n = std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02d", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                        static_cast<unsigned>(ymd.day()), static_cast<int>(h.count()), static_cast<int>(m.count()), static_cast<int>(s.count()));
  std::string out(buffer, static_cast<std::size_t>(n));
  if (fraction_digits >= 6) {
    std::snprintf(buffer, sizeof buffer, ".%06lld", static_cast<long long>(us));
    out += buffer;
  } else if (fraction_digits >= 3) {
    std::snprintf(buffer, sizeof buffer, ".%03lld", static_cast<long long>(us / 1000));
    out += buffer;
  }
  out += 'Z';
  return out;
}

namespace {

bool digits(std::string_view text, std::size_t pos, std::size_t count, int& value) {
  if (pos + count > text.size()) return false;
  value = 0;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

}  // namespace

std::optional<Instant> parse_timestamp(std::string_view text) {
  int y, mo, d, h, mi, s;
  if (!digits(text, 0, 4, y) || text.size() < 20 || text[4] != '-' || !digits(text, 5, 2, mo) || text[7] != '-' || !digits(text, 8, 2, d) ||
      (text[10] != 'T' && text[10] != 't') || !digits(text, 11, 2, h) || text[13] != ':' || !digits(text, 14, 2, mi) || text[16] != ':' ||
      !digits(text, 17, 2, s)) {
    return std::nullopt;
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::size_t pos = 19;
  long long micros = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t start = pos;
    long long scale = 100000;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
      micros += (text[pos] - '0') * scale;
      scale /= 10;
      ++pos;
    }
    if (pos == start) return std::nullopt;
  }
  Duration offset{0};
  if (pos < text.size() && (text[pos] == 'Z' || text[pos] == 'z')) {
    ++pos;
  } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
    int oh, om;
    if (!digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' || !digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset = duration_cast<Duration>(hours{oh} + minutes{om});
    if (text[pos] == '-') offset = -offset;
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  Instant instant = Instant{sys_days{ymd} + hours{h} + minutes{mi} + seconds{s} + microseconds{micros}} - offset;
  // A leap second or an offset can carry the instant out of years 0000-9999, where
  // format_timestamp could not write it back as RFC 3339 in UTC.
  if (instant < Instant{sys_days{year{0} / January / 1}} || instant >= Instant{sys_days{year{10000} / January / 1}}) return std::nullopt;
  return instant;
}

std::optional<Duration> parse_duration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::size_t pos = 0;
  long double total = 0;  // microseconds
  while (pos < text.size()) {
    std::size_t start = pos;
    long double number = 0;
    while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) number = number * 10 + (text[pos++] - '0');
    if (pos == start) return std::nullopt;
    if (pos < text.size() && text[pos] == '.') {
      ++pos;
      std::size_t fraction_start = pos;
      long double scale = 0.1L;
      while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) {
        number += (text[pos++] - '0') * scale;
        scale /= 10;
      }
      if (pos == fraction_start) return std::nullopt;
    }
    long double unit;
    if (text.substr(pos, 2) == "ms") {
      unit = 1e3L;
      pos += 2;
    } else if (text.substr(pos, 2) == "us") {
      unit = 1;
      pos += 2;
    } else if (pos < text.size() && text[pos] == 's') {
      unit = 1e6L;
      ++pos;
    } else if (pos < text.size() && text[pos] == 'm') {
      unit = 60e6L;
      ++pos;
    } else if (pos < text.size() && text[pos] == 'h') {
      unit = 3600e6L;
      ++pos;
    } else {
      return std::nullopt;
    }
    total += number * unit;
    if (total > 1e17L) return std::nullopt;  // beyond any sensible scenario (about 3,000 years)
  }
  return Duration{static_cast<long long>(total + 0.5L)};
}

std::string format_duration(Duration duration) {
  long long us = duration.count();
  if (us == 0) return "0s";
  std::string out;
  if (us < 0) {
    out = "-";
    us = -us;
  }
  if (us % 1000 != 0) return out + std::to_string(us) + "us";
  if (us % 1000000 != 0) return out + std::to_string(us / 1000) + "ms";
  long long s = us / 1000000;
  long long h = s / 3600, m = (s % 3600) / 60;
  s %= 60;
  if (h) out += std::to_string(h) + "h";
  if (m) out += std::to_string(m) + "m";
  if (s) out += std::to_string(s) + "s";
  return out;
}

double to_seconds(Duration duration) { return static_cast<double>(duration.count()) / 1e6; }

}  // namespace runmock::engine
