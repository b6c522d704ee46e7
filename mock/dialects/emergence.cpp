#include "dialects/emergence.h"

#include <chrono>
#include <map>
#include <memory>

#include "dialects/run_context.h"
#include "engine/time.h"
#include "scenario/scenario.h"

namespace runmock::dialects {
namespace {

using nlohmann::json;
using http::RequestContext;
using http::Response;

constexpr const char* kRuns = "/api/data-readiness/workflows/{configuration_id}/runs";

json timestamp_or_null(const std::optional<engine::Instant>& instant) {
  return instant ? json(engine::format_timestamp(*instant)) : json(nullptr);
}

json value_or_null(const json& object, const char* key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? json(nullptr) : *it;
}

// The instant a task started: when it first entered a state other than its first one (its
// "pending"), or when it appeared if it appeared already moving.
std::optional<engine::Instant> task_started_at(const engine::PartItem& item) {
  for (const auto& [state, at] : item.history) {
    if (state != "pending") return at;
  }
  return std::nullopt;
}

json task_json(const engine::PartItem& item) {
  json task = item.fields.is_object() ? item.fields : json::object();
  task["id"] = task.value("id", item.id);
  task["status"] = item.state;
  if (!task.contains("started_at")) task["started_at"] = timestamp_or_null(task_started_at(item));
  if (!task.contains("completed_at")) task["completed_at"] = timestamp_or_null(item.ended_at);
  if (!task.contains("error_message")) task["error_message"] = nullptr;
  return task;
}

// A violation as FastAPI-style field error: loc ["body", "parameters", "include"], field
// "parameters.include", type = the failing keyword.
json field_error(const http::Violation& v) {
  json loc = json::array({v.in.empty() ? std::string("body") : v.in});
  std::string field;
  std::size_t start = v.instance_location.empty() ? std::string::npos : 1;
  while (start != std::string::npos && start <= v.instance_location.size()) {
    std::size_t end = v.instance_location.find('/', start);
    std::string token = v.instance_location.substr(start, end == std::string::npos ? std::string::npos : end - start);
    for (std::size_t p; (p = token.find("~1")) != std::string::npos;) token.replace(p, 2, "/");
    for (std::size_t p; (p = token.find("~0")) != std::string::npos;) token.replace(p, 2, "~");
    bool index = !token.empty() && token.find_first_not_of("0123456789") == std::string::npos;
    if (index) {
      loc.push_back(std::stoll(token));
      field += "[" + token + "]";
    } else {
      loc.push_back(token);
      field += (field.empty() ? "" : ".") + token;
    }
    start = end == std::string::npos ? std::string::npos : end + 1;
  }
  std::string type = "invalid";
  if (auto slash = v.schema_location.rfind('/'); slash != std::string::npos) type = v.schema_location.substr(slash + 1);
  // A parameter the workflow type does not take is written {"not": {}} in the contract.
  if (type == "not") type = "not_allowed";
  return {{"loc", loc}, {"field", field.empty() ? loc[0].get<std::string>() : field}, {"message", v.message}, {"type", type}};
}

std::int64_t seconds_since_epoch(engine::Instant instant) {
  return std::chrono::duration_cast<std::chrono::seconds>(instant.time_since_epoch()).count();
}

}  // namespace

json fqn_parts(const json& asset_fqn) {
  json parts = {{"service_name", nullptr}, {"database_name", nullptr}, {"schema_name", nullptr}, {"table_name", nullptr}};
  if (!asset_fqn.is_string()) return parts;
  const std::string& fqn = asset_fqn.get_ref<const std::string&>();
  std::vector<std::string> names;
  std::string current;
  bool quoted = false;
  for (char ch : fqn) {
    if (ch == '"') {
      quoted = !quoted;
    } else if (ch == '.' && !quoted) {
      names.push_back(current);
      current.clear();
    } else {
      current.push_back(ch);
    }
  }
  names.push_back(current);
  const char* keys[] = {"service_name", "database_name", "schema_name", "table_name"};
  for (std::size_t i = 0; i < names.size() && i < 4; ++i) {
    if (!names[i].empty()) parts[keys[i]] = names[i];
  }
  return parts;
}

Emergence::Emergence(engine::Engine& engine, scenario::ScenarioRegistry& scenarios, const contracts::ApiContract& contract,
                     http::jwt::Verifier verifier)
    : engine_(engine), scenarios_(scenarios), contract_(contract), verifier_(std::move(verifier)) {}

json Emergence::error_body(const http::ErrorInfo& info) {
  json details = info.details;
  if (!info.violations.empty()) {
    details = json::array();
    for (const auto& v : info.violations) details.push_back(field_error(v));
  }
  return {{"error",
           {{"code", info.code},
            {"message", info.message},
            {"status", info.status},
            {"details", details},
            {"request_id", info.request_id},
            {"trace_id", nullptr}}}};
}

void Emergence::install(http::Server& server) {
  // The docs answer a body that is not JSON with 400 (422 is for a readable body that is wrong).
  server.add_dialect({kApi, {"/api/data-readiness/"}, &Emergence::error_body, 400});
  server.operation(kApi, contract_, "createWorkflowRun", [this](RequestContext& ctx) { return create(ctx); });
  server.operation(kApi, contract_, "listWorkflowRuns", [this](RequestContext& ctx) { return list(ctx); });
  server.operation(kApi, contract_, "getWorkflowRun", [this](RequestContext& ctx) { return get(ctx); });
  server.operation(kApi, contract_, "cancelWorkflowRun", [this](RequestContext& ctx) { return cancel(ctx); });
  server.operation(kApi, contract_, "streamWorkflowRunEvents", [this](RequestContext& ctx) { return stream(ctx); });
}

std::variant<Emergence::Caller, Response> Emergence::authenticate(RequestContext& ctx) const {
  constexpr std::size_t kMaxCachedTokens = 1024;
  std::string authorization = ctx.header("Authorization").value_or("");
  std::int64_t now = seconds_since_epoch(engine_.clock().now());
  std::optional<Caller> caller;
  {
    std::lock_guard lock(tokens_mutex_);
    if (auto it = verified_tokens_.find(authorization); it != verified_tokens_.end() && (!it->second.exp || now < *it->second.exp)) {
      caller = it->second.caller;
    }
  }
  if (!caller) {
    http::jwt::Token token;
    try {
      token = verifier_.verify(http::jwt::bearer_token(authorization), now);
    } catch (const http::jwt::JwtError& e) {
      return ctx.refuse(401, "INVALID_TOKEN", std::string("Authorization: ") + e.what(), "header");
    }
    std::vector<schema::ValidationError> errors;
    const schema::Schema* claims = contract_.model("token-claims.schema.json");
    if (claims && !claims->validate(token.payload, errors)) {
      const auto& e = errors.front();
      return ctx.refuse(401, "INVALID_TOKEN",
                        "the token's claims are not usable: " + (e.instance_location.empty() ? "" : e.instance_location + ": ") + e.message +
                            " (the JWT must carry client_id and project_id)",
                        "header");
    }
    caller = Caller{};
    caller->project_id = token.payload.value("project_id", "");
    caller->owner = {kApi, token.payload.value("client_id", "") + "\n" + caller->project_id};
    std::optional<std::int64_t> exp;
    if (token.payload.contains("exp") && token.payload["exp"].is_number()) exp = token.payload["exp"].get<std::int64_t>();
    std::lock_guard lock(tokens_mutex_);
    if (verified_tokens_.size() >= kMaxCachedTokens) verified_tokens_.clear();
    verified_tokens_[authorization] = {*caller, exp};
  }
  if (auto project = ctx.header("X-Project-ID"); project && *project != caller->project_id) {
    return ctx.refuse(403, "INSUFFICIENT_PERMISSIONS",
                      "X-Project-ID '" + *project + "' is not the token's project '" + caller->project_id + "'", "header");
  }
  return *caller;
}

std::variant<engine::RunSnapshot, Response> Emergence::find_run(RequestContext& ctx, const Caller& caller, bool poll) const {
  std::string id = ctx.path_param("run_id");
  engine::ObserveOptions options;
  options.count_poll = poll;
  options.owner = caller.owner;
  auto run = engine_.observe(id, options);
  if (!run || run->data().value("configuration_id", "") != ctx.path_param("configuration_id")) {
    return ctx.error(404, "RESOURCE_NOT_FOUND", "no workflow run '" + id + "' under configuration '" + ctx.path_param("configuration_id") + "'");
  }
  describe_run(ctx, *run, *scenarios_.current());
  return *run;
}

Response Emergence::create(RequestContext& ctx) {
  auto auth = authenticate(ctx);
  if (auto* refusal = std::get_if<Response>(&auth)) return *refusal;
  const Caller& caller = std::get<Caller>(auth);

  auto set = scenarios_.current();
  std::string configuration_id = ctx.path_param("configuration_id");
  const scenario::Configuration* configuration = set->configuration(kApi, configuration_id);
  auto body = http::parse_json_body(ctx);
  if (!body) return *body.error;
  std::string workflow_type = configuration ? configuration->fields.value("workflow_type", "") : "";
  const auto& violations = ctx.check_request(workflow_type);
  if (!violations.empty()) return ctx.validation_error(violations);
  if (!configuration) {
    return ctx.error(404, "RESOURCE_NOT_FOUND", "no workflow configuration '" + configuration_id + "'");
  }

  scenario::Request request;
  request.path = {{"configuration_id", configuration_id}};
  for (const auto& [name, value] : ctx.query_params()) request.query.emplace(name, value);
  for (const auto& [name, value] : ctx.headers()) request.headers.emplace(name, value);
  request.body = &body.value;
  request.configuration = &configuration->fields;
  auto selection = set->select(kApi, request);
  if (!selection.unknown_preference.empty()) {
    std::string known;
    for (const auto* s : set->scenarios(kApi)) known += (known.empty() ? "" : ", ") + s->name;
    return ctx.refuse(400, "INVALID_REQUEST", "Prefer names no emergence scenario '" + selection.unknown_preference + "' (known: " + known + ")",
                      "header");
  }
  if (!selection.scenario) return ctx.error(500, "INTERNAL_ERROR", "no emergence scenario matches and none is the default");

  json asset_fqn = body.value.value("asset_fqn", json(nullptr));
  engine::RunSnapshot run;
  try {
    run = engine_.create(new_run(caller.owner.tenant, configuration_id, *configuration, body.value, selection.scenario->script));
  } catch (const engine::StoreFull& e) {
    return ctx.error(503, "SERVICE_UNAVAILABLE", e.what());
  }
  describe_run(ctx, run, *set);
  json created = {{"id", run.id()},
                  {"configuration_id", configuration_id},
                  {"status", run.state()},
                  {"started_at", engine::format_timestamp(run.created_at())},
                  {"asset_fqn", asset_fqn},
                  {"save_all", run.data()["save_all"]},
                  {"pipeline_id", value_or_null(run.fields(), "pipeline_id")}};
  return Response::json(201, std::move(created));
}

engine::CreateRequest Emergence::new_run(const std::string& tenant, const std::string& configuration_id,
                                         const scenario::Configuration& configuration, const json& body,
                                         std::shared_ptr<const engine::Script> script) const {
  json asset_fqn = body.value("asset_fqn", json(nullptr));
  json input = {{"asset_fqn", asset_fqn}};
  if (body.contains("parameters")) input["parameters"] = body["parameters"];
  engine::CreateRequest create;
  create.api = kApi;
  create.tenant = tenant;
  create.script = std::move(script);
  create.data = {{"configuration_id", configuration_id},
                 {"configuration", configuration.fields},
                 {"asset_fqn", asset_fqn},
                 {"save_all", body.value("save_all", true)},
                 {"input", input}};
  return create;
}

engine::CreateRequest Emergence::seed_run(const engine::SeedSpec& spec) const {
  std::string client_id = http::jwt::kDevClientId;
  std::string project_id = http::jwt::kDevProjectId;
  if (!spec.tenant.is_null()) {
    if (!spec.tenant.is_object() || !spec.tenant.contains("client_id") || !spec.tenant["client_id"].is_string() ||
        !spec.tenant.contains("project_id") || !spec.tenant["project_id"].is_string()) {
      throw std::invalid_argument("tenant: an emergence tenant is the token's {\"client_id\": \"...\", \"project_id\": \"...\"}");
    }
    client_id = spec.tenant["client_id"].get<std::string>();
    project_id = spec.tenant["project_id"].get<std::string>();
  }
  json body = spec.request.is_null() ? json{{"asset_fqn", kSeedAssetFqn}} : spec.request;
  if (!body.is_object()) throw std::invalid_argument("request: the create body's fields and configuration_id, as an object");
  std::string configuration_id = kSeedConfigurationId;
  if (body.contains("configuration_id")) {
    if (!body["configuration_id"].is_string()) throw std::invalid_argument("request.configuration_id: a configuration id string");
    configuration_id = body["configuration_id"].get<std::string>();
    body.erase("configuration_id");
  }
  const scenario::Configuration* configuration = scenarios_.current()->configuration(kApi, configuration_id);
  if (!configuration) throw std::invalid_argument("request.configuration_id: no emergence configuration '" + configuration_id + "'");
  if (!body.contains("asset_fqn")) body["asset_fqn"] = kSeedAssetFqn;
  return new_run(client_id + "\n" + project_id, configuration_id, *configuration, body, spec.script);
}

Response Emergence::get(RequestContext& ctx) {
  auto auth = authenticate(ctx);
  if (auto* refusal = std::get_if<Response>(&auth)) return *refusal;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return ctx.validation_error(violations);
  auto found = find_run(ctx, std::get<Caller>(auth), true);
  if (auto* missing = std::get_if<Response>(&found)) return *missing;
  return Response::json(200, run_detail(std::get<engine::RunSnapshot>(found)));
}

Response Emergence::list(RequestContext& ctx) {
  auto auth = authenticate(ctx);
  if (auto* refusal = std::get_if<Response>(&auth)) return *refusal;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return ctx.validation_error(violations);
  const Caller& caller = std::get<Caller>(auth);
  std::string configuration_id = ctx.path_param("configuration_id");
  engine::ListQuery query;
  query.api = kApi;
  query.tenant = caller.owner.tenant;
  if (auto status = ctx.query("status")) query.states = {*status};
  query.filter = [configuration_id](const engine::RunSnapshot& run) { return run.data().value("configuration_id", "") == configuration_id; };
  query.newest_first = true;
  query.limit = static_cast<std::size_t>(std::stoul(ctx.query("limit").value_or("50")));
  query.offset = static_cast<std::size_t>(std::stoul(ctx.query("offset").value_or("0")));
  auto page = engine_.list(query);
  json items = json::array();
  for (const auto& run : page.items) items.push_back(summary(run));
  return Response::json(200, {{"items", items}, {"total", page.total}, {"limit", query.limit}, {"offset", query.offset}});
}

Response Emergence::cancel(RequestContext& ctx) {
  auto auth = authenticate(ctx);
  if (auto* refusal = std::get_if<Response>(&auth)) return *refusal;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return ctx.validation_error(violations);
  auto found = find_run(ctx, std::get<Caller>(auth), false);
  if (auto* missing = std::get_if<Response>(&found)) return *missing;
  engine::ActOptions options;
  options.fallback_state = "cancelled";
  options.owner = std::get<Caller>(auth).owner;
  auto result = engine_.act(ctx.run_id, "cancel", options);
  switch (result.outcome) {
    case engine::ActResult::Outcome::applied:
    case engine::ActResult::Outcome::already:
      return Response::json(200, run_detail(result.run));
    case engine::ActResult::Outcome::not_found:
      return ctx.error(404, "RESOURCE_NOT_FOUND", "no workflow run '" + ctx.run_id + "'");
    case engine::ActResult::Outcome::terminal:
      return ctx.error(409, "RUN_ALREADY_TERMINAL", "the workflow run is already " + result.run.state() + " and can no longer be cancelled");
    default:
      return ctx.error(409, "RUN_ALREADY_TERMINAL", result.message);
  }
}

json Emergence::run_detail(const engine::RunSnapshot& run) const {
  const json& data = run.data();
  json detail = {{"id", run.id()},
                 {"configuration_id", data.value("configuration_id", "")},
                 {"status", run.state()},
                 {"workflow_name", value_or_null(data["configuration"], "workflow_name")},
                 {"workflow_type", value_or_null(data["configuration"], "workflow_type")},
                 {"asset_fqn", value_or_null(data, "asset_fqn")},
                 {"started_at", engine::format_timestamp(run.created_at())},
                 {"completed_at", timestamp_or_null(run.ended_at())},
                 {"duration_seconds", run.ended_at() ? json(engine::to_seconds(*run.ended_at() - run.created_at())) : json(nullptr)},
                 {"error_message", nullptr},
                 {"input", data.value("input", json::object())},
                 {"output", json::object()}};
  detail.update(fqn_parts(detail["asset_fqn"]));
  json tasks = json::array();
  for (const auto& item : run.part("tasks")) {
    if (item.visible()) tasks.push_back(task_json(item));
  }
  detail["tasks"] = std::move(tasks);
  // What the scenario's phases set (output, error_message, pipeline_id ...) comes last.
  detail.merge_patch(run.fields());
  if (!detail["output"].is_object()) detail["output"] = json::object();
  return detail;
}

json Emergence::summary(const engine::RunSnapshot& run) const {
  json detail = run_detail(run);
  json item = json::object();
  for (const char* key : {"id", "configuration_id", "status", "workflow_name", "workflow_type", "asset_fqn", "started_at", "completed_at",
                          "service_name", "database_name", "schema_name", "table_name", "duration_seconds", "error_message"}) {
    item[key] = detail[key];
  }
  return item;
}

Response Emergence::stream(RequestContext& ctx) {
  auto auth = authenticate(ctx);
  if (auto* refusal = std::get_if<Response>(&auth)) return *refusal;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return ctx.validation_error(violations);
  auto found = find_run(ctx, std::get<Caller>(auth), false);
  if (auto* missing = std::get_if<Response>(&found)) return *missing;

  // What the stream has told the client so far; the step runs on the worker after this returns.
  struct Progress {
    bool started = false;
    std::uint64_t sequence = 0;
    std::uint64_t version = 0;
    std::string status;
    std::map<std::string, std::string> task_states;
  };
  auto progress = std::make_shared<Progress>();
  // Last-Event-ID resumes the numbering; runmock keeps no history, so it answers with a snapshot.
  if (auto last = ctx.header("Last-Event-ID"); last && !last->empty() && last->size() < 19 &&
      last->find_first_not_of("0123456789") == std::string::npos) {
    progress->sequence = std::stoull(*last);
  }
  std::string request_id = ctx.request_id();
  engine::Engine* engine = &engine_;
  std::string id = ctx.run_id;
  engine::Owner owner = std::get<Caller>(auth).owner;
  const Emergence* self = this;
  return Response::event_stream([engine, id, owner, progress, self, request_id](http::SseSink& sink) {
    auto run = engine->peek(id, owner);
    if (!run) {
      json gone = {{"error", {{"code", "RESOURCE_NOT_FOUND"}, {"message", "the run is gone (removed or reset)"}, {"details", nullptr}}},
                   {"request_id", request_id}};
      sink.event("error", gone.dump(), std::to_string(++progress->sequence));
      sink.close();
      return false;
    }
    if (progress->started && run->version() == progress->version) return true;
    json detail = self->run_detail(*run);
    auto event = [&](const char* name, json extra, engine::Instant at) {
      json data = {{"event", name},
                   {"sequence", ++progress->sequence},
                   {"run_id", detail["id"]},
                   {"configuration_id", detail["configuration_id"]},
                   {"status", detail["status"]},
                   {"timestamp", engine::format_timestamp(at)}};
      data.update(extra);
      data["run"] = detail;
      sink.event(name, data.dump(), std::to_string(progress->sequence));
    };
    auto status_fields = [&](json previous) {
      return json{{"previous_status", previous},
                  {"started_at", detail["started_at"]},
                  {"completed_at", detail["completed_at"]},
                  {"duration_seconds", detail["duration_seconds"]},
                  {"error_message", detail["error_message"]}};
    };
    bool snapshot = !progress->started;
    progress->started = true;
    if (snapshot) {
      sink.retry(std::chrono::milliseconds(3000));
      event("status", status_fields(nullptr), engine->clock().now());
    } else if (run->state() != progress->status) {
      event("status", status_fields(progress->status), run->phase_entered_at());
    }
    progress->status = run->state();
    progress->version = run->version();
    for (const auto& item : run->part("tasks")) {
      if (!item.visible()) continue;
      auto& known = progress->task_states[item.id];
      if (known == item.state) continue;
      bool in_snapshot = known.empty() && snapshot;
      known = item.state;
      if (in_snapshot) continue;  // the snapshot's run detail already shows them
      engine::Instant at = item.history.empty() ? run->phase_entered_at() : item.history.back().second;
      event("task", {{"task", task_json(item)}}, at);
    }
    if (run->terminal()) {
      event("end", status_fields(nullptr), run->ended_at().value_or(run->phase_entered_at()));
      sink.close();
      return false;
    }
    return true;
  });
}

}  // namespace runmock::dialects
