// The create of a run, and the seeding that builds runs the same way (docs/dialects.md, "create").
#include <set>

#include "dialect/error_shape.h"
#include "dialect/generic_dialect.h"
#include "loader/form_body.h"

namespace runmock::dialect {

using nlohmann::json;
using http::RequestContext;
using http::Response;

struct GenericDialect::CreateState {
  Caller caller;
  std::shared_ptr<const scenario::ScenarioSet> set;
  engine::Instant now{};
  std::string configuration_id;
  const scenario::Configuration* configuration = nullptr;
  json configuration_fields = json::object();  // the configuration's fields merged... as declared (or {} when none)
  const ConfigurationSpec::Kind* kind = nullptr;
  json body;
  std::string media_type;
  std::optional<CreateDraft> draft;
  const scenario::Scenario* scenario = nullptr;
};

namespace {

// The first field of a form body that is given twice, if any.
std::optional<std::string> repeated_form_field(std::string_view rest) {
  std::set<std::string> seen;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    std::string name = contracts::decode_form_component(pair.substr(0, pair.find('=')));
    if (!seen.insert(name).second) return name;
  }
  return std::nullopt;
}

std::vector<std::string> accepted_media(const contracts::Operation& op) {
  std::vector<std::string> accepted;
  for (const auto& [media, schema] : op.request_bodies) accepted.push_back(media);
  if (accepted.empty()) accepted.push_back("application/json");
  return accepted;
}

std::string known_scenarios(const scenario::ScenarioSet& set, const std::string& api) {
  std::string known;
  for (const auto* s : set.scenarios(api)) known += (known.empty() ? "" : ", ") + s->name;
  return known;
}

}  // namespace

const ConfigurationSpec::Kind* GenericDialect::kind_of(const std::string& id) const {
  for (const auto& kind : spec_.configurations.kinds) {
    if (id.rfind(kind.prefix, 0) == 0) return &kind;
  }
  return nullptr;
}

void GenericDialect::find_configuration(const std::string& id, CreateState& state) const {
  state.configuration_id = id;
  state.configuration = state.set->configuration(spec_.api, id);
  state.configuration_fields = state.configuration ? state.configuration->fields : json::object();
  state.kind = kind_of(id);
}

std::optional<Response> GenericDialect::read_create_body(RequestContext& ctx, CreateState& state) const {
  auto body = http::parse_json_body(ctx, accepted_media(*ctx.operation()));
  if (!body) return std::move(*body.error);
  state.body = std::move(body.value);
  state.media_type = body.media_type;
  if (state.media_type == "application/x-www-form-urlencoded") {
    if (auto name = repeated_form_field(ctx.body())) return refuse_with(ctx, message("repeated_form_field"), {{"name", *name}}, "body");
  }
  const ConfigurationSpec& c = spec_.configurations;
  std::string variant = state.configuration && !c.variant.empty() ? state.configuration_fields.value(c.variant, "") : "";
  if (const auto& violations = ctx.check_request(variant); !violations.empty()) return bad_request(ctx, spec_.errors, violations);
  return admission_.check_body_version(ctx, state.body);
}

std::optional<Response> GenericDialect::check_configuration(RequestContext& ctx, CreateState& state) const {
  const ConfigurationSpec& c = spec_.configurations;
  if (c.from == ConfigurationSpec::From::body) {
    find_configuration(state.body.value(c.name, ""), state);
    if (!c.kinds.empty() && !state.kind && c.unknown_kind) return refuse_with(ctx, *c.unknown_kind, {{"id", state.configuration_id}}, "body");
  }
  if (c.required && !state.configuration) return error_with(ctx, *c.required, {{"id", state.configuration_id}});
  for (const auto& check : c.checks) {
    if (state.configuration_fields.value(check.when, false) && !state.body.contains(check.require_body)) {
      return refuse_with(ctx, check.refuse, {{"id", state.configuration_id}}, "body");
    }
  }
  return std::nullopt;
}

