#include "dialects/amperity.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "dialects/run_context.h"
#include "engine/time.h"
#include "loader/form_body.h"
#include "scenario/scenario.h"

namespace runmock::dialects {
namespace {

using http::RequestContext;
using http::Response;
using nlohmann::json;

constexpr const char* kCancelErrorType = "amperity.workflow.workflow.repository.core/cancel";
constexpr std::size_t kDefaultLimit = 50;
constexpr std::size_t kMaxLimit = 1000;

std::string timestamp(engine::Instant instant) { return engine::format_timestamp(instant, 3); }

// "20240115" from the clock's date.
std::string date_digits(engine::Instant instant) {
  std::string text = engine::format_timestamp(instant, 0).substr(0, 10);
  std::string out;
  for (char c : text) {
    if (c != '-') out.push_back(c);
  }
  return out;
}

// The kind of configuration a config_id names, by its prefix.
struct Kind {
  const char* prefix;
  const char* type;
  const char* name;
};
constexpr Kind kKinds[] = {
    {"cg-", "courier.group/run", "Courier group"},
    {"og-", "amperity.orchestration.orchestration/run", "Orchestration group"},
    {"cc-", "campaign.send", "Campaign"},
};
const Kind* kind_of(const std::string& config_id) {
  for (const auto& kind : kKinds) {
    if (config_id.rfind(kind.prefix, 0) == 0) return &kind;
  }
  return nullptr;
}

json cancel_error() { return {{"attribution", "customer"}, {"type", kCancelErrorType}, {"message", "Workflow manually stopped"}}; }

std::string describe(const http::Violation& v) {
  std::string where = v.in;
  if (!v.instance_location.empty()) where += " " + v.instance_location;
  return where + ": " + v.message;
}

}  // namespace

std::optional<engine::Instant> parse_partial_timestamp(const std::string& text) {
  std::string base = text;
  for (const char* zone : {"Z", "+00:00", "+0000"}) {
    std::string z(zone);
    if (base.size() > z.size() && base.compare(base.size() - z.size(), z.size(), z) == 0) {
      base.resize(base.size() - z.size());
      break;
    }
  }
  static const std::string kTemplate = "0000-01-01T00:00:00";
  if (base.size() < 4) return std::nullopt;
  if (base.size() < kTemplate.size()) {
    if (base.size() != 4 && base.size() != 7 && base.size() != 10 && base.size() != 13 && base.size() != 16) return std::nullopt;
    base += kTemplate.substr(base.size());
  }
  return engine::parse_timestamp(base + "Z");
}

Amperity::Amperity(engine::Engine& engine, scenario::ScenarioRegistry& scenarios, const contracts::ApiContract& contract,
                   http::jwt::Verifier verifier, AmperityOptions options)
    : engine_(engine), scenarios_(scenarios), contract_(contract), verifier_(std::move(verifier)), options_(options) {}

json Amperity::error_body(const http::ErrorInfo& info) {
  return {{"status", info.status}, {"message", info.message}, {"request_id", info.request_id}, {"trace_id", "trace-" + info.request_id}};
}

void Amperity::install(http::Server& server) {
  // Amperity's documented codes have no 415 or 422: a wrong Content-Type and a bad body are 400s.
  server.add_dialect({kApi, {"/api/workflow/"}, &Amperity::error_body, 400});
  server.operation(kApi, contract_, "startWorkflowRun", [this](RequestContext& ctx) { return start(ctx); });
  server.operation(kApi, contract_, "listWorkflowRuns", [this](RequestContext& ctx) { return list(ctx); });
  server.operation(kApi, contract_, "getWorkflowRun", [this](RequestContext& ctx) { return get(ctx); });
  server.operation(kApi, contract_, "stopWorkflowRun", [this](RequestContext& ctx) { return stop(ctx); });
}

bool Amperity::over_rate_limit(const std::string& tenant) {
  if (options_.rate_limit <= 0) return false;
  std::int64_t second =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
  std::lock_guard lock(rate_mutex_);
  if (windows_.size() > 10000) windows_.clear();
  Window& window = windows_[tenant];
  if (window.second != second) window = {second, 0};
  return ++window.count > options_.rate_limit;
}

std::variant<std::string, Response> Amperity::admit(RequestContext& ctx, bool version_in_body_allowed) {
  // 1. The bearer token: any non-empty one, unless a key is configured (then it is verified).
  std::string authorization = ctx.header("Authorization").value_or("");
  try {
    std::string token = http::jwt::bearer_token(authorization);
    if (verifier_.checks_signatures()) {
      std::int64_t now =
          std::chrono::duration_cast<std::chrono::seconds>(engine_.clock().now().time_since_epoch()).count();
      verifier_.verify(token, now);
    }
  } catch (const http::jwt::JwtError& e) {
    return ctx.refuse(401, "", std::string("Authentication required: ") + e.what(), "header");
  }
  // 2. The tenant.
  std::string tenant = ctx.header("amperity-tenant").value_or("");
  if (tenant.empty()) {
    return ctx.refuse(400, "", "The request did not contain a required parameter: the amperity-tenant header.", "header");
  }
  // 3. The rate limit of the tenant.
  if (over_rate_limit(tenant)) {
    return ctx.error(429, "", "Too many requests: the limit is " + std::to_string(options_.rate_limit) + " requests per second.");
  }
  // 4. The API version (header or query; start may carry it in its body instead).
  auto header = ctx.header("api-version");
  auto query = ctx.query("api_version");
  for (int i = 0; i < 2; ++i) {
    const auto& given = i == 0 ? header : query;
    if (given && *given != kVersion) {
      return ctx.refuse(400, "", "Unsupported API version '" + *given + "': the supported version is " + kVersion + ".",
                        i == 0 ? "header" : "query");
    }
  }
  if (!header && !query && !version_in_body_allowed) {
    return ctx.refuse(400, "", "Missing API version: send the api-version header or the api_version query parameter.", "header");
  }
  return tenant;
}

Response Amperity::bad_request(RequestContext& ctx, const std::vector<http::Violation>& violations) const {
  std::string message = "Invalid request: " + describe(violations.front());
  if (violations.size() > 1) message += " (and " + std::to_string(violations.size() - 1) + " more)";
  return ctx.error(400, "", message);
}

std::variant<engine::RunSnapshot, Response> Amperity::find_run(RequestContext& ctx, const std::string& tenant, bool poll) const {
  std::string id = ctx.path_param("workflow-id");
  engine::ObserveOptions options;
  options.count_poll = poll;
  options.owner = engine::Owner{kApi, tenant};
  auto run = engine_.observe(id, options);
  if (!run) return ctx.error(404, "", "Not found: no workflow '" + id + "' in tenant '" + tenant + "'.");
  describe_run(ctx, *run, *scenarios_.current());
  return *run;
}

Response Amperity::start(RequestContext& ctx) {
  auto admitted = admit(ctx, true);
  if (auto* refusal = std::get_if<Response>(&admitted)) return *refusal;
  const std::string& tenant = std::get<std::string>(admitted);

  auto body = http::parse_json_body(ctx, {"application/json", "application/x-www-form-urlencoded"});
  if (!body) return *body.error;
  if (body.media_type == "application/x-www-form-urlencoded") {
    std::set<std::string> seen;
    std::string_view rest = ctx.body();
    while (!rest.empty()) {
      auto amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
      if (pair.empty()) continue;
      std::string name = contracts::decode_form_component(pair.substr(0, pair.find('=')));
      if (!seen.insert(name).second) {
        return ctx.refuse(400, "", "Invalid request: the form field '" + name + "' is repeated.", "body");
      }
    }
  }
  const auto& violations = ctx.check_request();
  if (!violations.empty()) return bad_request(ctx, violations);
  if (!ctx.header("api-version") && !ctx.query("api_version") && !body.value.contains("api_version")) {
    return ctx.refuse(400, "", "Missing API version: send the api-version header or the api_version query parameter.", "header");
  }

  std::string config_id = body.value.value("config_id", "");
  const Kind* kind = kind_of(config_id);
  if (!kind) return ctx.refuse(400, "", "Invalid request: config_id '" + config_id + "' is not a courier group, orchestration group or campaign.", "body");
  auto set = scenarios_.current();
  const scenario::Configuration* configuration = set->configuration(kApi, config_id);
  json configuration_fields = configuration ? configuration->fields : json::object();
  if (configuration_fields.value("file_based", false) && !body.value.contains("range_from")) {
    return ctx.refuse(400, "",
                      "Invalid request: range_from is required for the file-based courier group '" + config_id + "'.", "body");
  }

  scenario::Request request;
  for (const auto& [name, value] : ctx.query_params()) request.query.emplace(name, value);
  for (const auto& [name, value] : ctx.headers()) request.headers.emplace(name, value);
  request.body = &body.value;
  request.configuration = &configuration_fields;
  auto selection = set->select(kApi, request);
  if (!selection.unknown_preference.empty()) {
    std::string known;
    for (const auto* s : set->scenarios(kApi)) known += (known.empty() ? "" : ", ") + s->name;
    return ctx.refuse(400, "", "Prefer names no amperity scenario '" + selection.unknown_preference + "' (known: " + known + ")", "header");
  }
  if (!selection.scenario) return ctx.error(500, "", "no amperity scenario matches and none is the default");

  engine::RunSnapshot run;
  try {
    run = engine_.create(new_run(tenant, config_id, configuration_fields, body.value, selection.scenario->script, engine_.clock().now()));
  } catch (const engine::StoreFull& e) {
    return ctx.error(503, "", std::string("Service unavailable: ") + e.what());
  }
  describe_run(ctx, run, *set);
  return Response::json(options_.start_status, workflow(run));
}

engine::CreateRequest Amperity::new_run(const std::string& tenant, const std::string& config_id, const json& configuration_fields,
                                        const json& body, std::shared_ptr<const engine::Script> script, engine::Instant created_at) const {
  const Kind& kind = *kind_of(config_id);
  std::string date = date_digits(created_at);
  std::string version = "etv-" + date + "-" + engine_.ids().digits(5) + "-" + engine_.ids().alphanumerics(6);
  engine::CreateRequest create;
  create.api = kApi;
  create.tenant = tenant;
  create.script = std::move(script);
  create.data = {{"config_id", config_id},
                 {"type", configuration_fields.value("type", kind.type)},
                 {"name", configuration_fields.value("name", std::string(kind.name) + " " + config_id)},
                 {"tenant", tenant},
                 {"version", version},
                 {"request", body}};
  create.make_id = [date](engine::IdGenerator& ids) { return "wf-" + date + "-" + ids.digits(5) + "-" + ids.letters(5); };
  create.make_part_id = [date](engine::IdGenerator& ids, const std::string&) {
    return "wft-" + date + "-" + ids.digits(5) + "-" + ids.alphanumerics(6);
  };
  return create;
}

engine::CreateRequest Amperity::seed_run(const engine::SeedSpec& spec) const {
  std::string tenant = http::jwt::kDevClientId;
  if (!spec.tenant.is_null()) {
    if (!spec.tenant.is_string() || spec.tenant.get_ref<const std::string&>().empty()) {
      throw std::invalid_argument("tenant: an amperity tenant is the amperity-tenant header's value, a non-empty string");
    }
    tenant = spec.tenant.get<std::string>();
  }
  json body = spec.request.is_null() ? json{{"config_id", kSeedConfigId}} : spec.request;
  if (!body.is_object()) throw std::invalid_argument("request: the start body's fields, as an object");
  if (!body.contains("config_id")) body["config_id"] = kSeedConfigId;
  if (!body["config_id"].is_string()) throw std::invalid_argument("request.config_id: a configuration id string");
  std::string config_id = body["config_id"].get<std::string>();
  const Kind* kind = kind_of(config_id);
  if (!kind) throw std::invalid_argument("request.config_id: '" + config_id + "' is not a courier group (cg-), orchestration group (og-) or campaign (cc-)");
  const scenario::Configuration* configuration = scenarios_.current()->configuration(kApi, config_id);
  json configuration_fields = configuration ? configuration->fields : json::object();
  return new_run(tenant, config_id, configuration_fields, body, spec.script, spec.created_at);
}

Response Amperity::get(RequestContext& ctx) {
  auto admitted = admit(ctx, false);
  if (auto* refusal = std::get_if<Response>(&admitted)) return *refusal;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, violations);
  auto found = find_run(ctx, std::get<std::string>(admitted), true);
  if (auto* missing = std::get_if<Response>(&found)) return *missing;
  std::string view = ctx.query("view").value_or("overview");
  ctx.response_variant = view;
  json body = workflow(std::get<engine::RunSnapshot>(found));
  return Response::json(200, view == "verbose" ? std::move(body) : overview(body));
}

