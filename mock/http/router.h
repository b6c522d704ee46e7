// Path templates and the route table: method + "/runs/{run_id}"-style template → route, with the
// answers a router owes: a match (with its path parameters), 405 with the methods the path allows,
// or 404.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace runmock::http {

using PathParams = std::map<std::string, std::string, std::less<>>;

class PathTemplate {
 public:
  // "/api/workflows/{configuration_id}/runs/{run_id}": a literal segment matches itself, a
  // "{name}" segment matches exactly one non-empty segment, a "{name}:cancel" segment (a
  // parameter and a literal suffix, Google's custom methods) a segment that ends in ":cancel"
  // after a non-empty value, and a last "{name...}" segment matches the rest of the path, empty
  // or not ("/{path...}" matches every path). Throws
  // std::invalid_argument for a template that does not start with '/', has an unclosed or empty
  // "{}", a "{name...}" that is not last, or repeats a name.
  explicit PathTemplate(std::string pattern);

  // Matches a (percent-decoded) path; fills `params` when given.
  bool match(std::string_view path, PathParams* params = nullptr) const;

  const std::string& pattern() const { return pattern_; }
  // How many segments are literal: when two templates match, the more literal one wins
  // ("/runs/status" over "/runs/{id}"); among those as literal, the one with more suffixed
  // parameters ("/runs/{id}:cancel" over "/runs/{id}").
  std::size_t literal_segments() const { return literals_; }
  std::size_t suffixed_segments() const { return suffixed_; }
  // Whether the template ends in "{name...}" (it loses to a template as literal that does not).
  bool catch_all() const { return catch_all_; }
  // The template with every parameter written "{}": two templates with the same shape collide.
  std::string shape() const;

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool parameter = false;
    std::string suffix;  // a parameter's literal suffix (":cancel"), empty for none
  };
  std::string pattern_;
  std::vector<Segment> segments_;
  std::size_t literals_ = 0;
  std::size_t suffixed_ = 0;
  bool catch_all_ = false;
};

class Router {
 public:
  // Adds a route and returns its index (0, 1, 2 ... in order of registration). `method` is upper
  // case. Throws std::invalid_argument for a bad template or a method + shape already registered.
  std::size_t add(const std::string& method, const std::string& pattern);

  struct Match {
    enum class Kind { found, wrong_method, not_found };
    Kind kind = Kind::not_found;
    std::size_t index = 0;  // found: the route
    PathParams params;      // found: its path parameters
    // found and wrong_method: every method some template matching the path takes, plus HEAD
    // (with GET) and OPTIONS, sorted: the value of an Allow header.
    std::vector<std::string> allowed;
  };
  // HEAD is answered by the GET route.
  Match match(std::string_view method, std::string_view path) const;

  std::size_t size() const { return routes_.size(); }

 private:
  struct Entry {
    std::string method;
    PathTemplate path;
  };
  std::vector<Entry> routes_;
};

// "GET, HEAD, OPTIONS"
std::string join_methods(const std::vector<std::string>& methods);

}  // namespace runmock::http
