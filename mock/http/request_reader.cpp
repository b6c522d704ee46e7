#include "http/request_reader.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <limits>

namespace runmock::http {
namespace {

// RFC 9110 section 5.6.2: tchar.
bool is_token_char(unsigned char c) {
  return std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return is_token_char(static_cast<unsigned char>(c)); });
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The line without its terminator (CRLF, or a bare LF, which RFC 9112 section 2.2 lets a server accept).
std::string_view without_cr(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

// Whether a comma-separated header value lists `token` (Connection: keep-alive, Upgrade).
bool lists_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    auto comma = value.find(',');
    if (equals_ignoring_case(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Where the head ends (the index just after its blank line), searching from `from`; npos when the
// blank line has not arrived.
std::size_t head_end(std::string_view input, std::size_t from) {
  for (std::size_t i = from; i < input.size(); ++i) {
    const void* found = std::memchr(input.data() + i, '\n', input.size() - i);
    if (!found) return std::string_view::npos;
    i = static_cast<std::size_t>(static_cast<const char*>(found) - input.data());
    std::size_t next = i + 1;
    if (next < input.size() && input[next] == '\r') ++next;
    if (next < input.size() && input[next] == '\n') return next + 1;
  }
  return std::string_view::npos;
}

bool parse_decimal(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 18) return false;
  out = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    out = out * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return true;
}

bool parse_hex(std::string_view text, std::uint64_t& out) {
  if (text.empty() || text.size() > 15) return false;
  out = 0;
  for (char c : text) {
    int digit = std::isdigit(static_cast<unsigned char>(c)) ? c - '0'
                : (c >= 'a' && c <= 'f')                    ? c - 'a' + 10
                : (c >= 'A' && c <= 'F')                    ? c - 'A' + 10
                                                            : -1;
    if (digit < 0) return false;
    out = out * 16 + static_cast<std::uint64_t>(digit);
  }
  return true;
}

constexpr std::size_t kMaxChunkLine = 1024;  // a chunk-size line with its extensions
constexpr std::size_t kMaxTrailerBytes = 8192;

}  // namespace

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

const std::string* WireRequest::header(std::string_view name) const {
  for (const auto& field : headers) {
    if (equals_ignoring_case(field.name, name)) return &field.value;
  }
  return nullptr;
}

RequestReader::RequestReader(RequestLimits limits) : limits_(limits) {}

void RequestReader::reset() {
  state_ = State::head;
  request_ = WireRequest{};
  failure_ = Failure{};
  scanned_ = 0;
  chunk_left_ = 0;
  body_received_ = 0;
  trailer_bytes_ = 0;
  started_ = false;
}

void RequestReader::fail(int status, std::string message) {
  state_ = State::failed;
  failure_ = {status, std::move(message)};
}

std::size_t RequestReader::read(std::string_view input) {
  std::size_t used = 0;
  while (used < input.size() || state_ == State::body) {
    std::string_view rest = input.substr(used);
    std::size_t step = 0;
    switch (state_) {
      case State::head: step = read_head(rest); break;
      case State::body: step = read_body(rest); break;
      case State::chunk_size: step = read_chunk_size(rest); break;
      case State::chunk_data: step = read_chunk_data(rest); break;
      case State::chunk_data_end: step = read_chunk_data_end(rest); break;
      case State::trailer: step = read_trailer(rest); break;
      case State::complete:
      case State::failed: return used;
    }
    used += step;
    if (step == 0 && state_ != State::complete && state_ != State::failed) break;
  }
  return used;
}

std::size_t RequestReader::read_head(std::string_view input) {
  // Blank lines before a request line are ignored (RFC 9112 section 2.2).
  std::size_t skipped = 0;
  if (!started_) {
    while (skipped < input.size() && (input[skipped] == '\r' || input[skipped] == '\n')) ++skipped;
    input.remove_prefix(skipped);
    if (input.empty()) return skipped;
    started_ = true;
  }
  std::size_t end = head_end(input, scanned_ > 3 ? scanned_ - 3 : 0);
  if (end == std::string_view::npos) {
    scanned_ = input.size();
    std::size_t line_end = input.find('\n');
    // What the request line says is known before the head is whole: a head that never ends (too
    // slow, too big) is answered in the shape of the API its path names.
    if (line_end != std::string_view::npos && request_.method.empty()) note_request_line(without_cr(input.substr(0, line_end)));
    if (line_end == std::string_view::npos && input.size() > limits_.max_target_bytes + 64) {
      fail(414, "the request line is longer than " + std::to_string(limits_.max_target_bytes) + " bytes");
    } else if (input.size() > limits_.max_head_bytes) {
      fail(431, "the request head (request line and headers) is over " + std::to_string(limits_.max_head_bytes) + " bytes");
    }
    return skipped;
  }
  if (end > limits_.max_head_bytes) {
    note_request_line(without_cr(input.substr(0, input.find('\n'))));
    fail(431, "the request head (request line and headers) is over " + std::to_string(limits_.max_head_bytes) + " bytes");
    return skipped;
  }
  if (parse_head(input.substr(0, end))) apply_framing();
  return skipped + end;
}

bool RequestReader::parse_head(std::string_view head) {
  std::size_t line_end = head.find('\n');
  if (!parse_request_line(without_cr(head.substr(0, line_end)))) return false;
  head.remove_prefix(line_end + 1);
  while (!head.empty()) {
    line_end = head.find('\n');
    std::string_view line = without_cr(head.substr(0, line_end));
    head.remove_prefix(line_end + 1);
    if (line.empty()) break;  // the blank line that ends the head
    if (!parse_header_line(line)) return false;
  }
  return true;
}

void RequestReader::note_request_line(std::string_view line) {
  auto first = line.find(' ');
  auto last = line.rfind(' ');
  if (first == std::string_view::npos || first == last) return;
  std::string_view method = line.substr(0, first);
  std::string_view target = line.substr(first + 1, last - first - 1);
  if (!is_token(method) || target.empty() || target[0] != '/' || target.size() > limits_.max_target_bytes) return;
  request_.method = std::string(method);
  request_.target = std::string(target);
}

bool RequestReader::parse_request_line(std::string_view line) {
  auto first = line.find(' ');
  auto last = line.rfind(' ');
  if (first == std::string_view::npos || first == last) {
    fail(400, "the request line is not 'METHOD TARGET HTTP/1.1'");
    return false;
  }
  std::string_view method = line.substr(0, first);
  std::string_view target = line.substr(first + 1, last - first - 1);
  std::string_view version = line.substr(last + 1);
  if (!is_token(method) || target.empty() || target.find_first_of(" \t") != std::string_view::npos) {
    fail(400, "the request line is not 'METHOD TARGET HTTP/1.1'");
    return false;
  }
  request_.method = std::string(method);
  if (target.size() > limits_.max_target_bytes) {
    fail(414, "the request target is longer than " + std::to_string(limits_.max_target_bytes) + " bytes");
    return false;
  }
  for (std::string_view scheme : {"http://", "https://"}) {
    if (target.size() > scheme.size() && equals_ignoring_case(target.substr(0, scheme.size()), scheme)) {
      auto path = target.find('/', scheme.size());
      target = path == std::string_view::npos ? std::string_view("/") : target.substr(path);
    }
  }
  request_.target = std::string(target);
  if (target[0] != '/' && !(target == "*" && method == "OPTIONS")) {
    fail(400, "the request target must be a path starting with '/'");
    return false;
  }
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !std::isdigit(static_cast<unsigned char>(version[5])) || version[6] != '.' ||
      !std::isdigit(static_cast<unsigned char>(version[7]))) {
    fail(400, "the request line does not end in an HTTP version");
    return false;
  }
  if (version[5] != '1') {
    fail(505, "HTTP/" + std::string(version.substr(5)) + " is not supported (HTTP/1.1 and HTTP/1.0 are)");
    return false;
  }
  request_.minor_version = version[7] - '0';
  request_.keep_alive = request_.minor_version >= 1;
  return true;
}

bool RequestReader::parse_header_line(std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t') {
    fail(400, "a header line starts with white space (obsolete line folding is not accepted)");
    return false;
  }
  auto colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon))) {
    fail(400, "a header line is not 'Name: value'");
    return false;
  }
  std::string_view value = trim(line.substr(colon + 1));
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\t') || u == 0x7f) {
      fail(400, "header '" + std::string(line.substr(0, colon)) + "' holds a control character");
      return false;
    }
  }
  if (request_.headers.size() >= limits_.max_headers) {
    fail(431, "the request has more than " + std::to_string(limits_.max_headers) + " header fields");
    return false;
  }
  request_.headers.push_back({std::string(line.substr(0, colon)), std::string(value)});
  return true;
}