std::optional<Response> GenericDialect::run_create_hooks(RequestContext& ctx, CreateState& state) {
  state.draft.emplace(CreateDraft{ctx, state.body, state.set, state.caller.tenant, state.now, nullptr, {}, std::nullopt, json::object()});
  if (!spec_.hooks.validate_create.empty()) {
    if (auto refusal = hooks_.create.at(spec_.hooks.validate_create)(*state.draft)) return refusal;
  }
  if (webhooks_) {
    const json* url = find_pointer(state.body, spec_.webhook->url_pointer);
    if (url && url->is_string() && !webhooks_->accepts(url->get<std::string>())) {
      bool lambda_only = webhooks_->config().policy == mechanisms::CallbackPolicy::lambda;
      return error_with(ctx, spec_.webhook->bad_url, {{"loopback", lambda_only ? "" : spec_.webhook->bad_url_loopback}});
    }
  }
  if (!spec_.hooks.resolve_create.empty()) {
    if (auto refusal = hooks_.create.at(spec_.hooks.resolve_create)(*state.draft)) return refusal;
  }
  return std::nullopt;
}

std::optional<Response> GenericDialect::select_scenario(RequestContext& ctx, CreateState& state) const {
  scenario::Request request;
  for (const auto& [name, value] : ctx.path_params()) request.path.emplace(name, value);
  for (const auto& [name, value] : ctx.query_params()) request.query.emplace(name, value);
  for (const auto& [name, value] : ctx.headers()) request.headers.emplace(name, value);
  request.body = &state.body;
  const json* configuration = nullptr;
  if (state.draft && state.draft->selection_configuration) configuration = &*state.draft->selection_configuration;
  else if (spec_.configurations.from != ConfigurationSpec::From::none) configuration = &state.configuration_fields;
  request.configuration = configuration;
  auto selection = state.set->select(spec_.api, request);
  if (!selection.unknown_preference.empty()) {
    return refuse_with(ctx, message("unknown_scenario"), {{"name", selection.unknown_preference}, {"known", known_scenarios(*state.set, spec_.api)}}, "header");
  }
  if (!selection.scenario) return error_with(ctx, message("no_scenario"), {});
  state.scenario = selection.scenario;
  return std::nullopt;
}

engine::CreateRequest GenericDialect::build_run(const CreateState& state) const {
  engine::CreateRequest create;
  create.api = spec_.api;
  create.tenant = state.caller.tenant;
  if (state.scenario) create.script = state.scenario->script;
  if (state.draft && !spec_.create.data) {
    create.data = state.draft->data;
    create.parts = state.draft->parts;
  } else {
    Scope scope;
    scope.body = &state.body;
    scope.configuration = &state.configuration_fields;
    scope.kind = state.kind ? &state.kind->fields : nullptr;
    scope.tenant = state.caller.tenant;
    scope.ids = &engine_.ids();
    scope.now = state.now;
    scope.fraction_digits = spec_.fraction_digits;
    std::map<std::string, std::string, std::less<>> path;
    if (spec_.configurations.from == ConfigurationSpec::From::path) path[spec_.configurations.name] = state.configuration_id;
    scope.path = &path;
    create.data = spec_.create.data->evaluate(scope);
    if (state.draft) create.parts = state.draft->parts;
  }
  engine::Instant now = state.now;
  if (run_ids_) create.make_id = [ids = *run_ids_, now](engine::IdGenerator& gen) { return ids.make(gen, now); };
  if (part_ids_) create.make_part_id = [ids = *part_ids_, now](engine::IdGenerator& gen, const std::string&) { return ids.make(gen, now); };
  return create;
}

