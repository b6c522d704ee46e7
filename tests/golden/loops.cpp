// The steps that wait or repeat: polls that move the manual clock until a run ends, pages that
// follow a cursor, bursts for the rate limit, event streams read while the clock moves, and the
// webhook receiver. Every wait is a short-sleep poll with a deadline, on something the test
// process sees by itself: asking runmock would add requests and shift every later request id.
#include <chrono>
#include <thread>

#include "golden/runner.h"

namespace runmock::golden {
namespace {

using Clock = std::chrono::steady_clock;

// Polls `done` every few milliseconds until it holds or `limit` has passed; whether it held.
template <typename Done>
bool wait_until(Done done, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return true;
}

HttpRequest advance_request(const std::string& seconds) {
  return {"POST", "/__runmock/clock/advance", {{"Content-Type", "application/json"}}, "{\"seconds\":" + seconds + "}"};
}

constexpr std::chrono::milliseconds kStreamDeadline{3000};
constexpr std::chrono::milliseconds kWebhookDeadline{5000};

}  // namespace

void Runner::step_advance(const YAML::Node& step) {
  check_keys(step, {"advance", "note"});
  exchange(advance_request(scalar(step["advance"], "advance (seconds)")), step);
}

// Polls (each an exchange) until `until` holds, moving the clock `advance` seconds between two
// polls (and before the first with advance_first), at most `max` polls.
void Runner::step_poll(const YAML::Node& step) {
  check_keys(step, {"poll", "as", "headers", "until", "advance", "advance_first", "max", "note"});
  if (!step["until"].IsMap()) fail_at(step, "a poll needs until: {<JSON pointer>: [values...]}");
  int max = step["max"] ? integer(step["max"], "max") : 60;
  std::string seconds = step["advance"] ? scalar(step["advance"], "advance") : "0";
  bool advance_first = step["advance_first"] && step["advance_first"].as<bool>();
  for (int i = 0; i < max; ++i) {
    if ((i > 0 || advance_first) && seconds != "0") exchange(advance_request(seconds), YAML::Node());
    if (reached(step["until"], exchange(request_line(step, step["poll"]), step))) return;
  }
  blocks_.push_back("=== poll gave up after " + std::to_string(max) + " polls\n\n");
}

// Follows a cursor: the answer's `next` pointer, sent back as the query parameter `param`, until
// an answer has none (or an empty one).
void Runner::step_paginate(const YAML::Node& step) {
  check_keys(step, {"paginate", "as", "headers", "next", "param", "max", "note"});
  HttpRequest first = request_line(step, step["paginate"]);
  auto next = pointer_of(step["next"]);
  std::string param = scalar(step["param"], "param");
  int max = step["max"] ? integer(step["max"], "max") : 20;
  HttpRequest request = first;
  for (int page = 0; page < max; ++page) {
    nlohmann::json body = nlohmann::json::parse(exchange(request, step).body, nullptr, false);
    if (body.is_discarded() || !body.contains(next) || text_of(body.at(next)).empty()) return;
    request = first;
    request.target += std::string(first.target.find('?') == std::string::npos ? "?" : "&") + param + "=" + percent_encode(text_of(body.at(next)));
  }
  blocks_.push_back("=== paginate gave up after " + std::to_string(max) + " pages\n\n");
}

// `count` copies of a request in one second of the steady clock: amperity's rate limit counts per
// second of CLOCK_MONOTONIC, which the test and runmock share, so the burst starts just after a
// second begins and lands in one window.
void Runner::step_burst(const YAML::Node& step) {
  check_keys(step, {"burst", "as", "headers", "json", "form", "body", "count", "note"});
  int count = integer(step["count"], "count");
  HttpRequest request = request_line(step, step["burst"]);
  auto second = std::chrono::ceil<std::chrono::seconds>(Clock::now().time_since_epoch());
  wait_until([&] { return Clock::now().time_since_epoch() >= second; }, std::chrono::milliseconds(1100));
  for (int i = 0; i < count; ++i) exchange(request, step);
}

void Runner::step_stream(const YAML::Node& step) {
  check_keys(step, {"stream", "name", "as", "headers", "note"});
  if (!server_) fail_at(step, "no server is running (start one with a server step)");
  std::string name = scalar(step["name"], "name");
  if (streams_.count(name)) fail_at(step["name"], "a stream '" + name + "' is already open");
  HttpRequest request = request_line(step, step["stream"]);
  std::string head = block_head(request, step["note"] ? scalar(step["note"], "note") : "");
  blocks_.emplace_back();
  streams_[name] = {std::make_unique<StreamReader>(server_->port(), request), blocks_.size() - 1, head};
}

// Waits until the stream shows `events` events in all; a step that moves the run comes after.
void Runner::step_stream_wait(const YAML::Node& step) {
  check_keys(step, {"stream_wait", "events"});
  std::string name = scalar(step["stream_wait"], "stream_wait (a stream's name)");
  auto found = streams_.find(name);
  if (found == streams_.end()) fail_at(step["stream_wait"], "no open stream '" + name + "'");
  int events = integer(step["events"], "events");
  StreamReader& reader = *found->second.reader;
  if (!wait_until([&] { return reader.events() >= events || reader.finished(); }, kStreamDeadline) || reader.events() < events) {
    found->second.head += "# stream_wait: " + std::to_string(events) + " events expected, " + std::to_string(reader.events()) + " arrived\n";
  }
}

// Waits for the server to close the stream (it does after `end`), then writes its exchange where
// the stream was opened.
void Runner::step_stream_close(const YAML::Node& step) {
  check_keys(step, {"stream_close"});
  std::string name = scalar(step["stream_close"], "stream_close (a stream's name)");
  auto found = streams_.find(name);
  if (found == streams_.end()) fail_at(step["stream_close"], "no open stream '" + name + "'");
  StreamReader& reader = *found->second.reader;
  if (!wait_until([&] { return reader.finished(); }, kStreamDeadline)) found->second.head += "# closed by the test: the server had not closed the stream\n";
  HttpAnswer answer = reader.close();
  blocks_[found->second.block] = normalize(found->second.head + format_request(reader.request()) + format_answer(answer) + "\n");
  streams_.erase(found);
}

void Runner::close_streams() {
  for (auto& [name, stream] : streams_) {
    HttpAnswer answer = stream.reader->close();
    blocks_[stream.block] = normalize(stream.head + "# closed by the test at the end of its server\n" + format_request(stream.reader->request()) + format_answer(answer) + "\n");
  }
  streams_.clear();
}

void Runner::step_receiver(const YAML::Node& step) {
  check_keys(step, {"receiver"});
  const YAML::Node& spec = step["receiver"];
  check_keys(spec, {"operation", "answers", "secret_access_key"});
  std::vector<int> answers;
  for (const auto& status : spec["answers"]) answers.push_back(integer(status, "an answer status"));
  if (answers.empty()) fail_at(spec, "a receiver needs answers: [status, ...]");
  webhook_label_ = scalar(spec["operation"], "operation (<api> <operationId> of the webhook)");
  std::string secret = vars_.expand(scalar(spec["secret_access_key"], "secret_access_key"), spec["secret_access_key"]);
  receiver_ = std::make_unique<WebhookReceiver>(answers, AwsCredentials{secret});
  webhook_calls_recorded_ = 0;
  vars_.set("hook", "http://127.0.0.1:" + std::to_string(receiver_->port()));
  vars_.set("hook_port", std::to_string(receiver_->port()));
  std::string list;
  for (int status : answers) list += (list.empty() ? "" : ", ") + std::to_string(status);
  blocks_.push_back(normalize("=== receiver on 127.0.0.1:" + std::to_string(receiver_->port()) + ", answering " + list + "\n\n"));
}

// Waits for the receiver's `calls`-th call and writes the calls not yet written. runmock records
// an attempt (its journal entry, GET /__runmock/webhooks) right after it reads the receiver's
// answer, which the test cannot see: `settle_ms` gives it that moment before the next step.
void Runner::step_webhook_wait(const YAML::Node& step) {
  check_keys(step, {"webhook_wait", "settle_ms"});
  if (!receiver_) fail_at(step, "no receiver (start one with a receiver step)");
  std::size_t calls = static_cast<std::size_t>(integer(step["webhook_wait"], "webhook_wait (calls)"));
  bool arrived = wait_until([&] { return receiver_->calls() >= calls; }, kWebhookDeadline);
  for (; webhook_calls_recorded_ < std::min(calls, receiver_->calls()); ++webhook_calls_recorded_) {
    coverage_.count(webhook_label_);
    blocks_.push_back(normalize("=== webhook call " + std::to_string(webhook_calls_recorded_ + 1) + " " + webhook_label_ + "\n" +
                                WebhookReceiver::describe(receiver_->call(webhook_calls_recorded_)) + "\n"));
  }
  if (!arrived) blocks_.push_back("=== webhook_wait: " + std::to_string(calls) + " calls expected, " + std::to_string(receiver_->calls()) + " arrived\n\n");
  std::this_thread::sleep_for(std::chrono::milliseconds(step["settle_ms"] ? integer(step["settle_ms"], "settle_ms") : 100));
}

}  // namespace runmock::golden
