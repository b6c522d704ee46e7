#include "json_value.h"

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>

namespace runmock::schema {
namespace {

using json = nlohmann::json;

bool is_integer_valued(const json& v) {
  return v.is_number_integer() || v.is_number_unsigned();
}

std::size_t mix(std::size_t seed, std::size_t value) {
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

}  // namespace

int compare_numbers(const json& a, const json& b) {
  if (a.is_number_unsigned() && b.is_number_unsigned()) {
    auto x = a.get<std::uint64_t>(), y = b.get<std::uint64_t>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  if (is_integer_valued(a) && is_integer_valued(b)) {
    // One side is signed: an unsigned beyond int64 is larger than any signed value.
    if (a.is_number_unsigned() && a.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return 1;
    if (b.is_number_unsigned() && b.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return -1;
    auto x = a.get<std::int64_t>(), y = b.get<std::int64_t>();
    return x < y ? -1 : (x > y ? 1 : 0);
  }
  auto x = a.get<double>(), y = b.get<double>();
  return x < y ? -1 : (x > y ? 1 : 0);
}

bool json_equal(const json& a, const json& b, std::size_t depth) {
  if (depth > kMaxCompareDepth) throw TooDeep{};
  if (a.is_number() && b.is_number()) return compare_numbers(a, b) == 0;
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case json::value_t::array: {
      if (a.size() != b.size()) return false;
      for (std::size_t i = 0; i < a.size(); ++i) {
        if (!json_equal(a[i], b[i], depth + 1)) return false;
      }
      return true;
    }
    case json::value_t::object: {
      if (a.size() != b.size()) return false;
      for (auto it = a.begin(); it != a.end(); ++it) {
        auto other = b.find(it.key());
        if (other == b.end() || !json_equal(it.value(), *other, depth + 1)) return false;
      }
      return true;
    }
    default:
      return a == b;
  }
}

std::size_t json_hash(const json& value, std::size_t depth) {
  if (depth > kMaxCompareDepth) throw TooDeep{};
  switch (value.type()) {
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: {
      // Equal numbers must hash equally whatever their representation: hash integral values
      // as integers and the rest by their bits.
      double d = value.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.0e18) {
        return mix(3, std::hash<std::int64_t>{}(static_cast<std::int64_t>(d)));
      }
      return mix(4, std::hash<double>{}(d));
    }
    case json::value_t::string:
      return mix(5, std::hash<std::string>{}(value.get_ref<const std::string&>()));
    case json::value_t::boolean:
      return mix(6, value.get<bool>() ? 1 : 0);
    case json::value_t::array: {
      std::size_t h = 7;
      for (const auto& item : value) h = mix(h, json_hash(item, depth + 1));
      return h;
    }
    case json::value_t::object: {
      // Members are kept sorted by key, so the hash does not depend on input order.
      std::size_t h = 8;
      for (auto it = value.begin(); it != value.end(); ++it) {
        h = mix(h, std::hash<std::string>{}(it.key()));
        h = mix(h, json_hash(it.value(), depth + 1));
      }
      return h;
    }
    default:
      return 9;
  }
}

std::string pointer_escape(std::string_view token) {
  std::string out;
  for (char ch : token) {
    if (ch == '~') out += "~0";
    else if (ch == '/') out += "~1";
    else out.push_back(ch);
  }
  return out;
}

}  // namespace runmock::schema
