#include "http/sse.h"

namespace runmock::http {

namespace {

std::string one_line(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != '\n' && c != '\r') out.push_back(c);
  }
  return out;
}

}  // namespace

std::string sse_frame(std::string_view name, std::string_view data, std::string_view id) {
  std::string out;
  if (!id.empty()) out += "id: " + one_line(id) + "\n";
  if (!name.empty()) out += "event: " + one_line(name) + "\n";
  // Each line of the data is its own data: line (\r\n, \r and \n all end a line in SSE).
  std::size_t start = 0;
  while (true) {
    std::size_t end = data.find_first_of("\r\n", start);
    out += "data: ";
    out += data.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out += "\n";
    if (end == std::string_view::npos) break;
    start = end + ((data[end] == '\r' && end + 1 < data.size() && data[end + 1] == '\n') ? 2 : 1);
  }
  out += "\n";
  return out;
}

void SseSink::event(std::string_view name, std::string_view data, std::string_view id) { buffer_ += sse_frame(name, data, id); }

void SseSink::comment(std::string_view text) { buffer_ += ": " + one_line(text) + "\n\n"; }

void SseSink::retry(std::chrono::milliseconds delay) { buffer_ += "retry: " + std::to_string(delay.count()) + "\n\n"; }

std::string SseSink::take() {
  std::string out;
  out.swap(buffer_);
  return out;
}

}  // namespace runmock::http
