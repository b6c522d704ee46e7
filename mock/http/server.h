// The HTTP server every API dialect sits on: cpp-httplib binds and accepts, our connection pool
// (connection_pool.h) reads requests and admits them fairly, and the rest is ours too: routing
// (404/405 in the owning dialect's error shape), bad input (400, 408, 413, 414, 415, 431), CORS, the
// admin API's guard (admin_guard.h) with its built-in routes (builtin_routes.h), the request journal
// and log, and the contract check of every response before it is sent (route_runner.h).
//
//   http::Server server(config);
//   server.add_dialect({"emergence", {"/api/data-readiness/"}, emergence_error_body, 400});
//   server.operation("emergence", contract, "getWorkflowRun", [&](http::RequestContext& ctx) { ... });
//   server.start({"dev token: ..."});   // prints "runmock listening on http://HOST:PORT", then the banner
//   http::ShutdownSignals signals;       // (before start) then: http::wait_and_stop(signals, server)
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "faults/fault_book.h"
#include "http/context.h"
#include "http/journal.h"
#include "http/log.h"

namespace runmock::http {

// Every field is meant to be a `runmock serve` flag (the suggested name follows each).
struct ServerConfig {
  std::string name = "runmock";               // the listening line's first words ("runmock proxy")
  std::string host = "127.0.0.1";             // --host
  int port = 8089;                            // --port; 0 takes a free port (Server::port() says which)
  // --threads: most workers, started on demand. Only a request being answered holds one (an idle
  // or half-read connection holds none); one is kept for short admin requests.
  std::size_t threads = 512;
  std::size_t max_connections = 10000;        // --max-connections: open at once (bounded by the descriptor limit too)
  std::size_t max_connections_per_client = 0; // --max-connections-per-client: from one peer address; 0: no cap
  std::size_t max_streams = 0;                // --max-streams: open event streams; 0: half of threads
  std::size_t keep_alive_max_count = 10000;   // --keep-alive-max: requests on one connection before it closes
  std::chrono::milliseconds keep_alive_timeout{5000};  // --keep-alive-timeout: an idle connection closes after this
  std::chrono::milliseconds header_timeout{10000};     // --header-timeout: a request head must arrive whole within this (408)
  std::chrono::milliseconds queue_timeout{1000};      // --queue-timeout: a request waits this long for a free worker (then 503)
  double min_body_rate = 1024;                         // --min-body-rate: bytes per second a body must keep up (408)
  std::chrono::milliseconds read_timeout{5000};        // --read-timeout: the longest silence in the middle of a request (408)
  std::chrono::milliseconds write_timeout{5000};       // --write-timeout: an answer the client does not read within this is dropped
  std::size_t max_body_bytes = 1 << 20;       // --max-body-bytes: a larger body gets 413
  std::size_t max_headers = 100;              // --max-headers: more header fields get 431
  std::size_t max_header_bytes = 64 * 1024;   // --max-header-bytes: a larger request head gets 431
  std::size_t max_json_depth = 64;            // --max-json-depth: deeper JSON gets 400
  std::size_t journal_size = 10000;           // --journal-size: entries kept (older ones are dropped and counted)
  std::size_t journal_bytes = Journal::kDefaultMaxBytes;  // --journal-bytes: the journal's memory budget (older entries go first)
  LogFormat log_format = LogFormat::text;     // --log-format text|json|off
  bool cors = true;                           // --no-cors sets false
  std::vector<std::string> cors_origins;      // --cors-origin (repeatable): API routes answer only these origins; empty: any
  std::vector<std::string> cors_headers;      // request headers of the APIs that preflights allow (the registry's: tenant, version ...)
  // The admin API (/__runmock/) is the developer's own: no other web page may read or drive it.
  std::vector<std::string> admin_origins;     // --admin-origin (repeatable): other origins allowed to call it (CORS included)
  std::vector<std::string> admin_hosts;       // --admin-host (repeatable): Host names it answers besides the listening address and loopback
  std::string admin_token;                    // --admin-token: it wants `Authorization: Bearer <token>`
  bool admin_remote = false;                  // --admin-remote: /__runmock/ answers every peer, not only loopback (needs admin_token)
  std::chrono::milliseconds sse_max_duration{300000};  // --sse-max-duration: an event stream ends after this
  std::chrono::milliseconds shutdown_grace{2000};      // requests in flight at stop() get this long to finish
  // Carry out faults (rules, `Prefer: fault=`, scenario phases) and serve /__runmock/faults. A
  // proxy turns it off: the Prefer headers it forwards are for its target.
  bool faults = true;
};

using Handler = std::function<Response(RequestContext&)>;

// What the layer does with the request before the handler runs (the dialect may check it itself
// with ctx.check_request() instead).
enum class RequestCheck {
  off,     // nothing
  record,  // check parameters and body, journal the violations, call the handler anyway
  reject,  // unreadable body → 400/415, violations → 422 (ctx.validation_error), handler not called
};

struct RouteOptions {
  RouteContract contract;  // with an operation: every JSON response is checked before it is sent
  RequestCheck request_check = RequestCheck::off;
  bool journal = true;  // false: logged, not journaled
  // The route may hold its worker long (an admin event stream): never run on the worker kept for
  // short admin requests.
  bool long_running = false;
};

// The admin API's prefix. Its routes answer loopback peers only, unless admin_remote.
inline constexpr std::string_view kAdminPrefix = "/__runmock/";

class Server {
 public:
  explicit Server(ServerConfig config = {});
  ~Server();  // stops and joins
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // --- Registration: before start(); each throws std::logic_error after it. ---

