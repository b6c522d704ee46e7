#include "http/server.h"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "faults/fault_book.h"
#include "faults/prefer.h"
#include "http/admin_guard.h"
#include "http/builtin_routes.h"
#include "http/connection_pool.h"
#include "http/net.h"
#include "http/response_writer.h"
#include "http/route_runner.h"
#include "http/stop_signal.h"
#include "loader/api_contract.h"

namespace runmock::http {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// The server whose handler this thread is running (stop() must not wait for its own worker).
thread_local const void* tls_server = nullptr;

// cpp-httplib binds and accepts; every accepted socket goes straight to our connection pool.
class Acceptor : public httplib::Server {
 public:
  socket_t listening_socket() const { return svr_sock_; }
  ConnectionPool* pool = nullptr;

 private:
  bool process_and_close_socket(socket_t sock) override {
    pool->adopt(sock);
    return true;
  }
};

// Runs each accepted socket's task on the accepting thread at once: all it does is hand the
// socket over, so no thread of httplib's ever holds a connection.
class InlineTaskQueue : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> task) override { task(); }
  void shutdown() override {}
};

bool is_admin_path(std::string_view path) { return path == "/__runmock" || path.substr(0, kAdminPrefix.size()) == kAdminPrefix; }

// Header names as a preflight asks for them: tokens only, anything else dropped.
std::string requested_headers(std::string_view value) {
  std::string out;
  std::string name;
  auto flush = [&] {
    if (!name.empty()) out += ", " + name;
    name.clear();
  };
  for (char c : value) {
    if (c == ',') {
      flush();
    } else if (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') {
      name.push_back(c);
    }
  }
  flush();
  return out;
}

std::optional<std::string> header_of(const RequestData& data, std::string_view name) {
  auto it = data.headers.find(name);
  return it == data.headers.end() ? std::nullopt : std::optional<std::string>(it->second);
}

// A query as the journal and the log keep it: the value of an access_token (a credential, RFC
// 6750 section 2.3) is replaced by "REDACTED".
std::string redacted_query(const std::string& query) {
  if (query.find("access_token") == std::string::npos) return query;
  std::string out;
  std::size_t at = 0;
  for (bool first = true;; first = false) {
    std::size_t amp = query.find('&', at);
    std::string pair = query.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    out += (first ? "" : "&") + (pair.rfind("access_token=", 0) == 0 ? std::string("access_token=REDACTED") : pair);
    if (amp == std::string::npos) return out;
    at = amp + 1;
  }
}

// The methods runmock routes; any other is answered 501 (RFC 9110 section 9.1).
bool is_known_method(std::string_view method) {
  for (std::string_view known : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT"}) {
    if (method == known) return true;
  }
  return false;
}

double elapsed_ms(Clock::time_point since) { return std::chrono::duration<double, std::milli>(Clock::now() - since).count(); }

// Where a failure to read the request lies, for its journal entry.
const char* where_unreadable(int status) {
  switch (status) {
    case 413: return "body";
    case 431: return "header";
    default: return "request";
  }
}

}  // namespace

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
  const Dialect* dialect;
};

struct Server::Impl {
  explicit Impl(ServerConfig c) : config(std::move(c)), journal(config.journal_size, config.journal_bytes) {
    dialects.push_back(std::make_unique<Dialect>(Dialect{"admin", {std::string(kAdminPrefix)}, nullptr, 415}));
  }

  ServerConfig config;
  Acceptor acceptor;
  std::unique_ptr<ConnectionPool> pool;
  Router router;
  std::vector<Route> routes;  // by router index
  std::vector<std::unique_ptr<Dialect>> dialects;
  Dialect generic{"", {}, nullptr, 415};
  Journal journal;
  faults::FaultBook fault_book;
  AdminGuard guard;

  std::atomic<std::uint64_t> next_id{1};
  std::atomic<std::uint64_t> served{0};
  std::atomic<std::size_t> streams{0};
  std::size_t max_streams = 1;
  std::mutex log_mutex;
  std::function<void(std::string_view)> log_sink;

  std::atomic<bool> started{false};
  std::atomic<bool> listener_done{false};
  StopSignal stop_signal;
  std::mutex stop_mutex;
  std::optional<bool> stopped_cleanly;  // guarded by stop_mutex
  std::thread listener;
  int port = -1;
  Clock::time_point start_time = Clock::now();

