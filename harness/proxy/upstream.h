// The target side of the proxy: one request to the real server, run on its own thread so that the
// answer's status and headers can be looked at while its body is still arriving, and the body
// handed on chunk by chunk (bounded: the upstream read waits while the proxy has not sent on
// what it holds).
#pragma once

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace runmock::proxy {

// --target http://host:port[/base]: where requests go.
struct Target {
  std::string origin;     // "http://127.0.0.1:8089"
  std::string base_path;  // "" or "/base" (no trailing slash): prefixed to every forwarded path
  std::string host;       // "127.0.0.1", "::1", "example.org"
  int port = 0;           // the URL's, else 80 or 443

  // Throws std::invalid_argument for anything but an absolute http:// or https:// URL with a host.
  static Target parse(const std::string& url);
};

// Why a TCP connection to the target fails, as the system says it ("connection refused", "no
// route to host"), tried once within `timeout`; empty when it succeeds. httplib reports every
// failure to connect alike, and the person reading a 502 wants the reason.
std::string connect_failure(const Target& target, std::chrono::seconds timeout);

struct UpstreamHead {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // as received, in order
};

class UpstreamCall {
 public:
  // Starts sending `request` (its path already carries the base path and the query).
  UpstreamCall(const Target& target, httplib::Request request, std::chrono::seconds timeout, std::size_t buffer_limit = 1 << 20);
  // Abandons the call if it is still running (closes its connection) and joins its thread.
  ~UpstreamCall();
  UpstreamCall(const UpstreamCall&) = delete;
  UpstreamCall& operator=(const UpstreamCall&) = delete;

  // Waits for the answer's status and headers; nullopt when the call failed before them
  // (failure() says why).
  std::optional<UpstreamHead> head();

  enum class Next { data, waiting, end, failed };
  // Moves the body bytes that have arrived into `chunk` (data), or waits up to `wait` for some
  // (waiting), or says the body ended (end) or broke off (failed, see failure()).
  Next next(std::string& chunk, std::chrono::milliseconds wait);

  // Why the call failed, for a person: "connection refused", "no answer within 30 s" ...
  std::string failure() const;

 private:
  void run(httplib::Request request);

  Target target_;
  httplib::Client client_;
  std::size_t buffer_limit_;
  std::chrono::seconds timeout_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<UpstreamHead> head_;
  std::deque<std::string> chunks_;
  std::size_t buffered_ = 0;
  bool finished_ = false;
  bool cancelled_ = false;
  std::string failure_;
  std::thread thread_;
};

}  // namespace runmock::proxy