Response Amperity::list(RequestContext& ctx) {
  auto admitted = admit(ctx, false);
  if (auto* refusal = std::get_if<Response>(&admitted)) return *refusal;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, violations);
  engine::ListQuery query;
  query.api = kApi;
  query.tenant = std::get<std::string>(admitted);
  if (auto state = ctx.query("state")) query.states = {*state};
  std::optional<engine::Instant> bounds[4];
  const char* names[4] = {"created_from", "created_to", "ended_from", "ended_to"};
  for (int i = 0; i < 4; ++i) {
    if (auto text = ctx.query(names[i])) {
      bounds[i] = parse_partial_timestamp(*text);
      if (!bounds[i]) return ctx.refuse(400, "", std::string("Invalid request: ") + names[i] + " '" + *text + "' is not a timestamp.", "query");
    }
  }
  auto type = ctx.query("type");
  query.filter = [bounds, type](const engine::RunSnapshot& run) {
    if (type && run.data().value("type", "") != *type) return false;
    if (bounds[0] && run.created_at() < *bounds[0]) return false;
    if (bounds[1] && run.created_at() >= *bounds[1]) return false;
    if (bounds[2] || bounds[3]) {
      if (!run.ended_at()) return false;
      if (bounds[2] && *run.ended_at() < *bounds[2]) return false;
      if (bounds[3] && *run.ended_at() >= *bounds[3]) return false;
    }
    return true;
  };
  query.newest_first = true;
  query.limit = kDefaultLimit;
  if (auto limit = ctx.query("limit")) {
    // The contract has checked it is an integer >= 1; a huge one is read as the maximum.
    try {
      query.limit = std::min<std::size_t>(std::stoull(*limit), kMaxLimit);
    } catch (const std::exception&) {
      query.limit = kMaxLimit;
    }
  }
  query.cursor = ctx.query("next_token").value_or("");
  bool with_total = ctx.query("with_total").value_or("false") == "true";
  query.count_total = with_total;
  auto page = engine_.list(query);
  if (page.bad_cursor) return ctx.refuse(400, "", "Invalid request: next_token is not a token this server returned.", "query");
  json data = json::array();
  for (const auto& run : page.items) data.push_back(workflow(run));
  json body = {{"data", std::move(data)}};
  if (!page.next_cursor.empty()) body["next_token"] = page.next_cursor;
  if (with_total) body["total"] = page.total;
  return Response::json(200, std::move(body));
}

