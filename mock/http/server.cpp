#include "http/server.h"

#include <dirent.h>
#include <httplib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <atomic>
#include <cctype>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include "faults/fault_book.h"
#include "faults/prefer.h"
#include "http/net.h"
#include "http/task_queue.h"
#include "loader/api_contract.h"

namespace runmock::http {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

// What one worker thread knows about the request it is serving. cpp-httplib serves a request from
// its first byte to its last on one thread: the pre-routing handler starts it, our dispatch (or the
// error handler, for requests httplib refused itself) answers it, the post-routing handler ends it.
struct ThreadState {
  const void* server = nullptr;  // the Server::Impl whose worker this is
  bool dispatched = false;       // our dispatch answered: the error handler must leave the response alone
  bool timed = false;
  Clock::time_point start;
};
thread_local ThreadState tls;

// httplib::Server with the listening socket in reach (its listen backlog of 5 is too short for a
// burst of new connections; we raise it after bind).
class HttpServer : public httplib::Server {
 public:
  socket_t listening_socket() const { return svr_sock_; }
};

bool is_admin_path(std::string_view path) { return path == "/__runmock" || path.substr(0, kAdminPrefix.size()) == kAdminPrefix; }

std::string query_of(const std::string& target) {
  auto q = target.find('?');
  return q == std::string::npos ? std::string() : target.substr(q + 1);
}

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

// Calls fn(fd, peer) for every accepted connection of ours (local port `port`) in this process:
// cpp-httplib exposes no list of its connections, so find them among our descriptors.
template <typename Fn>
void for_each_connection(int port, Fn fn) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return;
  int own = ::dirfd(dir);
  auto port_of = [](const sockaddr_storage& address) {
    return address.ss_family == AF_INET    ? ntohs(reinterpret_cast<const sockaddr_in*>(&address)->sin_port)
           : address.ss_family == AF_INET6 ? ntohs(reinterpret_cast<const sockaddr_in6*>(&address)->sin6_port)
                                           : -1;
  };
  while (dirent* entry = ::readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == own) continue;
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    if (::getsockname(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&local), &length) != 0 || port_of(local) != port) continue;
    int listening = 0;
    socklen_t size = sizeof listening;
    if (::getsockopt(static_cast<int>(fd), SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || listening) continue;
    sockaddr_storage peer{};
    length = sizeof peer;
    if (::getpeername(static_cast<int>(fd), reinterpret_cast<sockaddr*>(&peer), &length) != 0) continue;
    fn(static_cast<int>(fd), peer, port_of(peer));
  }
  ::closedir(dir);
}

// Shuts down the reading side of every accepted connection of ours.
void shutdown_reading_connections(int port) {
  for_each_connection(port, [](int fd, const sockaddr_storage&, int) { ::shutdown(fd, SHUT_RD); });
}

// Ends the connection a handler is answering, before any byte of the answer: `reset` sends a TCP
// reset (connect(AF_UNSPEC) disconnects a connected socket on Linux), else a plain close (FIN).
// httplib's write of the answer then fails and it closes the socket as usual.
void drop_connection(int local_port, const std::string& peer_address, int peer_port, bool reset) {
  for_each_connection(local_port, [&](int fd, const sockaddr_storage& peer, int port) {
    char address[INET6_ADDRSTRLEN] = "";
    const void* raw = peer.ss_family == AF_INET ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(&peer)->sin_addr)
                                                : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(&peer)->sin6_addr);
    ::inet_ntop(peer.ss_family, raw, address, sizeof address);
    if (port != peer_port || peer_address != address) return;
    if (reset) {
      sockaddr unspecified{};
      unspecified.sa_family = AF_UNSPEC;
      ::connect(fd, &unspecified, sizeof unspecified);
    } else {
      ::shutdown(fd, SHUT_RDWR);
    }
  });
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

double elapsed_ms(Clock::time_point since) { return std::chrono::duration<double, std::milli>(Clock::now() - since).count(); }

}  // namespace

bool is_local_origin(std::string_view origin) {
  auto scheme_end = origin.find("://");
  if (scheme_end == std::string_view::npos) return false;
  std::string_view scheme = origin.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return false;
  std::string_view host = origin.substr(scheme_end + 3);
  if (host.find('/') != std::string_view::npos) return false;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) return false;
    host = host.substr(0, close + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host == "localhost" || (host.size() > 10 && host.substr(host.size() - 10) == ".localhost")) return true;
  return is_loopback(host);
}

// ---------------------------------------------------------------------------------------------

struct Route {
  std::string method;
  std::string pattern;
  Handler handler;
  RouteOptions options;
  const Dialect* dialect;
};

