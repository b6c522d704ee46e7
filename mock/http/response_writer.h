// Writes a handler's Response to its client through the connection's Exchange: a whole JSON or
// text body, a Server-Sent Events stream stepped on the worker until it ends, a streamed body, and
// the faults carried out while writing (truncate: the promised length, then fewer bytes and a
// close; drip: the whole body a few bytes at a time).
#pragma once

#include <chrono>

#include "faults/fault.h"
#include "http/connection_pool.h"
#include "http/context.h"
#include "http/stop_signal.h"

namespace runmock::http {

struct WriteOptions {
  const StopSignal* stop = nullptr;                  // streams and drips end when it is triggered
  std::chrono::milliseconds max_stream_duration{0};  // a stream's cap when its options set none
  const faults::Fault* fault = nullptr;              // truncate or drip: carried out here
};

// `headers` are the answer's own (X-Request-Id, CORS ...) besides Content-Type, which comes from
// the response. Returns once the answer is written, the stream ended, or the client is gone.
void write_response(Exchange& exchange, Response& response, ResponseHeaders headers, const WriteOptions& options);

}  // namespace runmock::http
