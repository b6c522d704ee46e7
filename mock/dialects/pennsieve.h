// The pennsieve dialect: Pennsieve's workflow-service runs (/compute/workflows/runs...) played on
// the lifecycle engine, as contracts/pennsieve/ describes them: create-and-trigger (with
// find-or-create of workflow instances), get, status, list and cancel; the run's DAG nodes as
// engine parts; the server checks on dataSources/dataTargets/processorParams/tags/layers; the
// execution budget; and the SigV4-signed completion webhook with retries.
//
// Workflow definitions, compute nodes, target types and workflow instances come from the
// scenario files' `configurations` (see scenarios/pennsieve/configurations.yaml): each entry has
// `kind` (workflow | compute-node | target-type | instance) and `spec` (the object the contract's
// workflow-definition / compute-node / target-type schema describes; an instance's spec is
// {workflowId, computeNodeId, processorConfigs}).
//
// Tenancy: a run belongs to the Bearer JWT's `sub` claim (else its `client_id`); another
// tenant's run is a 404.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "engine/engine.h"
#include "http/jwt.h"
#include "http/server.h"
#include "loader/api_contract.h"
#include "scenario/loader.h"

namespace runmock::dialects {

struct PennsieveOptions {
  // Who may receive completion webhooks: "lambda-or-loopback" (default), "lambda", "any".
  std::string callback_policy = "lambda-or-loopback";
  bool allow_remote = false;         // deliver to hosts other than loopback
  std::string region = "us-east-1";  // for callback URLs that are not Lambda Function URLs
  std::string access_key_id;         // empty: AWS_ACCESS_KEY_ID, else the test default
  std::string secret_access_key;     // empty: AWS_SECRET_ACCESS_KEY, else the test default
  std::string session_token;         // empty: AWS_SESSION_TOKEN, else none
  int max_attempts = 5;
  double backoff_seconds = 1.0;  // delay before the 2nd attempt; doubles each time (clock time)
  double jitter = 0.0;           // 0..1: each delay is multiplied by 1 + jitter * U(-1, 1)
  int timeout_seconds = 10;
};

// The test credentials used when neither flags nor the environment give any (AWS's documented
// example key pair).
inline constexpr const char* kDefaultAccessKeyId = "AKIDEXAMPLE";
inline constexpr const char* kDefaultSecretAccessKey = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

class Pennsieve {
 public:
  static constexpr const char* kApi = "pennsieve";

  Pennsieve(engine::Engine& engine, scenario::ScenarioRegistry& scenarios, const contracts::ApiContract& contract,
            http::jwt::Verifier verifier, PennsieveOptions options = {});
  ~Pennsieve();
  Pennsieve(const Pennsieve&) = delete;
  Pennsieve& operator=(const Pennsieve&) = delete;

  // Registers the dialect, its routes and GET /__runmock/webhooks; starts the webhook thread.
  void install(http::Server& server);

  nlohmann::json run_json(const engine::RunSnapshot& run) const;

  // A run as create makes it, for the admin API's seeding. `spec.tenant`: the token's sub (else
  // client_id) (default: the dev token's, "runmock-dev"); `spec.request`: the create body (default:
  // the first workflow instance the configurations declare; not checked like a client's body).
  engine::CreateRequest seed_run(const engine::SeedSpec& spec) const;
  static nlohmann::json error_body(const http::ErrorInfo& info);

 private:
  std::variant<std::string, http::Response> authenticate(http::RequestContext& ctx) const;
  std::variant<engine::RunSnapshot, http::Response> find_run(http::RequestContext& ctx, const std::string& tenant, bool poll);
  // Applies the budget rule to a run as observed (fails it when its spend passed its cap).
  engine::RunSnapshot enforce(engine::RunSnapshot run);
  http::Response bad_request(http::RequestContext& ctx, const std::vector<http::Violation>& violations) const;

  // What create hands the engine for a checked request (shared with seed_run).
  engine::CreateRequest new_run(const std::string& tenant, const std::string& instance_id, const nlohmann::json& instance,
                                const nlohmann::json& workflow, const nlohmann::json& body, const nlohmann::json& data_targets,
                                std::shared_ptr<const engine::Script> script, engine::Instant created_at) const;

  http::Response create(http::RequestContext& ctx);
  http::Response get(http::RequestContext& ctx);
  http::Response status(http::RequestContext& ctx);
  http::Response list(http::RequestContext& ctx);
  http::Response cancel(http::RequestContext& ctx);
  http::Response webhooks(http::RequestContext& ctx);

  void webhook_loop();
  void deliver(const std::string& run_id);

  engine::Engine& engine_;
  scenario::ScenarioRegistry& scenarios_;
  const contracts::ApiContract& contract_;
  http::jwt::Verifier verifier_;
  PennsieveOptions options_;

  // Instances made by find-or-create: canonical configuration → uuid, and uuid → configuration.
  std::mutex instances_mutex_;
  std::map<std::string, std::string> instance_by_config_;
  std::map<std::string, nlohmann::json> instances_;

  // Completion webhooks: one per run that has a completionCallbackUrl.
  struct Delivery {
    std::string run_id;
    std::string url;
    std::string state = "waiting";  // waiting (the run has not ended) | pending | delivered | failed
    int attempts_made = 0;
    std::optional<engine::Instant> next_at;
    nlohmann::json body;
    nlohmann::json attempts = nlohmann::json::array();
  };
  std::mutex deliveries_mutex_;
  std::vector<Delivery> deliveries_;
  std::condition_variable wake_;
  std::atomic<bool> stopping_{false};
  std::thread worker_;
  std::uint64_t jitter_state_ = 0x9e3779b97f4a7c15ULL;
  http::Journal* journal_ = nullptr;  // every webhook attempt is journaled (api pennsieve, verdict "webhook")
};

// AWS Signature Version 4 (header signing).
namespace sigv4 {
struct Request {
  std::string method;
  std::string path;   // as sent (already URI-encoded), without the query
  std::string query;  // as sent, without '?'
  std::vector<std::pair<std::string, std::string>> headers;  // as sent (host included)
  std::string body;
};
struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;
};
struct Signed {
  std::string canonical_request;
  std::string string_to_sign;
  std::string signature;
  std::string authorization;
};
std::string sha256_hex(const std::string& data);
// `amz_date` is yyyymmddThhmmssZ. `normalize_path`: remove dot segments and double slashes
// (every service but S3). `signed_body_hash`: the payload hash to use (default: SHA-256 of body).
Signed sign(const Request& request, const Credentials& credentials, const std::string& region, const std::string& service,
            const std::string& amz_date, bool normalize_path = true, const std::string& payload_hash = "");
}  // namespace sigv4

}  // namespace runmock::dialects
