// One HTTP exchange with runmock as the golden transcript shows it: the request as sent, then the
// status, the headers that matter and the body exactly as received.
#pragma once

#include <httplib.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace runmock::golden {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;  // path and query, as sent
  HeaderList headers;  // the ones the script sets (httplib adds Host, Accept, User-Agent, Content-Length)
  std::optional<std::string> body;
};

struct HttpAnswer {
  bool answered = false;
  std::string error;  // why there is no answer (httplib's name for it)
  int status = 0;
  HeaderList headers;  // the headers that matter (not framing: Content-Length, Connection, Date, Keep-Alive, Transfer-Encoding)
  std::string body;
};

// Percent-encodes all but the unreserved characters and `safe`.
std::string percent_encode(const std::string& text, const std::string& safe = "");

// Sends `request` to 127.0.0.1:port on a fresh connection.
HttpAnswer send_request(int port, const HttpRequest& request);

// The request part of a transcript block (`> ` lines) and the answer part (`< ` lines, then the body).
std::string format_request(const HttpRequest& request);
std::string format_answer(const HttpAnswer& answer);

// An event stream read on its own thread: what arrived so far, and whether the server closed it.
class StreamReader {
 public:
  StreamReader(int port, HttpRequest request);
  ~StreamReader();
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  // The number of `event:` lines received so far.
  int events() const;
  bool finished() const { return finished_; }
  // Closes the connection if the server has not (a stream that never ends), then the answer.
  HttpAnswer close();
  const HttpRequest& request() const { return request_; }

 private:
  HttpRequest request_;
  httplib::Client client_;
  mutable std::mutex mutex_;
  HttpAnswer answer_;
  std::atomic<bool> finished_{false};
  std::thread thread_;
};

}  // namespace runmock::golden
