#include "http/connection_pool.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <utility>

namespace runmock::http {

using SteadyClock = std::chrono::steady_clock;

namespace {

constexpr std::uint64_t kWakeId = 0;                 // the eventfd that wakes every worker at stop
constexpr std::uint64_t kDeferredId = ~std::uint64_t{0};  // the eventfd that says a request was deferred
constexpr std::size_t kReadChunk = 64 * 1024;        // bytes read per recv()
constexpr std::size_t kReadPerTurn = 256 * 1024;     // at most this much per wake-up, for fairness
constexpr std::size_t kRefusedSlack = 64;            // refused newcomers kept open to be told why
constexpr auto kLinger = std::chrono::milliseconds(1000);  // a closing connection's unread input is drained this long

std::string address_of(const sockaddr_storage& address, int& port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    port = ntohs(in->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    port = ntohs(in6->sin6_port);
  }
  return text;
}

const char* reason_phrase(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 421: return "Misdirected Request";
    case 422: return "Unprocessable Content";
    case 425: return "Too Early";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return status < 200 ? "Informational" : status < 300 ? "Success" : status < 400 ? "Redirection" : status < 500 ? "Client Error" : "Server Error";
  }
}

}  // namespace

// ---------------------------------------------------------------------------------------------

// One client connection. `mutex` is held by whoever acts on it (the worker serving it, or the timer
// thread or acceptor closing it); the atomics are read without it, to pick idle ones to evict.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class Phase { idle, reading, lingering, deferred };

  Connection(std::uint64_t id, int fd, std::string peer, int peer_port, int local_port, const RequestLimits& limits)
      : id(id), fd(fd), peer(std::move(peer)), peer_port(peer_port), local_port(local_port), reader(limits) {}

  const std::uint64_t id;
  int fd;
  const std::string peer;
  const int peer_port;
  const int local_port;

  std::mutex mutex;
  // --- guarded by mutex ---
  std::string input;  // bytes read and not yet taken by the reader
  RequestReader reader;
  std::size_t requests = 0;
  Refusal refusal = Refusal::none;  // decided when accepted, told at its first request
  Phase phase = Phase::idle;
  SteadyClock::time_point since;      // idle since, or the first byte of the request in progress
  SteadyClock::time_point last_read;  // the last byte that arrived
  SteadyClock::time_point body_since;
  SteadyClock::time_point linger_until;
  SteadyClock::time_point deferred_at;
  bool continue_sent = false;
  bool closed = false;

  // Idle since (steady nanoseconds), 0 when not idle: for eviction without the mutex.
  std::atomic<std::int64_t> idle_since_ns{0};
  // Serializes close() against a shutdown() from stop(), so a descriptor is never shut once reused.
  std::mutex fd_mutex;
};

struct ConnectionPool::Impl {
  Impl(ConnectionPool& pool, Callbacks callbacks) : pool(pool), callbacks(std::move(callbacks)) {}

  ConnectionPool& pool;
  Callbacks callbacks;
  int epoll_fd = -1;
  int wake_fd = -1;
  int deferred_fd = -1;
  std::size_t max_connections = 0;

  mutable std::mutex map_mutex;
  std::unordered_map<std::uint64_t, std::shared_ptr<Connection>> connections;
  std::unordered_map<std::string, std::size_t> per_client;
  std::uint64_t next_id = 1;

  std::mutex threads_mutex;
  std::vector<std::thread> threads;
  std::atomic<std::size_t> thread_count{0};
  std::atomic<std::size_t> waiting{0};
  std::atomic<std::size_t> busy{0};
  std::atomic<std::size_t> running{0};  // workers that have not left their loop

  std::thread timer;
  std::mutex timer_mutex;
  std::condition_variable timer_cv;
  bool stopped = false;  // guarded by timer_mutex
  bool stop_result = true;

  const ConnectionLimits& limits() const { return pool.limits_; }

  // --- threads ---

  void spawn_worker() {
    std::lock_guard lock(threads_mutex);
    if (pool.stopping_ || thread_count >= limits().max_threads) return;
    ++thread_count;
    ++running;
    threads.emplace_back([this] { work(); });
  }

