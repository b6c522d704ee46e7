// runmock proxy: sits between a client and a real server of one API, forwards every request and
// answer, and checks both against the API's contract (the operation found by method + path
// template) and each run's lifecycle across polls (RunTracker). Installed on an http::Server, so
// the proxy has the same admin API (/__runmock/health, /__runmock/journal), log and CORS as serve.
//
//   http::Server server(config);
//   proxy::Proxy proxy(contract, {.target = proxy::Target::parse(url)});
//   proxy.install(server);
//   server.start();
//
// report mode forwards everything and marks answers with violations `X-Runmock-Violations: N`;
// enforce mode answers an invalid request itself, in the API's error shape, without forwarding
// it. JSON answers up to max_checked_body_bytes are read whole and checked; others (event
// streams, large or compressed bodies) stream through unchecked, as their journal entry says.
// A target that cannot be reached gives a 502 in the API's error shape.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dialect/spec.h"
#include "http/server.h"
#include "loader/api_contract.h"
#include "proxy/operation_matcher.h"
#include "proxy/run_tracker.h"
#include "proxy/upstream.h"

namespace runmock::proxy {

enum class Mode { report, enforce };
// "report" or "enforce"; nullopt for anything else.
std::optional<Mode> parse_mode(std::string_view name);

// The header on answers in which the proxy found violations: their number.
inline constexpr const char* kViolationsHeader = "X-Runmock-Violations";

struct ProxyConfig {
  Target target;
  Mode mode = Mode::report;
  std::chrono::seconds timeout{30};              // --timeout: connect, send, and silence while reading
  std::size_t max_checked_body_bytes = 4 << 20;  // --max-checked-body-bytes: larger answers stream through unchecked
  std::size_t max_tracked_runs = 100000;         // --max-runs: runs followed across polls
};

// The dialect (name, error shape) of an API for a proxy in front of it: every path is the API's.
http::Dialect proxy_dialect(const dialect::DialectSpec& spec);

class Proxy {
 public:
  // `contract` and `spec` (the API's dialect file: its error shape) must outlive the proxy; the
  // proxy must outlive the server it is installed on.
  Proxy(const contracts::ApiContract& contract, const dialect::DialectSpec& spec, ProxyConfig config);

  // Adds the API's dialect and a route for every method and path (the admin API keeps its own).
  void install(http::Server& server);

  const RunTracker& runs() const { return tracker_; }

 private:
  http::Response forward(http::RequestContext& ctx);
  // The request's parameters and body against its operation; "no operation matches" without one.
  std::vector<http::Violation> check_request(http::RequestContext& ctx, const OperationMatch& match) const;
  // Enforce mode's answer to an invalid request, in the API's error shape.
  http::Response refuse(http::RequestContext& ctx, const OperationMatch& match, const std::vector<http::Violation>& violations) const;
  // Why an answer is not read whole and checked (not JSON, encoded, over the limit), or "".
  std::string unchecked_reason(const UpstreamHead& head) const;
  // A JSON answer against its operation's response schema, and the runs in it through the tracker.
  void check_answer(http::RequestContext& ctx, const OperationMatch& match, int status, const std::string& body,
                    std::vector<http::Violation>& out);
  // Each run in a JSON answer (the answer itself, or the items of a list) through the tracker.
  void observe_runs(const OperationMatch& match, const nlohmann::json& body, http::RequestContext& ctx, std::vector<http::Violation>& out);
  httplib::Request upstream_request(const http::RequestContext& ctx) const;
  std::vector<std::pair<std::string, std::string>> answer_headers(const UpstreamHead& head) const;

  const contracts::ApiContract& contract_;
  const dialect::DialectSpec& spec_;
  ProxyConfig config_;
  OperationMatcher matcher_;
  RunTracker tracker_;
  int refusal_status_;
  bool layer_cors_ = true;  // the server answers CORS itself: the target's CORS headers are dropped
};

}  // namespace runmock::proxy
