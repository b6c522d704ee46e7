#include "mechanisms/status_stream.h"

#include <memory>

#include "engine/time.h"

namespace runmock::mechanisms {

using nlohmann::json;

namespace {

// What the stream has told the client so far.
struct Progress {
  bool started = false;
  std::uint64_t sequence = 0;
  std::uint64_t version = 0;
  std::string status;
  std::map<std::string, std::string> part_states;
};

const json& at_pointer(const json& root, const std::string& pointer) {
  static const json kNull;
  try {
    return root.at(json::json_pointer(pointer));
  } catch (const std::exception&) {
    return kNull;
  }
}

class Stream {
 public:
  Stream(StatusStreamConfig config, StatusStreamSource source, std::string request_id, std::uint64_t sequence)
      : config_(std::move(config)), source_(std::move(source)), request_id_(std::move(request_id)) {
    progress_.sequence = sequence;
  }

  bool step(http::SseSink& sink) {
    auto run = source_.peek();
    if (!run) return gone(sink);
    if (progress_.started && run->version() == progress_.version) return true;
    json detail = source_.render(*run);
    bool snapshot = !progress_.started;
    progress_.started = true;
    if (snapshot) {
      sink.retry(std::chrono::milliseconds(config_.retry_ms));
      event(sink, "status", detail, status_fields(detail, nullptr), source_.now());
    } else if (run->state() != progress_.status) {
      event(sink, "status", detail, status_fields(detail, progress_.status), run->phase_entered_at());
    }
    progress_.status = run->state();
    progress_.version = run->version();
    part_events(sink, *run, detail, snapshot);
    if (!run->terminal()) return true;
    event(sink, "end", detail, status_fields(detail, nullptr), run->ended_at().value_or(run->phase_entered_at()));
    sink.close();
    return false;
  }

 private:
  bool gone(http::SseSink& sink) {
    json data = config_.gone;
    data["request_id"] = request_id_;
    sink.event("error", data.dump(), std::to_string(++progress_.sequence));
    sink.close();
    return false;
  }

  json status_fields(const json& detail, json previous) const {
    json fields = {{"previous_status", std::move(previous)}};
    for (const auto& name : config_.status_fields) fields[name] = detail.contains(name) ? detail[name] : json(nullptr);
    return fields;
  }

  void event(http::SseSink& sink, const char* name, const json& detail, const json& extra, engine::Instant at) {
    json data = {{"event", name}, {"sequence", ++progress_.sequence}};
    for (const auto& [field, pointer] : config_.copy) data[field] = at_pointer(detail, pointer);
    data["timestamp"] = engine::format_timestamp(at, config_.fraction_digits);
    data.update(extra);
    data["run"] = detail;
    sink.event(name, data.dump(), std::to_string(progress_.sequence));
  }

  // A part event per visible item whose state changed (items the snapshot already shows: none).
  void part_events(http::SseSink& sink, const engine::RunSnapshot& run, const json& detail, bool snapshot) {
    if (config_.part_key.empty()) return;
    for (const auto& item : run.part(config_.part_key)) {
      if (!item.visible()) continue;
      auto& known = progress_.part_states[item.id];
      if (known == item.state) continue;
      bool in_snapshot = known.empty() && snapshot;
      known = item.state;
      if (in_snapshot) continue;
      engine::Instant at = item.history.empty() ? run.phase_entered_at() : item.history.back().second;
      event(sink, config_.part_event.c_str(), detail, {{config_.part_field, source_.render_item(run, item)}}, at);
    }
  }

  StatusStreamConfig config_;
  StatusStreamSource source_;
  std::string request_id_;
  Progress progress_;
};

}  // namespace

std::uint64_t last_event_number(const std::optional<std::string>& header) {
  if (!header || header->empty() || header->size() >= 19 || header->find_first_not_of("0123456789") != std::string::npos) return 0;
  return std::stoull(*header);
}

http::SseStep status_stream(StatusStreamConfig config, StatusStreamSource source, std::string request_id, std::uint64_t last_event_id) {
  auto stream = std::make_shared<Stream>(std::move(config), std::move(source), std::move(request_id), last_event_id);
  return [stream](http::SseSink& sink) { return stream->step(sink); };
}

}  // namespace runmock::mechanisms
