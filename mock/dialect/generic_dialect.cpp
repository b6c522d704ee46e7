#include "dialect/generic_dialect.h"

#include <cstdlib>

#include "dialect/error_shape.h"
#include "engine/time.h"
#include "mechanisms/status_stream.h"

namespace runmock::dialect {

using nlohmann::json;
using http::RequestContext;
using http::Response;

namespace {

// The last {parameter} of a path template.
std::string last_parameter(const std::string& path) {
  auto open = path.rfind('{');
  auto close = path.rfind('}');
  if (open == std::string::npos || close == std::string::npos || close < open) return "";
  return path.substr(open + 1, close - open - 1);
}

json parse_option(const OptionSpec& option, const std::string& text) {
  const std::string flag = option.flag.empty() ? option.name : "--" + option.flag;
  try {
    std::size_t used = 0;
    if (option.type == "integer") {
      long long value = std::stoll(text, &used);
      if (used == text.size()) return value;
    } else if (option.type == "number") {
      double value = std::stod(text, &used);
      if (used == text.size()) return value;
    } else if (option.type == "boolean") {
      if (text == "true" || text == "1" || text.empty()) return true;
      if (text == "false" || text == "0") return false;
    } else {
      return text;
    }
  } catch (const std::exception&) {
  }
  throw std::invalid_argument(flag + ": '" + text + "' is not " + (option.type == "integer" ? "an integer" : "a " + option.type));
}

void check_option(const OptionSpec& option, const json& value) {
  const std::string flag = option.flag.empty() ? option.name : "--" + option.flag;
  if (!option.allowed.empty() && std::find(option.allowed.begin(), option.allowed.end(), value) == option.allowed.end()) {
    std::string list;
    for (const auto& a : option.allowed) list += (list.empty() ? "" : ", ") + (a.is_string() ? a.get<std::string>() : a.dump());
    throw std::invalid_argument(flag + ": " + (value.is_string() ? value.get<std::string>() : value.dump()) + " is not one of " + list);
  }
  if (value.is_number()) {
    double v = value.get<double>();
    if ((option.minimum && v < *option.minimum) || (option.maximum && v > *option.maximum)) {
      throw std::invalid_argument(flag + ": " + value.dump() + " is out of range");
    }
  }
}

}  // namespace

OptionValues resolve_options(const DialectSpec& spec, const std::map<std::string, std::string>& given) {
  OptionValues out;
  for (const auto& [name, option] : spec.options) {
    json value = option.default_value;
    if (auto it = given.find(name); it != given.end()) value = parse_option(option, it->second);
    bool empty = value.is_null() || (value.is_string() && value.get<std::string>().empty());
    if (empty && !option.env.empty()) {
      if (const char* env = std::getenv(option.env.c_str()); env && *env) value = env;
    }
    empty = value.is_null() || (value.is_string() && value.get<std::string>().empty());
    if (empty && !option.fallback.empty()) value = option.fallback;
    check_option(option, value);
    out[name] = value;
  }
  for (const auto& [name, text] : given) {
    if (!spec.options.count(name)) throw std::invalid_argument("--set " + spec.api + "." + name + ": " + spec.api + " has no option '" + name + "'");
  }
  return out;
}

GenericDialect::GenericDialect(const DialectSpec& spec, const contracts::ApiContract& contract, engine::Engine& engine,
                               scenario::ScenarioRegistry& scenarios, http::jwt::Verifier verifier, OptionValues options, HookSet hooks)
    : spec_(spec),
      contract_(contract),
      engine_(engine),
      scenarios_(scenarios),
      options_(std::move(options)),
      hooks_(std::move(hooks)),
      admission_(spec, contract, std::move(verifier), engine.clock(),
                 spec.rate_limit ? static_cast<int>(setting(spec.rate_limit->requests_per_second).get<long long>()) : 0) {
  if (const contracts::Operation* get = contract.find(spec.roles.get)) run_id_parameter_ = last_parameter(get->path);
  if (!spec.run_id_template.empty()) run_ids_ = mechanisms::IdTemplate::parse(spec.run_id_template);
  if (!spec.part_id_template.empty()) part_ids_ = mechanisms::IdTemplate::parse(spec.part_id_template);
}

GenericDialect::~GenericDialect() = default;

json GenericDialect::setting(const Setting& s) const {
  if (s.option.empty()) return s.value;
  auto it = options_.find(s.option);
  return it == options_.end() ? json(nullptr) : it->second;
}

const Refusal& GenericDialect::message(const std::string& name) const {
  static const std::map<std::string, Refusal> kDefaults = {
      {"unknown_scenario", {400, "", "Prefer names no scenario '{name}' (known: {known})", "header"}},
      {"no_scenario", {500, "", "no scenario matches and none is the default", ""}},
      {"store_full", {503, "", "{reason}", ""}},
      {"run_not_found", {404, "", "no run '{id}'", ""}},
      {"repeated_form_field", {400, "", "the form field '{name}' is repeated", "body"}},
  };
  auto it = spec_.errors.messages.find(name);
  return it != spec_.errors.messages.end() ? it->second : kDefaults.at(name);
}

http::Dialect GenericDialect::http_dialect() const {
  const ErrorsSpec* errors = &spec_.errors;
  return {spec_.api, spec_.prefixes, [errors](const http::ErrorInfo& info) { return error_body(*errors, info); }, spec_.errors.wrong_content_type};
}

void GenericDialect::install(http::Server& server) {
  server.add_dialect(http_dialect());
  const std::string& api = spec_.api;
  const Roles& roles = spec_.roles;
  server.operation(api, contract_, roles.create, [this](RequestContext& ctx) { return create(ctx); });
  server.operation(api, contract_, roles.get, [this](RequestContext& ctx) { return read(ctx); });
  if (!roles.status.empty()) server.operation(api, contract_, roles.status, [this](RequestContext& ctx) { return read(ctx); });
  for (const auto& [op, list_spec] : spec_.lists) server.operation(api, contract_, op, [this](RequestContext& ctx) { return list(ctx); });
  for (const auto& [op, action] : spec_.actions) server.operation(api, contract_, op, [this](RequestContext& ctx) { return act(ctx); });
  if (spec_.events) server.operation(api, contract_, spec_.events->operation, [this](RequestContext& ctx) { return stream(ctx); });
  if (!spec_.webhook) return;
  const WebhookSpec& w = *spec_.webhook;
  mechanisms::WebhookConfig config;
  config.api = api;
  config.policy = mechanisms::parse_callback_policy(setting(w.policy).get<std::string>()).value_or(mechanisms::CallbackPolicy::lambda_or_loopback);
  config.allow_remote = setting(w.allow_remote).get<bool>();
  config.region = setting(w.region).get<std::string>();
  config.access_key_id = setting(w.access_key_id).get<std::string>();
  config.secret_access_key = setting(w.secret_access_key).get<std::string>();
  config.session_token = setting(w.session_token).get<std::string>();
  config.max_attempts = static_cast<int>(setting(w.max_attempts).get<long long>());
  config.backoff_seconds = setting(w.backoff_seconds).get<double>();
  config.jitter = setting(w.jitter).get<double>();
  config.timeout_seconds = static_cast<int>(setting(w.timeout_seconds).get<long long>());
  mechanisms::WebhookSource source{[this](const std::string& id) -> std::optional<engine::RunSnapshot> {
                                     auto run = engine_.peek(id);
                                     if (!run) return std::nullopt;
                                     return observed(*run);
                                   },
                                   [this](const engine::RunSnapshot& run) { return render(spec_.webhook->representation, run); },
                                   [this] { return engine_.clock().now(); }};
  webhooks_ = std::make_unique<mechanisms::WebhookDeliveries>(std::move(config), std::move(source), &server.journal());
  server.admin_route("GET", "/__runmock/webhooks", [this](RequestContext&) { return Response::json(200, webhooks_->to_json()); });
}

// --- runs ---

Scope GenericDialect::scope_for(const engine::RunSnapshot& run) const {
  Scope scope;
  scope.run = &run;
  scope.fraction_digits = spec_.fraction_digits;
  scope.representations = &spec_.representations;
  return scope;
}

json GenericDialect::render(const std::string& representation, const engine::RunSnapshot& run) const {
  return spec_.representations.render(representation, scope_for(run));
}

engine::RunSnapshot GenericDialect::observed(engine::RunSnapshot run) const {
  if (spec_.hooks.observe.empty()) return run;
  return hooks_.observe.at(spec_.hooks.observe)(std::move(run));
}

std::map<std::string, std::string> GenericDialect::run_values(const RequestContext& ctx, const std::string& id, const Caller& caller) const {
  std::map<std::string, std::string> values{{"id", id}, {"tenant", caller.tenant}};
  for (const auto& [name, value] : ctx.path_params()) values["path." + name] = value;
  return values;
}

void describe_run(RequestContext& ctx, const engine::RunSnapshot& run, const scenario::ScenarioSet& scenarios) {
  ctx.run_id = run.id();
  ctx.scenario = run.scenario();
  if (const auto* scenario = scenarios.find(run.api(), run.scenario())) ctx.source = scenario->where.to_string();
  if (const engine::Phase* phase = run.phase()) ctx.fault = phase->fault;
}

std::variant<engine::RunSnapshot, Response> GenericDialect::find_run(RequestContext& ctx, const Caller& caller, bool poll) const {
  std::string id = ctx.path_param(run_id_parameter_);
  engine::ObserveOptions options;
  options.count_poll = poll;
  options.owner = engine::Owner{spec_.api, caller.tenant};
  auto run = engine_.observe(id, options);
  const ConfigurationSpec& c = spec_.configurations;
  bool out_of_scope = run && c.scope && c.from == ConfigurationSpec::From::path && run->data().value(c.name, "") != ctx.path_param(c.name);
  if (!run || out_of_scope) return error_with(ctx, message("run_not_found"), run_values(ctx, id, caller));
  engine::RunSnapshot seen = observed(*run);
  describe_run(ctx, seen, *scenarios_.current());
  return seen;
}

// --- get, status ---

Response GenericDialect::read(RequestContext& ctx) {
  const std::string& op = ctx.operation()->id;
  auto admitted = admission_.admit(ctx, op, false);
  if (auto* refusal = std::get_if<Response>(&admitted)) return std::move(*refusal);
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, spec_.errors, violations);
  auto found = find_run(ctx, std::get<Caller>(admitted), true);
  if (auto* missing = std::get_if<Response>(&found)) return std::move(*missing);
  const OperationSpec& operation = spec_.operations.at(op);
  std::string representation = operation.representation;
  if (operation.views) {
    std::string view = ctx.query(operation.views->query).value_or(operation.views->default_view);
    ctx.response_variant = view;
    auto it = operation.views->variants.find(view);
    representation = it == operation.views->variants.end() ? operation.views->variants.at(operation.views->default_view) : it->second;
  }
  return Response::json(200, render(representation, std::get<engine::RunSnapshot>(found)));
}

