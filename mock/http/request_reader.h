// HTTP/1.1 requests read from a connection's bytes as they arrive (RFC 9112), with every limit a
// hostile or careless client could push: the request line, the head's size and header count, the
// body's size (Content-Length or chunked). Nothing here touches a socket, so it is what the fuzzer
// drives.
//
//   RequestReader reader(limits);
//   buffer += bytes_from_socket;
//   std::size_t used = reader.read(buffer);   // takes what it can, says how much
//   buffer.erase(0, used);
//   if (reader.complete()) { handle(reader.request()); reader.reset(); }
//   else if (reader.failed()) { answer(reader.failure().status); close; }
//
// A request head is only taken whole (read() takes none of its bytes until its blank line has
// arrived; it remembers how far it looked, so a head trickling in byte by byte costs linear time).
// Bodies are taken as they come. What follows a complete request (a pipelined one) is left alone.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace runmock::http {

struct RequestLimits {
  std::size_t max_target_bytes = 8192;     // a longer request target: 414
  std::size_t max_head_bytes = 64 * 1024;  // request line and headers together: 431 beyond
  std::size_t max_headers = 100;           // more header fields: 431
  std::size_t max_body_bytes = 1 << 20;    // a larger body, declared or chunked: 413
};

struct HeaderField {
  std::string name;
  std::string value;
};

struct WireRequest {
  std::string method;  // as sent (methods are case-sensitive)
  std::string target;  // as sent: origin form "/path?query" (an absolute form is reduced to it)
  int minor_version = 1;
  std::vector<HeaderField> headers;
  std::string body;  // decoded from chunks when chunked
  bool keep_alive = true;        // HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with "keep-alive"
  bool expect_continue = false;  // "Expect: 100-continue"
  bool chunked = false;
  std::uint64_t content_length = 0;  // declared (0 when none or chunked)

  // The first field of that name (case-insensitive), or null.
  const std::string* header(std::string_view name) const;
};

class RequestReader {
 public:
  struct Failure {
    int status = 400;     // 400, 413, 414, 431, 501 or 505
    std::string message;  // for the client and the journal
  };

  explicit RequestReader(RequestLimits limits = {});

  // Takes what it can of one request from `input` (the connection's unread bytes, oldest first)
  // and returns how many bytes it took. Call again with more bytes until complete() or failed().
  std::size_t read(std::string_view input);

  bool head_done() const { return state_ != State::head; }  // method, target and headers are known
  bool complete() const { return state_ == State::complete; }
  bool failed() const { return state_ == State::failed; }
  // Some bytes of this request have arrived (a head in progress, or a body).
  bool started() const { return started_; }
  std::size_t body_received() const { return body_received_; }
  const Failure& failure() const { return failure_; }
  // What is known so far: after a failure, the method and target when the request line parsed.
  WireRequest& request() { return request_; }
  const WireRequest& request() const { return request_; }

  // Ready for the next request on the connection.
  void reset();

 private:
  enum class State { head, body, chunk_size, chunk_data, chunk_data_end, trailer, complete, failed };

  std::size_t read_head(std::string_view input);
  std::size_t read_body(std::string_view input);
  std::size_t read_chunk_size(std::string_view input);
  std::size_t read_chunk_data(std::string_view input);
  std::size_t read_chunk_data_end(std::string_view input);
  std::size_t read_trailer(std::string_view input);
  bool parse_head(std::string_view head);
  bool parse_request_line(std::string_view line);
  void note_request_line(std::string_view line);
  bool parse_header_line(std::string_view line);
  bool apply_framing();
  void fail(int status, std::string message);

  RequestLimits limits_;
  State state_ = State::head;
  WireRequest request_;
  Failure failure_;
  std::size_t scanned_ = 0;  // head bytes already searched for the blank line
  std::uint64_t chunk_left_ = 0;
  std::size_t body_received_ = 0;
  std::size_t trailer_bytes_ = 0;
  bool started_ = false;
};

// Case-insensitive ASCII comparison (header names, tokens).
bool equals_ignoring_case(std::string_view a, std::string_view b);

}  // namespace runmock::http