struct Server::Impl {
  explicit Impl(ServerConfig c) : config(std::move(c)), journal(config.journal_size) {
    dialects.push_back(std::make_unique<Dialect>(Dialect{"admin", {std::string(kAdminPrefix)}, nullptr, 415}));
    install_handlers();
    install_admin_routes();
  }

  ServerConfig config;
  HttpServer svr;
  Router router;
  std::vector<Route> routes;  // by router index
  std::vector<std::unique_ptr<Dialect>> dialects;
  Dialect generic{"", {}, nullptr, 415};
  Journal journal;
  faults::FaultBook fault_book;

  std::atomic<std::uint64_t> next_id{1};
  std::atomic<std::uint64_t> served{0};
  std::mutex log_mutex;
  std::function<void(std::string_view)> log_sink;

  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> listener_done{false};
  std::mutex stop_mutex;  // with stop_cv: event streams wait on it between steps
  std::condition_variable stop_cv;
  std::mutex join_mutex;
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
    if (path == "/__runmock") return *dialects.front();
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

  // Waits `duration`, or less when the server stops. True when it stopped.
  bool wait_unless_stopping(std::chrono::milliseconds duration) {
    std::unique_lock lock(stop_mutex);
    return stop_cv.wait_for(lock, duration, [this] { return stopping.load(); });
  }

