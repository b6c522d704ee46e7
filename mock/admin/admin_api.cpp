#include "admin/admin_api.h"

#include <atomic>
#include <set>
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

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : ", ") + w;
  return out;
}

json scenario_names(const std::vector<std::pair<std::string, std::string>>& names) {
  json out = json::array();
  for (const auto& [api, name] : names) out.push_back({{"api", api}, {"name", name}});
  return out;
}

// A scenario load that failed, as a 400 (or `status`): the first error in the message, all of
// them as "file:line:col: message" in details.errors.
Response load_errors(RequestContext& ctx, const scenario::LoadResult& load, int status = 400) {
  json errors = json::array();
  for (const auto& e : load.errors) errors.push_back(e.to_string());
  std::string message = load.errors.empty() ? "the scenarios did not load" : load.errors.front().to_string();
  if (load.errors.size() > 1) message += " (and " + std::to_string(load.errors.size() - 1) + " more)";
  return ctx.error(status, "", message, {{"errors", errors}});
}

// Where POST /__runmock/runs seeds: the phase a run is seeded in, by `phase` name or by `state`
// (the first phase of the main flow in that state, else of an action's branch).
std::variant<std::size_t, std::string> seed_target(const engine::Script& script, const json& request) {
  const auto& phases = script.phases;
  if (request.contains("phase")) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < phases.size(); ++i) {
      if (phases[i].name == request["phase"].get<std::string>()) return i;
      names.push_back(phases[i].name);
    }
    return "phase: scenario '" + script.name + "' has no phase '" + request["phase"].get<std::string>() + "' (its phases: " + join(names) + ")";
  }
  const std::string state = request["state"].get<std::string>();
  for (bool branch : {false, true}) {
    for (std::size_t i = 0; i < phases.size(); ++i) {
      if (phases[i].state == state && phases[i].branch.empty() != branch) return i;
    }
  }
  std::set<std::string> states;
  for (const auto& phase : phases) states.insert(phase.state);
  return "state: scenario '" + script.name + "' never reaches '" + state + "' (its states: " + join({states.begin(), states.end()}) + ")";
}

