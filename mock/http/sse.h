// Server-Sent Events: a handler answers with Response::event_stream(step); the layer calls `step`
// on the worker thread, at once and then every poll_interval, and sends what it wrote as
// `event:`/`id:`/`data:` frames, with `: keep-alive` comments in the silences. The stream ends when
// the step returns false or closes the sink, when a write fails (the client went away), when the
// server stops, or after max_duration: a worker thread is never held forever.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace runmock::http {

struct SseOptions {
  std::chrono::milliseconds poll_interval{200};         // how often step() runs
  std::chrono::milliseconds keep_alive_interval{15000};  // a ": keep-alive" comment after this much silence
  std::chrono::milliseconds max_duration{0};            // 0: ServerConfig::sse_max_duration
};

// Collects the frames one step writes.
class SseSink {
 public:
  // "id: <id>\nevent: <name>\ndata: <line>\n...\n\n". A data text with line breaks becomes several
  // data lines; an empty name or id is left out; line breaks in them are dropped.
  void event(std::string_view name, std::string_view data, std::string_view id = {});
  // ": <text>\n\n" (a comment: clients ignore it; it keeps proxies and the connection alive).
  void comment(std::string_view text);
  // "retry: <ms>\n\n": how long an EventSource waits before it reconnects.
  void retry(std::chrono::milliseconds delay);
  // Ends the stream once what was written is sent.
  void close() { closed_ = true; }

  bool closed() const { return closed_; }
  // The frames written since the last take(), for the layer.
  std::string take();

 private:
  std::string buffer_;
  bool closed_ = false;
};

// One step of a stream: write what is new, return false to end the stream. It runs after the
// handler has returned, on the worker thread: capture by value what it needs (never the
// RequestContext).
using SseStep = std::function<bool(SseSink&)>;

// One frame as SseSink::event writes it.
std::string sse_frame(std::string_view name, std::string_view data, std::string_view id = {});

}  // namespace runmock::http