  // Paths under the dialect's prefixes get its error shape, 404s included. Throws
  // std::invalid_argument for a name already registered ("admin" is the admin API's).
  void add_dialect(Dialect dialect);

  // A route of dialect `api` ("admin" for the admin API): `method` (upper case) and a path
  // template ("/runs/{run_id}"). Throws std::invalid_argument for an unknown dialect, a bad
  // template, or a method + path registered twice.
  void route(const std::string& api, const std::string& method, const std::string& pattern, Handler handler, RouteOptions options = {});

  // The route of a contract operation, at its own method and path; every JSON response is checked
  // against the operation. `contract` must outlive the server. Throws std::invalid_argument for an
  // unknown operation.
  void operation(const std::string& api, const contracts::ApiContract& contract, std::string_view operation_id, Handler handler,
                 RequestCheck request_check = RequestCheck::off);

  // A route of the admin API; `pattern` starts with /__runmock/. Not journaled unless asked.
  void admin_route(const std::string& method, const std::string& pattern, Handler handler, bool journal = false, bool long_running = false);

  // --- Plumbing ---

  // The clock of journal entries and JSON log lines (ISO 8601): plug in the engine's clock.
  void set_clock(Journal::Clock clock);
  // Where the listening line, the banner and the request log lines go (one call per line, without
  // newline; calls are serialized). Default: stdout, flushed per line.
  void set_log_sink(std::function<void(std::string_view line)> sink);
  Journal& journal();
  // Per-request fault rules and named faults (the admin API's /__runmock/faults); every request
  // outside the admin API is matched against them, and may ask for one with `Prefer: fault=<name>`.
  faults::FaultBook& faults();

  // --- Life cycle ---

  // Binds, writes listening_line(host, port) then each banner line to the log sink, and serves on
  // background threads; the listening line is always the first line. Throws std::runtime_error
  // when it cannot bind. A server starts once.
  void start(const std::vector<std::string>& banner = {});
  // Stops accepting, ends event streams, closes idle connections, and (unless called from a
  // handler) waits up to config().shutdown_grace for requests in flight to get their answers.
  // Returns false when some handler had still not returned then (the process should exit without
  // waiting for it). Idempotent and thread-safe.
  bool stop();
  // Blocks until the server has stopped (never call it from a handler).
  void wait();
  bool running() const;
  bool stopping() const;

  int port() const;  // the bound port after start(), -1 before
  const std::string& host() const;
  std::string url() const;  // http://HOST:PORT
  const ServerConfig& config() const;

  // The next request gets req-000001 again (for the admin API's reset).
  void reset_request_ids();
  std::uint64_t requests_served() const;
  double uptime_seconds() const;  // since start()

  struct ConnectionStats {
    std::size_t connections = 0;  // open
    std::size_t threads = 0;      // workers started
    std::size_t busy = 0;         // workers inside a handler
    std::size_t streams = 0;      // open event streams
  };
  ConnectionStats connection_stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// CORS: the headers every preflight allows (with ServerConfig::cors_headers after the first two,
// and any the browser asks for), and the headers answers expose.
inline constexpr const char* kCorsAllowHeadersBefore = "Authorization, Content-Type";
inline constexpr const char* kCorsAllowHeadersAfter = "Prefer, Last-Event-ID, Accept";
inline constexpr const char* kCorsExposeHeaders = "X-Request-Id, Retry-After, Location";


}  // namespace runmock::http