// --- cancel, stop ---

Response GenericDialect::act(RequestContext& ctx) {
  const std::string& op = ctx.operation()->id;
  auto admitted = admission_.admit(ctx, op, false);
  if (auto* refusal = std::get_if<Response>(&admitted)) return std::move(*refusal);
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, spec_.errors, violations);
  const Caller& caller = std::get<Caller>(admitted);
  auto found = find_run(ctx, caller, false);
  if (auto* missing = std::get_if<Response>(&found)) return std::move(*missing);
  const ActionSpec& action = spec_.actions.at(op);
  const std::string& representation = spec_.operations.at(op).representation;
  bool scripted = std::get<engine::RunSnapshot>(found).script().actions.count(action.action) > 0;
  engine::ActOptions options;
  options.fallback_state = action.fallback_state;
  options.owner = engine::Owner{spec_.api, caller.tenant};
  auto result = engine_.act(ctx.run_id, action.action, options);
  std::map<std::string, std::string> values{{"id", ctx.run_id}, {"state", result.run.empty() ? "" : result.run.state()}, {"reason", result.message}};
  switch (result.outcome) {
    case engine::ActResult::Outcome::applied:
      if (!scripted && !action.fallback_then.empty()) {
        // No branch for the action in the scenario: through the fallback state, straight on.
        if (action.fallback_set.is_object()) engine_.patch(ctx.run_id, action.fallback_set);
        auto moved = engine_.transition(ctx.run_id, action.fallback_then);
        if (moved.ok()) return Response::json(200, render(representation, moved.run));
      }
      [[fallthrough]];
    case engine::ActResult::Outcome::already:
      if (webhooks_) webhooks_->wake();
      return Response::json(200, render(representation, result.run));
    case engine::ActResult::Outcome::not_found: return error_with(ctx, action.not_found, values);
    case engine::ActResult::Outcome::terminal: return error_with(ctx, action.terminal, values);
    default: return error_with(ctx, action.refused, values);
  }
}

