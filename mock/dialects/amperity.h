// The amperity dialect: Amperity's workflow runs (/api/workflow/runs...) played on the lifecycle
// engine, as contracts/amperity/ describes them: start, get (overview/verbose), list (filters,
// next_token cursor, with_total) and stop; Bearer auth, the amperity-tenant header (runs are
// isolated per tenant), the api-version header or api_version parameter, the
// {status, message, request_id, trace_id} error body and the 10 requests/second/tenant limit.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <variant>

#include "engine/engine.h"
#include "http/jwt.h"
#include "http/server.h"
#include "loader/api_contract.h"
#include "scenario/loader.h"

namespace runmock::dialects {

struct AmperityOptions {
  int start_status = 200;  // --amperity-start-status: 200 (seed 003) or 201 (the published OpenAPI)
  int rate_limit = 10;     // --amperity-rate-limit: requests per real second per tenant; 0: no limit
};

class Amperity {
 public:
  static constexpr const char* kApi = "amperity";
  static constexpr const char* kVersion = "2024-04-01";

  // All three must outlive the server the dialect is installed on.
  Amperity(engine::Engine& engine, scenario::ScenarioRegistry& scenarios, const contracts::ApiContract& contract,
           http::jwt::Verifier verifier, AmperityOptions options = {});

  void install(http::Server& server);

  // A run as start makes it, for the admin API's seeding. `spec.tenant`: the amperity-tenant value
  // (default: the dev token's client id, "runmock-dev"); `spec.request`: the start body (default:
  // config_id cg-123ABc4DE, the seed's "Daily").
  engine::CreateRequest seed_run(const engine::SeedSpec& spec) const;
  static constexpr const char* kSeedConfigId = "cg-123ABc4DE";

  // The workflow with every property (view=verbose, start, stop, list items).
  nlohmann::json workflow(const engine::RunSnapshot& run) const;
  // view=overview: created_at, ended_at, id, name, state, tenant, type.
  static nlohmann::json overview(const nlohmann::json& workflow);

  // {status, message, request_id, trace_id}.
  static nlohmann::json error_body(const http::ErrorInfo& info);

 private:
  // The tenant of the request, or the error to answer (401, 400, 429).
  std::variant<std::string, http::Response> admit(http::RequestContext& ctx, bool version_in_body_allowed);
  bool over_rate_limit(const std::string& tenant);
  std::variant<engine::RunSnapshot, http::Response> find_run(http::RequestContext& ctx, const std::string& tenant, bool poll) const;
  http::Response bad_request(http::RequestContext& ctx, const std::vector<http::Violation>& violations) const;

  // What start hands the engine for a checked request (shared with seed_run); `config_id` has a
  // known prefix (cg-, og-, cc-).
  engine::CreateRequest new_run(const std::string& tenant, const std::string& config_id, const nlohmann::json& configuration_fields, const nlohmann::json& body,
                                std::shared_ptr<const engine::Script> script, engine::Instant created_at) const;

  http::Response start(http::RequestContext& ctx);
  http::Response get(http::RequestContext& ctx);
  http::Response list(http::RequestContext& ctx);
  http::Response stop(http::RequestContext& ctx);

  engine::Engine& engine_;
  scenario::ScenarioRegistry& scenarios_;
  const contracts::ApiContract& contract_;
  http::jwt::Verifier verifier_;
  AmperityOptions options_;

  // Fixed one-second windows of real (steady) time, per tenant.
  struct Window {
    std::int64_t second = -1;
    int count = 0;
  };
  std::mutex rate_mutex_;
  std::unordered_map<std::string, Window> windows_;
};

// A partial ISO 8601 UTC timestamp (YYYY, YYYY-MM, …, YYYY-MM-DDThh:mm:ss.f, optional Z or
// +00:00) as the first instant it names. nullopt when malformed.
std::optional<engine::Instant> parse_partial_timestamp(const std::string& text);

}  // namespace runmock::dialects
