// What a route handler gets and gives back: the RequestContext (the request, plus fields the
// handler fills for the journal and the log), the Response, and the dialect that shapes errors.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "faults/fault.h"
#include "http/journal.h"
#include "http/json_text.h"
#include "http/router.h"
#include "http/sse.h"

namespace runmock::contracts {
class ApiContract;
struct Operation;
}  // namespace runmock::contracts

namespace runmock::http {

// ---------------------------------------------------------------------------------------------
// Errors and dialects

// What went wrong, handed to a dialect's formatter to become its error body.
struct ErrorInfo {
  int status = 500;
  std::string code;     // upper snake case, e.g. "RESOURCE_NOT_FOUND" (default_error_code(status))
  std::string message;  // for a person
  nlohmann::json details = nullptr;
  std::string request_id;             // "req-000001", also in the X-Request-Id header
  std::vector<Violation> violations;  // a 422 from a request check: one per field error
};

// A dialect's error shape: ErrorInfo → the JSON body of the error response.
using ErrorFormatter = std::function<nlohmann::json(const ErrorInfo&)>;

// The shape of errors outside every dialect (and of the admin API):
// {"error": {"status", "code", "message", "details", "request_id"}}.
nlohmann::json generic_error_body(const ErrorInfo& info);

// The code the layer uses for a status: 400 INVALID_REQUEST, 403 FORBIDDEN, 404
// RESOURCE_NOT_FOUND, 405 METHOD_NOT_ALLOWED, 413 PAYLOAD_TOO_LARGE, 414 URI_TOO_LONG, 415
// UNSUPPORTED_MEDIA_TYPE, 422 VALIDATION_ERROR, 429 RATE_LIMIT_EXCEEDED, 503
// SERVICE_UNAVAILABLE, other 5xx INTERNAL_ERROR, other 4xx INVALID_REQUEST.
std::string default_error_code(int status);

// One API as the HTTP layer sees it.
struct Dialect {
  std::string name;                        // "emergence": the `api` of its journal entries
  std::vector<std::string> path_prefixes;  // paths under these are its own, 404s included ("/api/data-readiness/")
  ErrorFormatter format_error;             // null: generic_error_body
  int wrong_content_type_status = 415;     // emergence answers a non-JSON Content-Type with 400
};

// ---------------------------------------------------------------------------------------------
// Responses

// A body sent as it comes, chunked (a proxied stream, a large download). The layer calls the
// producer on the worker thread, after the handler has returned, until it says `complete` (the
// body ends cleanly) or `broken` (the connection is dropped, so the client sees a cut body). Each
// call appends what is ready to `chunk` (possibly nothing) and returns within a few hundred
// milliseconds, so that a stopping server is noticed; the stream is dropped then, and when the
// client goes away. Capture by value what it needs (never the RequestContext).
enum class BodyProgress { more, complete, broken };
using BodyProducer = std::function<BodyProgress(std::string& chunk)>;

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<nlohmann::json> json_body;  // sent as application/json and checked against the route's contract
  std::string body;                         // sent as it is when json_body is empty
  std::string content_type;                 // of `body`
  SseStep stream;                           // when set: a Server-Sent Events stream (see sse.h)
  SseOptions stream_options;
  BodyProducer body_producer;               // when set: a streamed body of type content_type
  // false: json_body is sent unchecked (a scenario's deliberately malformed response).
  bool check = true;
  // For the journal and the log: why the request was refused (ctx.error() fills it).
  std::string message;

  static Response json(int status, nlohmann::json body);
  static Response text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  static Response empty(int status = 204);
  static Response event_stream(SseStep step, SseOptions options = {});
  static Response streamed(int status, BodyProducer producer, std::string content_type);
  Response& with_header(std::string name, std::string value);
};

// ---------------------------------------------------------------------------------------------
// Requests

struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};
using Headers = std::multimap<std::string, std::string, CaseInsensitiveLess>;
using QueryParams = std::multimap<std::string, std::string, std::less<>>;

// The request as the layer read it. `body` views the server's buffer: valid during the handler call.
struct RequestData {
  std::string method;  // upper case
  std::string path;    // percent-decoded, without the query
  std::string target;  // as sent: path and query
  PathParams path_params;
  QueryParams query;
  Headers headers;
  std::string_view body;
  std::string peer;  // remote address
  int peer_port = 0;
};

// The contract operation a route answers for; responses are checked against it.
struct RouteContract {
  const contracts::ApiContract* contract = nullptr;  // must outlive the server
  const contracts::Operation* operation = nullptr;   // an operation of `contract`
};