Response GenericDialect::create(RequestContext& ctx) {
  auto admitted = admission_.admit(ctx, spec_.roles.create, true);
  if (auto* refusal = std::get_if<Response>(&admitted)) return std::move(*refusal);
  CreateState state;
  state.caller = std::get<Caller>(admitted);
  state.set = scenarios_.current();
  state.now = engine_.clock().now();
  if (spec_.configurations.from == ConfigurationSpec::From::path) find_configuration(ctx.path_param(spec_.configurations.name), state);
  if (auto refusal = read_create_body(ctx, state)) return std::move(*refusal);
  if (auto refusal = check_configuration(ctx, state)) return std::move(*refusal);
  if (auto refusal = run_create_hooks(ctx, state)) return std::move(*refusal);
  if (auto refusal = select_scenario(ctx, state)) return std::move(*refusal);
  engine::RunSnapshot run;
  try {
    run = engine_.create(build_run(state));
  } catch (const engine::StoreFull& e) {
    return error_with(ctx, message("store_full"), {{"reason", e.what()}});
  }
  describe_run(ctx, run, *state.set);
  if (webhooks_) {
    const json* url = find_pointer(state.body, spec_.webhook->url_pointer);
    if (url && url->is_string()) webhooks_->add(run.id(), url->get<std::string>());
    webhooks_->wake();
  }
  int status = static_cast<int>(setting(spec_.create.status).get<long long>());
  return Response::json(status, render(spec_.create.representation, observed(run)));
}

// --- seeding ---

namespace {

std::string article(const std::string& word) { return std::string("aeiou").find(word.empty() ? 'x' : word[0]) != std::string::npos ? "an " : "a "; }

}  // namespace

engine::CreateRequest GenericDialect::seed_run(const engine::SeedSpec& spec) const {
  if (!spec_.hooks.seed.empty()) return hooks_.seed.at(spec_.hooks.seed)(spec);
  const TenancySpec& t = spec_.tenancy;
  const std::string who = "tenant: " + article(spec_.api) + spec_.api + " tenant is ";
  json tenant = spec.tenant.is_null() ? t.seed_default : spec.tenant;
  CreateState state;
  if (!t.claims.empty() && !t.first_claim) {
    std::string shape;
    for (const auto& claim : t.claims) shape += (shape.empty() ? "" : ", ") + ("\"" + claim + "\": \"...\"");
    for (std::size_t i = 0; i < t.claims.size(); ++i) {
      if (!tenant.is_object() || !tenant.contains(t.claims[i]) || !tenant[t.claims[i]].is_string()) throw std::invalid_argument(who + "the token's {" + shape + "}");
      state.caller.tenant += (i ? "\n" : "") + tenant[t.claims[i]].get<std::string>();
    }
  } else {
    std::string source = !t.header.empty() ? "the " + t.header + " header's value" : "the token's " + (t.claims.empty() ? std::string("tenant") : t.claims[0]) +
                                                                                     (t.claims.size() > 1 ? " (else " + t.claims[1] + ")" : "");
    if (!tenant.is_string() || tenant.get_ref<const std::string&>().empty()) throw std::invalid_argument(who + source + ", a non-empty string");
    state.caller.tenant = tenant.get<std::string>();
  }
  json body = spec.request.is_null() ? json::object() : spec.request;
  const ConfigurationSpec& c = spec_.configurations;
  if (!body.is_object()) throw std::invalid_argument("request: the create body's fields" + std::string(c.from == ConfigurationSpec::From::path ? " and " + c.name : "") + ", as an object");
  for (const auto& [key, value] : spec_.create.seed_request_default.items()) {
    if (!body.contains(key)) body[key] = value;
  }
  state.set = scenarios_.current();
  std::string id = spec_.create.seed_configuration_default;
  if (c.from != ConfigurationSpec::From::none && body.contains(c.name)) {
    if (!body[c.name].is_string()) throw std::invalid_argument("request." + c.name + ": a configuration id string");
    id = body[c.name].get<std::string>();
    if (c.from == ConfigurationSpec::From::path) body.erase(c.name);
  }
  if (c.from != ConfigurationSpec::From::none) find_configuration(id, state);
  if (!c.kinds.empty() && !state.kind) throw std::invalid_argument(fill(c.seed_unknown_kind, {{"id", id}}));
  if (c.required && !state.configuration) throw std::invalid_argument("request." + c.name + ": no " + spec_.api + " configuration '" + id + "'");
  state.body = std::move(body);
  state.now = spec.created_at;
  engine::CreateRequest create = build_run(state);
  create.script = spec.script;
  return create;
}

}  // namespace runmock::dialect
