// attack_holder: the hostile client of bench/serve/attack. On 127.0.0.1:PORT it holds, at once:
// - `--idle N` keep-alive connections: each sends one GET of `--path` (with the token), reads the
//   answer, then stays silent; one the server closes (its keep-alive timeout) is opened again;
// - `--slowloris N` connections that send a request line, then one header byte every
//   `--trickle-ms` (3000) and never finish the head; the server's 408 (or close) is counted and the
//   connection opened again;
// - `--streams N` event streams: GET `--stream-path`, read whatever comes, for ever; one the server
//   refuses (not 200) or closes is counted and opened again a second later.
// One thread, non-blocking sockets, poll(). Prints `ready key=value ...` once every connection has
// been set up once (idle answered, slowloris begun, streams answered), and `summary key=value ...`
// when it ends: on SIGTERM or SIGINT, or after `--seconds` (600) so that it never outlives its
// benchmark. Loopback only: the address is not a parameter.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

volatile std::sig_atomic_t stop_requested = 0;
void on_signal(int) { stop_requested = 1; }

struct Options {
  int port = 0;
  int idle = 0;
  int slowloris = 0;
  int streams = 0;
  std::string path = "/__runmock/health";
  std::string stream_path;
  std::string token;
  milliseconds trickle{3000};
  int seconds = 600;
};

enum class Kind { idle, slowloris, stream };
enum class Phase { waiting, connecting, sending, reading, held };

struct Conn {
  Kind kind = Kind::idle;
  int fd = -1;
  Phase phase = Phase::waiting;
  std::string out;          // what is left to send now
  std::size_t trickled = 0; // slowloris: header bytes sent so far
  bool answered_once = false;
  Clock::time_point due{};  // waiting: when to reconnect; slowloris held: next byte
};

// What the summary line reports, by name (printed in this order).
struct Tally {
  std::map<std::string, long> counts;
  void add(const std::string& name, long n = 1) { counts[name] += n; }
};

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "attack_holder: %s\nusage: attack_holder --port P [--idle N] [--slowloris N] [--streams N] "
               "[--path PATH] [--stream-path PATH] [--token T] [--trickle-ms MS] [--seconds S]\n",
               why);
  std::exit(2);
}

int to_int(const char* flag, const char* text) {
  char* end = nullptr;
  long v = std::strtol(text, &end, 10);
  if (*text == '\0' || *end != '\0' || v < 0 || v > 1000000) {
    std::fprintf(stderr, "attack_holder: %s wants a whole number from 0 to 1000000, not '%s'\n", flag, text);
    std::exit(2);
  }
  return static_cast<int>(v);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string_view flag = argv[i];
    if (i + 1 >= argc) usage(("no value after " + std::string(flag)).c_str());
    const char* value = argv[++i];
    if (flag == "--port") o.port = to_int(argv[i - 1], value);
    else if (flag == "--idle") o.idle = to_int(argv[i - 1], value);
    else if (flag == "--slowloris") o.slowloris = to_int(argv[i - 1], value);
    else if (flag == "--streams") o.streams = to_int(argv[i - 1], value);
    else if (flag == "--trickle-ms") o.trickle = milliseconds(to_int(argv[i - 1], value));
    else if (flag == "--seconds") o.seconds = to_int(argv[i - 1], value);
    else if (flag == "--path") o.path = value;
    else if (flag == "--stream-path") o.stream_path = value;
    else if (flag == "--token") o.token = value;
    else usage(("unknown option " + std::string(flag)).c_str());
  }
  if (o.port <= 0 || o.port > 65535) usage("--port must be 1..65535");
  if (o.streams > 0 && o.stream_path.empty()) usage("--streams needs --stream-path");
  return o;
}