// POST /__runmock/runs: {api, scenario, tenant, state | phase, count, in_phase_seconds, request}.
Response seed_runs(RequestContext& ctx, engine::Engine& engine, scenario::ScenarioRegistry& scenarios,
                   const std::map<std::string, engine::RunBuilder>& builders) {
  auto body = admin_body(ctx);
  if (auto* error = std::get_if<Response>(&body)) return *error;
  const json& request = std::get<json>(body);
  static const std::set<std::string> known_fields{"api", "scenario", "tenant", "state", "phase", "count", "in_phase_seconds", "request"};
  for (const auto& [key, value] : request.items()) {
    if (!known_fields.count(key)) return ctx.error(400, "", "'" + key + "' is not a field of a seed request (fields: " + join({known_fields.begin(), known_fields.end()}) + ")");
  }
  std::vector<std::string> apis;
  for (const auto& [api, builder] : builders) apis.push_back(api);
  if (!request.contains("api") || !request["api"].is_string() || !builders.count(request["api"].get<std::string>())) {
    return ctx.error(400, "", "api: give the API to seed runs of (" + join(apis) + ")");
  }
  const std::string api = request["api"].get<std::string>();
  for (const char* field : {"scenario", "state", "phase"}) {
    if (request.contains(field) && !request[field].is_string()) return ctx.error(400, "", std::string(field) + ": must be a string");
  }
  if (request.contains("state") == request.contains("phase")) {
    return ctx.error(400, "", "state, phase: give exactly one: the state the runs are in (\"state\": \"completed\") or their scenario phase by name");
  }
  std::size_t count = 1;
  if (request.contains("count")) {
    const json& c = request["count"];
    if (!c.is_number_integer() || c.get<long long>() < 1 || c.get<long long>() > static_cast<long long>(kMaxSeedCount)) {
      return ctx.error(400, "", "count: must be an integer from 1 to " + std::to_string(kMaxSeedCount));
    }
    count = c.get<std::size_t>();
  }
  engine::Duration in_phase{0};
  if (request.contains("in_phase_seconds")) {
    const json& seconds = request["in_phase_seconds"];
    if (!seconds.is_number() || seconds.get<double>() < 0 || seconds.get<double>() > 1e9) {
      return ctx.error(400, "", "in_phase_seconds: must be a number of seconds, not negative");
    }
    in_phase = engine::Duration(static_cast<long long>(seconds.get<double>() * 1e6));
  }
  if (request.contains("request") && !request["request"].is_object()) return ctx.error(400, "", "request: must be an object (the create request's fields)");

  auto set = scenarios.current();
  const scenario::Scenario* chosen = request.contains("scenario") ? set->find(api, request["scenario"].get<std::string>()) : set->default_for(api);
  if (!chosen) {
    std::vector<std::string> names;
    for (const auto* s : set->scenarios(api)) names.push_back(s->name);
    return ctx.error(404, "", "scenario: no " + api + " scenario '" + request.value("scenario", std::string()) + "' (known: " + join(names) + ")");
  }
  auto target = seed_target(*chosen->script, request);
  if (auto* message = std::get_if<std::string>(&target)) return ctx.error(400, "", *message);
  const std::size_t phase = std::get<std::size_t>(target);

  // A batch is spread one clock second apart (the last one reaching its phase `in_phase` ago), so
  // that creation times follow creation order; runs seeded in a phase that time moves on all
  // share one plan instead.
  const engine::Advance& advance = chosen->script->phases[phase].advance;
  const bool spread = advance.kind != engine::Advance::Kind::time;
  engine::Instant now = engine.clock().now();
  json ids = json::array();
  engine::RunSnapshot last;
  try {
    for (std::size_t k = 0; k < count; ++k) {
      engine::Duration offset = spread ? engine::Duration(std::chrono::seconds(count - 1 - k)) : engine::Duration{0};
      engine::SeedPlan plan = engine::plan_seed(*chosen->script, phase, now, in_phase + offset);
      engine::CreateRequest create = builders.at(api)({request.value("tenant", json(nullptr)), request.value("request", json(nullptr)), chosen->script, plan.created_at});
      create.seed = std::move(plan);
      last = engine.create(std::move(create));
      ids.push_back(last.id());
    }
  } catch (const engine::StoreFull& e) {
    return ctx.error(503, "", std::string(e.what()) + " (" + std::to_string(ids.size()) + " runs were seeded before)", {{"ids", ids}});
  } catch (const std::invalid_argument& e) {
    if (ids.empty()) return ctx.error(400, "", e.what());
    return ctx.error(400, "", std::string(e.what()) + " (" + std::to_string(ids.size()) + " runs were seeded before)", {{"ids", ids}});
  }
  return Response::json(201, {{"api", api},
                              {"scenario", chosen->name},
                              {"state", last.state()},
                              {"phase", chosen->script->phases[phase].name},
                              {"count", ids.size()},
                              {"ids", ids},
                              {"last", describe_run(last)}});
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

void install(http::Server& server, engine::Engine& engine, scenario::ScenarioRegistry& scenarios,
             std::map<std::string, engine::RunBuilder> builders) {
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
                       {"configurations", configurations},
                       {"runtime", scenarios.is_runtime(api, s->name)}});
      }
    }
    auto reload = scenarios.last_reload();
    json last_reload = {{"ok", reload.ok},
                        {"error", reload.ok ? json(nullptr) : json(reload.error)},
                        {"time", engine::format_timestamp(std::chrono::time_point_cast<engine::Duration>(reload.time))},
                        {"files", reload.files}};
    return Response::json(200, {{"scenarios", out}, {"last_reload", last_reload}});
  });

  auto posted = std::make_shared<std::atomic<std::uint64_t>>(0);
  server.admin_route("POST", "/__runmock/scenarios", [&scenarios, posted](RequestContext& ctx) {
    std::string name = ctx.query("name").value_or("");
    if (name.empty()) name = "runtime-" + std::to_string(++*posted) + ".yaml";
    auto before = scenarios.current();
    auto result = scenarios.add_runtime(name, std::string(ctx.body()));
    if (!result.load.ok()) return load_errors(ctx, result.load);
    std::vector<std::pair<std::string, std::string>> added, replaced;
    for (const auto& [api, scenario_name] : result.added) (before->find(api, scenario_name) ? replaced : added).emplace_back(api, scenario_name);
    return Response::json(201, {{"document", name},
                                {"added", scenario_names(added)},
                                {"replaced", scenario_names(replaced)},
                                {"remove_with", result.added.empty() ? json(nullptr)
                                                                     : json("DELETE /__runmock/scenarios/" + result.added.front().first + "/" +
                                                                            result.added.front().second)}});
  }, true);

  server.admin_route("DELETE", "/__runmock/scenarios/{api}/{name}", [&scenarios](RequestContext& ctx) {
    auto result = scenarios.remove_runtime(ctx.path_param("api"), ctx.path_param("name"));
    if (result.removed.empty()) {
      return ctx.error(404, "", "no runtime scenario " + ctx.path_param("api") + "/" + ctx.path_param("name") +
                                    " (only scenarios added with POST /__runmock/scenarios can be removed; edit the files for the others)");
    }
    if (!result.load.ok()) return load_errors(ctx, result.load, 409);
    return Response::json(200, {{"removed", scenario_names(result.removed)}});
  }, true);

  server.admin_route("POST", "/__runmock/runs", [&engine, &scenarios, builders = std::move(builders)](RequestContext& ctx) {
    return seed_runs(ctx, engine, scenarios, builders);
  }, true);

  server.admin_route("GET", "/__runmock/runs", [&engine](RequestContext& ctx) {
    std::size_t limit = 1000;
    if (auto text = ctx.query("limit")) {
      if (text->empty() || text->size() > 9 || text->find_first_not_of("0123456789") != std::string::npos) {
        return ctx.error(400, "", "query parameter 'limit' must be a non-negative integer, not '" + *text + "'");
      }
      limit = std::stoul(*text);
    }
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