  // A fault's delay: fixed, or uniform in [delay, delay_max].
  void delay_for(const faults::Fault& fault) {
    auto delay = fault.delay;
    if (fault.delay_max > fault.delay) {
      thread_local std::mt19937_64 random{std::random_device{}()};
      delay = std::chrono::milliseconds(std::uniform_int_distribution<std::int64_t>(fault.delay.count(), fault.delay_max.count())(random));
    }
    if (delay.count() > 0) wait_unless_stopping(delay);
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
  std::shared_ptr<const faults::Fault> requested_fault(const httplib::Request& req, const std::string& api, std::optional<std::string>& unknown) {
    if (req.has_header("Prefer")) {
      if (auto name = faults::prefer_parameter(req.get_header_value("Prefer"), "fault")) {
        auto fault = fault_book.named(*name);
        if (!fault) unknown = name;
        return fault;
      }
    }
    return fault_book.take({api, req.method, req.path});
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

  // Writes the body of `res` as a truncate or drip fault asks: the Content-Length of the whole, then
  // only the first bytes (and the connection closes), or every byte slowly.
  void write_faulty_body(const faults::Fault& fault, httplib::Response& res) {
    auto body = std::make_shared<std::string>(std::move(res.body));
    std::string type = res.get_header_value("Content-Type");
    res.headers.erase("Content-Type");
    res.body.clear();
    if (fault.kind == faults::Kind::truncate) {
      std::size_t keep = fault.bytes == 0 ? body->size() / 2 : std::min(fault.bytes, body->empty() ? 0 : body->size() - 1);
      res.set_content_provider(body->size(), type, [body, keep](std::size_t offset, std::size_t, httplib::DataSink& sink) {
        if (offset >= keep) return false;  // the connection closes short of the promised length
        return sink.write(body->data() + offset, keep - offset);
      });
    } else {
      std::size_t chunk = std::max<std::size_t>(fault.bytes, 1);
      auto interval = fault.interval;
      res.set_content_provider(body->size(), type, [this, body, chunk, interval](std::size_t offset, std::size_t length, httplib::DataSink& sink) {
        if (offset > 0 && wait_unless_stopping(interval)) return false;
        return sink.write(body->data() + offset, std::min(chunk, length));
      });
    }
  }

  bool origin_allowed(const std::string& origin, bool admin_path) const {
    if (!config.cors || origin.empty()) return false;
    if (!config.cors_origins.empty()) {
      for (const auto& allowed : config.cors_origins) {
        if (allowed == "*" || allowed == origin) return true;
      }
      return false;
    }
    return !admin_path || is_local_origin(origin);
  }

  static void add_cors_headers(httplib::Response& res, const std::string& origin) {
    res.set_header("Access-Control-Allow-Origin", origin);
    res.set_header("Access-Control-Allow-Credentials", "true");
    res.set_header("Access-Control-Expose-Headers", kCorsExposeHeaders);
    res.set_header("Vary", "Origin");
  }

  Response preflight(const httplib::Request& req, const std::string& origin, bool admin_path, const std::string& request_id,
                     const std::vector<std::string>& allowed) {
    if (!origin_allowed(origin, admin_path)) {
      return error_in(dialect_for(req.path), request_id, 403, "CORS: origin '" + origin + "' is not allowed here");
    }
    std::string methods = allowed.empty() ? "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS" : join_methods(allowed);
    Response r = Response::empty(204);
    r.with_header("Access-Control-Allow-Methods", methods)
        .with_header("Access-Control-Allow-Headers", kCorsAllowHeaders + requested_headers(req.get_header_value("Access-Control-Request-Headers")))
        .with_header("Access-Control-Max-Age", "600");
    return r;
  }

  // Moves our Response into httplib's.
  void write(Response& out, httplib::Response& res, const std::string& request_id, const std::string& origin, bool admin_path,
             const faults::Fault* fault = nullptr) {
    res.status = out.status;
    std::string content_type;
    for (auto& [name, value] : out.headers) {
      if (equals_ignoring_case(name, "Content-Type")) {
        content_type = value;
      } else {
        res.set_header(name, value);
      }
    }
    res.set_header("X-Request-Id", request_id);
    if (origin_allowed(origin, admin_path)) add_cors_headers(res, origin);
    if (out.stream) {
      start_stream(out, res);
      return;
    }
    if (out.body_producer) {
      start_body_stream(out, res, content_type.empty() ? out.content_type : content_type);
      return;
    }
    if (out.json_body) {
      res.set_content(dump_json(*out.json_body), content_type.empty() ? "application/json" : content_type);
    } else if (!out.body.empty() || !out.content_type.empty() || !content_type.empty()) {
      if (content_type.empty()) content_type = out.content_type.empty() ? "application/octet-stream" : out.content_type;
      res.set_content(std::move(out.body), content_type);
    }
    if (fault && (fault->kind == faults::Kind::truncate || fault->kind == faults::Kind::drip)) write_faulty_body(*fault, res);
  }

  struct StreamState {
    Impl* server;
    SseStep step;
    std::chrono::milliseconds poll;
    std::chrono::milliseconds keep_alive;
    Clock::time_point deadline;
    Clock::time_point last_write;
    bool first = true;
  };

  void start_stream(Response& out, httplib::Response& res) {
    auto state = std::make_shared<StreamState>();
    state->server = this;
    state->step = std::move(out.stream);
    state->poll = std::max(out.stream_options.poll_interval, std::chrono::milliseconds(1));
    state->keep_alive = out.stream_options.keep_alive_interval;
    auto max = out.stream_options.max_duration.count() > 0 ? out.stream_options.max_duration
                                                            : std::chrono::duration_cast<std::chrono::milliseconds>(config.sse_max_duration);
    state->deadline = Clock::now() + max;
    state->last_write = Clock::now();
    res.set_header("Cache-Control", "no-cache");
    res.set_header("X-Accel-Buffering", "no");
    res.set_chunked_content_provider("text/event-stream", [state](std::size_t, httplib::DataSink& sink) {
      try {
        return stream_step(*state, sink);
      } catch (...) {
        return false;  // never let an exception out into httplib's writer
      }
    });
  }

  void start_body_stream(Response& out, httplib::Response& res, const std::string& content_type) {
    auto provider = [this, producer = std::move(out.body_producer)](std::size_t, httplib::DataSink& sink) {
      std::string chunk;
      BodyProgress progress = BodyProgress::broken;
      try {
        progress = producer(chunk);
      } catch (...) {
        return false;  // never let an exception out into httplib's writer
      }
      if (!chunk.empty() && !sink.write(chunk.data(), chunk.size())) return false;  // the client went away
      if (progress == BodyProgress::complete) sink.done();
      // false drops the connection: a broken body, or one cut short by a stopping server.
      return progress == BodyProgress::complete || (progress == BodyProgress::more && !stopping);
    };
    res.set_chunked_content_provider(content_type.empty() ? "application/octet-stream" : content_type, std::move(provider));
  }

  // One call of httplib's chunked content provider: wait a poll interval (or until the server
  // stops), run the step, send what it wrote. Returns false to drop the connection.
  static bool stream_step(StreamState& s, httplib::DataSink& sink) {
    Impl& server = *s.server;
    if (!s.first) {
      std::unique_lock lock(server.stop_mutex);
      server.stop_cv.wait_for(lock, s.poll, [&] { return server.stopping.load(); });
    }
    s.first = false;
    auto now = Clock::now();
    if (server.stopping || now >= s.deadline) {
      sink.done();
      return true;
    }
    SseSink frames;
    bool more = true;
    try {
      more = s.step(frames);
    } catch (const std::exception& e) {
      frames.comment(std::string("runmock: the stream failed: ") + e.what());
      more = false;
    }
    std::string text = frames.take();
    if (text.empty() && s.keep_alive.count() > 0 && now - s.last_write >= s.keep_alive) text = ": keep-alive\n\n";
    if (!text.empty()) {
      if (!sink.write(text.data(), text.size())) return false;  // the client went away
      s.last_write = now;
    }
    if (!more || frames.closed()) sink.done();
    return true;
  }

  RequestData request_data(const httplib::Request& req, PathParams params) const {
    RequestData data;
    data.method = req.method;
    data.path = req.path;
    data.target = req.target;
    data.path_params = std::move(params);
    for (auto& [key, value] : parse_query(query_of(req.target))) data.query.emplace(key, value);
    for (const auto& [name, value] : req.headers) {
      // httplib's own pseudo-headers are not the client's.
      if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" || name == "LOCAL_PORT") continue;
      data.headers.emplace(name, value);
    }
    data.body = req.body;
    data.peer = req.remote_addr;
    data.peer_port = req.remote_port;
    return data;
  }

  // Runs a route's handler and checks its response; fills `entry`.
  Response run_route(const Route& route, PathParams params, const httplib::Request& req, JournalEntry& entry,
                     std::shared_ptr<const faults::Fault>& phase_fault) {
    const RouteContract& rc = route.options.contract;
    RequestContext ctx(request_data(req, std::move(params)), *route.dialect, entry.request_id, rc, config.max_json_depth);
    Response out;
    bool threw = false;
    try {
      std::optional<Response> early;
      if (route.options.request_check == RequestCheck::reject && rc.operation) {
        const auto& op = *rc.operation;
        bool takes_body = !op.request_bodies.empty() || !op.request_variants.empty();
        if (takes_body && !ctx.body().empty()) {
          std::vector<std::string> accepted;
          for (const auto& [media, schema] : op.request_bodies) accepted.push_back(media);
          if (accepted.empty()) accepted.push_back("application/json");
          ParsedBody parsed = parse_json_body(ctx, accepted);
          if (!parsed) early = std::move(*parsed.error);
        }
        if (!early && !ctx.check_request().empty()) early = ctx.validation_error(ctx.contract_violations());
      } else if (route.options.request_check == RequestCheck::record) {
        ctx.check_request();
      }
      out = early ? std::move(*early) : route.handler(ctx);
    } catch (const std::exception& e) {
      threw = true;
      out = ctx.error(500, "INTERNAL_ERROR", "runmock failed while answering " + req.method + " " + req.path + ": " + e.what());
      out.check = false;
    } catch (...) {
      threw = true;
      out = ctx.error(500, "INTERNAL_ERROR", "runmock failed while answering " + req.method + " " + req.path);
      out.check = false;
    }

    std::vector<Violation> response_errors;
    if (!threw && out.check && out.json_body && rc.contract && rc.operation) {
      std::vector<schema::ValidationError> errors;
      try {
        errors = rc.contract->check_response_body(*rc.operation, out.status, *out.json_body, ctx.response_variant);
      } catch (const std::exception& e) {
        errors.push_back({"", "", std::string("the response could not be checked: ") + e.what()});
      }
      if (!errors.empty()) {
        json list = json::array();
        for (auto& e : errors) {
          response_errors.push_back({"body", e.instance_location, e.schema_location, e.message});
          list.push_back(to_json(response_errors.back()));
        }
        const Violation& first = response_errors.front();
        std::string message = "runmock's response breaks the " + route.dialect->name + " contract (" + rc.operation->id + ", status " +
                              std::to_string(out.status) + "): " + (first.instance_location.empty() ? "" : first.instance_location + ": ") +
                              first.message;
        if (response_errors.size() > 1) message += " (and " + std::to_string(response_errors.size() - 1) + " more)";
        if (!ctx.source.empty()) message += "; the response came from " + ctx.source;
        json details = {{"operation", rc.operation->id},
                        {"status", out.status},
                        {"violations", std::move(list)},
                        {"source", ctx.source.empty() ? json(nullptr) : json(ctx.source)}};
        out = ctx.error(500, "INTERNAL_ERROR", std::move(message), std::move(details));
        out.check = false;
      }
    }

    phase_fault = std::move(ctx.fault);
    entry.api = ctx.api;
    entry.operation = rc.operation ? rc.operation->id : route.pattern;
    entry.run = ctx.run_id;
    entry.scenario = ctx.scenario;
    entry.message = out.message;
    entry.request_errors = ctx.contract_violations();
    entry.request_errors.insert(entry.request_errors.end(), ctx.request_errors.begin(), ctx.request_errors.end());
    entry.response_errors = std::move(response_errors);
    entry.response_errors.insert(entry.response_errors.end(), ctx.response_errors.begin(), ctx.response_errors.end());
    if (!entry.response_errors.empty()) entry.verdict = verdict::invalid;
    else if (threw) entry.verdict = verdict::error;
    else if (!ctx.verdict.empty()) entry.verdict = ctx.verdict;
    else if (!entry.request_errors.empty()) entry.verdict = verdict::invalid;
    else entry.verdict = verdict::valid;
    return out;
  }

  // The journal entry of a request as it arrives: its id, what was asked, and whose it is.
  JournalEntry begin_entry(const httplib::Request& req) {
    JournalEntry entry;
    entry.request_id = new_request_id();
    entry.method = req.method;
    entry.path = req.path;
    entry.query = query_of(req.target);
    entry.api = dialect_for(req.path).name;
    return entry;
  }

  // Every request a route handler could take comes here.
  void dispatch(const httplib::Request& req, httplib::Response& res) {
    tls.server = this;
    tls.dispatched = true;
    Clock::time_point start = tls.timed ? tls.start : Clock::now();
    JournalEntry entry = begin_entry(req);
    bool admin_path = is_admin_path(req.path);
    const Dialect& dialect = dialect_for(req.path);
    bool journal_it = !admin_path;
    std::string origin = req.get_header_value("Origin");
    Response out;
    std::shared_ptr<const faults::Fault> fault;        // asked for by the request or a rule
    std::shared_ptr<const faults::Fault> phase_fault;  // carried by the run's scenario phase
    auto refuse = [&](int status, const char* in, std::string message) {
      out = error_in(dialect, entry.request_id, status, message);
      entry.verdict = verdict::invalid;
      entry.message = message;
      entry.request_errors.push_back({in, "", "", std::move(message)});
    };

    try {
      if (admin_path && !config.admin_remote && !is_loopback(req.remote_addr)) {
        refuse(403, "peer",
               "the admin API (/__runmock/) answers loopback clients only, and this request came from " + req.remote_addr +
                   " (start runmock with --admin-remote to allow it)");
      } else {
        Router::Match match = router.match(req.method, req.path);
        bool is_preflight = config.cors && req.method == "OPTIONS" && !origin.empty() && req.has_header("Access-Control-Request-Method");
        std::optional<std::string> unknown_fault;
        if (!is_preflight && !admin_path && config.faults) fault = requested_fault(req, entry.api, unknown_fault);
        if (is_preflight) {
          out = preflight(req, origin, admin_path, entry.request_id, match.allowed);
          entry.verdict = "preflight";
          journal_it = false;
        } else if (unknown_fault) {
          std::string known;
          for (const auto& name : fault_book.names()) known += (known.empty() ? "" : ", ") + name;
          refuse(400, "header", "Prefer: fault=" + *unknown_fault + " is not a fault runmock knows (" + known + ")");
        } else if (fault && fault->replaces_answer()) {
          // A server failing this way never did the work: the handler does not run.
          delay_for(*fault);
          out = fault_answer(*fault, dialect, entry.request_id);
        } else {
          if (fault) delay_for(*fault);
          if (match.kind == Router::Match::Kind::found) {
            const Route& route = routes[match.index];
            journal_it = journal_it && route.options.journal;
            if (admin_path) journal_it = route.options.journal;
            out = run_route(route, std::move(match.params), req, entry, phase_fault);
          } else if (match.kind == Router::Match::Kind::wrong_method && req.method == "OPTIONS") {
            out = Response::empty(204);
            out.with_header("Allow", join_methods(match.allowed));
            entry.verdict = verdict::valid;
            journal_it = false;
          } else if (match.kind == Router::Match::Kind::wrong_method) {
            std::string allow = join_methods(match.allowed);
            refuse(405, "route", req.method + " is not allowed on " + req.path + " (allowed: " + allow + ")");
            out.with_header("Allow", allow);
          } else {
            refuse(404, "route", not_found_message(dialect, req));
          }
        }
      }
    } catch (const std::exception& e) {
      out = error_in(dialect, entry.request_id, 500, std::string("runmock failed while routing the request: ") + e.what());
      entry.verdict = verdict::error;
      entry.message = out.message;
    }

    // The fault of the scenario phase the answer shows, when the request asked for none.
    if (!fault && phase_fault && config.faults) {
      fault = std::move(phase_fault);
      delay_for(*fault);
      if (fault->replaces_answer()) out = fault_answer(*fault, dialect, entry.request_id);
    }
    if (fault) {
      entry.fault = faults::describe(*fault);
      if (entry.verdict.empty() || entry.verdict == verdict::valid) entry.verdict = verdict::fault;
      change_answer(*fault, out);
    }
    write(out, res, entry.request_id, origin, admin_path, fault.get());
    entry.status = out.status;
    entry.duration_ms = elapsed_ms(start);
    finish(entry, journal_it);
    // After the journal has it: a client that sees the connection end may ask the journal at once.
    if (fault && (fault->kind == faults::Kind::reset || fault->kind == faults::Kind::empty)) {
      drop_connection(req.local_port, req.remote_addr, req.remote_port, fault->kind == faults::Kind::reset);
      res.set_header("Connection", "close");
    }
  }

  std::string not_found_message(const Dialect& dialect, const httplib::Request& req) const {
    if (!dialect.name.empty()) return "no " + dialect.name + " route matches " + req.method + " " + req.path;
    std::string prefixes;
    for (const auto& d : dialects) {
      for (const auto& p : d->path_prefixes) prefixes += (prefixes.empty() ? "" : ", ") + p;
    }
    return "runmock has no route for " + req.method + " " + req.path + " (it serves paths under " + prefixes + ")";
  }

  // Requests httplib answered itself before any handler: a body over the limit (413), an
  // unreadable request line or headers (400), a target too long (414), a method it does not route.
  httplib::Server::HandlerResponse on_error(const httplib::Request& req, httplib::Response& res) {
    if (tls.dispatched) return httplib::Server::HandlerResponse::Unhandled;
    try {
      tls.server = this;
      Clock::time_point start = tls.timed ? tls.start : Clock::now();
      JournalEntry entry = begin_entry(req);
      bool admin_path = is_admin_path(req.path);
      const Dialect& dialect = dialect_for(req.path);
      int status = res.status;
      std::string message;
      std::string in = "request";
      std::vector<std::string> allowed;
      if (status == 413) {
        in = "body";
        std::string length = req.get_header_value("Content-Length");
        message = "the request body" + (length.empty() ? std::string() : " is " + length + " bytes,") + " over the limit of " +
                  std::to_string(config.max_body_bytes) + " bytes";
        if (req.get_header_value("Content-Type").rfind("application/x-www-form-urlencoded", 0) == 0) {
          message += " (a form body is also limited to " + std::to_string(CPPHTTPLIB_FORM_URL_ENCODED_PAYLOAD_MAX_LENGTH) + " bytes)";
        }
      } else if (status == 414) {
        message = "the request target is too long";
      } else if (status == 400 && (req.method == "TRACE" || req.method == "CONNECT")) {
        status = 405;
        in = "route";
        allowed = router.match("GET", req.path).allowed;
        message = req.method + " is not allowed on " + req.path;
      } else if (status == 400) {
        message = "the request could not be read (malformed request line or headers)";
      } else if (status == 404) {
        in = "route";
        message = not_found_message(dialect, req);
      } else {
        message = "runmock could not answer this request (HTTP " + std::to_string(status) + ")";
      }
      Response out = error_in(dialect, entry.request_id, status, message);
      if (!allowed.empty()) out.with_header("Allow", join_methods(allowed));
      res.headers.erase("Content-Type");
      res.headers.erase("Content-Length");
      write(out, res, entry.request_id, req.get_header_value("Origin"), admin_path);
      entry.status = status;
      entry.verdict = status >= 500 ? verdict::error : verdict::invalid;
      entry.message = message;
      entry.request_errors.push_back({in, "", "", message});
      entry.duration_ms = elapsed_ms(start);
      finish(entry, !admin_path);
      return httplib::Server::HandlerResponse::Handled;
    } catch (...) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
  }

  void install_handlers() {
    svr.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      tls.dispatched = false;
      tls.timed = true;
      tls.start = Clock::now();
      // cpp-httplib 0.11 reads the body of a POST, PUT, PATCH or DELETE sent without
      // Content-Length (curl --request POST with no data) until the read timeout. Such a request
      // has no body (RFC 9112 section 6.3): answer it here, before httplib tries to read one.
      bool may_have_body = req.method == "POST" || req.method == "PUT" || req.method == "PATCH" || req.method == "DELETE";
      if (may_have_body && !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) {
        dispatch(req, res);
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    svr.set_post_routing_handler([](const httplib::Request&, httplib::Response&) {
      tls.dispatched = false;
      tls.timed = false;
    });
    svr.set_error_handler(httplib::Server::HandlerWithResponse(
        [this](const httplib::Request& req, httplib::Response& res) { return on_error(req, res); }));
    auto handler = [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res); };
    // One catch-all per method: our router decides, so that 404 and 405 are ours to shape.
    svr.Get(".*", handler);
    svr.Post(".*", handler);
    svr.Put(".*", handler);
    svr.Patch(".*", handler);
    svr.Delete(".*", handler);
    svr.Options(".*", handler);
  }

  void add_route(const std::string& api, const std::string& method, const std::string& pattern, Handler handler, RouteOptions options) {
    check_not_started();
    const Dialect* dialect = find_dialect(api);
    if (!dialect) throw std::invalid_argument("route " + method + " " + pattern + ": no dialect '" + api + "' (add_dialect first)");
    if (!handler) throw std::invalid_argument("route " + method + " " + pattern + " has no handler");
    std::size_t index = router.add(method, pattern);
    routes.push_back({method, pattern, std::move(handler), options, dialect});
    (void)index;
  }

  // POST /__runmock/faults: a rule {match, fault, times}, or a named fault {name, fault} for
  // `Prefer: fault=<name>`.
  Response add_fault(RequestContext& ctx) {
    json body = json::parse(ctx.body(), nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return ctx.error(400, "", "the body must be a JSON object: {\"match\": {...}, \"fault\": {...}, \"times\": N} or {\"name\": ..., \"fault\": {...}}");
    }
    try {
      if (body.contains("name")) {
        if (!body["name"].is_string() || body["name"].get<std::string>().empty()) throw faults::FaultError("/name", "'name' must be a non-empty string");
        for (const auto& [key, value] : body.items()) {
          if (key != "name" && key != "fault") throw faults::FaultError("/" + key, "unknown key '" + key + "' (a named fault takes name, fault)");
        }
        if (!body.contains("fault")) throw faults::FaultError("", "a named fault needs 'fault'");
        faults::Fault fault;
        try {
          fault = faults::parse_fault(body["fault"]);
        } catch (const faults::FaultError& e) {
          throw faults::FaultError("/fault" + e.pointer, e.what());
        }
        std::string name = body["name"].get<std::string>();
        json shown = faults::to_json(fault);
        fault_book.define(name, std::move(fault));
        return Response::json(201, {{"name", name}, {"fault", std::move(shown)}, {"prefer", "fault=" + name}});
      }
      return Response::json(201, faults::to_json(fault_book.add(faults::parse_rule(body))));
    } catch (const faults::FaultError& e) {
      return ctx.error(400, "", (e.pointer.empty() ? std::string() : e.pointer + ": ") + e.what(), {{"pointer", e.pointer}});
    }
  }

  void install_fault_routes(const RouteOptions& unjournaled) {
    add_route("admin", "GET", "/__runmock/faults", [this](RequestContext&) { return Response::json(200, fault_book.to_json()); }, unjournaled);
    add_route("admin", "POST", "/__runmock/faults", [this](RequestContext& ctx) { return add_fault(ctx); }, unjournaled);
    add_route("admin", "DELETE", "/__runmock/faults",
              [this](RequestContext&) { return Response::json(200, {{"cleared", fault_book.clear()}}); },
              unjournaled);
    add_route("admin", "DELETE", "/__runmock/faults/{id}",
              [this](RequestContext& ctx) {
                std::string id = ctx.path_param("id");
                bool digits = !id.empty() && id.size() <= 18 && id.find_first_not_of("0123456789") == std::string::npos;
                if (!digits || !fault_book.remove(std::stoull(id))) return ctx.error(404, "", "no fault rule '" + id + "' (GET /__runmock/faults lists them)");
                return Response::empty(204);
              },
              unjournaled);
  }

  void install_admin_routes() {
    RouteOptions unjournaled;
    unjournaled.journal = false;
    add_route("admin", "GET", "/__runmock/health",
              [this](RequestContext&) {
                Journal::Stats s = journal.stats();
                double uptime = std::chrono::duration<double>(Clock::now() - start_time).count();
                return Response::json(200, {{"status", "ok"},
                                            {"uptime_seconds", std::round(uptime * 1000.0) / 1000.0},
                                            {"requests", served.load()},
                                            {"journal", {{"size", s.size}, {"capacity", s.capacity}, {"recorded", s.recorded}, {"dropped", s.dropped}}}});
              },
              unjournaled);
    add_route("admin", "GET", "/__runmock/journal",
              [this](RequestContext& ctx) {
                JournalFilter filter;
                filter.run = ctx.query("run").value_or("");
                filter.api = ctx.query("api").value_or("");
                filter.verdict = ctx.query("verdict").value_or("");
                for (const char* name : {"limit", "after"}) {
                  auto value = ctx.query(name);
                  if (!value) continue;
                  std::uint64_t number = 0;
                  bool ok = !value->empty() && value->size() <= 18;
                  for (char c : *value) ok = ok && c >= '0' && c <= '9';
                  if (ok) number = std::stoull(*value);
                  if (!ok) return ctx.refuse(400, "", std::string("query parameter '") + name + "' must be a non-negative integer, not '" + *value + "'", "query");
                  (std::string_view(name) == "limit" ? filter.limit : filter.after) = number;
                }
                if (auto since = ctx.query("since")) {
                  filter.since = engine::parse_timestamp(*since);
                  if (!filter.since) return ctx.refuse(400, "", "query parameter 'since' must be an RFC 3339 timestamp (2024-01-15T10:30:00Z), not '" + *since + "'", "query");
                }
                return Response::json(200, journal.to_json(filter));
              },
              unjournaled);
    if (config.faults) install_fault_routes(unjournaled);
    add_route("admin", "DELETE", "/__runmock/journal",
              [this](RequestContext&) {
                std::size_t size = journal.stats().size;
                journal.clear();
                return Response::json(200, {{"cleared", size}});
              },
              unjournaled);
    add_route("admin", "GET", "/__runmock/violations", [this](RequestContext&) { return Response::json(200, to_json(journal.violations())); },
              unjournaled);
    add_route("admin", "DELETE", "/__runmock/violations",
              [this](RequestContext&) { return Response::json(200, {{"cleared", journal.clear_violations()}}); },
              unjournaled);
  }
};

// ---------------------------------------------------------------------------------------------

Server::Server(ServerConfig config) : impl_(std::make_unique<Impl>(std::move(config))) {
  std::signal(SIGPIPE, SIG_IGN);  // a client that goes away must not end the process
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

void Server::admin_route(const std::string& method, const std::string& pattern, Handler handler, bool journal) {
  if (!is_admin_path(pattern)) throw std::invalid_argument("admin route " + pattern + " is not under " + std::string(kAdminPrefix));
  RouteOptions options;
  options.journal = journal;
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
  if (i.started.exchange(true)) throw std::logic_error("a server starts once");
  std::size_t threads = std::max<std::size_t>(c.threads, 1);
  i.svr.new_task_queue = [threads] { return new ElasticTaskQueue(threads); };
  i.svr.set_keep_alive_max_count(std::max<std::size_t>(c.keep_alive_max_count, 1));
  i.svr.set_keep_alive_timeout(c.keep_alive_timeout.count());
  i.svr.set_read_timeout(c.read_timeout.count(), 0);
  i.svr.set_write_timeout(c.write_timeout.count(), 0);
  i.svr.set_payload_max_length(c.max_body_bytes);
  // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, with which a second runmock on the same
  // port would silently share it instead of failing to start.
  // TCP_NODELAY (inherited by accepted connections): httplib writes a response's headers and body
  // separately, and Nagle's algorithm would hold the body for the client's delayed ACK (~40 ms).
  i.svr.set_tcp_nodelay(true);
  i.svr.set_socket_options([](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
  });
  int port = c.port == 0 ? i.svr.bind_to_any_port(c.host) : (i.svr.bind_to_port(c.host, c.port) ? c.port : -1);
  if (port <= 0) {
    throw std::runtime_error("cannot listen on " + url_host(c.host) + ":" + std::to_string(c.port) +
                             " (the port is taken, or the address is not one of this machine's)");
  }
  ::listen(i.svr.listening_socket(), SOMAXCONN);
  i.port = port;
  i.start_time = Clock::now();
  i.log(listening_line(c.host, port, c.name));
  for (const auto& line : banner) i.log(line);
  if (c.admin_remote) {
    std::cerr << "runmock: the admin API (" << kAdminPrefix << ") answers clients from any address, as asked (--admin-remote)\n";
  }
  i.listener = std::thread([&i] {
    i.svr.listen_after_bind();
    i.listener_done = true;
  });
  // Until httplib marks itself running, its stop() would do nothing; wait for that moment.
  while (!i.svr.is_running() && !i.listener_done) std::this_thread::sleep_for(std::chrono::microseconds(200));
}

void Server::stop() {
  Impl& i = *impl_;
  {
    std::lock_guard lock(i.stop_mutex);
    i.stopping = true;
  }
  i.stop_cv.notify_all();
  i.svr.stop();
  if (tls.server == &i || !i.listener.joinable()) return;  // from a handler: the workers cannot wait for themselves
  // httplib notices the stop between requests only, so an idle keep-alive connection would hold
  // its worker for the whole keep-alive timeout. After a short grace for requests in flight, end
  // the reading side of the server's connections: idle ones close at once, answers still go out.
  auto grace_end = Clock::now() + std::chrono::milliseconds(200);
  while (!i.listener_done && Clock::now() < grace_end) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  while (!i.listener_done) {
    shutdown_reading_connections(i.port);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  wait();
}

void Server::wait() {
  Impl& i = *impl_;
  std::lock_guard lock(i.join_mutex);
  if (i.listener.joinable()) i.listener.join();
}

bool Server::running() const { return impl_->started && !impl_->listener_done && !impl_->stopping; }
bool Server::stopping() const { return impl_->stopping; }
int Server::port() const { return impl_->port; }
const std::string& Server::host() const { return impl_->config.host; }
std::string Server::url() const { return "http://" + url_host(impl_->config.host) + ":" + std::to_string(impl_->port); }
const ServerConfig& Server::config() const { return impl_->config; }
void Server::reset_request_ids() { impl_->next_id = 1; }
std::uint64_t Server::requests_served() const { return impl_->served.load(); }

}  // namespace runmock::http