// Every connection is a file descriptor: lift the soft limit to the hard one.
void raise_fd_limit(const Options& o) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  lim.rlim_cur = lim.rlim_max;
  setrlimit(RLIMIT_NOFILE, &lim);
  auto wanted = static_cast<rlim_t>(o.idle + o.slowloris + o.streams + 16);
  if (lim.rlim_cur < wanted) {
    std::fprintf(stderr, "attack_holder: %d connections need %lu file descriptors; the limit is %lu\n",
                 o.idle + o.slowloris + o.streams, static_cast<unsigned long>(wanted),
                 static_cast<unsigned long>(lim.rlim_cur));
    std::exit(2);
  }
}

// Host names the port: runmock's admin API refuses other names (DNS rebinding).
std::string request_line(const std::string& path, int port) {
  return "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(port) + "\r\n";
}

std::string get_request(const std::string& path, int port, const std::string& token, const char* extra) {
  std::string r = request_line(path, port);
  if (!token.empty()) r += "Authorization: Bearer " + token + "\r\n";
  return r + extra + "\r\n";
}

class Holder {
 public:
  explicit Holder(Options o) : o_(std::move(o)) {
    auto add = [this](Kind kind, int n) {
      Conn c;
      c.kind = kind;
      conns_.insert(conns_.end(), static_cast<std::size_t>(n), c);
    };
    add(Kind::idle, o_.idle);
    add(Kind::slowloris, o_.slowloris);
    add(Kind::stream, o_.streams);
  }

  void run() {
    auto deadline = Clock::now() + std::chrono::seconds(o_.seconds);
    for (auto& c : conns_) open(c);
    while (!stop_requested && Clock::now() < deadline) {
      step();
      report_ready_once();
    }
    for (auto& c : conns_) close_fd(c);
    print_line("summary");
  }

