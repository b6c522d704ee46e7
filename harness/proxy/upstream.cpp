#include "proxy/upstream.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace runmock::proxy {

Target Target::parse(const std::string& url) {
  auto scheme_end = url.find("://");
  std::string scheme = scheme_end == std::string::npos ? "" : url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") throw std::invalid_argument("'" + url + "' is not an http:// or https:// URL");
  auto path_start = url.find('/', scheme_end + 3);
  Target target;
  target.origin = url.substr(0, path_start);
  if (target.origin.size() == scheme_end + 3) throw std::invalid_argument("'" + url + "' names no host");
  if (url.find_first_of("?#") != std::string::npos) throw std::invalid_argument("'" + url + "': a target has no query or fragment");
  if (path_start != std::string::npos) target.base_path = url.substr(path_start);
  while (!target.base_path.empty() && target.base_path.back() == '/') target.base_path.pop_back();
  std::string authority = target.origin.substr(scheme_end + 3);
  if (authority.find('@') != std::string::npos) throw std::invalid_argument("'" + url + "': a target has no user information");
  std::string port;
  if (authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) throw std::invalid_argument("'" + url + "': unclosed '[' in the host");
    target.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') throw std::invalid_argument("'" + url + "': expected ':' after the host");
      port = authority.substr(close + 2);
    }
  } else {
    auto colon = authority.find(':');
    target.host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  if (target.host.empty()) throw std::invalid_argument("'" + url + "' names no host");
  if (port.empty()) {
    target.port = scheme == "https" ? 443 : 80;
  } else if (port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) < 1 || std::stoi(port) > 65535) {
    throw std::invalid_argument("'" + url + "': '" + port + "' is not a port (1..65535)");
  } else {
    target.port = std::stoi(port);
  }
  return target;
}

std::string connect_failure(const Target& target, std::chrono::seconds timeout) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int status = ::getaddrinfo(target.host.c_str(), std::to_string(target.port).c_str(), &hints, &found); status != 0) {
    return "cannot resolve " + target.host + " (" + ::gai_strerror(status) + ")";
  }
  int error = 0;
  int fd = ::socket(found->ai_family, found->ai_socktype | SOCK_NONBLOCK, found->ai_protocol);
  if (fd < 0) {
    error = errno;
  } else if (::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    error = errno;
    if (error == EINPROGRESS) {
      pollfd ready{fd, POLLOUT, 0};
      int polled = ::poll(&ready, 1, static_cast<int>(timeout.count() * 1000));
      socklen_t length = sizeof error;
      if (polled == 0) error = ETIMEDOUT;
      else if (polled < 0) error = errno;
      else ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
    }
  }
  if (fd >= 0) ::close(fd);
  ::freeaddrinfo(found);
  if (error == 0) return "";
  std::string reason = std::strerror(error);
  if (!reason.empty()) reason[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(reason[0])));
  return reason;
}

UpstreamCall::UpstreamCall(const Target& target, httplib::Request request, std::chrono::seconds timeout, std::size_t buffer_limit)
    : target_(target), client_(target.origin), buffer_limit_(buffer_limit), timeout_(timeout) {
  client_.set_connection_timeout(timeout);
  client_.set_read_timeout(timeout);
  client_.set_write_timeout(timeout);
  // The body goes on as the target sent it (Content-Encoding included), never re-encoded.
  client_.set_decompress(false);
  // The target goes on as the client sent it, escapes and all.
  client_.set_url_encode(false);
  thread_ = std::thread([this, request = std::move(request)]() mutable { run(std::move(request)); });
}

UpstreamCall::~UpstreamCall() {
  {
    std::lock_guard lock(mutex_);
    cancelled_ = true;
  }
  changed_.notify_all();
  // Wakes a read blocked on a silent target (an event stream between two events).
  client_.stop();
  thread_.join();
}

void UpstreamCall::run(httplib::Request request) {
  // Called with mutex_ held.
  auto keep_head = [this](const httplib::Response& response) {
    UpstreamHead head;
    head.status = response.status;
    for (const auto& [name, value] : response.headers) head.headers.emplace_back(name, value);
    head_ = std::move(head);
    changed_.notify_all();
  };
  request.response_handler = [this, keep_head](const httplib::Response& response) {
    std::lock_guard lock(mutex_);
    keep_head(response);
    return !cancelled_;
  };
  request.content_receiver = [this](const char* data, std::size_t length, std::uint64_t, std::uint64_t) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return cancelled_ || buffered_ < buffer_limit_; });
    if (cancelled_) return false;
    chunks_.emplace_back(data, length);
    buffered_ += length;
    changed_.notify_all();
    return true;
  };
  httplib::Response response;
  httplib::Error error = httplib::Error::Success;
  bool ok = client_.send(request, response, error);
  std::string connect_reason;
  if (!ok && error == httplib::Error::Connection) connect_reason = connect_failure(target_, timeout_);
  std::lock_guard lock(mutex_);
  // httplib does not call the response handler for an answer without a body (HEAD).
  if (ok && !head_) keep_head(response);
  if (!ok) {
    switch (error) {
      case httplib::Error::Connection: failure_ = connect_reason.empty() ? "could not connect" : connect_reason; break;
      case httplib::Error::ConnectionTimeout: failure_ = "no connection within " + std::to_string(timeout_.count()) + " s"; break;
      case httplib::Error::Read:
        failure_ = head_ ? "the answer broke off (connection closed, or silent for " + std::to_string(timeout_.count()) + " s)"
                         : "no answer within " + std::to_string(timeout_.count()) + " s, or the connection closed";
        break;
      case httplib::Error::Write: failure_ = "the request could not be sent (the connection closed)"; break;
      default: failure_ = httplib::to_string(error); break;
    }
  }
  finished_ = true;
  changed_.notify_all();
}

std::optional<UpstreamHead> UpstreamCall::head() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [&] { return head_.has_value() || finished_; });
  return head_;
}

UpstreamCall::Next UpstreamCall::next(std::string& chunk, std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  changed_.wait_for(lock, wait, [&] { return !chunks_.empty() || finished_; });
  if (!chunks_.empty()) {
    while (!chunks_.empty()) {
      chunk += chunks_.front();
      chunks_.pop_front();
    }
    buffered_ = 0;
    changed_.notify_all();
    return Next::data;
  }
  if (!finished_) return Next::waiting;
  return failure_.empty() ? Next::end : Next::failed;
}

std::string UpstreamCall::failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

}  // namespace runmock::proxy
