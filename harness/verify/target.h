// The server under test, over HTTP (cpp-httplib's client): sends one request, returns the answer.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace httplib {
class Client;
}

namespace runmock::verify {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string path;  // without the target's base path, e.g. /api/workflow/runs/wf-1/stop
  std::map<std::string, std::string> query;
  HeaderList headers;
  std::string content_type;  // empty: no body
  std::string body;
};

struct HttpReply {
  int status = 0;
  std::string content_type;
  std::string body;
  nlohmann::json json;  // the body parsed, or discarded when it is not JSON
};

// The target cannot be reached (refused, timed out, name not resolved): verify stops (exit 2).
class TargetUnreachable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Target {
 public:
  // `base_url` is http(s)://HOST[:PORT][/BASE/PATH]; throws std::invalid_argument when it is not.
  Target(const std::string& base_url, std::chrono::seconds request_timeout);
  ~Target();
  Target(const Target&) = delete;
  Target& operator=(const Target&) = delete;

  // Sends the request; a 429 is retried a few times after the wait the server asks for (at most
  // a second each). Throws TargetUnreachable when no answer comes.
  HttpReply send(const HttpRequest& request);

  // The request's full URL, for reports.
  std::string url(const HttpRequest& request) const;

 private:
  std::string path_and_query(const HttpRequest& request) const;

  std::string base_url_;
  std::string base_path_;
  std::unique_ptr<httplib::Client> client_;
};

// A query or form component, percent-encoded (unreserved characters and ':' stay as they are).
std::string percent_encode(const std::string& text);
// Header names compare without regard to case.
bool same_header_name(const std::string& a, const std::string& b);
// `headers` with `overrides` applied: a name in both takes the override's value.
HeaderList merge_headers(HeaderList headers, const HeaderList& overrides);
// `headers` without `name` (any casing).
HeaderList without_header(HeaderList headers, const std::string& name);

}  // namespace runmock::verify