  void work() {
    epoll_event event{};
    while (true) {
      while (auto deferred = next_deferred()) resume(*deferred);
      ++waiting;
      int n = ::epoll_wait(epoll_fd, &event, 1, -1);
      if (waiting.fetch_sub(1) == 1 && n == 1 && event.data.u64 != kWakeId) spawn_worker();
      if (n < 0 && errno == EINTR) continue;
      if (n == 1 && event.data.u64 == kDeferredId) {
        std::uint64_t count = 0;
        [[maybe_unused]] ssize_t r = ::read(deferred_fd, &count, sizeof count);
        continue;  // the loop's top takes the deferred requests
      }
      if (n <= 0 || event.data.u64 == kWakeId) {
        if (pool.stopping_) break;
        continue;
      }
      if (auto connection = find(event.data.u64)) serve(*connection);
    }
    --running;
  }

  // --- requests deferred by the worker kept for short work ---

  std::mutex deferred_mutex;
  std::deque<std::shared_ptr<Connection>> deferred;

  // The oldest deferred request, when this worker would not be the one kept for short work.
  std::shared_ptr<Connection> next_deferred() {
    if (busy.load() + 1 >= limits().max_threads) return nullptr;
    std::lock_guard lock(deferred_mutex);
    if (deferred.empty()) return nullptr;
    auto c = std::move(deferred.front());
    deferred.pop_front();
    return c;
  }

  void defer(const std::shared_ptr<Connection>& c) {
    c->phase = Connection::Phase::deferred;
    c->deferred_at = SteadyClock::now();
    {
      std::lock_guard lock(deferred_mutex);
      deferred.push_back(c);
    }
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(deferred_fd, &one, sizeof one);  // a worker waiting in epoll takes it
  }

  // A deferred request taken up again: by a free worker, or (forced) refused by the timer.
  void resume(Connection& c, Refusal forced = Refusal::none) {
    std::unique_lock lock(c.mutex);
    if (c.closed || c.phase != Connection::Phase::deferred) return;
    c.phase = Connection::Phase::reading;
    take_requests(c, false, forced);
  }

  void refuse_overdue(SteadyClock::time_point now) {
    std::vector<std::shared_ptr<Connection>> overdue;
    {
      std::lock_guard lock(deferred_mutex);
      while (!deferred.empty() && now - deferred.front()->deferred_at >= limits().defer_timeout) {
        overdue.push_back(std::move(deferred.front()));
        deferred.pop_front();
      }
    }
    for (const auto& c : overdue) resume(*c, Refusal::workers_busy);
  }

  std::shared_ptr<Connection> find(std::uint64_t id) const {
    std::lock_guard lock(map_mutex);
    auto it = connections.find(id);
    return it == connections.end() ? nullptr : it->second;
  }

  std::vector<std::shared_ptr<Connection>> snapshot() const {
    std::lock_guard lock(map_mutex);
    std::vector<std::shared_ptr<Connection>> all;
    all.reserve(connections.size());
    for (const auto& [id, connection] : connections) all.push_back(connection);
    return all;
  }

  // --- admission ---