Response Amperity::stop(RequestContext& ctx) {
  auto admitted = admit(ctx, false);
  if (auto* refusal = std::get_if<Response>(&admitted)) return *refusal;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, violations);
  const std::string& tenant = std::get<std::string>(admitted);
  auto found = find_run(ctx, tenant, false);
  if (auto* missing = std::get_if<Response>(&found)) return *missing;
  const auto& run = std::get<engine::RunSnapshot>(found);
  bool scripted = run.script().actions.count("stop") > 0;
  engine::ActOptions options;
  options.fallback_state = "stopping";
  options.owner = engine::Owner{kApi, tenant};
  auto result = engine_.act(ctx.run_id, "stop", options);
  switch (result.outcome) {
    case engine::ActResult::Outcome::applied: {
      if (!scripted) {
        // No stop branch in the scenario: through stopping straight to canceled, with the error.
        engine_.patch(ctx.run_id, {{"error", cancel_error()}});
        auto moved = engine_.transition(ctx.run_id, "canceled");
        if (moved.ok()) return Response::json(200, workflow(moved.run));
      }
      return Response::json(200, workflow(result.run));
    }
    case engine::ActResult::Outcome::already:
      return Response::json(200, workflow(result.run));
    case engine::ActResult::Outcome::not_found:
      return ctx.error(404, "", "Not found: no workflow '" + ctx.run_id + "'.");
    case engine::ActResult::Outcome::terminal:
      return ctx.error(409, "",
                       "The request conflicts with the current state: workflow " + ctx.run_id + " has already ended (" + result.run.state() + ").");
    default:
      return ctx.error(409, "", "The request conflicts with the current state: " + result.message);
  }
}

