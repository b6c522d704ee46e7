#include "admin/admin_api.h"

#include <variant>

#include "engine/time.h"
#include "http/json_text.h"

namespace runmock::admin {
namespace {

using nlohmann::json;
using http::RequestContext;
using http::Response;

json describe_selection(const scenario::Scenario& s) {
  json match = json::array();
  for (const auto& c : s.match) {
    static const char* sources[] = {"path", "query", "body", "header", "configuration"};
    json condition = {{"source", sources[static_cast<int>(c.source)]}, {"key", c.key}};
    if (c.test == scenario::Condition::Test::pattern) condition["pattern"] = c.pattern_text;
    else if (c.test == scenario::Condition::Test::present) condition["present"] = true;
    else if (c.test == scenario::Condition::Test::absent) condition["present"] = false;
    else condition["equals"] = c.values;
    match.push_back(std::move(condition));
  }
  return {{"default", s.is_default}, {"priority", s.priority}, {"match", match}, {"prefer", "scenario=" + s.name}};
}

// A JSON body of the admin API ({} when empty), or the 400 to answer. Whatever the Content-Type
// says: `curl -d '{"seconds": 5}'` sends a form type with a JSON body, and the admin API is for
// people at a terminal as much as for tests.
std::variant<json, Response> admin_body(RequestContext& ctx) {
  if (ctx.body().empty()) return json::object();
  json body = json::parse(ctx.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) return ctx.error(400, "INVALID_REQUEST", "the body must be a JSON object");
  return body;
}

Response admin_result(RequestContext& ctx, const engine::AdminResult& result) {
  using Outcome = engine::AdminResult::Outcome;
  switch (result.outcome) {
    case Outcome::applied:
      ctx.run_id = result.run.id();
      return Response::json(200, describe_run(result.run));
    case Outcome::not_found:
      return ctx.error(404, "RESOURCE_NOT_FOUND", "no run '" + ctx.path_param("id") + "'");
    case Outcome::unknown_state:
      return ctx.error(400, "INVALID_REQUEST", result.message);
    default:
      return ctx.error(409, "CONFLICT", result.message);
  }
}

}  // namespace

json describe_run(const engine::RunSnapshot& run) {
  json timeline = json::array();
  for (const auto& entry : run.timeline()) {
    timeline.push_back({{"state", entry.state},
                        {"phase", entry.phase_name},
                        {"at", engine::format_timestamp(entry.at)},
                        {"reason", std::string(engine::to_string(entry.reason))},
                        {"detail", entry.detail}});
  }
  const engine::Phase* phase = run.phase();
  return {{"id", run.id()},
          {"api", run.api()},
          {"scenario", run.scenario()},
          {"state", run.state()},
          {"terminal", run.terminal()},
          {"phase", phase ? json(phase->name) : json(nullptr)},
          {"polls", run.polls()},
          {"created_at", engine::format_timestamp(run.created_at())},
          {"next_change_at", run.next_change_at() ? json(engine::format_timestamp(*run.next_change_at())) : json(nullptr)},
          {"timeline", timeline}};
}

void install(http::Server& server, engine::Engine& engine, scenario::ScenarioRegistry& scenarios) {
  server.admin_route("GET", "/__runmock/scenarios", [&scenarios](RequestContext&) {
    auto set = scenarios.current();
    json out = json::array();
    for (const auto& api : set->apis()) {
      json configurations = json::array();
      for (const auto* c : set->configurations(api)) {
        json item = c->fields;
        item["id"] = c->id;
        item["file"] = c->where.to_string();
        configurations.push_back(std::move(item));
      }
      for (const auto* s : set->scenarios(api)) {
        out.push_back({{"api", api},
                       {"name", s->name},
                       {"description", s->description},
                       {"file", s->where.to_string()},
                       {"selected_by", describe_selection(*s)},
                       {"states", [&] {
                          json states = json::array();
                          for (const auto& p : s->script->phases) {
                            if (p.branch.empty()) states.push_back(p.state);
                          }
                          return states;
                        }()},
                       {"actions", [&] {
                          json actions = json::array();
                          for (const auto& [action, first] : s->script->actions) actions.push_back(action);
                          return actions;
                        }()},
                       {"configurations", configurations}});
      }
    }
    return Response::json(200, {{"scenarios", out}});
  });

  server.admin_route("GET", "/__runmock/runs", [&engine](RequestContext& ctx) {
    std::size_t limit = 1000;
    if (auto text = ctx.query("limit")) limit = std::stoul(*text);
    json runs = json::array();
    for (const auto& run : engine.all(limit)) {
      if (auto api = ctx.query("api"); api && *api != run.api()) continue;
      runs.push_back(describe_run(run));
    }
    return Response::json(200, {{"runs", runs}, {"count", engine.size()}});
  });

  server.admin_route("GET", "/__runmock/runs/{id}", [&engine](RequestContext& ctx) {
    auto run = engine.peek(ctx.path_param("id"));
    if (!run) return ctx.error(404, "RESOURCE_NOT_FOUND", "no run '" + ctx.path_param("id") + "'");
    return Response::json(200, describe_run(*run));
  });

  server.admin_route("POST", "/__runmock/runs/{id}/advance", [&engine](RequestContext& ctx) {
    return admin_result(ctx, engine.advance(ctx.path_param("id")));
  }, true);

  server.admin_route("POST", "/__runmock/runs/{id}/transition", [&engine](RequestContext& ctx) {
    auto body = admin_body(ctx);
    if (auto* error = std::get_if<Response>(&body)) return *error;
    const json& request = std::get<json>(body);
    if (!request.contains("state") || !request["state"].is_string()) {
      return ctx.error(400, "INVALID_REQUEST", "give the target state: {\"state\": \"failed\"} (and \"force\": true to skip the lifecycle check)");
    }
    bool force = request.value("force", false);
    return admin_result(ctx, engine.transition(ctx.path_param("id"), request["state"].get<std::string>(), force));
  }, true);

  server.admin_route("GET", "/__runmock/clock", [&engine](RequestContext&) {
    auto& clock = engine.clock();
    return Response::json(200, {{"mode", clock.is_manual() ? "manual" : "real"},
                                {"now", engine::format_timestamp(clock.now())},
                                {"scale", clock.scale()},
                                {"start", engine::format_timestamp(clock.start())}});
  });

  server.admin_route("POST", "/__runmock/clock/advance", [&engine](RequestContext& ctx) {
    auto body = admin_body(ctx);
    if (auto* error = std::get_if<Response>(&body)) return *error;
    const json& request = std::get<json>(body);
    if (!request.contains("seconds") || !request["seconds"].is_number() || request["seconds"].get<double>() < 0) {
      return ctx.error(400, "INVALID_REQUEST", "give how far to move the clock: {\"seconds\": 5} (not negative)");
    }
    if (!engine.clock().is_manual()) {
      return ctx.error(409, "CONFLICT", "the clock is real time; start runmock with --clock manual to move it by hand");
    }
    auto micros = static_cast<long long>(request["seconds"].get<double>() * 1e6);
    auto now = engine.advance_clock(engine::Duration(micros));
    return Response::json(200, {{"mode", "manual"}, {"now", engine::format_timestamp(now)}});
  }, true);

  server.admin_route("POST", "/__runmock/reset", [&engine, &server](RequestContext&) {
    engine.reset();
    server.journal().clear();
    server.faults().clear();
    server.reset_request_ids();
    return Response::json(200, {{"reset", true}, {"now", engine::format_timestamp(engine.clock().now())}});
  }, true);
}

}  // namespace runmock::admin