  void adopt(int fd) {
    int flags = ::fcntl(fd, F_GETFL, 0);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    sockaddr_storage peer{}, local{};
    socklen_t length = sizeof peer;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &length);
    length = sizeof local;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
    int peer_port = 0, local_port = 0;
    std::string peer_address = address_of(peer, peer_port);
    address_of(local, local_port);
    if (pool.stopping_) {
      ::close(fd);
      return;
    }
    admit(fd, std::move(peer_address), peer_port, local_port);
  }

  void admit(int fd, std::string peer, int peer_port, int local_port) {
    std::shared_ptr<Connection> connection;
    bool full = false;
    {
      std::lock_guard lock(map_mutex);
      if (connections.size() >= max_connections + kRefusedSlack) {
        ::close(fd);  // far past every limit: not even told why
        return;
      }
      connection = std::make_shared<Connection>(next_id++, fd, peer, peer_port, local_port, limits().request);
      full = connections.size() >= max_connections;
      std::size_t& from_client = per_client[peer];
      if (limits().max_connections_per_client > 0 && from_client >= limits().max_connections_per_client) {
        connection->refusal = Refusal::too_many_from_client;
      }
      ++from_client;
    }
    if (full && !evict_oldest_idle() && connection->refusal == Refusal::none) connection->refusal = Refusal::too_many_connections;
    connection->since = connection->last_read = SteadyClock::now();
    connection->idle_since_ns = connection->since.time_since_epoch().count();
    {
      std::lock_guard lock(map_mutex);
      connections.emplace(connection->id, connection);
    }
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    event.data.u64 = connection->id;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
  }

  // Closes the connection that has been idle longest; false when none is idle.
  bool evict_oldest_idle() {
    for (int attempt = 0; attempt < 4; ++attempt) {
      std::shared_ptr<Connection> oldest;
      {
        std::lock_guard lock(map_mutex);
        std::int64_t best = 0;
        for (const auto& [id, connection] : connections) {
          std::int64_t since = connection->idle_since_ns.load(std::memory_order_relaxed);
          if (since != 0 && (best == 0 || since < best)) {
            best = since;
            oldest = connection;
          }
        }
      }
      if (!oldest) return false;
      std::unique_lock lock(oldest->mutex, std::try_to_lock);
      if (lock.owns_lock() && !oldest->closed && oldest->phase == Connection::Phase::idle) {
        close_now(*oldest);
        return true;
      }
    }
    return false;
  }

  // --- serving one connection (its mutex held) ---

  void serve(Connection& c) {
    std::unique_lock lock(c.mutex);
    if (c.closed) return;
    c.idle_since_ns = 0;
    bool eof = false;
    if (!fill(c, eof)) return;
    if (c.phase == Connection::Phase::lingering) {
      c.input.clear();
      if (eof) close_now(c);
      else rearm(c);
      return;
    }
    take_requests(c, eof);
  }

  // Reads what has arrived. False when the connection broke (it is closed then).
  bool fill(Connection& c, bool& eof) {
    std::size_t got = 0;
    char buffer[kReadChunk];
    while (got < kReadPerTurn) {
      ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
      if (n > 0) {
        if (c.phase != Connection::Phase::lingering) c.input.append(buffer, static_cast<std::size_t>(n));
        got += static_cast<std::size_t>(n);
        c.last_read = SteadyClock::now();
        continue;
      }
      if (n == 0) {
        eof = true;
        break;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      close_now(c);
      return false;
    }
    return true;
  }

  // Answers every whole request the input holds, in order, then waits for more. `forced`: a
  // refusal the first one gets instead of its handler.
  void take_requests(Connection& c, bool eof, Refusal forced = Refusal::none) {
    while (true) {
      bool was_started = c.reader.started();
      bool had_head = c.reader.head_done();
      std::size_t used = c.reader.read(c.input);
      c.input.erase(0, used);
      if (!was_started && c.reader.started()) c.since = SteadyClock::now();
      if (!had_head && c.reader.head_done()) c.body_since = SteadyClock::now();
      if (c.reader.failed()) {
        answer_unreadable(c, {c.reader.failure().status, c.reader.failure().message});
        return;
      }
      if (!c.reader.complete()) break;
      Outcome outcome = run_exchange(c, std::exchange(forced, Refusal::none));
      if (outcome == Outcome::deferred) return;
      if (outcome == Outcome::closed) return;
      c.reader.reset();
      c.continue_sent = false;
    }
    if (eof) {
      close_now(c);
      return;
    }
    if (c.reader.head_done() && c.reader.request().expect_continue && !c.continue_sent) {
      c.continue_sent = true;
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      ::send(c.fd, kContinue.data(), kContinue.size(), MSG_NOSIGNAL);
    }
    park(c);
  }

  enum class Outcome { next, deferred, closed };

  // Runs the handler for the reader's complete request.
  Outcome run_exchange(Connection& c, Refusal forced) {
    Exchange exchange(pool, c, c.reader.request());
    exchange.refusal_ = forced != Refusal::none ? forced : c.refusal != Refusal::none ? c.refusal : pool.stopping_ ? Refusal::stopping : Refusal::none;
    std::size_t before = busy.fetch_add(1);
    exchange.reserved_ = forced == Refusal::none && limits().max_threads >= 2 && before + 1 >= limits().max_threads;
    try {
      callbacks.handle(exchange);
    } catch (...) {
      exchange.failed_ = true;  // never let an exception out into the worker loop
    }
    busy.fetch_sub(1);
    if (exchange.deferred_ && !exchange.head_sent_) {
      defer(c.shared_from_this());
      return Outcome::deferred;
    }
    ++c.requests;
    if (exchange.dropped_ || exchange.failed_ || !exchange.head_sent_) {
      close_now(c);
      return Outcome::closed;
    }
    if (exchange.close_after_ || pool.stopping_) {
      close_gracefully(c);
      return Outcome::closed;
    }
    return Outcome::next;
  }

  // A request that could not be read: answered, then the connection closes (its rest unread).
  // `write_timeout`: the timer thread answers 408s and must not wait long on a client.
  void answer_unreadable(Connection& c, const Unreadable& what, std::optional<std::chrono::milliseconds> write_timeout = std::nullopt) {
    Exchange exchange(pool, c, c.reader.request());
    if (write_timeout) exchange.write_timeout_ = *write_timeout;
    exchange.close_after();
    try {
      callbacks.unreadable(exchange, what);
    } catch (...) {
      exchange.failed_ = true;
    }
    if (exchange.failed_ || exchange.dropped_) close_now(c);
    else close_gracefully(c);
  }

  // Waits for the next bytes: a half-read request, or an idle connection.
  void park(Connection& c) {
    auto now = SteadyClock::now();
    if (!c.reader.started()) {
      c.phase = Connection::Phase::idle;
      c.since = now;
      c.idle_since_ns = now.time_since_epoch().count();
    } else {
      c.phase = Connection::Phase::reading;
    }
    rearm(c);
  }

  void rearm(Connection& c) {
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT;
    event.data.u64 = c.id;
    if (::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &event) != 0) close_now(c);
  }

  // No more requests: what the client still sends is read and dropped for a moment, so that our
  // last answer is not destroyed by a reset (a close with unread input sends RST).
  void close_gracefully(Connection& c) {
    if (pool.stopping_) {
      close_now(c);
      return;
    }
    ::shutdown(c.fd, SHUT_WR);
    c.phase = Connection::Phase::lingering;
    c.linger_until = SteadyClock::now() + kLinger;
    c.input.clear();
    rearm(c);
  }

  void close_now(Connection& c) {
    if (c.closed) return;
    c.closed = true;
    c.idle_since_ns = 0;
    ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
    {
      std::lock_guard fd_lock(c.fd_mutex);
      ::close(c.fd);
      c.fd = -1;
    }
    std::lock_guard lock(map_mutex);
    connections.erase(c.id);
    auto it = per_client.find(c.peer);
    if (it != per_client.end() && --it->second == 0) per_client.erase(it);
  }

  // --- the timer thread: deadlines ---

  std::chrono::milliseconds tick() const {
    auto shortest = std::min({limits().header_timeout, limits().read_timeout, limits().keep_alive_timeout});
    return std::clamp(shortest / 4, std::chrono::milliseconds(5), std::chrono::milliseconds(100));
  }

  void timer_loop() {
    std::unique_lock lock(timer_mutex);
    while (!stopped) {
      timer_cv.wait_for(lock, tick());
      if (stopped) break;
      lock.unlock();
      for (const auto& connection : snapshot()) expire(*connection, SteadyClock::now());
      refuse_overdue(SteadyClock::now());
      lock.lock();
    }
  }

  // Closes a parked connection whose deadline has passed (408 when a request was under way).
  void expire(Connection& c, SteadyClock::time_point now) {
    std::unique_lock lock(c.mutex, std::try_to_lock);
    if (!lock.owns_lock() || c.closed) return;
    const ConnectionLimits& l = limits();
    switch (c.phase) {
      case Connection::Phase::idle:
        if (now - c.since >= l.keep_alive_timeout) close_now(c);
        return;
      case Connection::Phase::lingering:
        if (now >= c.linger_until) close_now(c);
        return;
      case Connection::Phase::reading:
        if (auto late = lateness(c, now)) answer_unreadable(c, {408, *late}, std::chrono::milliseconds(50));
        return;
      case Connection::Phase::deferred:
        return;  // refuse_overdue's
    }
  }

  // Why a request under way is too slow, if it is.
  std::optional<std::string> lateness(const Connection& c, SteadyClock::time_point now) const {
    const ConnectionLimits& l = limits();
    auto ms = [](auto d) { return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count()); };
    if (!c.reader.head_done()) {
      if (now - c.since >= l.header_timeout) return "the request head did not arrive whole within " + ms(l.header_timeout) + " ms (--header-timeout)";
    } else if (l.min_body_rate > 0 && now - c.body_since > l.header_timeout) {
      double seconds = std::chrono::duration<double>(now - c.body_since - l.header_timeout).count();
      if (static_cast<double>(c.reader.body_received()) < l.min_body_rate * seconds) {
        return "the request body arrived slower than " + std::to_string(static_cast<long long>(l.min_body_rate)) + " bytes per second (--min-body-rate)";
      }
    }
    if (now - c.last_read >= l.read_timeout) return "no byte of the request arrived for " + ms(l.read_timeout) + " ms (--read-timeout)";
    return std::nullopt;
  }

  // --- stop ---

  bool stop(std::chrono::milliseconds grace) {
    {
      std::lock_guard lock(timer_mutex);
      if (stopped) return stop_result;
      stopped = true;
    }
    timer_cv.notify_all();
    if (timer.joinable()) timer.join();
    std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(wake_fd, &one, sizeof one);
    for (const auto& connection : snapshot()) {
      std::unique_lock lock(connection->mutex, std::try_to_lock);
      if (lock.owns_lock()) close_now(*connection);
    }
    bool done = wait_for_workers(SteadyClock::now() + grace);
    if (!done) {
      // Handlers past the grace: their connections are shut, so a write or a wait on them ends.
      for (const auto& connection : snapshot()) {
        std::lock_guard fd_lock(connection->fd_mutex);
        if (connection->fd >= 0) ::shutdown(connection->fd, SHUT_RDWR);
      }
      done = wait_for_workers(SteadyClock::now() + std::chrono::milliseconds(200));
    }
    {
      std::lock_guard lock(threads_mutex);
      for (auto& thread : threads) {
        if (done) thread.join();
        else thread.detach();
      }
      threads.clear();
    }
    if (done) {
      for (const auto& connection : snapshot()) {
        std::lock_guard lock(connection->mutex);
        close_now(*connection);
      }
    }
    stop_result = done;
    return done;
  }

  bool wait_for_workers(SteadyClock::time_point deadline) {
    while (running.load() > 0) {
      if (SteadyClock::now() >= deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  }
};

// ---------------------------------------------------------------------------------------------

ConnectionPool::ConnectionPool(ConnectionLimits limits, Callbacks callbacks) : limits_(limits), impl_(std::make_unique<Impl>(*this, std::move(callbacks))) {
  Impl& i = *impl_;
  i.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  i.wake_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  i.deferred_fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (i.epoll_fd < 0 || i.wake_fd < 0 || i.deferred_fd < 0) throw std::runtime_error("cannot create the server's event loop (epoll)");
  epoll_event event{};
  event.events = EPOLLIN;  // level-triggered: once written, it wakes every worker, one after another
  event.data.u64 = kWakeId;
  ::epoll_ctl(i.epoll_fd, EPOLL_CTL_ADD, i.wake_fd, &event);
  epoll_event deferred{};
  deferred.events = EPOLLIN;  // level-triggered until a worker reads it
  deferred.data.u64 = kDeferredId;
  ::epoll_ctl(i.epoll_fd, EPOLL_CTL_ADD, i.deferred_fd, &deferred);
  // Each connection is a descriptor: stay clear of the process's limit (raised to its hard limit).
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0) {
    if (files.rlim_cur < files.rlim_max) {
      files.rlim_cur = files.rlim_max;
      ::setrlimit(RLIMIT_NOFILE, &files);
    }
    ::getrlimit(RLIMIT_NOFILE, &files);
    std::size_t usable = files.rlim_cur > 256 + kRefusedSlack ? static_cast<std::size_t>(files.rlim_cur) - 256 - kRefusedSlack : 16;
    limits_.max_connections = std::min(limits_.max_connections, usable);
  }
  limits_.max_threads = std::max<std::size_t>(limits_.max_threads, 1);
  i.max_connections = std::max<std::size_t>(limits_.max_connections, 1);
  std::size_t initial = std::min<std::size_t>(limits_.max_threads, 2);
  for (std::size_t n = 0; n < initial; ++n) i.spawn_worker();
  i.timer = std::thread([&i] { i.timer_loop(); });
}