json Amperity::workflow(const engine::RunSnapshot& run) const {
  const json& data = run.data();
  std::string tenant = data.value("tenant", run.tenant());
  json out = {{"id", run.id()},
              {"name", data.value("name", "")},
              {"type", data.value("type", "")},
              {"state", run.state()},
              {"tenant", tenant},
              {"created_at", timestamp(run.created_at())},
              {"principal_id", "api-key-runmock"},
              {"principal_name", "runmock API key"},
              {"launched_version", data.value("version", "")},
              {"current_version", data.value("version", "")}};
  if (run.ended_at()) out["ended_at"] = timestamp(*run.ended_at());
  json tasks = json::array();
  for (const auto& item : run.part("task_instances")) {
    if (!item.visible()) continue;
    json task = item.fields.is_object() ? item.fields : json::object();
    task["id"] = task.value("id", item.id);
    task["state"] = item.state;
    task["tenant"] = tenant;
    task["workflow_id"] = run.id();
    if (!item.history.empty()) {
      if (!task.contains("created_at")) task["created_at"] = timestamp(item.history.front().second);
      if (!task.contains("state_changed_at")) task["state_changed_at"] = timestamp(item.history.back().second);
    }
    if (item.ended_at && !task.contains("ended_at")) task["ended_at"] = timestamp(*item.ended_at);
    tasks.push_back(std::move(task));
  }
  out["task_instances"] = std::move(tasks);
  // What the scenario's phases set (error, warn_after_ms, ...) comes last.
  out.merge_patch(run.fields());
  return out;
}

json Amperity::overview(const json& workflow) {
  json out = json::object();
  for (const char* key : {"created_at", "ended_at", "id", "name", "state", "tenant", "type"}) {
    if (workflow.contains(key)) out[key] = workflow[key];
  }
  return out;
}

}  // namespace runmock::dialects