  void check_not_started() const {
    if (started) throw std::logic_error("routes and dialects are registered before Server::start()");
  }

  const Dialect* find_dialect(const std::string& name) const {
    for (const auto& d : dialects) {
      if (d->name == name) return d.get();
    }
    return nullptr;
  }

  // The dialect owning a path: the longest prefix that matches; the generic one outside all.
  const Dialect& dialect_for(std::string_view path) const {
    if (path == "/__runmock") return *dialects.front();
    const Dialect* best = &generic;
    std::size_t best_length = 0;
    for (const auto& d : dialects) {
      for (const auto& prefix : d->path_prefixes) {
        if (prefix.size() > best_length && path.substr(0, prefix.size()) == prefix) {
          best = d.get();
          best_length = prefix.size();
        }
      }
    }
    return *best;
  }

  std::string new_request_id() {
    char id[32];
    std::snprintf(id, sizeof id, "req-%06llu", static_cast<unsigned long long>(next_id.fetch_add(1)));
    return id;
  }

  void log(std::string_view line) {
    std::lock_guard lock(log_mutex);
    if (log_sink) {
      log_sink(line);
      return;
    }
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fputc('\n', stdout);
    std::fflush(stdout);
  }

  // Journals (when asked) and logs one finished exchange.
  void finish(JournalEntry& entry, bool journal_it) {
    served.fetch_add(1, std::memory_order_relaxed);
    bool json_log = config.log_format == LogFormat::json;
    if (journal_it || json_log) entry.time = journal.now();
    if (config.log_format != LogFormat::off) log(format_log_line(entry, config.log_format));
    if (journal_it) journal.record(std::move(entry));
  }

  // An error in `dialect`'s shape, outside any handler.
  static Response error_in(const Dialect& dialect, const std::string& request_id, int status, std::string message, std::string code = "") {
    RequestContext ctx(RequestData{}, dialect, request_id);
    Response r = ctx.error(status, std::move(code), std::move(message));
    r.check = false;
    return r;
  }

  // --- faults ---