ConnectionPool::~ConnectionPool() {
  bool clean = stop(std::chrono::milliseconds(2000));
  if (!clean) {
    // Workers still inside handlers reference the pool: leave it to the exiting process.
    (void)impl_.release();
    return;
  }
  ::close(impl_->epoll_fd);
  ::close(impl_->wake_fd);
  ::close(impl_->deferred_fd);
}

void ConnectionPool::adopt(int fd) { impl_->adopt(fd); }

bool ConnectionPool::stop(std::chrono::milliseconds grace) {
  stopping_ = true;
  return impl_->stop(grace);
}

ConnectionPool::Stats ConnectionPool::stats() const {
  Stats s;
  {
    std::lock_guard lock(impl_->map_mutex);
    s.connections = impl_->connections.size();
  }
  s.threads = impl_->thread_count.load();
  s.busy = impl_->busy.load();
  return s;
}

// ---------------------------------------------------------------------------------------------

Exchange::Exchange(ConnectionPool& pool, Connection& connection, WireRequest& request)
    : pool_(pool), connection_(connection), request_(request), write_timeout_(pool.limits().write_timeout) {}

const std::string& Exchange::peer() const { return connection_.peer; }
int Exchange::peer_port() const { return connection_.peer_port; }
int Exchange::local_port() const { return connection_.local_port; }
bool Exchange::stopping() const { return pool_.stopping(); }

