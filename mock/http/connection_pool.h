// The server's connections, owned by runmock (cpp-httplib only accepts them): read without holding
// a thread, admitted fairly, bounded in every way a client could abuse.
//
// How it works. Every connection is a non-blocking socket in one epoll set (edge of readiness armed
// once per event, EPOLLONESHOT). Worker threads wait on that set; the one that gets a connection
// reads what has arrived, and only when a whole request is there does it run the handler and write
// the answer, then goes back to waiting. So an idle keep-alive connection, or one trickling its head
// in byte by byte, costs no thread and no CPU: only complete requests take a worker, and only while
// they are answered. Workers start on demand (one more whenever none is left waiting), up to
// `max_threads`; a handler that blocks (a delayed fault, an event stream) holds only its own.
//
// Admission and limits (each answered in the API's own error shape by the Callbacks::refuse hook):
// - at most `max_connections` open: a newcomer beyond that closes the oldest idle keep-alive
//   connection, and when none is idle it is answered 503 (Retry-After) when its request arrives;
// - at most `max_connections_per_client` from one peer address (0: no cap), beyond that 503;
// - one worker is kept for short work: when every other worker is inside a handler, the last one
//   runs only what the server lets it (admin reads); a request it defers (Exchange::defer) waits
//   for the next free worker, and when none is free within `defer_timeout` it is answered 503;
// - a request head must arrive whole within `header_timeout` of its first byte, no read may wait
//   longer than `read_timeout`, and a body must arrive at `min_body_rate` bytes per second on
//   average once `header_timeout` has passed since it began: else 408 and the connection closes;
// - an idle connection closes after `keep_alive_timeout`; `keep_alive_max_count` requests at most;
// - the head and body limits of RequestLimits (400, 413, 414, 431, 501, 505).
// Pipelined requests are answered one after another, in order. A request that is refused with its
// body unread closes its connection gracefully (what the client sent after it is read and dropped
// for a moment, so the answer is not lost to a TCP reset).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/request_reader.h"

namespace runmock::http {

struct ConnectionLimits {
  std::size_t max_threads = 512;
  std::size_t max_connections = 10000;  // also bounded by the process's file descriptor limit
  std::size_t max_connections_per_client = 0;
  std::size_t keep_alive_max_count = 10000;
  std::chrono::milliseconds keep_alive_timeout{5000};
  std::chrono::milliseconds header_timeout{10000};
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  double min_body_rate = 1024;  // bytes per second
  std::chrono::milliseconds defer_timeout{1000};  // a deferred request waits this long for a worker
  RequestLimits request;
};

// Why a request is not given to its handler.
enum class Refusal {
  none,
  too_many_connections,  // max_connections reached, no idle connection to close
  too_many_from_client,  // max_connections_per_client reached
  workers_busy,          // deferred, and no worker was free within defer_timeout
  stopping,              // the server is shutting down
};

using ResponseHeaders = std::vector<std::pair<std::string, std::string>>;

class Connection;
class ConnectionPool;

// One request and the way back to its client, for the duration of a handler call.
class Exchange {
 public:
  const WireRequest& request() const { return request_; }
  const std::string& peer() const;
  int peer_port() const;
  int local_port() const;
  // Set when the pool refuses the request: answer it (a 503) without running a handler.
  Refusal refusal() const { return refusal_; }
  // True when this is the worker kept for short work: every other one is inside a handler.
  bool reserved() const { return reserved_; }
  // Leaves the request (unanswered) to the next free worker; the handler returns at once.
  void defer() { deferred_ = true; }
  bool stopping() const;

  // A whole answer. Content-Length is added; the body is left out for HEAD (its length stays).
  // `headers` must not hold Content-Length, Transfer-Encoding or Connection. False: the client is
  // gone or did not read within the write timeout (the connection then closes).
  bool send(int status, const ResponseHeaders& headers, std::string_view body);
  // An answer written in pieces: with a length (Content-Length), or without (chunked; on an
  // HTTP/1.0 connection the body ends when the connection closes).
  bool begin(int status, const ResponseHeaders& headers, std::optional<std::size_t> content_length = std::nullopt);
  bool write(std::string_view data);
  bool end();
  // Waits until the socket can take more, up to `timeout`; false when it cannot (a client that
  // stopped reading). For streams that must not block a worker for the whole write timeout.
  bool writable(std::chrono::milliseconds timeout) const;
  // True once the client has closed its side or the connection broke (a stream need not go on).
  bool peer_closed() const;

  // The connection closes once this exchange is over (after the answer).
  void close_after() { close_after_ = true; }
  // No answer: the connection ends now, with a TCP reset or a plain close.
  void drop(bool reset);
  bool answered() const { return head_sent_; }

 private:
  friend class ConnectionPool;
  Exchange(ConnectionPool& pool, Connection& connection, WireRequest& request);
  bool send_bytes(std::string_view bytes);
  std::string head(int status, const ResponseHeaders& headers, std::optional<std::size_t> content_length, bool chunked);

  ConnectionPool& pool_;
  Connection& connection_;
  WireRequest& request_;
  Refusal refusal_ = Refusal::none;
  bool reserved_ = false;
  bool head_sent_ = false;
  bool chunked_ = false;
  bool failed_ = false;
  bool close_after_ = false;
  bool dropped_ = false;
  bool deferred_ = false;
  std::chrono::milliseconds write_timeout_;
};

// A request that could not be read (RequestReader's failure, or 408) and that the pool answers
// itself through Callbacks::refuse: what is known of it.
struct Unreadable {
  int status = 400;
  std::string message;
};

class ConnectionPool {
 public:
  struct Callbacks {
    // A complete request (or one the pool refuses: Exchange::refusal()): answer it through the
    // exchange. Runs on a worker; may block (that worker only).
    std::function<void(Exchange&)> handle;
    // A request that could not be read: answer `what` (its status and message) through the
    // exchange (request() holds what was read of it). Runs on a worker or the pool's timer thread.
    std::function<void(Exchange&, const Unreadable& what)> unreadable;
  };

  ConnectionPool(ConnectionLimits limits, Callbacks callbacks);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // A socket just accepted (from any thread): the pool owns it from now on.
  void adopt(int fd);

  // Stops: idle and half-read connections close at once, requests in handlers may finish and get
  // their answer within `grace`; after that their connections are shut down. Returns false when a
  // worker still had not come back after the grace (the caller should then leave the process).
  // Idempotent.
  bool stop(std::chrono::milliseconds grace);
  bool stopping() const { return stopping_.load(); }

  struct Stats {
    std::size_t connections = 0;
    std::size_t threads = 0;
    std::size_t busy = 0;  // workers inside a handler
  };
  Stats stats() const;
  const ConnectionLimits& limits() const { return limits_; }

  struct Impl;

 private:
  friend class Exchange;
  ConnectionLimits limits_;
  std::atomic<bool> stopping_{false};
  std::unique_ptr<Impl> impl_;
};

}  // namespace runmock::http