  // A fault's delay: fixed, or uniform in [delay, delay_max].
  void delay_for(const faults::Fault& fault) {
    auto delay = fault.delay;
    if (fault.delay_max > fault.delay) {
      thread_local std::mt19937_64 random{std::random_device{}()};
      delay = std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(fault.delay.count(), fault.delay_max.count())(random));
    }
    if (delay.count() > 0) stop_signal.wait_for(delay);
  }

  // The answer of a fault that replaces it (status; reset and empty send none at all).
  static Response fault_answer(const faults::Fault& fault, const Dialect& dialect, const std::string& request_id) {
    if (fault.kind != faults::Kind::status) return Response::empty(0);
    std::string message = fault.message.empty() ? "HTTP " + std::to_string(fault.status) + ", answered on purpose (runmock fault: " + faults::describe(fault) + ")"
                                                : fault.message;
    Response r = error_in(dialect, request_id, fault.status, std::move(message), fault.code);
    if (fault.retry_after) r.with_header("Retry-After", std::to_string(*fault.retry_after));
    return r;
  }

  // The fault a request asks for (`Prefer: fault=<name>`) or a rule gives it. `unknown` is set to
  // a Prefer name runmock does not know.
  std::shared_ptr<const faults::Fault> requested_fault(const RequestData& data, const std::string& api, std::optional<std::string>& unknown) {
    if (auto prefer = header_of(data, "Prefer")) {
      if (auto name = faults::prefer_parameter(*prefer, "fault")) {
        auto fault = fault_book.named(*name);
        if (!fault) unknown = name;
        return fault;
      }
    }
    return fault_book.take({api, data.method, data.path});
  }

  // A fault that changes the answer's body before it leaves (malformed, corrupt; truncate and drip
  // are carried out as it is written).
  static void change_answer(const faults::Fault& fault, Response& out) {
    if (out.stream) return;
    if (fault.kind == faults::Kind::corrupt && out.json_body) {
      out.json_body->merge_patch(fault.merge);
    } else if (fault.kind == faults::Kind::malformed) {
      std::string text = out.json_body ? dump_json(*out.json_body) : std::move(out.body);
      // Without its last byte a JSON document no longer parses ({"a": 1 / [1, 2 / "text).
      if (text.empty()) text = "{";
      else text.pop_back();
      out.body = std::move(text);
      if (out.json_body) out.content_type = "application/json";
      out.json_body.reset();
    }
  }

  // --- CORS ---

  bool cors_allowed(const std::string& origin, bool admin_path) const {
    if (!config.cors || origin.empty()) return false;
    if (admin_path) return guard.origin_listed(origin);
    if (config.cors_origins.empty()) return true;
    for (const auto& allowed : config.cors_origins) {
      if (allowed == "*" || allowed == origin) return true;
    }
    return false;
  }

  static void add_cors_headers(ResponseHeaders& headers, const std::string& origin) {
    headers.emplace_back("Access-Control-Allow-Origin", origin);
    headers.emplace_back("Access-Control-Allow-Credentials", "true");
    headers.emplace_back("Access-Control-Expose-Headers", kCorsExposeHeaders);
    headers.emplace_back("Vary", "Origin");
  }

  Response preflight(const RequestData& data, const std::string& origin, bool admin_path, const std::string& request_id,
                     const std::vector<std::string>& allowed) {
    if (!cors_allowed(origin, admin_path)) {
      return error_in(dialect_for(data.path), request_id, 403, "CORS: origin '" + origin + "' is not allowed here");
    }
    std::string methods = allowed.empty() ? "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" : join_methods(allowed);
    std::string allowed_headers = kCorsAllowHeadersBefore;
    for (const auto& h : config.cors_headers) allowed_headers += ", " + h;
    allowed_headers += std::string(", ") + kCorsAllowHeadersAfter;
    Response r = Response::empty(204);
    r.with_header("Access-Control-Allow-Methods", methods)
        .with_header("Access-Control-Allow-Headers", allowed_headers + requested_headers(header_of(data, "Access-Control-Request-Headers").value_or("")))
        .with_header("Access-Control-Max-Age", "600");
    return r;
  }

  // --- requests ---

  static RequestData request_data(const Exchange& exchange) {
    const WireRequest& wire = exchange.request();
    RequestData data;
    data.method = wire.method;
    std::string_view target = wire.target;
    auto q = target.find('?');
    data.path = percent_decode(target.substr(0, q), false);
    data.target = wire.target;
    if (q != std::string_view::npos) {
      for (auto& [key, value] : parse_query(target.substr(q + 1))) data.query.emplace(std::move(key), std::move(value));
    }
    for (const auto& field : wire.headers) data.headers.emplace(field.name, field.value);
    data.body = wire.body;
    data.peer = exchange.peer();
    data.peer_port = exchange.peer_port();
    return data;
  }

  // The journal entry of a request as it arrives: its id, what was asked, and whose it is.
  JournalEntry begin_entry(const RequestData& data) {
    JournalEntry entry;
    entry.request_id = new_request_id();
    entry.method = data.method;
    entry.path = data.path;
    auto q = data.target.find('?');
    if (q != std::string::npos) entry.query = redacted_query(data.target.substr(q + 1));
    entry.api = dialect_for(data.path).name;
    return entry;
  }

  // What one request turns into: the answer, the fault carried out, whether it is journaled.
  struct Answer {
    Response out;
    std::shared_ptr<const faults::Fault> fault;
    std::shared_ptr<const faults::Fault> phase_fault;  // carried by the run's scenario phase
    bool journal = true;
  };

  // The answer of a refusal the layer makes itself, journaled as the request's violation.
  static void refuse(Answer& answer, JournalEntry& entry, const Dialect& dialect, int status, const std::string& in, std::string message,
                     const char* verdict_word = verdict::invalid) {
    answer.out = error_in(dialect, entry.request_id, status, message);
    entry.verdict = verdict_word;
    entry.message = message;
    if (std::string_view(verdict_word) == verdict::invalid) entry.request_errors.push_back({in, "", "", std::move(message)});
  }

  // A request the connection layer will not let run (overload, shutdown): 503 and a closed
  // connection. False when the request may go on.
  bool refuse_overload(Exchange& exchange, Answer& answer, JournalEntry& entry, const Dialect& dialect) {
    std::string message;
    switch (exchange.refusal()) {
      case Refusal::too_many_connections:
        message = "runmock has " + std::to_string(pool->limits().max_connections) + " connections open (--max-connections) and none idle to close";
        break;
      case Refusal::too_many_from_client:
        message = "this client has " + std::to_string(config.max_connections_per_client) + " connections open (--max-connections-per-client)";
        break;
      case Refusal::workers_busy:
        message = "every worker is busy (" + std::to_string(config.threads) + ", --threads; one is kept for short admin requests)";
        break;
      case Refusal::stopping: message = "runmock is shutting down"; break;
      case Refusal::none: return false;
    }
    refuse(answer, entry, dialect, 503, "connection", "Service unavailable: " + message + "; retry later", verdict::refused);
    answer.out.with_header("Retry-After", "1");
    exchange.close_after();
    return true;
  }

  // Routing, faults and the handler: everything between a readable request and its answer.
  void route_request(RequestData& data, Router::Match& match, bool admin_path, Answer& answer, JournalEntry& entry, const Dialect& dialect) {
    std::string origin = header_of(data, "Origin").value_or("");
    bool is_preflight = config.cors && data.method == "OPTIONS" && !origin.empty() && data.headers.count("Access-Control-Request-Method");
    std::optional<std::string> unknown_fault;
    if (!is_preflight && !admin_path && config.faults) answer.fault = requested_fault(data, entry.api, unknown_fault);
    if (is_preflight) {
      answer.out = preflight(data, origin, admin_path, entry.request_id, match.allowed);
      entry.verdict = "preflight";
      answer.journal = false;
    } else if (unknown_fault) {
      std::string known;
      for (const auto& name : fault_book.names()) known += (known.empty() ? "" : ", ") + name;
      refuse(answer, entry, dialect, 400, "header", "Prefer: fault=" + *unknown_fault + " is not a fault runmock knows (" + known + ")");
    } else if (answer.fault && answer.fault->replaces_answer()) {
      // A server failing this way never did the work: the handler does not run.
      delay_for(*answer.fault);
      answer.out = fault_answer(*answer.fault, dialect, entry.request_id);
    } else {
      if (answer.fault) delay_for(*answer.fault);
      route_to_handler(data, match, admin_path, answer, entry, dialect);
    }
  }

  void route_to_handler(RequestData& data, Router::Match& match, bool admin_path, Answer& answer, JournalEntry& entry, const Dialect& dialect) {
    if (!is_known_method(data.method)) {
      refuse(answer, entry, dialect, 501, "route", data.method + " is not a method runmock knows");
    } else if (match.kind == Router::Match::Kind::found) {
      const Route& route = routes[match.index];
      answer.journal = admin_path ? route.options.journal : answer.journal && route.options.journal;
      RouteRun run{route.handler, route.options, *route.dialect, route.pattern, config.max_json_depth};
      answer.out = run_route(run, std::move(data), std::move(match.params), entry, answer.phase_fault);
    } else if (match.kind == Router::Match::Kind::wrong_method && data.method == "OPTIONS") {
      answer.out = Response::empty(204);
      answer.out.with_header("Allow", join_methods(match.allowed));
      entry.verdict = verdict::valid;
      answer.journal = false;
    } else if (match.kind == Router::Match::Kind::wrong_method) {
      std::string allow = join_methods(match.allowed);
      refuse(answer, entry, dialect, 405, "route", data.method + " is not allowed on " + data.path + " (allowed: " + allow + ")");
      answer.out.with_header("Allow", allow);
    } else {
      refuse(answer, entry, dialect, 404, "route", not_found_message(dialect, data.method, data.path));
    }
  }

  // The fault of the scenario phase the answer shows, when the request asked for none; and what a
  // fault changes in the answer.
  void apply_faults(Answer& answer, JournalEntry& entry, const Dialect& dialect) {
    if (!answer.fault && answer.phase_fault && config.faults) {
      answer.fault = std::move(answer.phase_fault);
      delay_for(*answer.fault);
      if (answer.fault->replaces_answer()) answer.out = fault_answer(*answer.fault, dialect, entry.request_id);
    }
    if (!answer.fault) return;
    entry.fault = faults::describe(*answer.fault);
    if (entry.verdict.empty() || entry.verdict == verdict::valid) entry.verdict = verdict::fault;
    change_answer(*answer.fault, answer.out);
  }

  // An event stream beyond --max-streams is refused; an admitted one holds a slot until it ends.
  bool admit_stream(Answer& answer, JournalEntry& entry, const Dialect& dialect) {
    if (!answer.out.stream) return false;
    if (streams.fetch_add(1) < max_streams) return true;
    streams.fetch_sub(1);
    refuse(answer, entry, dialect, 503, "connection",
           "Service unavailable: " + std::to_string(max_streams) + " event streams are open (--max-streams); retry later", verdict::refused);
    answer.out.with_header("Retry-After", "1");
    return false;
  }

  // On the worker kept for short work, only short admin requests run; the others wait for a free
  // worker (the connection pool defers them).
  bool defer_on_reserved_worker(Exchange& exchange, const RequestData& data, bool admin_path) const {
    if (!exchange.reserved() || exchange.refusal() != Refusal::none) return false;
    Router::Match match = router.match(data.method, data.path);
    bool short_admin = admin_path && match.kind == Router::Match::Kind::found && !routes[match.index].options.long_running;
    if (short_admin) return false;
    exchange.defer();
    return true;
  }

  // Every complete request comes here, on a worker of the connection pool.
  void handle(Exchange& exchange) {
    tls_server = this;
    Clock::time_point start = Clock::now();
    RequestData data = request_data(exchange);
    bool admin_path = is_admin_path(data.path);
    if (defer_on_reserved_worker(exchange, data, admin_path)) return;
    JournalEntry entry = begin_entry(data);
    const Dialect& dialect = dialect_for(data.path);
    Answer answer;
    answer.journal = !admin_path;
    std::string origin = header_of(data, "Origin").value_or("");
    try {
      Router::Match match = router.match(data.method, data.path);
      if (!refuse_overload(exchange, answer, entry, dialect)) {
        if (auto refusal = admin_path ? admin_refusal(data) : std::nullopt) {
          refuse(answer, entry, dialect, refusal->status, refusal->in, refusal->message);
        } else {
          route_request(data, match, admin_path, answer, entry, dialect);
        }
      }
    } catch (const std::exception& e) {
      answer.out = error_in(dialect, entry.request_id, 500, std::string("runmock failed while routing the request: ") + e.what());
      entry.verdict = verdict::error;
      entry.message = answer.out.message;
    }
    apply_faults(answer, entry, dialect);
    bool stream = admit_stream(answer, entry, dialect);
    send(exchange, origin, answer, entry, admin_path, start);
    if (stream) streams.fetch_sub(1);
  }

  std::optional<AdminRefusal> admin_refusal(const RequestData& data) const {
    return check_admin_request(guard, data.peer, header_of(data, "Host"), header_of(data, "Origin"), header_of(data, "Authorization"));
  }

  // Journals the exchange (before any byte leaves: a client that sees the answer may ask the
  // journal at once), then writes the answer.
  void send(Exchange& exchange, const std::string& origin, Answer& answer, JournalEntry& entry, bool admin_path, Clock::time_point start) {
    ResponseHeaders headers;
    headers.emplace_back("X-Request-Id", entry.request_id);
    if (cors_allowed(origin, admin_path)) add_cors_headers(headers, origin);
    entry.status = answer.out.status;
    entry.duration_ms = elapsed_ms(start);
    finish(entry, answer.journal);
    const faults::Fault* fault = answer.fault.get();
    if (fault && (fault->kind == faults::Kind::reset || fault->kind == faults::Kind::empty)) {
      exchange.drop(fault->kind == faults::Kind::reset);
      return;
    }
    write_response(exchange, answer.out, std::move(headers), {&stop_signal, config.sse_max_duration, fault});
  }

  // A request the connection layer could not read (malformed, over a limit, too slow).
  void unreadable(Exchange& exchange, const Unreadable& what) {
    Clock::time_point start = Clock::now();
    RequestData data;
    const WireRequest& wire = exchange.request();
    data.method = wire.method;
    data.target = wire.target;
    data.path = percent_decode(std::string_view(wire.target).substr(0, wire.target.find('?')), false);
    data.peer = exchange.peer();
    for (const auto& field : wire.headers) data.headers.emplace(field.name, field.value);
    JournalEntry entry = begin_entry(data);
    bool admin_path = is_admin_path(data.path);
    Answer answer;
    answer.journal = !admin_path;
    refuse(answer, entry, dialect_for(data.path), what.status, where_unreadable(what.status), what.message);
    exchange.close_after();
    send(exchange, header_of(data, "Origin").value_or(""), answer, entry, admin_path, start);
  }

  std::string not_found_message(const Dialect& dialect, const std::string& method, const std::string& path) const {
    if (!dialect.name.empty()) return "no " + dialect.name + " route matches " + method + " " + path;
    std::vector<std::string> all;
    for (const auto& d : dialects) all.insert(all.end(), d->path_prefixes.begin(), d->path_prefixes.end());
    std::sort(all.begin(), all.end());  // byte order: the same whatever order the APIs were added in
    std::string prefixes;
    for (const auto& p : all) prefixes += (prefixes.empty() ? "" : ", ") + p;
    return "runmock has no route for " + method + " " + path + " (it serves paths under " + prefixes + ")";
  }

  void add_route(const std::string& api, const std::string& method, const std::string& pattern, Handler handler, RouteOptions options) {
    check_not_started();
    const Dialect* dialect = find_dialect(api);
    if (!dialect) throw std::invalid_argument("route " + method + " " + pattern + ": no dialect '" + api + "' (add_dialect first)");
    if (!handler) throw std::invalid_argument("route " + method + " " + pattern + " has no handler");
    router.add(method, pattern);
    routes.push_back({method, pattern, std::move(handler), options, dialect});
  }

  ConnectionLimits connection_limits() const {
    ConnectionLimits l;
    l.max_threads = std::max<std::size_t>(config.threads, 1);
    l.max_connections = config.max_connections;
    l.max_connections_per_client = config.max_connections_per_client;
    l.keep_alive_max_count = std::max<std::size_t>(config.keep_alive_max_count, 1);
    l.keep_alive_timeout = config.keep_alive_timeout;
    l.header_timeout = config.header_timeout;
    l.defer_timeout = config.queue_timeout;
    l.read_timeout = config.read_timeout;
    l.write_timeout = config.write_timeout;
    l.min_body_rate = config.min_body_rate;
    l.request.max_body_bytes = config.max_body_bytes;
    l.request.max_headers = config.max_headers;
    l.request.max_head_bytes = config.max_header_bytes;
    return l;
  }

  void bind_and_listen() {
    const ServerConfig& c = config;
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a second runmock on the
    // same port would silently share it instead of failing to start.
    acceptor.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    });
    acceptor.new_task_queue = [] { return new InlineTaskQueue; };
    int bound = c.port == 0 ? acceptor.bind_to_any_port(c.host) : (acceptor.bind_to_port(c.host, c.port) ? c.port : -1);
    if (bound <= 0) {
      throw std::runtime_error("cannot listen on " + url_host(c.host) + ":" + std::to_string(c.port) +
                               " (the port is taken, or the address is not one of this machine's)");
    }
    // httplib's listen backlog of 5 is too short for a burst of new connections.
    ::listen(acceptor.listening_socket(), SOMAXCONN);
    port = bound;
  }

  void warn_about_exposure() const {
    if (config.admin_remote) {
      std::cerr << "runmock: the admin API (" << kAdminPrefix << ") answers clients from any address, as asked (--admin-remote), with --admin-token\n";
    }
    if (!is_loopback(config.host) && config.host != "localhost") {
      std::cerr << "runmock: warning: listening on " << url_host(config.host)
                << ", reachable from other machines: every API route answers them (the admin API only with --admin-remote)\n";
    }
  }
};

