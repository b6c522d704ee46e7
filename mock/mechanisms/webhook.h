// Completion webhooks (a dialect's `mechanisms: webhook:`): when a run that was created with a
// callback URL ends, the server POSTs the run's webhook representation there, signed with AWS
// SigV4, retried with exponential backoff (clock time) on connection failures, 408, 429 and 5xx,
// every attempt journaled (verdict "webhook") and listed by GET /__runmock/webhooks.
//
// Configuration (WebhookConfig): which callback URLs a create may give (policy), whether to
// deliver beyond loopback, the SigV4 service, region (a Lambda Function URL names its own) and
// credentials, the number of attempts, the first backoff, the jitter and one attempt's timeout.
// The runs come from WebhookSource: peek (the run as observed, after the API's own rules) and
// render (the body). A background thread looks every 25 ms (and at once when woken).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/engine.h"
#include "http/journal.h"
#include "mechanisms/callback_url.h"

namespace runmock::mechanisms {

struct WebhookConfig {
  std::string api;  // the journal entries' api
  CallbackPolicy policy = CallbackPolicy::lambda_or_loopback;
  bool allow_remote = false;
  std::string service = "lambda";
  std::string region = "us-east-1";
  std::string access_key_id, secret_access_key, session_token;
  int max_attempts = 5;
  double backoff_seconds = 1.0;  // before the 2nd attempt; doubles each time
  double jitter = 0.0;           // 0..1: each delay × (1 + jitter × U(-1, 1))
  int timeout_seconds = 10;
};

struct WebhookSource {
  std::function<std::optional<engine::RunSnapshot>(const std::string& run_id)> peek;
  std::function<nlohmann::json(const engine::RunSnapshot&)> render;
  std::function<engine::Instant()> now;
};

class WebhookDeliveries {
 public:
  WebhookDeliveries(WebhookConfig config, WebhookSource source, http::Journal* journal);
  ~WebhookDeliveries();  // stops the thread
  WebhookDeliveries(const WebhookDeliveries&) = delete;
  WebhookDeliveries& operator=(const WebhookDeliveries&) = delete;

  // Whether a create may give this URL.
  bool accepts(const std::string& url) const { return accepted(url, config_.policy); }
  const WebhookConfig& config() const { return config_; }

  // Deliver when `run_id` ends.
  void add(const std::string& run_id, const std::string& url);
  // Look now (a run moved: a cancel).
  void wake() { wake_.notify_all(); }
  // GET /__runmock/webhooks: {"webhooks": [{runId, url, state, body, attempts}]}.
  nlohmann::json to_json() const;

 private:
  struct Delivery {
    std::string run_id;
    std::string url;
    std::string state = "waiting";  // waiting (the run has not ended) | pending | delivered | failed
    int attempts_made = 0;
    std::optional<engine::Instant> next_at;
    nlohmann::json body;
    nlohmann::json attempts = nlohmann::json::array();
  };
  struct Outcome {
    nlohmann::json attempt;
    bool delivered = false;
    bool retry = false;
  };

  void loop();
  std::vector<std::string> due_now();
  void arm_ended(const std::vector<std::string>& waiting, std::vector<std::string>& due);
  void deliver(const std::string& run_id);
  Outcome attempt(const std::string& url, const std::string& payload, engine::Instant now) const;
  void journal(const std::string& run_id, const std::string& url, const nlohmann::json& attempt, engine::Instant now) const;
  void record(const std::string& run_id, nlohmann::json attempt, bool delivered, bool retry, engine::Instant now);

  WebhookConfig config_;
  WebhookSource source_;
  http::Journal* journal_;
  mutable std::mutex mutex_;
  std::vector<Delivery> deliveries_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::uint64_t jitter_state_ = 0x9e3779b97f4a7c15ULL;
  std::thread worker_;
};

}  // namespace runmock::mechanisms
