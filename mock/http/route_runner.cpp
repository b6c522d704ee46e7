#include "http/route_runner.h"

#include "loader/api_contract.h"

namespace runmock::http {
namespace {

using nlohmann::json;

// RequestCheck::reject: an unreadable body (400/415) or a request that breaks the operation (422)
// is answered here and the handler never runs.
std::optional<Response> check_before_handler(RequestContext& ctx, const RouteOptions& options) {
  const RouteContract& rc = options.contract;
  if (options.request_check == RequestCheck::record) ctx.check_request();
  if (options.request_check != RequestCheck::reject || !rc.operation) return std::nullopt;
  const auto& op = *rc.operation;
  bool takes_body = !op.request_bodies.empty() || !op.request_variants.empty();
  if (takes_body && !ctx.body().empty()) {
    std::vector<std::string> accepted;
    for (const auto& [media, schema] : op.request_bodies) accepted.push_back(media);
    if (accepted.empty()) accepted.push_back("application/json");
    ParsedBody parsed = parse_json_body(ctx, accepted);
    if (!parsed) return std::move(*parsed.error);
  }
  if (!ctx.check_request().empty()) return ctx.validation_error(ctx.contract_violations());
  return std::nullopt;
}

// The answer's violations of the operation's response schema (empty when it keeps it).
std::vector<Violation> response_violations(const RouteContract& rc, const RequestContext& ctx, const Response& out) {
  std::vector<Violation> found;
  if (!out.check || !out.json_body || !rc.contract || !rc.operation) return found;
  std::vector<schema::ValidationError> errors;
  try {
    errors = rc.contract->check_response_body(*rc.operation, out.status, *out.json_body, ctx.response_variant);
  } catch (const std::exception& e) {
    errors.push_back({"", "", std::string("the response could not be checked: ") + e.what()});
  }
  for (auto& e : errors) found.push_back({"body", e.instance_location, e.schema_location, e.message});
  return found;
}

// The 500 that replaces a contract-breaking answer: it names the violations and ctx.source.
Response contract_breach(RequestContext& ctx, const RouteContract& rc, const std::string& api, int status, const std::vector<Violation>& violations) {
  json list = json::array();
  for (std::size_t i = 0; i < violations.size() && i < kMaxListedViolations; ++i) {
    Violation shown = violations[i];
    cap_texts(shown);
    list.push_back(to_json(shown));
  }
  const Violation& first = violations.front();
  std::string message = "runmock's response breaks the " + api + " contract (" + rc.operation->id + ", status " + std::to_string(status) +
                        "): " + (first.instance_location.empty() ? "" : first.instance_location + ": ") + first.message;
  if (violations.size() > 1) message += " (and " + std::to_string(violations.size() - 1) + " more)";
  if (!ctx.source.empty()) message += "; the response came from " + ctx.source;
  json details = {{"operation", rc.operation->id},
                  {"status", status},
                  {"violations", std::move(list)},
                  {"source", ctx.source.empty() ? json(nullptr) : json(ctx.source)}};
  Response out = ctx.error(500, "INTERNAL_ERROR", std::move(message), std::move(details));
  out.check = false;
  return out;
}

void fill_entry(JournalEntry& entry, RequestContext& ctx, const RouteRun& route, const Response& out, std::vector<Violation> response_errors,
                bool threw) {
  const RouteContract& rc = route.options.contract;
  entry.api = ctx.api;
  entry.operation = rc.operation ? rc.operation->id : route.pattern;
  entry.run = ctx.run_id;
  entry.scenario = ctx.scenario;
  entry.message = out.message;
  entry.request_errors = ctx.contract_violations();
  entry.request_errors.insert(entry.request_errors.end(), ctx.request_errors.begin(), ctx.request_errors.end());
  entry.response_errors = std::move(response_errors);
  entry.response_errors.insert(entry.response_errors.end(), ctx.response_errors.begin(), ctx.response_errors.end());
  if (!entry.response_errors.empty()) entry.verdict = verdict::invalid;
  else if (threw) entry.verdict = verdict::error;
  else if (!ctx.verdict.empty()) entry.verdict = ctx.verdict;
  else if (!entry.request_errors.empty()) entry.verdict = verdict::invalid;
  else entry.verdict = verdict::valid;
}

}  // namespace

Response run_route(const RouteRun& route, RequestData data, PathParams params, JournalEntry& entry, std::shared_ptr<const faults::Fault>& phase_fault) {
  const RouteContract& rc = route.options.contract;
  std::string what = data.method + " " + data.path;
  data.path_params = std::move(params);
  RequestContext ctx(std::move(data), route.dialect, entry.request_id, rc, route.max_json_depth);
  Response out;
  bool threw = false;
  try {
    auto early = check_before_handler(ctx, route.options);
    out = early ? std::move(*early) : route.handler(ctx);
  } catch (const std::exception& e) {
    threw = true;
    out = ctx.error(500, "INTERNAL_ERROR", "runmock failed while answering " + what + ": " + e.what());
    out.check = false;
  } catch (...) {
    threw = true;
    out = ctx.error(500, "INTERNAL_ERROR", "runmock failed while answering " + what);
    out.check = false;
  }
  std::vector<Violation> response_errors = threw ? std::vector<Violation>{} : response_violations(rc, ctx, out);
  if (!response_errors.empty()) out = contract_breach(ctx, rc, route.dialect.name, out.status, response_errors);
  phase_fault = std::move(ctx.fault);
  fill_entry(entry, ctx, route, out, std::move(response_errors), threw);
  return out;
}

}  // namespace runmock::http