// --- the event stream ---

Response GenericDialect::stream(RequestContext& ctx) {
  const EventsSpec& e = *spec_.events;
  auto admitted = admission_.admit(ctx, e.operation, false);
  if (auto* refusal = std::get_if<Response>(&admitted)) return std::move(*refusal);
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, spec_.errors, violations);
  const Caller& caller = std::get<Caller>(admitted);
  auto found = find_run(ctx, caller, false);
  if (auto* missing = std::get_if<Response>(&found)) return std::move(*missing);
  mechanisms::StatusStreamConfig config{e.copy, e.status_fields, e.part_key, e.part_event, e.part_field, e.retry_ms, e.gone, spec_.fraction_digits};
  engine::Owner owner{spec_.api, caller.tenant};
  std::string id = ctx.run_id;
  mechanisms::StatusStreamSource source{
      [this, id, owner]() -> std::optional<engine::RunSnapshot> {
        auto run = engine_.peek(id, owner);
        if (!run) return std::nullopt;
        return observed(*run);
      },
      [this](const engine::RunSnapshot& run) { return render(spec_.events->representation, run); },
      [this](const engine::RunSnapshot& run, const engine::PartItem& item) {
        Scope scope = scope_for(run);
        scope.item = &item;
        return spec_.representations.render(spec_.events->part_item, scope);
      },
      [this] { return engine_.clock().now(); }};
  return Response::event_stream(mechanisms::status_stream(std::move(config), std::move(source), ctx.request_id(),
                                                          mechanisms::last_event_number(ctx.header("Last-Event-ID"))));
}

}  // namespace runmock::dialect
