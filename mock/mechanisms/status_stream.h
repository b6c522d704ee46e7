// A run's status as Server-Sent Events (a dialect's `mechanisms: events:`): on connection a
// `status` snapshot, then a `status` event on every change of the run's state, a part event (e.g.
// `task`) on every change of a part item's state, and `end` once the run is terminal, after which
// the stream closes. Each event's data is one line of JSON: {event, sequence, <copied fields>,
// timestamp, [previous_status and the status fields], [the item], run: <the representation>}.
// `Last-Event-ID` (digits) resumes the numbering; no history is kept, so a resumed stream starts
// with a snapshot. A run that goes away (reset) gets an `error` event and the stream closes.
//
// Configuration (StatusStreamConfig): which fields of the representation every event copies, which
// fields status and end events add, the part whose items make part events (its event name, the
// field the item goes in), the `retry:` hint, and the body of the `error` event.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "http/sse.h"

namespace runmock::mechanisms {

struct StatusStreamConfig {
  std::map<std::string, std::string> copy;  // event field → JSON Pointer into the representation
  std::vector<std::string> status_fields;   // copied from the representation into status and end events
  std::string part_key, part_event, part_field;
  int retry_ms = 3000;
  nlohmann::json gone;  // the `error` event's data (request_id is added)
  int fraction_digits = -1;
};

struct StatusStreamSource {
  std::function<std::optional<engine::RunSnapshot>()> peek;        // the run now (nullopt: gone)
  std::function<nlohmann::json(const engine::RunSnapshot&)> render;  // its representation
  std::function<nlohmann::json(const engine::RunSnapshot&, const engine::PartItem&)> render_item;
  std::function<engine::Instant()> now;
};

// The step of the stream (http::Response::event_stream). `last_event_id`: the client's
// Last-Event-ID header, when it sent digits.
http::SseStep status_stream(StatusStreamConfig config, StatusStreamSource source, std::string request_id, std::uint64_t last_event_id);

// A Last-Event-ID value as a number (digits only, under 19 of them), else 0.
std::uint64_t last_event_number(const std::optional<std::string>& header);

}  // namespace runmock::mechanisms