// Connection, Expect and how the body is framed (RFC 9112 section 6).
bool RequestReader::apply_framing() {
  bool has_length = false;
  for (const auto& field : request_.headers) {
    if (equals_ignoring_case(field.name, "Connection")) {
      if (lists_token(field.value, "close")) request_.keep_alive = false;
      if (lists_token(field.value, "keep-alive")) request_.keep_alive = true;
    } else if (equals_ignoring_case(field.name, "Expect")) {
      request_.expect_continue = request_.expect_continue || equals_ignoring_case(trim(field.value), "100-continue");
    } else if (equals_ignoring_case(field.name, "Transfer-Encoding")) {
      if (!equals_ignoring_case(trim(field.value), "chunked") || request_.chunked) {
        fail(501, "Transfer-Encoding '" + field.value + "' is not supported (only chunked is)");
        return false;
      }
      request_.chunked = true;
    } else if (equals_ignoring_case(field.name, "Content-Length")) {
      std::uint64_t length = 0;
      if (!parse_decimal(trim(field.value), length) || (has_length && length != request_.content_length)) {
        fail(400, "Content-Length '" + field.value + "' is not one length in bytes");
        return false;
      }
      has_length = true;
      request_.content_length = length;
    }
  }
  if (request_.chunked && has_length) {
    fail(400, "a request may not carry both Content-Length and Transfer-Encoding");
    return false;
  }
  if (request_.content_length > limits_.max_body_bytes) {
    fail(413, "the request body is " + std::to_string(request_.content_length) + " bytes, over the limit of " +
                  std::to_string(limits_.max_body_bytes) + " bytes");
    return false;
  }
  if (request_.chunked) {
    state_ = State::chunk_size;
  } else {
    request_.body.reserve(request_.content_length);
    state_ = State::body;
  }
  return true;
}