// ---------------------------------------------------------------------------------------------

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that goes away must not end the process
  install_builtin_routes(*this);
}

Server::~Server() { stop(); }

void Server::add_dialect(Dialect dialect) {
  impl_->check_not_started();
  if (dialect.name.empty()) throw std::invalid_argument("a dialect needs a name");
  if (impl_->find_dialect(dialect.name)) throw std::invalid_argument("dialect '" + dialect.name + "' is already registered");
  impl_->dialects.push_back(std::make_unique<Dialect>(std::move(dialect)));
}

void Server::route(const std::string& api, const std::string& method, const std::string& pattern, Handler handler, RouteOptions options) {
  impl_->add_route(api, method, pattern, std::move(handler), options);
}

void Server::operation(const std::string& api, const contracts::ApiContract& contract, std::string_view operation_id, Handler handler,
                       RequestCheck request_check) {
  const contracts::Operation* op = contract.find(operation_id);
  if (!op) throw std::invalid_argument("'" + std::string(operation_id) + "' is not an operation of the " + contract.name() + " contract");
  RouteOptions options;
  options.contract = {&contract, op};
  options.request_check = request_check;
  impl_->add_route(api, op->method, op->path, std::move(handler), options);
}

void Server::admin_route(const std::string& method, const std::string& pattern, Handler handler, bool journal, bool long_running) {
  if (!is_admin_path(pattern)) throw std::invalid_argument("admin route " + pattern + " is not under " + std::string(kAdminPrefix));
  RouteOptions options;
  options.journal = journal;
  options.long_running = long_running;
  impl_->add_route("admin", method, pattern, std::move(handler), options);
}

