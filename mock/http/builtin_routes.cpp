#include "http/builtin_routes.h"

#include <cmath>

#include "engine/time.h"
#include "faults/fault_book.h"
#include "http/server.h"

namespace runmock::http {
namespace {

using nlohmann::json;

Response health(Server& server) {
  Journal::Stats s = server.journal().stats();
  Server::ConnectionStats c = server.connection_stats();
  return Response::json(200, {{"status", "ok"},
                              {"uptime_seconds", std::round(server.uptime_seconds() * 1000.0) / 1000.0},
                              {"requests", server.requests_served()},
                              {"journal", {{"size", s.size}, {"capacity", s.capacity}, {"recorded", s.recorded}, {"dropped", s.dropped}}},
                              {"connections", {{"open", c.connections}, {"threads", c.threads}, {"busy", c.busy}, {"streams", c.streams}}}});
}

// A non-negative integer query parameter, or the refusal naming it.
std::optional<Response> read_count(RequestContext& ctx, const char* name, std::uint64_t& out) {
  auto value = ctx.query(name);
  if (!value) return std::nullopt;
  bool ok = !value->empty() && value->size() <= 18 && value->find_first_not_of("0123456789") == std::string::npos;
  if (!ok) return ctx.refuse(400, "", std::string("query parameter '") + name + "' must be a non-negative integer, not '" + *value + "'", "query");
  out = std::stoull(*value);
  return std::nullopt;
}

Response journal(Server& server, RequestContext& ctx) {
  JournalFilter filter;
  filter.run = ctx.query("run").value_or("");
  filter.api = ctx.query("api").value_or("");
  filter.verdict = ctx.query("verdict").value_or("");
  std::uint64_t limit = 0;
  if (auto refusal = read_count(ctx, "limit", limit)) return *refusal;
  if (auto refusal = read_count(ctx, "after", filter.after)) return *refusal;
  filter.limit = static_cast<std::size_t>(limit);
  if (auto since = ctx.query("since")) {
    filter.since = engine::parse_timestamp(*since);
    if (!filter.since) return ctx.refuse(400, "", "query parameter 'since' must be an RFC 3339 timestamp (2024-01-15T10:30:00Z), not '" + *since + "'", "query");
  }
  return Response::json(200, server.journal().to_json(filter));
}

// POST /__runmock/faults: a rule {match, fault, times}, or a named fault {name, fault} for
// `Prefer: fault=<name>`.
faults::Fault parse_named_fault(const json& body) {
  if (!body["name"].is_string() || body["name"].get<std::string>().empty()) throw faults::FaultError("/name", "'name' must be a non-empty string");
  for (const auto& [key, value] : body.items()) {
    if (key != "name" && key != "fault") throw faults::FaultError("/" + key, "unknown key '" + key + "' (a named fault takes name, fault)");
  }
  if (!body.contains("fault")) throw faults::FaultError("", "a named fault needs 'fault'");
  try {
    return faults::parse_fault(body["fault"]);
  } catch (const faults::FaultError& e) {
    throw faults::FaultError("/fault" + e.pointer, e.what());
  }
}

Response add_fault(faults::FaultBook& book, RequestContext& ctx) {
  json body = json::parse(ctx.body(), nullptr, false);
  if (body.is_discarded() || !body.is_object()) {
    return ctx.error(400, "", "the body must be a JSON object: {\"match\": {...}, \"fault\": {...}, \"times\": N} or {\"name\": ..., \"fault\": {...}}");
  }
  try {
    if (!body.contains("name")) return Response::json(201, faults::to_json(book.add(faults::parse_rule(body))));
    faults::Fault fault = parse_named_fault(body);
    std::string name = body["name"].get<std::string>();
    json shown = faults::to_json(fault);
    book.define(name, std::move(fault));
    return Response::json(201, {{"name", name}, {"fault", std::move(shown)}, {"prefer", "fault=" + name}});
  } catch (const faults::FaultError& e) {
    return ctx.error(400, "", (e.pointer.empty() ? std::string() : e.pointer + ": ") + e.what(), {{"pointer", e.pointer}});
  }
}

Response remove_fault(faults::FaultBook& book, RequestContext& ctx) {
  std::string id = ctx.path_param("id");
  bool digits = !id.empty() && id.size() <= 18 && id.find_first_not_of("0123456789") == std::string::npos;
  if (!digits || !book.remove(std::stoull(id))) return ctx.error(404, "", "no fault rule '" + id + "' (GET /__runmock/faults lists them)");
  return Response::empty(204);
}

void install_fault_routes(Server& server) {
  faults::FaultBook& book = server.faults();
  server.admin_route("GET", "/__runmock/faults", [&book](RequestContext&) { return Response::json(200, book.to_json()); });
  server.admin_route("POST", "/__runmock/faults", [&book](RequestContext& ctx) { return add_fault(book, ctx); });
  server.admin_route("DELETE", "/__runmock/faults", [&book](RequestContext&) { return Response::json(200, {{"cleared", book.clear()}}); });
  server.admin_route("DELETE", "/__runmock/faults/{id}", [&book](RequestContext& ctx) { return remove_fault(book, ctx); });
}

}  // namespace

void install_builtin_routes(Server& server) {
  server.admin_route("GET", "/__runmock/health", [&server](RequestContext&) { return health(server); });
  server.admin_route("GET", "/__runmock/journal", [&server](RequestContext& ctx) { return journal(server, ctx); });
  server.admin_route("DELETE", "/__runmock/journal", [&server](RequestContext&) {
    std::size_t size = server.journal().stats().size;
    server.journal().clear();
    return Response::json(200, {{"cleared", size}});
  });
  server.admin_route("GET", "/__runmock/violations", [&server](RequestContext&) { return Response::json(200, to_json(server.journal().violations())); });
  server.admin_route("DELETE", "/__runmock/violations", [&server](RequestContext&) { return Response::json(200, {{"cleared", server.journal().clear_violations()}}); });
  if (server.config().faults) install_fault_routes(server);
}

}  // namespace runmock::http