// Handed to a route handler for one request. Valid only during the handler call.
class RequestContext {
 public:
  // The server makes these; tests of a dialect's handlers can make their own.
  RequestContext(RequestData request, const Dialect& dialect, std::string request_id, RouteContract contract = {},
                 std::size_t max_json_depth = 64);

  // --- The request ---
  const std::string& method() const { return request_.method; }
  const std::string& path() const { return request_.path; }
  const std::string& target() const { return request_.target; }
  const PathParams& path_params() const { return request_.path_params; }
  std::string path_param(std::string_view name) const;  // "" when absent
  const QueryParams& query_params() const { return request_.query; }
  std::optional<std::string> query(std::string_view name) const;   // the first value
  std::optional<std::string> header(std::string_view name) const;  // case-insensitive, the first value
  const Headers& headers() const { return request_.headers; }
  std::string_view body() const { return request_.body; }
  std::string content_type() const;  // the media type, lower case, "" when there is no Content-Type
  const std::string& peer() const { return request_.peer; }
  int peer_port() const { return request_.peer_port; }
  const std::string& request_id() const { return request_id_; }
  const Dialect& dialect() const { return *dialect_; }
  const contracts::ApiContract* contract() const { return contract_.contract; }
  const contracts::Operation* operation() const { return contract_.operation; }
  std::size_t max_json_depth() const { return max_json_depth_; }

  // --- Filled by the handler, for the journal and the log ---
  std::string api;               // preset to the dialect's name
  std::string run_id;            // the run the request is about
  std::string scenario;          // the scenario that answered
  std::string verdict;           // empty: the layer decides (journal.h); a broken response is always "invalid"
  std::string source;            // where the response came from ("scenarios/emergence/slow.yaml:12"), named in a contract-breaking 500
  std::string response_variant;  // the response schema variant (amperity's view)
  std::vector<Violation> request_errors;  // what the handler found wrong with the request (tokens, tenancy ...)
  // A fault the answer carries (the run's scenario phase has one); the layer carries it out.
  std::shared_ptr<const faults::Fault> fault;
  // What the handler found wrong with a response it did not make itself (a proxied answer); the
  // layer journals them beside those of its own check.
  std::vector<Violation> response_errors;

  // --- Helpers ---
  // An error in the dialect's shape, with this request's id. `code` empty: default_error_code(status).
  Response error(int status, std::string code, std::string message, nlohmann::json details = nullptr,
                 std::vector<Violation> violations = {}) const;

  // Checks the path, query and header parameters and the body against the route's operation
  // (`variant`: a request variant, emergence's workflow type). The result replaces that of any
  // earlier call, is journaled with the request, and is returned; empty without an operation.
  const std::vector<Violation>& check_request(const std::string& variant = "");
  const std::vector<Violation>& contract_violations() const { return contract_violations_; }

  // ctx.error() that also journals the refusal as a request violation ({in, "", "", message}), so
  // the exchange's verdict is "invalid": a missing token, a forbidden project, an unreadable body.
  Response refuse(int status, std::string code, std::string message, std::string in = "request", nlohmann::json details = nullptr);

  // 422 VALIDATION_ERROR in the dialect's shape: the message names the first violation, details
  // list the first kMaxListedViolations (texts capped; journal.h) as {in, instance_location,
  // schema_location, message}, and so does ErrorInfo::violations.
  // The violations are journaled with the request (those of check_request() already are).
  Response validation_error(const std::vector<Violation>& violations);

  // The body read as `media_type` (JSON, or a form as an object of strings), parsed once.
  const JsonText& body_as(const std::string& media_type) const;

 private:
  RequestData request_;
  const Dialect* dialect_;
  std::string request_id_;
  RouteContract contract_;
  std::size_t max_json_depth_;
  std::vector<Violation> contract_violations_;
  mutable std::optional<std::pair<std::string, JsonText>> parsed_;
};

// The body of a request, read for a handler.
struct ParsedBody {
  nlohmann::json value;           // the JSON document (a form: an object of strings)
  std::string media_type;         // what it was read as
  std::optional<Response> error;  // set when it could not be read: a ready error in the dialect's shape
  explicit operator bool() const { return !error; }
};

// Reads the body as one of the `accepted` media types (application/json, any +json type, and
// application/x-www-form-urlencoded read as an object of strings). Errors, ready to send:
// Content-Type missing or not accepted → the dialect's wrong_content_type_status (415 unless it
// says otherwise); empty body, invalid UTF-8, nesting deeper than the limit, or not JSON → 400.
// A refusal is journaled as a request violation (ctx.refuse).
ParsedBody parse_json_body(RequestContext& ctx, const std::vector<std::string>& accepted = {"application/json"});

}  // namespace runmock::http
