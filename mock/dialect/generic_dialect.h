// One API played on the lifecycle engine, as its dialect file says: every API runmock mocks is an
// instance of this class and a folder of data. A request goes through the same steps whatever the
// API (docs/dialects.md, "How a request is handled"):
//   admit (Admission) → read and check the body (contract) → configuration → hooks → the run
//   (create, find, act, list) → its representation (Representations) → the answer.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>

#include "dialect/admission.h"
#include "dialect/hooks.h"
#include "dialect/spec.h"
#include "engine/engine.h"
#include "http/jwt.h"
#include "http/server.h"
#include "mechanisms/id_template.h"
#include "mechanisms/webhook.h"
#include "scenario/loader.h"

namespace runmock::dialect {

// The values of a dialect's options (options: in its file), by name: the command line's, else the
// environment's, else the defaults.
using OptionValues = std::map<std::string, nlohmann::json>;

class GenericDialect {
 public:
  // Every reference must outlive the dialect; `hooks`: the stateful hooks the file names.
  GenericDialect(const DialectSpec& spec, const contracts::ApiContract& contract, engine::Engine& engine, scenario::ScenarioRegistry& scenarios,
                 http::jwt::Verifier verifier, OptionValues options, HookSet hooks);
  ~GenericDialect();
  GenericDialect(const GenericDialect&) = delete;
  GenericDialect& operator=(const GenericDialect&) = delete;

  // Registers the API (its prefixes and error shape) and the routes of its roles; starts the
  // completion webhooks (journaled in the server's journal) and serves GET /__runmock/webhooks.
  void install(http::Server& server);
  // How the HTTP layer (and a proxy) shapes this API's errors.
  http::Dialect http_dialect() const;

  // A run built as a create would build it, for the admin API's seeding. Throws
  // std::invalid_argument naming the field for bad input.
  engine::CreateRequest seed_run(const engine::SeedSpec& spec) const;

  // The completion webhooks (null when the API sends none).
  const mechanisms::WebhookDeliveries* webhooks() const { return webhooks_.get(); }

 private:
  Scope scope_for(const engine::RunSnapshot& run) const;
  nlohmann::json render(const std::string& representation, const engine::RunSnapshot& run) const;
  engine::RunSnapshot observed(engine::RunSnapshot run) const;
  std::variant<engine::RunSnapshot, http::Response> find_run(http::RequestContext& ctx, const Caller& caller, bool poll) const;
  std::map<std::string, std::string> run_values(const http::RequestContext& ctx, const std::string& id, const Caller& caller) const;
  const Refusal& message(const std::string& name) const;
  nlohmann::json setting(const Setting& s) const;

  http::Response create(http::RequestContext& ctx);
  http::Response read(http::RequestContext& ctx);
  http::Response list(http::RequestContext& ctx);
  http::Response act(http::RequestContext& ctx);
  http::Response stream(http::RequestContext& ctx);

  // The create's steps (create.cpp).
  struct CreateState;
  std::optional<http::Response> read_create_body(http::RequestContext& ctx, CreateState& state) const;
  std::optional<http::Response> check_configuration(http::RequestContext& ctx, CreateState& state) const;
  std::optional<http::Response> run_create_hooks(http::RequestContext& ctx, CreateState& state);
  std::optional<http::Response> select_scenario(http::RequestContext& ctx, CreateState& state) const;
  engine::CreateRequest build_run(const CreateState& state) const;
  const ConfigurationSpec::Kind* kind_of(const std::string& id) const;
  // The configuration a create (or a seed) names, merged into `state`.
  void find_configuration(const std::string& id, CreateState& state) const;

  // Lists (run_list.cpp).
  void observe_all(const Caller& caller) const;
  std::optional<http::Response> list_query(http::RequestContext& ctx, const ListSpec& spec, const Caller& caller, engine::ListQuery& query,
                                           std::string& tag) const;

  const DialectSpec& spec_;
  const contracts::ApiContract& contract_;
  engine::Engine& engine_;
  scenario::ScenarioRegistry& scenarios_;
  OptionValues options_;
  HookSet hooks_;
  Admission admission_;
  std::unique_ptr<mechanisms::WebhookDeliveries> webhooks_;
  std::string run_id_parameter_;  // the path parameter naming the run (the get operation's last)
  std::optional<mechanisms::IdTemplate> run_ids_, part_ids_;
};

// Names the run for the journal and the log (id, scenario), names the scenario file a
// contract-breaking 500 would blame, and hands the layer the fault of the phase the run is in.
void describe_run(http::RequestContext& ctx, const engine::RunSnapshot& run, const scenario::ScenarioSet& scenarios);

// The option values of `spec` from `given` (name → the text given on the command line), checked:
// the defaults, the environment and the fallbacks fill the rest. Throws std::invalid_argument
// naming the flag for a value of the wrong type or out of range.
OptionValues resolve_options(const DialectSpec& spec, const std::map<std::string, std::string>& given);

}  // namespace runmock::dialect