void Server::set_clock(Journal::Clock clock) { impl_->journal.set_clock(std::move(clock)); }

void Server::set_log_sink(std::function<void(std::string_view)> sink) {
  std::lock_guard lock(impl_->log_mutex);
  impl_->log_sink = std::move(sink);
}

Journal& Server::journal() { return impl_->journal; }
faults::FaultBook& Server::faults() { return impl_->fault_book; }

void Server::start(const std::vector<std::string>& banner) {
  Impl& i = *impl_;
  const ServerConfig& c = i.config;
  if (c.port < 0 || c.port > 65535) throw std::invalid_argument("port " + std::to_string(c.port) + " is not in 0..65535");
  if (c.admin_remote && c.admin_token.empty()) throw std::invalid_argument("--admin-remote needs --admin-token");
  if (i.started.exchange(true)) throw std::logic_error("a server starts once");
  i.bind_and_listen();
  i.guard = {c.host, i.port, c.admin_origins, c.admin_hosts, c.admin_token, c.admin_remote};
  i.max_streams = c.max_streams > 0 ? c.max_streams : std::max<std::size_t>(c.threads / 2, 1);
  i.pool = std::make_unique<ConnectionPool>(i.connection_limits(),
                                            ConnectionPool::Callbacks{[&i](Exchange& e) { i.handle(e); },
                                                                      [&i](Exchange& e, const Unreadable& what) { i.unreadable(e, what); }});
  i.acceptor.pool = i.pool.get();
  i.start_time = Clock::now();
  i.log(listening_line(c.host, i.port, c.name));
  for (const auto& line : banner) i.log(line);
  i.warn_about_exposure();
  i.listener = std::thread([&i] {
    i.acceptor.listen_after_bind();
    i.listener_done = true;
  });
  // Until httplib marks itself running, its stop() would do nothing; wait for that moment.
  while (!i.acceptor.is_running() && !i.listener_done) std::this_thread::sleep_for(std::chrono::microseconds(200));
}

