#include "mechanisms/webhook.h"

#include <httplib.h>

#include "engine/time.h"
#include "mechanisms/digest.h"
#include "mechanisms/sigv4.h"

namespace runmock::mechanisms {

using nlohmann::json;

WebhookDeliveries::WebhookDeliveries(WebhookConfig config, WebhookSource source, http::Journal* journal)
    : config_(std::move(config)), source_(std::move(source)), journal_(journal) {
  worker_ = std::thread([this] { loop(); });
}

WebhookDeliveries::~WebhookDeliveries() {
  stopping_ = true;
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

void WebhookDeliveries::add(const std::string& run_id, const std::string& url) {
  {
    std::lock_guard lock(mutex_);
    Delivery d;
    d.run_id = run_id;
    d.url = url;
    deliveries_.push_back(std::move(d));
  }
  wake_.notify_all();
}

json WebhookDeliveries::to_json() const {
  json out = json::array();
  std::lock_guard lock(mutex_);
  for (const auto& d : deliveries_) out.push_back({{"runId", d.run_id}, {"url", d.url}, {"state", d.state}, {"body", d.body}, {"attempts", d.attempts}});
  return {{"webhooks", out}};
}

void WebhookDeliveries::loop() {
  while (!stopping_) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(25));
    }
    if (stopping_) break;
    for (const auto& id : due_now()) deliver(id);
  }
}

// The deliveries to attempt now: retries that are due, and runs that have just ended.
std::vector<std::string> WebhookDeliveries::due_now() {
  std::vector<std::string> due, waiting;
  {
    std::lock_guard lock(mutex_);
    engine::Instant now = source_.now();
    for (auto& d : deliveries_) {
      if (d.state == "waiting") waiting.push_back(d.run_id);
      if (d.state == "pending" && d.next_at && !(now < *d.next_at)) due.push_back(d.run_id);
    }
  }
  arm_ended(waiting, due);
  return due;
}

void WebhookDeliveries::arm_ended(const std::vector<std::string>& waiting, std::vector<std::string>& due) {
  for (const auto& id : waiting) {
    auto run = source_.peek(id);
    if (!run || !run->terminal()) continue;
    json body = source_.render(*run);
    std::lock_guard lock(mutex_);
    for (auto& d : deliveries_) {
      if (d.run_id == id && d.state == "waiting") {
        d.state = "pending";
        d.body = body;
        d.next_at = source_.now();
        due.push_back(id);
      }
    }
  }
}

WebhookDeliveries::Outcome WebhookDeliveries::attempt(const std::string& url, const std::string& payload, engine::Instant now) const {
  Outcome out;
  out.attempt = {{"time", engine::format_timestamp(now)}, {"status", nullptr}, {"error", nullptr}};
  auto parsed = parse_url(url);
  if (!parsed) {
    out.attempt["error"] = "unparsable URL";
    return out;
  }
  if (!is_loopback_host(parsed->host) && !config_.allow_remote) {
    out.attempt["error"] = "delivery to " + parsed->host + " refused: runmock delivers only to loopback (--webhook-allow-remote)";
    return out;
  }
  if (parsed->scheme != "http") {
    out.attempt["error"] = "https delivery is not supported by this build";
    return out;
  }
  std::string region = lambda_region(url).value_or(config_.region);
  std::string host = parsed->host + (parsed->port.empty() ? "" : ":" + parsed->port);
  std::string amz_date = engine::format_basic_timestamp(now);
  std::string hash = sha256_hex(payload);
  sigv4::Request request;
  request.method = "POST";
  std::size_t q = parsed->path.find('?');
  request.path = parsed->path.substr(0, q);
  request.query = q == std::string::npos ? "" : parsed->path.substr(q + 1);
  request.headers = {{"host", host}, {"content-type", "application/json"}, {"x-amz-date", amz_date}, {"x-amz-content-sha256", hash}};
  if (!config_.session_token.empty()) request.headers.emplace_back("x-amz-security-token", config_.session_token);
  request.body = payload;
  auto signed_request = sigv4::sign(request, {config_.access_key_id, config_.secret_access_key, config_.session_token}, region, config_.service, amz_date);
  httplib::Headers headers = {{"Authorization", signed_request.authorization}, {"X-Amz-Date", amz_date}, {"X-Amz-Content-Sha256", hash}};
  if (!config_.session_token.empty()) headers.emplace("X-Amz-Security-Token", config_.session_token);
  httplib::Client client(parsed->host, parsed->port.empty() ? 80 : std::stoi(parsed->port));
  client.set_connection_timeout(config_.timeout_seconds, 0);
  client.set_read_timeout(config_.timeout_seconds, 0);
  client.set_write_timeout(config_.timeout_seconds, 0);
  auto result = client.Post(parsed->path, headers, payload, "application/json");
  if (!result) {
    out.attempt["error"] = "connection failed: " + httplib::to_string(result.error());
    out.retry = true;
  } else {
    out.attempt["status"] = result->status;
    out.delivered = result->status >= 200 && result->status < 300;
    if (!out.delivered) {
      out.retry = result->status == 408 || result->status == 429 || result->status >= 500;
      out.attempt["error"] = "HTTP " + std::to_string(result->status);
    }
  }
  return out;
}

void WebhookDeliveries::deliver(const std::string& run_id) {
  std::string url;
  json body;
  {
    std::lock_guard lock(mutex_);
    for (auto& d : deliveries_) {
      if (d.run_id == run_id && d.state == "pending") {
        url = d.url;
        body = d.body;
      }
    }
  }
  if (url.empty()) return;
  engine::Instant now = source_.now();
  Outcome outcome = attempt(url, body.dump(), now);
  journal(run_id, url, outcome.attempt, now);
  record(run_id, std::move(outcome.attempt), outcome.delivered, outcome.retry, now);
}

void WebhookDeliveries::journal(const std::string& run_id, const std::string& url, const json& attempt, engine::Instant now) const {
  if (!journal_) return;
  http::JournalEntry entry;
  entry.time = engine::format_timestamp(now);
  entry.method = "POST";
  entry.path = url;
  entry.status = attempt["status"].is_number() ? attempt["status"].get<int>() : 0;
  entry.api = config_.api;
  entry.run = run_id;
  entry.verdict = "webhook";
  entry.message = "completion webhook attempt" + (attempt["error"].is_string() ? ": " + attempt["error"].get<std::string>() : std::string());
  journal_->record(std::move(entry));
}

void WebhookDeliveries::record(const std::string& run_id, json attempt, bool delivered, bool retry, engine::Instant now) {
  std::lock_guard lock(mutex_);
  for (auto& d : deliveries_) {
    if (d.run_id != run_id || d.state != "pending") continue;
    d.attempts_made++;
    attempt["attempt"] = d.attempts_made;
    d.attempts.push_back(attempt);
    if (delivered) {
      d.state = "delivered";
    } else if (!retry || d.attempts_made >= config_.max_attempts) {
      d.state = "failed";
    } else {
      double delay = config_.backoff_seconds * static_cast<double>(1u << std::min(d.attempts_made - 1, 20));
      if (config_.jitter > 0) {
        jitter_state_ = jitter_state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = static_cast<double>(jitter_state_ >> 11) / static_cast<double>(1ULL << 53) * 2 - 1;
        delay *= 1 + config_.jitter * u;
      }
      d.next_at = now + std::chrono::duration_cast<engine::Duration>(std::chrono::duration<double>(delay));
    }
  }
}

}  // namespace runmock::mechanisms