std::string Exchange::head(int status, const ResponseHeaders& headers, std::optional<std::size_t> content_length, bool chunked) {
  const ConnectionLimits& limits = pool_.limits();
  bool keep = request_.keep_alive && !close_after_ && refusal_ == Refusal::none && !pool_.stopping() &&
              connection_.requests + 1 < limits.keep_alive_max_count && (content_length || chunked);
  if (!keep) close_after_ = true;
  std::string out;
  out.reserve(256);
  out += request_.minor_version == 0 ? "HTTP/1.0 " : "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += reason_phrase(status);
  out += "\r\n";
  for (const auto& [name, value] : headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (content_length && status != 204 && status >= 200) {
    out += "Content-Length: ";
    out += std::to_string(*content_length);
    out += "\r\n";
  } else if (chunked) {
    out += "Transfer-Encoding: chunked\r\n";
  }
  if (!keep) out += "Connection: close\r\n";
  else if (request_.minor_version == 0) out += "Connection: keep-alive\r\n";
  out += "\r\n";
  return out;
}

bool Exchange::send_bytes(std::string_view bytes) {
  if (failed_ || dropped_) return false;
  auto deadline = SteadyClock::now() + write_timeout_;
  while (!bytes.empty()) {
    ssize_t n = ::send(connection_.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n > 0) {
      bytes.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
      if (left.count() > 0 && writable(left)) continue;
    }
    failed_ = true;
    return false;
  }
  return true;
}

bool Exchange::writable(std::chrono::milliseconds timeout) const {
  pollfd fd{connection_.fd, POLLOUT, 0};
  int ready = ::poll(&fd, 1, static_cast<int>(std::max<long long>(timeout.count(), 0)));
  return ready == 1 && (fd.revents & POLLOUT) && !(fd.revents & (POLLERR | POLLHUP));
}

bool Exchange::peer_closed() const {
  pollfd fd{connection_.fd, POLLRDHUP, 0};
  return ::poll(&fd, 1, 0) == 1 && (fd.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

bool Exchange::send(int status, const ResponseHeaders& headers, std::string_view body) {
  std::string out = head(status, headers, body.size(), false);
  head_sent_ = true;
  if (request_.method != "HEAD" && status != 204 && status != 304) out.append(body);
  return send_bytes(out);
}

bool Exchange::begin(int status, const ResponseHeaders& headers, std::optional<std::size_t> content_length) {
  chunked_ = !content_length && request_.minor_version >= 1;
  if (!content_length && !chunked_) close_after_ = true;  // HTTP/1.0: the close ends the body
  std::string out = head(status, headers, content_length, chunked_);
  head_sent_ = true;
  return send_bytes(out);
}

bool Exchange::write(std::string_view data) {
  if (request_.method == "HEAD" || data.empty()) return !failed_;
  if (!chunked_) return send_bytes(data);
  char size[24];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  std::string frame;
  frame.reserve(static_cast<std::size_t>(n) + data.size() + 2);
  frame.append(size, static_cast<std::size_t>(n));
  frame.append(data);
  frame.append("\r\n");
  return send_bytes(frame);
}

bool Exchange::end() {
  if (!chunked_ || request_.method == "HEAD") return !failed_;
  return send_bytes("0\r\n\r\n");
}

void Exchange::drop(bool reset) {
  if (dropped_) return;
  dropped_ = true;
  if (reset) {
    linger hard{1, 0};  // a close with a zero linger time sends RST
    ::setsockopt(connection_.fd, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    ::shutdown(connection_.fd, SHUT_RD);
  } else {
    ::shutdown(connection_.fd, SHUT_RDWR);
  }
}

}  // namespace runmock::http
