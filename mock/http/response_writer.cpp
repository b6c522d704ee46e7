#include "http/response_writer.h"

#include <algorithm>
#include <string>

#include "http/json_text.h"

namespace runmock::http {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Moves the response's own headers into `headers`; returns its Content-Type (empty when none).
std::string take_headers(Response& response, ResponseHeaders& headers) {
  std::string content_type;
  for (auto& [name, value] : response.headers) {
    if (equals_ignoring_case(name, "Content-Type")) {
      content_type = value;
    } else {
      headers.emplace_back(std::move(name), std::move(value));
    }
  }
  return content_type;
}

// One SSE stream, stepped on this worker: at once, then every poll interval, until the step says
// so, the client goes, the server stops or the stream's time is up.
void write_stream(Exchange& exchange, Response& response, ResponseHeaders headers, const WriteOptions& options) {
  headers.emplace_back("Content-Type", "text/event-stream");
  headers.emplace_back("Cache-Control", "no-cache");
  headers.emplace_back("X-Accel-Buffering", "no");
  if (!exchange.begin(response.status, headers)) return;
  const SseOptions& o = response.stream_options;
  auto poll = std::max(o.poll_interval, std::chrono::milliseconds(1));
  auto deadline = SteadyClock::now() + (o.max_duration.count() > 0 ? o.max_duration : options.max_stream_duration);
  auto last_write = SteadyClock::now();
  for (bool first = true;; first = false) {
    if (!first && options.stop && options.stop->wait_for(poll)) break;
    auto now = SteadyClock::now();
    if (now >= deadline || exchange.peer_closed()) break;
    SseSink frames;
    bool more = true;
    try {
      more = response.stream(frames);
    } catch (const std::exception& e) {
      frames.comment(std::string("runmock: the stream failed: ") + e.what());
      more = false;
    }
    std::string text = frames.take();
    if (text.empty() && o.keep_alive_interval.count() > 0 && now - last_write >= o.keep_alive_interval) text = ": keep-alive\n\n";
    if (!text.empty()) {
      if (!exchange.write(text)) return;  // the client went away
      last_write = now;
    }
    if (!more || frames.closed()) break;
  }
  exchange.end();
}

// A body that comes as it is produced: a proxied stream, a large download.
void write_produced(Exchange& exchange, Response& response, ResponseHeaders headers, std::string content_type, const WriteOptions& options) {
  headers.emplace_back("Content-Type", content_type.empty() ? "application/octet-stream" : content_type);
  if (!exchange.begin(response.status, headers)) return;
  while (true) {
    std::string chunk;
    BodyProgress progress = BodyProgress::broken;
    try {
      progress = response.body_producer(chunk);
    } catch (...) {
      progress = BodyProgress::broken;  // never let an exception out into the worker
    }
    if (!chunk.empty() && !exchange.write(chunk)) return;
    if (progress == BodyProgress::complete) {
      exchange.end();
      return;
    }
    // A broken body, or one cut short by a stopping server: the client sees the connection end.
    if (progress == BodyProgress::broken || (options.stop && options.stop->stopped())) {
      exchange.drop(false);
      return;
    }
  }
}

// truncate: the whole answer's length, then only its first bytes and a closed connection; drip:
// every byte, a few at a time.
void write_faulty(Exchange& exchange, int status, const ResponseHeaders& headers, const std::string& body, const faults::Fault& fault,
                  const WriteOptions& options) {
  if (!exchange.begin(status, headers, body.size())) return;
  if (fault.kind == faults::Kind::truncate) {
    std::size_t keep = fault.bytes == 0 ? body.size() / 2 : std::min(fault.bytes, body.empty() ? 0 : body.size() - 1);
    exchange.write(std::string_view(body).substr(0, keep));
    exchange.drop(false);
    return;
  }
  std::size_t chunk = std::max<std::size_t>(fault.bytes, 1);
  for (std::size_t offset = 0; offset < body.size(); offset += chunk) {
    if (offset > 0 && options.stop && options.stop->wait_for(fault.interval)) {
      exchange.drop(false);
      return;
    }
    if (!exchange.write(std::string_view(body).substr(offset, chunk))) return;
  }
}

}  // namespace

void write_response(Exchange& exchange, Response& response, ResponseHeaders headers, const WriteOptions& options) {
  std::string content_type = take_headers(response, headers);
  if (response.stream) {
    write_stream(exchange, response, std::move(headers), options);
    return;
  }
  if (response.body_producer) {
    write_produced(exchange, response, std::move(headers), content_type.empty() ? response.content_type : content_type, options);
    return;
  }
  std::string body;
  if (response.json_body) {
    body = dump_json(*response.json_body);
    headers.emplace_back("Content-Type", content_type.empty() ? "application/json" : content_type);
  } else {
    body = std::move(response.body);
    if (!body.empty() || !response.content_type.empty() || !content_type.empty()) {
      headers.emplace_back("Content-Type", !content_type.empty()             ? content_type
                                           : !response.content_type.empty() ? response.content_type
                                                                            : "application/octet-stream");
    }
  }
  const faults::Fault* fault = options.fault;
  if (fault && (fault->kind == faults::Kind::truncate || fault->kind == faults::Kind::drip)) {
    write_faulty(exchange, response.status, headers, body, *fault, options);
    return;
  }
  exchange.send(response.status, headers, body);
}

}  // namespace runmock::http
