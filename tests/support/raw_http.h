// Raw HTTP/1.1 over a loopback TCP socket, for end-to-end tests that must send what an HTTP client
// library will not: a head trickled in line by line, pipelined requests, a body on a GET, a 20 MB
// head, a connection from another loopback source address (127.0.0.2). Every read waits at most
// its timeout, so a server that hangs fails the test instead of blocking it.
//
//   RawConnection c(port);
//   c.send(raw_request("GET", "/__runmock/health"));
//   std::optional<RawAnswer> answer = c.read_answer();   // status, headers, body (length or chunked)
//   EXPECT_TRUE(c.closed_by_peer());                      // EOF or reset within the timeout
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace runmock::testing {

using namespace std::chrono_literals;

// Header fields of a request, in the order they are sent.
using RawHeaders = std::vector<std::pair<std::string, std::string>>;

inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// One request's bytes: `Host: 127.0.0.1` first unless `headers` names a Host, Content-Length when
// there is a body (unless `headers` frames it itself).
inline std::string raw_request(const std::string& method, const std::string& target, const RawHeaders& headers = {}, const std::string& body = "") {
  std::string out = method + " " + target + " HTTP/1.1\r\n";
  bool has_host = false, has_framing = false;
  for (const auto& [name, value] : headers) {
    has_host = has_host || iequals(name, "Host");
    has_framing = has_framing || iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding");
  }
  if (!has_host) out += "Host: 127.0.0.1\r\n";
  for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
  if (!body.empty() && !has_framing) out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

// One answer as read from the wire.
struct RawAnswer {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  // The first field of that name (case-insensitive), or nullopt.
  std::optional<std::string> header(std::string_view name) const {
    for (const auto& [n, v] : headers) {
      if (iequals(n, name)) return v;
    }
    return std::nullopt;
  }
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:port; `from` binds the source address first (any 127.x.y.z is loopback).
  explicit RawConnection(int port, const std::string& from = "", std::chrono::milliseconds timeout = 5s) : timeout_(timeout) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    if (!from.empty()) {
      sockaddr_in source{};
      source.sin_family = AF_INET;
      if (::inet_pton(AF_INET, from.c_str(), &source.sin_addr) != 1 || ::bind(fd_, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
        throw std::runtime_error("cannot bind the source address " + from);
      }
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) throw std::runtime_error("cannot connect to 127.0.0.1");
  }
  ~RawConnection() { close(); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  int fd() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  // Sends every byte; false when the server is gone (closed or reset).
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Sends `piece` again and again (at most `limit` bytes in all) while reading what the server
  // answers meanwhile, until the server closes or resets. Returns the bytes it took.
  std::size_t send_until_closed(std::string_view piece, std::size_t limit) {
    std::size_t sent = 0;
    std::size_t offset = 0;
    while (sent < limit) {
      pollfd p{fd_, POLLIN | POLLOUT, 0};
      if (::poll(&p, 1, static_cast<int>(timeout_.count())) <= 0) break;
      if ((p.revents & POLLIN) && !receive_some()) break;
      if (!(p.revents & POLLOUT)) continue;
      std::size_t size = std::min(piece.size() - offset, limit - sent);
      ssize_t n = ::send(fd_, piece.data() + offset, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) break;
      sent += static_cast<std::size_t>(n);
      offset = (offset + static_cast<std::size_t>(n)) % piece.size();
    }
    while (receive_some()) {
    }
    return sent;
  }

  // The next answer: its head, then its body by Content-Length, chunks, or (neither) until the
  // close. nullopt when the connection ended or went silent before a whole answer.
  std::optional<RawAnswer> read_answer() {
    std::optional<RawAnswer> answer = read_head();
    if (!answer) return std::nullopt;
    if (auto length = answer->header("Content-Length"); length && !head_only_) {
      if (!fill_to(std::stoull(*length))) return std::nullopt;
      answer->body = take(std::stoull(*length));
    } else if (auto encoding = answer->header("Transfer-Encoding"); encoding && iequals(*encoding, "chunked")) {
      if (!read_chunks(answer->body)) return std::nullopt;
    } else if (!head_only_ && answer->status != 204 && answer->status != 304) {
      read_until_close();
      answer->body = take(buffer_.size());
    }
    return answer;
  }
  // The next answer to a HEAD request (no body follows its Content-Length).
  std::optional<RawAnswer> read_head_answer() {
    head_only_ = true;
    auto answer = read_answer();
    head_only_ = false;
    return answer;
  }

  // The status line and headers of the next answer, leaving its body unread (an event stream).
  std::optional<RawAnswer> read_head() {
    std::size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
      if (!receive_some()) return std::nullopt;
    }
    std::string head = take(end + 4);
    RawAnswer answer;
    if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) return std::nullopt;
    answer.status = std::stoi(head.substr(9, 3));
    for (std::size_t at = head.find("\r\n") + 2; at + 2 < head.size();) {
      std::size_t eol = head.find("\r\n", at);
      std::string line = head.substr(at, eol - at);
      std::size_t colon = line.find(':');
      std::size_t value = line.find_first_not_of(' ', colon + 1);
      answer.headers.emplace_back(line.substr(0, colon), value == std::string::npos ? "" : line.substr(value));
      at = eol + 2;
    }
    return answer;
  }

  // Reads until `text` has arrived (false when the connection ended or went silent first).
  bool read_until(std::string_view text) {
    while (buffer_.find(text) == std::string::npos) {
      if (!receive_some()) return false;
    }
    return true;
  }

  // Everything until the server closes (or the timeout passes); true when it closed.
  bool read_until_close() {
    while (receive_some()) {
    }
    return ended_;
  }
  // True when the server closes the connection (EOF or reset) before the timeout, whatever it
  // sends first.
  bool closed_by_peer() { return read_until_close(); }
  // Whether the connection is still open after waiting `wait` for anything to arrive.
  bool silent_for(std::chrono::milliseconds wait) {
    pollfd p{fd_, POLLIN, 0};
    return ::poll(&p, 1, static_cast<int>(wait.count())) == 0;
  }

  // Bytes read and not yet taken by read_answer().
  const std::string& pending() const { return buffer_; }
  bool ended() const { return ended_; }
  void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

 private:
  // Reads what arrives within the timeout; false at EOF, reset or silence.
  bool receive_some() {
    if (ended_ || fd_ < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout_.count())) <= 0) return false;
    char chunk[64 * 1024];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n < 0 && errno == EINTR) return true;
    if (n <= 0) {
      ended_ = true;
      return false;
    }
    buffer_.append(chunk, static_cast<std::size_t>(n));
    return true;
  }

  bool fill_to(std::size_t size) {
    while (buffer_.size() < size) {
      if (!receive_some()) return false;
    }
    return true;
  }

  std::string take(std::size_t size) {
    std::string out = buffer_.substr(0, size);
    buffer_.erase(0, size);
    return out;
  }

  bool read_chunks(std::string& body) {
    while (true) {
      std::size_t eol;
      while ((eol = buffer_.find("\r\n")) == std::string::npos) {
        if (!receive_some()) return false;
      }
      std::size_t size = std::stoull(buffer_.substr(0, eol), nullptr, 16);
      if (!fill_to(eol + 2 + size + 2)) return false;
      body += buffer_.substr(eol + 2, size);
      buffer_.erase(0, eol + 2 + size + 2);
      if (size == 0) return true;  // no trailer fields from runmock
    }
  }

  int fd_ = -1;
  std::chrono::milliseconds timeout_;
  std::string buffer_;
  bool ended_ = false;
  bool head_only_ = false;
};

}  // namespace runmock::testing