bool Server::stop() {
  Impl& i = *impl_;
  i.stop_signal.trigger();
  i.acceptor.stop();
  if (tls_server == &i) return true;  // from a handler: the workers cannot wait for themselves
  std::lock_guard lock(i.stop_mutex);
  if (i.stopped_cleanly) return *i.stopped_cleanly;
  if (i.listener.joinable()) i.listener.join();
  i.stopped_cleanly = i.pool ? i.pool->stop(i.config.shutdown_grace) : true;
  return *i.stopped_cleanly;
}

void Server::wait() {
  Impl& i = *impl_;
  while (!i.listener_done && !i.stop_signal.stopped()) i.stop_signal.wait_for(std::chrono::milliseconds(50));
}

bool Server::running() const { return impl_->started && !impl_->listener_done && !impl_->stop_signal.stopped(); }
bool Server::stopping() const { return impl_->stop_signal.stopped(); }
int Server::port() const { return impl_->port; }
const std::string& Server::host() const { return impl_->config.host; }
std::string Server::url() const { return "http://" + url_host(impl_->config.host) + ":" + std::to_string(impl_->port); }
const ServerConfig& Server::config() const { return impl_->config; }
void Server::reset_request_ids() { impl_->next_id = 1; }
std::uint64_t Server::requests_served() const { return impl_->served.load(); }
double Server::uptime_seconds() const { return std::chrono::duration<double>(Clock::now() - impl_->start_time).count(); }

Server::ConnectionStats Server::connection_stats() const {
  ConnectionStats s;
  if (impl_->pool) {
    auto p = impl_->pool->stats();
    s.connections = p.connections;
    s.threads = p.threads;
    s.busy = p.busy;
  }
  s.streams = impl_->streams.load();
  return s;
}

}  // namespace runmock::http
