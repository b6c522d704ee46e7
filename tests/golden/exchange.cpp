#include "golden/exchange.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace runmock::golden {
namespace {

// Framing headers say how the bytes travelled, not what runmock answered.
bool matters(const std::string& name) {
  static const std::set<std::string> framing = {"content-length", "connection", "date", "keep-alive", "transfer-encoding"};
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return !framing.count(lower);
}

HeaderList headers_that_matter(const httplib::Headers& headers) {
  HeaderList out;
  for (const auto& [name, value] : headers) {
    if (matters(name)) out.emplace_back(name, value);
  }
  return out;
}

httplib::Request to_httplib(const HttpRequest& request) {
  httplib::Request req;
  req.method = request.method;
  req.path = request.target;
  for (const auto& [name, value] : request.headers) req.headers.emplace(name, value);
  if (request.body) req.body = *request.body;
  return req;
}

void configure(httplib::Client& client) {
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  client.set_write_timeout(5, 0);
  client.set_keep_alive(false);
}

// Each line of `text` behind `prefix`.
std::string prefixed(const std::string& prefix, const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find('\n', start);
    out += prefix + text.substr(start, end == std::string::npos ? std::string::npos : end - start) + "\n";
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

}  // namespace

std::string percent_encode(const std::string& text, const std::string& safe) {
  static const char* digits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || std::string("-._~").find(static_cast<char>(c)) != std::string::npos || safe.find(static_cast<char>(c)) != std::string::npos) {
      out.push_back(static_cast<char>(c));
    } else {
      out += '%';
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}

HttpAnswer send_request(int port, const HttpRequest& request) {
  httplib::Client client("127.0.0.1", port);
  configure(client);
  httplib::Request req = to_httplib(request);
  httplib::Response res;
  httplib::Error error = httplib::Error::Success;
  HttpAnswer answer;
  if (!client.send(req, res, error)) {
    answer.error = httplib::to_string(error);
    return answer;
  }
  answer.answered = true;
  answer.status = res.status;
  answer.headers = headers_that_matter(res.headers);
  answer.body = res.body;
  return answer;
}

std::string format_request(const HttpRequest& request) {
  std::string out = "> " + request.method + " " + request.target + "\n";
  for (const auto& [name, value] : request.headers) out += "> " + name + ": " + value + "\n";
  if (request.body) out += ">\n" + prefixed("> ", *request.body);
  return out;
}

std::string format_answer(const HttpAnswer& answer) {
  if (!answer.answered) return "< no answer: " + answer.error + "\n";
  std::string out = "< " + std::to_string(answer.status) + "\n";
  for (const auto& [name, value] : answer.headers) out += "< " + name + ": " + value + "\n";
  return out + "<\n" + answer.body + "\n";
}

StreamReader::StreamReader(int port, HttpRequest request) : request_(std::move(request)), client_("127.0.0.1", port) {
  configure(client_);
  client_.set_read_timeout(30, 0);
  thread_ = std::thread([this] {
    httplib::Request req = to_httplib(request_);
    req.response_handler = [this](const httplib::Response& res) {
      std::lock_guard lock(mutex_);
      answer_.answered = true;
      answer_.status = res.status;
      answer_.headers = headers_that_matter(res.headers);
      return true;
    };
    req.content_receiver = [this](const char* data, std::size_t size, std::uint64_t, std::uint64_t) {
      std::lock_guard lock(mutex_);
      answer_.body.append(data, size);
      return true;
    };
    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    bool ok = client_.send(req, res, error);
    std::lock_guard lock(mutex_);
    if (!ok && !answer_.answered) answer_.error = httplib::to_string(error);
    finished_ = true;
  });
}

StreamReader::~StreamReader() {
  client_.stop();
  if (thread_.joinable()) thread_.join();
}

int StreamReader::events() const {
  std::lock_guard lock(mutex_);
  int count = 0;
  for (std::size_t at = 0; (at = answer_.body.find("event:", at)) != std::string::npos; ++at) {
    if (at == 0 || answer_.body[at - 1] == '\n') ++count;
  }
  return count;
}

HttpAnswer StreamReader::close() {
  if (!finished_) client_.stop();
  if (thread_.joinable()) thread_.join();
  std::lock_guard lock(mutex_);
  return answer_;
}

}  // namespace runmock::golden