 private:
  void open(Conn& c) {
    c.fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0) return retry_later(c, "socket_errors");
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(o_.port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
      return retry_later(c, "connect_errors");
    }
    c.phase = Phase::connecting;
    tally_.add(std::string(kind_name(c.kind)) + "_opened");
  }

  // A connection that failed to open, or that a stream refused: again in a second (no busy loop).
  void retry_later(Conn& c, const char* counter) {
    tally_.add(counter);
    close_fd(c);
    c.phase = Phase::waiting;
    c.due = Clock::now() + milliseconds(1000);
  }

  void close_fd(Conn& c) {
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
  }

  void begin_request(Conn& c) {
    switch (c.kind) {
      case Kind::idle: c.out = get_request(o_.path, o_.port, o_.token, ""); break;
      case Kind::stream: c.out = get_request(o_.stream_path, o_.port, o_.token, "Accept: text/event-stream\r\n"); break;
      case Kind::slowloris:
        c.out = request_line(o_.path, o_.port);
        c.trickled = 0;
        break;
    }
    c.phase = Phase::sending;
  }

  void flush(Conn& c) {
    while (!c.out.empty()) {
      ssize_t n = ::send(c.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
      if (n <= 0) return lost(c);
      c.out.erase(0, static_cast<std::size_t>(n));
    }
    c.phase = c.kind == Kind::slowloris ? Phase::held : Phase::reading;
    if (c.kind == Kind::slowloris) {
      c.answered_once = true;  // set up: its head is under way
      c.due = Clock::now() + o_.trickle;
    }
  }

  // Slowloris: one more byte of a header that never ends.
  void trickle(Conn& c) {
    static const std::string header = "X-Slowloris: ";
    char byte = c.trickled < header.size() ? header[c.trickled] : 'a';
    if (::send(c.fd, &byte, 1, MSG_NOSIGNAL) != 1) return lost(c);
    ++c.trickled;
    tally_.add("slowloris_bytes");
    c.due = Clock::now() + o_.trickle;
  }

  void on_connected(Conn& c) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) return retry_later(c, "connect_errors");
    begin_request(c);
    flush(c);
  }

  void on_readable(Conn& c) {
    char buf[16384];
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
    if (n <= 0) return lost(c);
    std::string_view data(buf, static_cast<std::size_t>(n));
    if (c.phase == Phase::reading) return on_answer(c, data);
    if (c.kind == Kind::slowloris) return on_slowloris_answer(c, data);
    tally_.add(std::string(kind_name(c.kind)) + "_bytes_read", n);  // a stream's events, or the rest of an answer
  }

  static int status_of(std::string_view data) {
    if (data.size() < 12 || data.substr(0, 7) != "HTTP/1.") return 0;
    return std::atoi(std::string(data.substr(9, 3)).c_str());
  }

  void on_answer(Conn& c, std::string_view data) {
    int status = status_of(data);
    tally_.add(std::string(kind_name(c.kind)) + "_status_" + std::to_string(status));
    if (c.kind == Kind::stream && status != 200) return retry_later(c, "stream_refused");
    c.answered_once = true;
    c.phase = Phase::held;
  }

  void on_slowloris_answer(Conn& c, std::string_view data) {
    int status = status_of(data);
    tally_.add(status == 408 ? "slowloris_408" : "slowloris_status_" + std::to_string(status));
    close_fd(c);
    open(c);
  }

  // The server closed (or reset) the connection: count it and open another at once.
  void lost(Conn& c) {
    tally_.add(std::string(kind_name(c.kind)) + "_closed_by_server");
    close_fd(c);
    if (c.kind == Kind::stream) {
      c.phase = Phase::waiting;
      c.due = Clock::now() + milliseconds(1000);
      return;
    }
    open(c);
  }

  void step() {
    auto now = Clock::now();
    auto next = now + milliseconds(200);
    fds_.clear();
    owners_.clear();
    for (auto& c : conns_) {
      if (c.phase == Phase::waiting && now >= c.due) open(c);
      if ((c.phase == Phase::held && c.kind == Kind::slowloris) || c.phase == Phase::waiting) {
        if (c.phase == Phase::held && now >= c.due) trickle(c);
        next = std::min(next, c.due);
      }
      if (c.fd < 0) continue;
      bool out = c.phase == Phase::connecting || c.phase == Phase::sending;
      fds_.push_back(pollfd{c.fd, static_cast<short>(out ? POLLOUT : POLLIN), 0});
      owners_.push_back(&c);
    }
    auto wait = std::chrono::duration_cast<milliseconds>(next - Clock::now()).count();
    int ready = poll(fds_.data(), fds_.size(), static_cast<int>(std::clamp<long>(wait, 1, 200)));
    if (ready <= 0) return;
    for (std::size_t i = 0; i < fds_.size(); ++i) dispatch(*owners_[i], fds_[i]);
  }

  void dispatch(Conn& c, const pollfd& p) {
    if (p.revents == 0 || c.fd != p.fd) return;
    if (c.phase == Phase::connecting) return on_connected(c);
    if (c.phase == Phase::sending) return flush(c);
    on_readable(c);
  }

  void report_ready_once() {
    if (ready_reported_) return;
    for (const auto& c : conns_)
      if (!c.answered_once) return;
    ready_reported_ = true;
    print_line("ready");
  }

  void print_line(const char* what) {
    std::printf("%s idle=%d slowloris=%d streams=%d", what, o_.idle, o_.slowloris, o_.streams);
    for (const auto& [name, n] : tally_.counts) std::printf(" %s=%ld", name.c_str(), n);
    std::printf("\n");
    std::fflush(stdout);
  }

  static const char* kind_name(Kind k) {
    switch (k) {
      case Kind::idle: return "idle";
      case Kind::slowloris: return "slowloris";
      case Kind::stream: return "stream";
    }
    return "?";
  }

  Options o_;
  std::vector<Conn> conns_;
  std::vector<pollfd> fds_;
  std::vector<Conn*> owners_;
  Tally tally_;
  bool ready_reported_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  raise_fd_limit(o);
  std::signal(SIGTERM, on_signal);
  std::signal(SIGINT, on_signal);
  std::signal(SIGPIPE, SIG_IGN);
  Holder(std::move(o)).run();
  return 0;
}
