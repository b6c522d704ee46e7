#include "http/router.h"

#include <algorithm>
#include <set>
#include <stdexcept>
#include <tuple>

namespace runmock::http {

namespace {

// Splits "/a/b/" into {"a", "b", ""}: the segments after the leading slash.
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  if (path.empty() || path.front() != '/') return out;
  path.remove_prefix(1);
  while (true) {
    auto slash = path.find('/');
    out.push_back(path.substr(0, slash));
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return out;
}

}  // namespace

PathTemplate::PathTemplate(std::string pattern) : pattern_(std::move(pattern)) {
  if (pattern_.empty() || pattern_.front() != '/') throw std::invalid_argument("path template '" + pattern_ + "' does not start with '/'");
  std::set<std::string, std::less<>> names;
  for (std::string_view view : split_path(pattern_)) {
    std::string part(view);
    Segment segment;
    if (catch_all_) throw std::invalid_argument("path template '" + pattern_ + "': a {name...} segment must be the last one");
    if (part.size() > 5 && part.front() == '{' && part.ends_with("...}")) {
      part.erase(part.size() - 4, 3);  // "{name...}" → "{name}"
      catch_all_ = true;
    }
    if (!part.empty() && part.front() == '{') {
      const auto close = part.find('}');
      if (close == std::string::npos || close < 2 || part.find_first_of("{}", close + 1) != std::string::npos ||
          part.substr(1, close - 1).find('{') != std::string::npos || (catch_all_ && close + 1 != part.size())) {
        throw std::invalid_argument("path template '" + pattern_ + "': segment '" + part + "' is not a {name} or {name}suffix");
      }
      segment.text = part.substr(1, close - 1);
      segment.suffix = part.substr(close + 1);
      if (!segment.suffix.empty()) ++suffixed_;
      segment.parameter = true;
      if (!names.insert(segment.text).second) {
        throw std::invalid_argument("path template '" + pattern_ + "' names the parameter '" + segment.text + "' twice");
      }
    } else {
      if (part.find_first_of("{}") != std::string::npos) {
        throw std::invalid_argument("path template '" + pattern_ + "': a parameter must be a whole segment, not '" + part + "'");
      }
      segment.text = std::move(part);
      ++literals_;
    }
    segments_.push_back(std::move(segment));
  }
}

bool PathTemplate::match(std::string_view path, PathParams* params) const {
  auto parts = split_path(path);
  // The fixed segments: all of them, or all but the catch-all.
  const std::size_t fixed = segments_.size() - (catch_all_ ? 1 : 0);
  if (catch_all_ ? parts.size() < fixed : parts.size() != fixed) return false;
  for (std::size_t i = 0; i < fixed; ++i) {
    const Segment& segment = segments_[i];
    if (!segment.parameter) {
      if (parts[i] != segment.text) return false;
    } else if (parts[i].size() <= segment.suffix.size() || !parts[i].ends_with(segment.suffix)) {
      return false;
    }
  }
  if (params) {
    params->clear();
    for (std::size_t i = 0; i < fixed; ++i) {
      const Segment& segment = segments_[i];
      if (segment.parameter) params->emplace(segment.text, std::string(parts[i].substr(0, parts[i].size() - segment.suffix.size())));
    }
    if (catch_all_) {
      std::string rest;
      for (std::size_t i = fixed; i < parts.size(); ++i) rest += (i == fixed ? "" : "/") + std::string(parts[i]);
      params->emplace(segments_.back().text, std::move(rest));
    }
  }
  return true;
}

std::string PathTemplate::shape() const {
  std::string out;
  for (const auto& segment : segments_) out += "/" + (segment.parameter ? "{}" + segment.suffix : segment.text);
  if (catch_all_) out += "...";
  return out;
}

std::size_t Router::add(const std::string& method, const std::string& pattern) {
  PathTemplate path(pattern);
  for (const auto& entry : routes_) {
    if (entry.method == method && entry.path.shape() == path.shape()) {
      throw std::invalid_argument("route " + method + " " + pattern + " is already registered (as " + entry.path.pattern() + ")");
    }
  }
  routes_.push_back({method, std::move(path)});
  return routes_.size() - 1;
}

Router::Match Router::match(std::string_view method, std::string_view path) const {
  std::string_view wanted = method == "HEAD" ? std::string_view("GET") : method;
  Match result;
  std::set<std::string> allowed;
  const Entry* best = nullptr;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Entry& entry = routes_[i];
    if (!entry.path.match(path)) continue;
    allowed.insert(entry.method);
    auto rank = [](const PathTemplate& t) { return std::tuple(t.literal_segments(), t.suffixed_segments(), !t.catch_all()); };
    if (entry.method == wanted && (!best || rank(entry.path) > rank(best->path))) {
      best = &entry;
      result.index = i;
    }
  }
  if (allowed.empty()) return result;
  if (allowed.count("GET")) allowed.insert("HEAD");
  allowed.insert("OPTIONS");
  result.allowed.assign(allowed.begin(), allowed.end());
  if (!best) {
    result.kind = Match::Kind::wrong_method;
    return result;
  }
  result.kind = Match::Kind::found;
  best->path.match(path, &result.params);
  return result;
}

std::string join_methods(const std::vector<std::string>& methods) {
  std::string out;
  for (const auto& m : methods) out += (out.empty() ? "" : ", ") + m;
  return out;
}

}  // namespace runmock::http