std::size_t RequestReader::read_body(std::string_view input) {
  std::size_t want = request_.content_length - body_received_;
  std::size_t take = std::min(want, input.size());
  request_.body.append(input.data(), take);
  body_received_ += take;
  if (body_received_ == request_.content_length) state_ = State::complete;
  return take;
}

std::size_t RequestReader::read_chunk_size(std::string_view input) {
  std::size_t line_end = input.find('\n');
  if (line_end == std::string_view::npos) {
    if (input.size() > kMaxChunkLine) fail(400, "a chunk-size line is over " + std::to_string(kMaxChunkLine) + " bytes");
    return 0;
  }
  std::string_view line = without_cr(input.substr(0, line_end));
  std::string_view size = trim(line.substr(0, line.find(';')));
  if (!parse_hex(size, chunk_left_)) {
    fail(400, "a chunk of the body does not start with its size in hex");
    return 0;
  }
  if (chunk_left_ > limits_.max_body_bytes - body_received_) {
    fail(413, "the chunked request body is over the limit of " + std::to_string(limits_.max_body_bytes) + " bytes");
    return 0;
  }
  state_ = chunk_left_ == 0 ? State::trailer : State::chunk_data;
  return line_end + 1;
}

std::size_t RequestReader::read_chunk_data(std::string_view input) {
  std::size_t take = static_cast<std::size_t>(std::min<std::uint64_t>(chunk_left_, input.size()));
  request_.body.append(input.data(), take);
  body_received_ += take;
  chunk_left_ -= take;
  if (chunk_left_ == 0) state_ = State::chunk_data_end;
  return take;
}

std::size_t RequestReader::read_chunk_data_end(std::string_view input) {
  if (input[0] == '\n') {
    state_ = State::chunk_size;
    return 1;
  }
  if (input.size() < 2) return 0;
  if (input[0] != '\r' || input[1] != '\n') {
    fail(400, "a chunk of the body is longer than its size says");
    return 0;
  }
  state_ = State::chunk_size;
  return 2;
}

std::size_t RequestReader::read_trailer(std::string_view input) {
  std::size_t line_end = input.find('\n');
  if (line_end == std::string_view::npos) {
    if (trailer_bytes_ + input.size() > kMaxTrailerBytes) fail(431, "the chunked body's trailer is over " + std::to_string(kMaxTrailerBytes) + " bytes");
    return 0;
  }
  trailer_bytes_ += line_end + 1;
  if (trailer_bytes_ > kMaxTrailerBytes) {
    fail(431, "the chunked body's trailer is over " + std::to_string(kMaxTrailerBytes) + " bytes");
    return 0;
  }
  if (without_cr(input.substr(0, line_end)).empty()) state_ = State::complete;  // trailer fields are read and dropped
  return line_end + 1;
}

}  // namespace runmock::http
