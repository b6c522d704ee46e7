// The emergence dialect: Emergence AI's data-readiness workflow runs
// (/api/data-readiness/workflows/{configuration_id}/runs...) played on the lifecycle engine, as
// contracts/emergence/ describes them: create, get, list, cancel and the event stream, Bearer JWT
// tenancy (client_id + project_id), the platform error envelope and 422 VALIDATION_ERROR.
#pragma once

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

class Emergence {
 public:
  static constexpr const char* kApi = "emergence";

  // All three must outlive the server the dialect is installed on.
  Emergence(engine::Engine& engine, scenario::ScenarioRegistry& scenarios, const contracts::ApiContract& contract,
            http::jwt::Verifier verifier);

  // Registers the dialect (its error shape) and its routes.
  void install(http::Server& server);

  // A run as create makes it, for the admin API's seeding. `spec.tenant`: {"client_id", "project_id"}
  // (default: the dev token's); `spec.request`: the create body's fields plus "configuration_id"
  // (default: the seed configuration and asset).
  engine::CreateRequest seed_run(const engine::SeedSpec& spec) const;
  static constexpr const char* kSeedConfigurationId = "550e8400-e29b-41d4-a716-446655440001";
  static constexpr const char* kSeedAssetFqn = "PostgreSQL.dvdrental.public";

  // The run as getWorkflowRun answers it.
  nlohmann::json run_detail(const engine::RunSnapshot& run) const;

  // The platform error envelope {"error": {code, message, status, details, request_id, trace_id}};
  // a 422's details list every field error as {loc, field, message, type}.
  static nlohmann::json error_body(const http::ErrorInfo& info);

 private:
  struct Caller {
    engine::Owner owner;
    std::string project_id;
  };
  // The caller's tenant from the Bearer token, or the 401/403 to answer.
  std::variant<Caller, http::Response> authenticate(http::RequestContext& ctx) const;
  // The run of this caller under this configuration (a poll when `poll`), or the 404 to answer.
  std::variant<engine::RunSnapshot, http::Response> find_run(http::RequestContext& ctx, const Caller& caller, bool poll) const;

  http::Response create(http::RequestContext& ctx);
  http::Response get(http::RequestContext& ctx);
  http::Response list(http::RequestContext& ctx);
  http::Response cancel(http::RequestContext& ctx);
  http::Response stream(http::RequestContext& ctx);

  nlohmann::json summary(const engine::RunSnapshot& run) const;
  // What create hands the engine for a checked request (shared with seed_run).
  engine::CreateRequest new_run(const std::string& tenant, const std::string& configuration_id, const scenario::Configuration& configuration,
                                const nlohmann::json& body, std::shared_ptr<const engine::Script> script) const;

  engine::Engine& engine_;
  scenario::ScenarioRegistry& scenarios_;
  const contracts::ApiContract& contract_;
  http::jwt::Verifier verifier_;
  // Tokens already verified, with their exp (checked again on every use): a client sends the same
  // token on every poll, and verifying it each time costs more than the poll itself.
  struct VerifiedToken {
    Caller caller;
    std::optional<std::int64_t> exp;
  };
  mutable std::mutex tokens_mutex_;
  mutable std::unordered_map<std::string, VerifiedToken> verified_tokens_;
};

// The service, database, schema and table names an asset FQN holds
// ("PostgreSQL.dvdrental.public.customer"); a part that holds a dot is double-quoted. Missing
// parts are null.
nlohmann::json fqn_parts(const nlohmann::json& asset_fqn);

}  // namespace runmock::dialects
