#include "dialects/pennsieve.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <httplib.h>
#include <regex>
#include <set>
#include <sstream>

#include "dialects/run_context.h"
#include "engine/time.h"
#include "scenario/scenario.h"

namespace runmock::dialects {
namespace {

using nlohmann::json;
using http::RequestContext;
using http::Response;

std::int64_t seconds_since_epoch(engine::Instant instant) {
  return std::chrono::duration_cast<std::chrono::seconds>(instant.time_since_epoch()).count();
}

// "/dataSources/n1/packageIds/0" → "dataSources.n1.packageIds[0]".
std::string dotted(const std::string& pointer) {
  std::string out;
  std::size_t start = pointer.empty() ? std::string::npos : 1;
  while (start != std::string::npos && start <= pointer.size()) {
    std::size_t end = pointer.find('/', start);
    std::string token = pointer.substr(start, end == std::string::npos ? std::string::npos : end - start);
    for (std::size_t p; (p = token.find("~1")) != std::string::npos;) token.replace(p, 2, "/");
    for (std::size_t p; (p = token.find("~0")) != std::string::npos;) token.replace(p, 2, "~");
    if (!token.empty() && token.find_first_not_of("0123456789") == std::string::npos && !out.empty()) {
      out += "[" + token + "]";
    } else {
      out += (out.empty() ? "" : ".") + token;
    }
    start = end == std::string::npos ? std::string::npos : end + 1;
  }
  return out;
}

std::string basic_time(engine::Instant instant) {
  std::time_t t = static_cast<std::time_t>(seconds_since_epoch(instant));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

// The configuration of kind `kind` with this id (its spec), or null.
const json* spec_of(const scenario::ScenarioSet& set, const std::string& kind, const std::string& id) {
  const auto* c = set.configuration(Pennsieve::kApi, id);
  if (!c || c->id != id || c->fields.value("kind", "") != kind) return nullptr;
  auto it = c->fields.find("spec");
  return it == c->fields.end() ? nullptr : &*it;
}

std::string node_id_of(const json& c) {
  if (!c.is_object()) return "";
  auto it = c.find("nodeId");
  return it != c.end() && it->is_string() ? it->get<std::string>() : "";
}

// The canonical form of an instance configuration (processorConfigs as a set keyed by nodeId).
std::string canonical_instance(const json& config) {
  std::vector<json> sorted;
  if (config.contains("processorConfigs") && config["processorConfigs"].is_array()) {
    for (const auto& c : config["processorConfigs"]) sorted.push_back(c);
  }
  std::sort(sorted.begin(), sorted.end(), [](const json& a, const json& b) { return node_id_of(a) < node_id_of(b); });
  json canonical = {{"workflowId", config.value("workflowId", "")},
                    {"computeNodeId", config.value("computeNodeId", "")},
                    {"processorConfigs", sorted}};
  return canonical.dump();
}

// A UUID (version 4 shape) derived from the SHA-256 of `seed`: the same configuration always
// gets the same instance id.
std::string derived_uuid(const std::string& seed) {
  std::string hex = sigv4::sha256_hex("pennsieve-instance\n" + seed).substr(0, 32);
  hex[12] = '4';
  hex[16] = "89ab"[std::stoi(hex.substr(16, 1), nullptr, 16) & 3];
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" + hex.substr(20, 12);
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host == "[::1]" || host.rfind("127.", 0) == 0;
}

struct ParsedUrl {
  std::string scheme, host, port, path;
};
std::optional<ParsedUrl> parse_url(const std::string& url) {
  static const std::regex re(R"(^(https?)://(\[[^\]]+\]|[^/:?#]+)(?::([0-9]{1,5}))?([/?][^#]*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, re)) return std::nullopt;
  ParsedUrl p{m[1], m[2], m[3], m[4]};
  if (p.path.empty() || p.path[0] == '?') p.path = "/" + p.path;
  return p;
}

std::optional<std::string> lambda_region(const std::string& url) {
  static const std::regex re(R"(^https://[a-z0-9]{32}\.lambda-url\.([a-z]{2}(-gov)?-[a-z]+-[0-9])\.on\.aws(/[^?#]*)?([?][^#]*)?$)");
  std::smatch m;
  if (!std::regex_match(url, m, re)) return std::nullopt;
  return m[1].str();
}

json scalar_or_default(const json& param) { return param.contains("defaultValue") ? param["defaultValue"] : json(nullptr); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// SigV4

namespace sigv4 {
namespace {
std::string hex(const unsigned char* data, std::size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 15]);
  }
  return out;
}
std::string hmac(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string trim_all(const std::string& value) {
  std::string out;
  bool space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
    } else {
      if (space && !out.empty()) out.push_back(' ');
      space = false;
      out.push_back(c);
    }
  }
  return out;
}
std::string uri_encode(const std::string& s, bool keep_slash) {
  std::string out;
  static const char* digits = "0123456789ABCDEF";
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(digits[c >> 4]);
      out.push_back(digits[c & 15]);
    }
  }
  return out;
}
std::string uri_decode(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() + 0 && i + 2 <= s.size() - 1) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}
std::string normalize(const std::string& path) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    std::string seg = path.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::string out;
  for (const auto& s : segments) out += "/" + s;
  bool trailing = !path.empty() && path.back() == '/' && !segments.empty();
  std::string last = path.substr(path.rfind('/') + 1);
  if (!trailing && (last == "." || last == "..") && !segments.empty()) trailing = true;
  if (out.empty()) return "/";
  return trailing ? out + "/" : out;
}
}  // namespace

std::string sha256_hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hex(digest, sizeof digest);
}

Signed sign(const Request& request, const Credentials& credentials, const std::string& region, const std::string& service,
            const std::string& amz_date, bool normalize_path, const std::string& payload_hash) {
  std::string path = request.path.empty() ? "/" : request.path;
  if (normalize_path) path = normalize(path);
  std::string canonical_path = uri_encode(uri_decode(path), true);
  // The canonical query: each name and value decoded then encoded, sorted by name then value.
  std::vector<std::pair<std::string, std::string>> params;
  std::size_t start = 0;
  while (!request.query.empty() && start <= request.query.size()) {
    std::size_t end = request.query.find('&', start);
    std::string pair = request.query.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!pair.empty()) {
      std::size_t eq = pair.find('=');
      std::string name = pair.substr(0, eq), value = eq == std::string::npos ? "" : pair.substr(eq + 1);
      params.emplace_back(uri_encode(uri_decode(name), false), uri_encode(uri_decode(value), false));
    }
    if (end == std::string::npos) break;
    start = end + 1;
  }
  std::sort(params.begin(), params.end());
  std::string query;
  for (const auto& [n, v] : params) query += (query.empty() ? "" : "&") + n + "=" + v;
  std::map<std::string, std::vector<std::string>> headers;
  for (const auto& [name, value] : request.headers) headers[lower(name)].push_back(trim_all(value));
  std::string canonical_headers, signed_headers;
  for (const auto& [name, values] : headers) {
    std::string joined;
    for (const auto& v : values) joined += (joined.empty() ? "" : ",") + v;
    canonical_headers += name + ":" + joined + "\n";
    signed_headers += (signed_headers.empty() ? "" : ";") + name;
  }
  Signed out;
  out.canonical_request = request.method + "\n" + canonical_path + "\n" + query + "\n" + canonical_headers + "\n" + signed_headers + "\n" +
                          (payload_hash.empty() ? sha256_hex(request.body) : payload_hash);
  std::string date = amz_date.substr(0, 8);
  std::string scope = date + "/" + region + "/" + service + "/aws4_request";
  out.string_to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + sha256_hex(out.canonical_request);
  std::string key = hmac(hmac(hmac(hmac("AWS4" + credentials.secret_access_key, date), region), service), "aws4_request");
  std::string sig = hmac(key, out.string_to_sign);
  out.signature = hex(reinterpret_cast<const unsigned char*>(sig.data()), sig.size());
  out.authorization = "AWS4-HMAC-SHA256 Credential=" + credentials.access_key_id + "/" + scope + ", SignedHeaders=" + signed_headers +
                      ", Signature=" + out.signature;
  return out;
}
}  // namespace sigv4

// ---------------------------------------------------------------------------------------------
// The dialect

Pennsieve::Pennsieve(engine::Engine& engine, scenario::ScenarioRegistry& scenarios, const contracts::ApiContract& contract,
                     http::jwt::Verifier verifier, PennsieveOptions options)
    : engine_(engine), scenarios_(scenarios), contract_(contract), verifier_(std::move(verifier)), options_(std::move(options)) {
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (options_.access_key_id.empty()) options_.access_key_id = env("AWS_ACCESS_KEY_ID");
  if (options_.secret_access_key.empty()) options_.secret_access_key = env("AWS_SECRET_ACCESS_KEY");
  if (options_.session_token.empty()) options_.session_token = env("AWS_SESSION_TOKEN");
  if (options_.access_key_id.empty()) options_.access_key_id = kDefaultAccessKeyId;
  if (options_.secret_access_key.empty()) options_.secret_access_key = kDefaultSecretAccessKey;
}

Pennsieve::~Pennsieve() {
  stopping_ = true;
  wake_.notify_all();
  if (worker_.joinable()) worker_.join();
}

json Pennsieve::error_body(const http::ErrorInfo& info) { return {{"message", info.message}}; }

void Pennsieve::install(http::Server& server) {
  server.add_dialect({kApi, {"/compute/workflows/"}, &Pennsieve::error_body, 415});
  server.operation(kApi, contract_, "createWorkflowRun", [this](RequestContext& ctx) { return create(ctx); });
  server.operation(kApi, contract_, "listWorkflowRuns", [this](RequestContext& ctx) { return list(ctx); });
  server.operation(kApi, contract_, "getWorkflowRun", [this](RequestContext& ctx) { return get(ctx); });
  server.operation(kApi, contract_, "getWorkflowRunStatus", [this](RequestContext& ctx) { return status(ctx); });
  server.operation(kApi, contract_, "cancelWorkflowRun", [this](RequestContext& ctx) { return cancel(ctx); });
  server.admin_route("GET", "/__runmock/webhooks", [this](RequestContext& ctx) { return webhooks(ctx); });
  journal_ = &server.journal();
  worker_ = std::thread([this] { webhook_loop(); });
}

std::variant<std::string, Response> Pennsieve::authenticate(RequestContext& ctx) const {
  http::jwt::Token token;
  try {
    token = verifier_.verify(http::jwt::bearer_token(ctx.header("Authorization").value_or("")), seconds_since_epoch(engine_.clock().now()));
  } catch (const http::jwt::JwtError& e) {
    return ctx.refuse(401, "", std::string("Unauthorized: ") + e.what(), "header");
  }
  std::string tenant;
  if (token.payload.contains("sub") && token.payload["sub"].is_string()) tenant = token.payload["sub"].get<std::string>();
  if (tenant.empty() && token.payload.contains("client_id") && token.payload["client_id"].is_string()) {
    tenant = token.payload["client_id"].get<std::string>();
  }
  if (tenant.empty()) return ctx.refuse(401, "", "Unauthorized: the token has neither sub nor client_id", "header");
  return tenant;
}

Response Pennsieve::bad_request(RequestContext& ctx, const std::vector<http::Violation>& violations) const {
  std::string message;
  bool mode_reported = false;
  for (const auto& v : violations) {
    std::string key = v.instance_location.empty() ? "" : dotted(v.instance_location);
    std::string text = v.message;
    if (v.in == "body" && key.empty() && v.schema_location.find("oneOf") != std::string::npos) {
      if (mode_reported) continue;
      mode_reported = true;
      key = "workflowInstanceId, workflowInstanceConfiguration";
      text = "exactly one of workflowInstanceId and workflowInstanceConfiguration must be given";
    } else if (v.schema_location.size() >= 20 && v.schema_location.ends_with("additionalProperties")) {
      text = "unknown field";
    } else if (v.schema_location.find("oneOf") != std::string::npos && mode_reported) {
      continue;
    }
    if (key.empty()) key = v.in.empty() ? "body" : v.in;
    message += (message.empty() ? "" : "; ") + key + ": " + text;
  }
  return ctx.error(400, "", message);
}

std::variant<engine::RunSnapshot, Response> Pennsieve::find_run(RequestContext& ctx, const std::string& tenant, bool poll) {
  std::string id = ctx.path_param("runId");
  engine::ObserveOptions options;
  options.count_poll = poll;
  options.owner = engine::Owner{kApi, tenant};
  auto run = engine_.observe(id, options);
  if (!run) return ctx.error(404, "", "runId: no workflow run '" + id + "'");
  engine::RunSnapshot observed = enforce(*run);
  describe_run(ctx, observed, *scenarios_.current());
  return observed;
}

engine::RunSnapshot Pennsieve::enforce(engine::RunSnapshot run) {
  double budget = run.data().value("executionBudgetUsd", 0.0);
  if (budget <= 0 || run.terminal() || run.state() == "CANCELING") return run;
  double spend = 0;
  for (const auto& item : run.part("dag")) {
    if (item.visible() && item.fields.contains("llmCostUsd") && item.fields["llmCostUsd"].is_number()) spend += item.fields["llmCostUsd"].get<double>();
  }
  if (spend <= budget) return run;
  std::ostringstream message;
  message.precision(2);
  message << std::fixed << "executionBudgetUsd: execution budget of " << budget << " USD exceeded (LLM spend " << spend << " USD)";
  engine_.patch(run.id(), {{"errorMessage", message.str()}});
  auto moved = engine_.transition(run.id(), "FAILED", true);
  if (moved.ok()) return moved.run;
  return engine_.peek(run.id()).value_or(run);
}

namespace {
json node_json(const engine::PartItem& item, bool brief) {
  json node = json::object();
  if (!brief) {
    node = item.fields.is_object() ? item.fields : json::object();
  } else {
    node["id"] = item.fields.value("id", item.id);
  }
  node["id"] = item.fields.value("id", item.id);
  std::string state = item.visible() ? item.state : "NOT_STARTED";
  node["status"] = state;
  node.erase("startedAt");
  node.erase("completedAt");
  if (auto started = item.entered("STARTED")) node["startedAt"] = engine::format_timestamp(*started);
  if (item.ended_at) node["completedAt"] = engine::format_timestamp(*item.ended_at);
  if (state != "FAILED") {
    node.erase("errorMessage");
  } else if (brief && item.fields.contains("errorMessage")) {
    node["errorMessage"] = item.fields["errorMessage"];
  }
  return node;
}
}  // namespace

json Pennsieve::run_json(const engine::RunSnapshot& run) const {
  json out = run.data().value("run", json::object());
  out["uuid"] = run.id();
  out["status"] = run.state();
  out["startedAt"] = engine::format_timestamp(run.created_at());
  json dag = json::array();
  std::string failed_node, failed_message;
  std::size_t size = run.data().value("dagSize", std::size_t{0});
  const auto& items = run.part("dag");
  for (std::size_t i = 0; i < items.size() && i < size; ++i) {
    json node = node_json(items[i], false);
    if (node["status"] == "FAILED" && failed_node.empty()) {
      failed_node = node["id"].get<std::string>();
      failed_message = node.value("errorMessage", "failed");
    }
    dag.push_back(std::move(node));
  }
  out["dag"] = std::move(dag);
  json fields = run.fields();
  if (run.terminal() && run.ended_at()) out["completedAt"] = engine::format_timestamp(*run.ended_at());
  if (run.state() == "FAILED") {
    if (fields.contains("errorMessage") && fields["errorMessage"].is_string()) {
      out["errorMessage"] = fields["errorMessage"];
    } else if (!failed_node.empty()) {
      out["errorMessage"] = failed_node + ": " + failed_message;
    } else {
      out["errorMessage"] = "the workflow run failed";
    }
  }
  fields.erase("errorMessage");
  out.merge_patch(fields);
  return out;
}

Response Pennsieve::create(RequestContext& ctx) {
  auto auth = authenticate(ctx);
  if (auto* refusal = std::get_if<Response>(&auth)) return *refusal;
  const std::string& tenant = std::get<std::string>(auth);
  auto body = http::parse_json_body(ctx);
  if (!body) return *body.error;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, violations);
  const json& b = body.value;
  auto set = scenarios_.current();

  // The workflow instance: mode 1 (an existing one) or mode 2 (find or create).
  json instance;
  std::string instance_id;
  std::string instance_field;
  if (b.contains("workflowInstanceId")) {
    instance_field = "workflowInstanceId";
    instance_id = b["workflowInstanceId"].get<std::string>();
    if (const json* declared = spec_of(*set, "instance", instance_id)) {
      instance = *declared;
    } else {
      std::lock_guard lock(instances_mutex_);
      if (auto it = instances_.find(instance_id); it != instances_.end()) instance = it->second;
    }
    if (instance.is_null()) return ctx.error(404, "", "workflowInstanceId: no workflow instance '" + instance_id + "'");
  } else {
    instance_field = "workflowInstanceConfiguration.workflowId";
    instance = b["workflowInstanceConfiguration"];
    if (!instance.contains("processorConfigs")) instance["processorConfigs"] = json::array();
  }
  std::string workflow_id = instance.value("workflowId", "");
  std::string compute_node_id = instance.value("computeNodeId", "");
  const json* workflow = spec_of(*set, "workflow", workflow_id);
  if (!workflow) return ctx.error(404, "", instance_field + ": no workflow definition '" + workflow_id + "'");
  if (!workflow->value("isActive", true)) return ctx.error(403, "", instance_field + ": the workflow '" + workflow_id + "' is archived");
  const json* compute_node = spec_of(*set, "compute-node", compute_node_id);
  if (!compute_node) {
    std::string field = b.contains("workflowInstanceId") ? "workflowInstanceId" : "workflowInstanceConfiguration.computeNodeId";
    return ctx.error(404, "", field + ": no compute node '" + compute_node_id + "'");
  }
  const json dag_def = workflow->value("dag", json::array());
  std::map<std::string, const json*> nodes;
  for (const auto& node : dag_def) nodes[node.value("id", "")] = &node;
  auto node_type = [&](const std::string& id) -> std::string {
    auto it = nodes.find(id);
    return it == nodes.end() ? "" : it->second->value("type", "");
  };
  if (!b.contains("workflowInstanceId")) {
    std::set<std::string> seen;
    const json& configs = instance["processorConfigs"];
    for (std::size_t i = 0; i < configs.size(); ++i) {
      std::string id = node_id_of(configs[i]);
      std::string key = "workflowInstanceConfiguration.processorConfigs[" + std::to_string(i) + "].nodeId: ";
      if (!nodes.count(id)) return ctx.error(400, "", key + "'" + id + "' is not a node of workflow " + workflow_id);
      if (!seen.insert(id).second) return ctx.error(400, "", key + "'" + id + "' is configured twice");
    }
  }

  // dataSources / dataTargets / processorParams / tags against the definition.
  json data_sources = b.value("dataSources", json::object());
  for (const auto& [key, value] : data_sources.items()) {
    if (node_type(key) != "data-source") return ctx.error(400, "", "dataSources." + key + ": not a data-source node of workflow " + workflow_id);
  }
  for (const auto& node : dag_def) {
    if (node.value("type", "") == "data-source" && !data_sources.contains(node.value("id", ""))) {
      return ctx.error(400, "", "dataSources." + node.value("id", "") + ": the workflow's data-source node has no input");
    }
  }
  json data_targets_in = b.value("dataTargets", json::object());
  for (const auto& [key, value] : data_targets_in.items()) {
    if (node_type(key) != "data-target") return ctx.error(400, "", "dataTargets." + key + ": not a data-target node of workflow " + workflow_id);
  }
  json processor_params = b.value("processorParams", json::object());
  for (const auto& [key, value] : processor_params.items()) {
    if (node_type(key) != "processor") return ctx.error(400, "", "processorParams." + key + ": not a processor node of workflow " + workflow_id);
  }
  json tags = b.value("tags", json::object());
  for (const auto& [key, value] : tags.items()) {
    if (node_type(key) != "processor") return ctx.error(400, "", "tags." + key + ": not a processor node of workflow " + workflow_id);
  }
  // Required processor params (run > workflow defaultParams > application defaultValue).
  for (const auto& node : dag_def) {
    if (node.value("type", "") != "processor") continue;
    std::string id = node.value("id", "");
    json run_params = processor_params.value(id, json::object());
    json defaults = node.value("defaultParams", json::object());
    for (const auto& param : node.value("paramSchema", json::array())) {
      std::string name = param.value("name", "");
      if (!param.value("required", false)) continue;
      if (run_params.contains(name) || defaults.contains(name) || !scalar_or_default(param).is_null()) continue;
      return ctx.error(400, "", "processorParams." + id + "." + name + ": required parameter has no value at run, workflow or application level");
    }
    if (!node.contains("tag") && !tags.contains(id)) {
      return ctx.error(400, "", "tags." + id + ": processor has no image tag in the workflow's DAG snapshot and none is given");
    }
  }
  // dataTargets: caller params, target-type defaults, registry params (which win).
  json data_targets = json::object();
  for (const auto& node : dag_def) {
    if (node.value("type", "") != "data-target") continue;
    std::string id = node.value("id", "");
    if (!data_targets_in.contains(id)) continue;
    std::string type = node.value("targetType", "");
    json params = data_targets_in[id].value("params", json::object());
    if (const json* target = spec_of(*set, "target-type", type)) {
      for (const auto& param : target->value("params", json::array())) {
        std::string name = param.value("name", "");
        if (params.contains(name)) continue;
        if (param.contains("defaultValue")) {
          params[name] = param["defaultValue"];
        } else if (param.value("required", false)) {
          return ctx.error(400, "", "dataTargets." + id + ".params." + name + ": required target parameter has no value");
        }
      }
      json registry = target->value("registryParams", json::object());
      for (const auto& [name, value] : registry.items()) params[name] = value;
    }
    data_targets[id] = {{"params", params}, {"targetType", type}};
  }
  // Layers: each must exist on the compute node and be READY.
  json layers = b.value("layers", json::array());
  const json node_layers = compute_node->value("layers", json::array());
  for (std::size_t i = 0; i < layers.size(); ++i) {
    std::string name = layers[i].get<std::string>();
    const json* found = nullptr;
    for (const auto& layer : node_layers) {
      if (layer.value("layerName", "") == name) found = &layer;
    }
    std::string key = "layers[" + std::to_string(i) + "]: ";
    if (!found) return ctx.error(400, "", key + "no layer '" + name + "' on compute node " + compute_node_id);
    if (found->value("status", "") != "READY") {
      return ctx.error(409, "", key + "layer '" + name + "' is " + found->value("status", "") + ", not READY");
    }
  }
  // The completion callback URL.
  if (b.contains("completionCallbackUrl")) {
    std::string url = b["completionCallbackUrl"].get<std::string>();
    auto parsed = parse_url(url);
    bool lambda = lambda_region(url).has_value();
    bool loopback = parsed && parsed->scheme == "http" && !parsed->port.empty() && is_loopback_host(parsed->host);
    bool ok = options_.callback_policy == "any" ? parsed.has_value() : options_.callback_policy == "lambda" ? lambda : (lambda || loopback);
    if (!ok) {
      return ctx.error(400, "",
                       "completionCallbackUrl: must be a Lambda Function URL (https://<url-id>.lambda-url.<region>.on.aws/...)" +
                           std::string(options_.callback_policy == "lambda" ? "" : " or a loopback URL (http://127.0.0.1:<port>/...)"));
    }
  }

  // Find or create the instance.
  if (!b.contains("workflowInstanceId")) {
    std::string canonical = canonical_instance(instance);
    std::lock_guard lock(instances_mutex_);
    for (const auto* c : set->configurations(kApi)) {
      if (c->fields.value("kind", "") == "instance" && canonical_instance(c->fields.value("spec", json::object())) == canonical) instance_id = c->id;
    }
    if (instance_id.empty()) {
      auto it = instance_by_config_.find(canonical);
      if (it == instance_by_config_.end()) {
        instance_id = derived_uuid(canonical);
        instance_by_config_[canonical] = instance_id;
        instances_[instance_id] = instance;
      } else {
        instance_id = it->second;
      }
    }
  }

  // The scenario.
  scenario::Request request;
  for (const auto& [name, value] : ctx.query_params()) request.query.emplace(name, value);
  for (const auto& [name, value] : ctx.headers()) request.headers.emplace(name, value);
  request.body = &b;
  const scenario::Configuration* workflow_config = set->configuration(kApi, workflow_id);
  request.configuration = workflow_config ? &workflow_config->fields : nullptr;
  auto selection = set->select(kApi, request);
  if (!selection.unknown_preference.empty()) {
    std::string known;
    for (const auto* s : set->scenarios(kApi)) known += (known.empty() ? "" : ", ") + s->name;
    return ctx.refuse(400, "", "Prefer: no pennsieve scenario '" + selection.unknown_preference + "' (known: " + known + ")", "header");
  }
  if (!selection.scenario) return ctx.error(500, "", "no pennsieve scenario matches and none is the default");

  engine::RunSnapshot created;
  try {
    created = engine_.create(new_run(tenant, instance_id, instance, *workflow, b, data_targets, selection.scenario->script, engine_.clock().now()));
  } catch (const engine::StoreFull& e) {
    return ctx.error(503, "", std::string("Service Unavailable: ") + e.what());
  }
  describe_run(ctx, created, *set);
  if (b.contains("completionCallbackUrl")) {
    std::lock_guard lock(deliveries_mutex_);
    Delivery d;
    d.run_id = created.id();
    d.url = b["completionCallbackUrl"].get<std::string>();
    deliveries_.push_back(std::move(d));
  }
  wake_.notify_all();
  return Response::json(201, run_json(enforce(created)));
}

engine::CreateRequest Pennsieve::new_run(const std::string& tenant, const std::string& instance_id, const json& instance, const json& workflow,
                                         const json& b, const json& data_targets, std::shared_ptr<const engine::Script> script,
                                         engine::Instant created_at) const {
  // The run's DAG: the definition's nodes with the run's tags and execution targets.
  const json tags = b.value("tags", json::object());
  std::map<std::string, json> configs;
  for (const auto& c : instance.value("processorConfigs", json::array())) configs[node_id_of(c)] = c;
  std::vector<json> dag;
  for (const auto& node : workflow.value("dag", json::array())) {
    std::string id = node.value("id", "");
    json copy = {{"id", id}, {"type", node.value("type", "processor")}, {"dependsOn", node.value("dependsOn", json::array())}};
    for (const char* key : {"sourceUrl", "tag", "computeType", "targetType"}) {
      if (node.contains(key)) copy[key] = node[key];
    }
    if (tags.contains(id)) copy["tag"] = tags[id];
    if (auto it = configs.find(id); it != configs.end()) {
      copy["computeType"] = it->second.value("executionTarget", "standard");
      if (it->second.contains("version") && node.value("type", "") == "processor" && !tags.contains(id)) copy["tag"] = it->second["version"];
    }
    dag.push_back(std::move(copy));
  }
  std::string name = b.value("name", "run-" + basic_time(created_at));
  json run = {{"name", name},
              {"workflowInstanceId", instance_id},
              {"workflowUuid", instance.value("workflowId", "")},
              {"workflowName", workflow.value("name", "")},
              {"computeNodeUuid", instance.value("computeNodeId", "")},
              {"processorConfigs", instance.value("processorConfigs", json::array())}};
  for (const char* key : {"datasetId", "dataSources", "processorParams", "tags", "layers", "executionBudgetUsd", "completionCallbackUrl",
                          "completionCallbackContext"}) {
    if (b.contains(key)) run[key] = b[key];
  }
  if (b.contains("dataTargets")) run["dataTargets"] = data_targets;
  engine::CreateRequest create;
  create.api = kApi;
  create.tenant = tenant;
  create.script = std::move(script);
  create.data = {{"run", run},
                 {"dagSize", dag.size()},
                 {"organizationId", workflow.value("organizationId", "")},
                 {"executionBudgetUsd", b.value("executionBudgetUsd", 0.0)}};
  create.parts["dag"] = std::move(dag);
  return create;
}

engine::CreateRequest Pennsieve::seed_run(const engine::SeedSpec& spec) const {
  std::string tenant = http::jwt::kDevClientId;
  if (!spec.tenant.is_null()) {
    if (!spec.tenant.is_string() || spec.tenant.get_ref<const std::string&>().empty()) {
      throw std::invalid_argument("tenant: a pennsieve tenant is the token's sub (else client_id), a non-empty string");
    }
    tenant = spec.tenant.get<std::string>();
  }
  auto set = scenarios_.current();
  json body = spec.request.is_null() ? json::object() : spec.request;
  if (!body.is_object()) throw std::invalid_argument("request: the create body's fields, as an object");
  if (!body.contains("workflowInstanceId")) {
    for (const auto* c : set->configurations(kApi)) {
      if (c->fields.value("kind", "") == "instance") {
        body["workflowInstanceId"] = c->id;
        break;
      }
    }
  }
  if (!body.contains("workflowInstanceId") || !body["workflowInstanceId"].is_string()) {
    throw std::invalid_argument("request.workflowInstanceId: the id of a workflow instance declared in the scenarios' configurations");
  }
  std::string instance_id = body["workflowInstanceId"].get<std::string>();
  const json* instance = spec_of(*set, "instance", instance_id);
  if (!instance) throw std::invalid_argument("request.workflowInstanceId: no declared workflow instance '" + instance_id + "'");
  const json* workflow = spec_of(*set, "workflow", instance->value("workflowId", ""));
  if (!workflow) throw std::invalid_argument("request.workflowInstanceId: the instance's workflow '" + instance->value("workflowId", "") + "' is not declared");
  return new_run(tenant, instance_id, *instance, *workflow, body, body.value("dataTargets", json::object()), spec.script, spec.created_at);
}

Response Pennsieve::get(RequestContext& ctx) {
  auto auth = authenticate(ctx);
  if (auto* refusal = std::get_if<Response>(&auth)) return *refusal;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, violations);
  auto found = find_run(ctx, std::get<std::string>(auth), true);
  if (auto* missing = std::get_if<Response>(&found)) return *missing;
  return Response::json(200, run_json(std::get<engine::RunSnapshot>(found)));
}

Response Pennsieve::status(RequestContext& ctx) {
  auto auth = authenticate(ctx);
  if (auto* refusal = std::get_if<Response>(&auth)) return *refusal;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, violations);
  auto found = find_run(ctx, std::get<std::string>(auth), true);
  if (auto* missing = std::get_if<Response>(&found)) return *missing;
  const auto& run = std::get<engine::RunSnapshot>(found);
  json full = run_json(run);
  json out = {{"uuid", full["uuid"]}, {"status", full["status"]}, {"startedAt", full["startedAt"]}};
  if (full.contains("completedAt")) out["completedAt"] = full["completedAt"];
  if (full.contains("errorMessage")) out["errorMessage"] = full["errorMessage"];
  json dag = json::array();
  std::size_t size = run.data().value("dagSize", std::size_t{0});
  const auto& items = run.part("dag");
  for (std::size_t i = 0; i < items.size() && i < size; ++i) dag.push_back(node_json(items[i], true));
  out["dag"] = std::move(dag);
  return Response::json(200, std::move(out));
}

Response Pennsieve::list(RequestContext& ctx) {
  auto auth = authenticate(ctx);
  if (auto* refusal = std::get_if<Response>(&auth)) return *refusal;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, violations);
  std::string organization = ctx.query("organization_id").value_or("");
  std::string workflow = ctx.query("workflow_id").value_or("");
  std::optional<engine::Instant> start, end;
  if (auto s = ctx.query("start_date")) start = engine::parse_timestamp(*s);
  if (auto e = ctx.query("end_date")) end = engine::parse_timestamp(*e);
  if (start && end && *end < *start) return ctx.error(400, "", "end_date: is before start_date");
  // Budgets are enforced on what the list shows, so a status filter sees the same words as a get.
  {
    engine::ListQuery all;
    all.api = kApi;
    all.tenant = std::get<std::string>(auth);
    all.limit = static_cast<std::size_t>(-1);
    all.count_total = false;
    for (const auto& run : engine_.list(all).items) {
      if (run.data().value("executionBudgetUsd", 0.0) > 0) enforce(run);
    }
  }
  engine::ListQuery query;
  query.api = kApi;
  query.tenant = std::get<std::string>(auth);
  if (auto s = ctx.query("status")) query.states = {*s};
  query.filter = [organization, workflow, start, end](const engine::RunSnapshot& run) {
    if (run.data().value("organizationId", "") != organization) return false;
    if (!workflow.empty() && run.data()["run"].value("workflowUuid", "") != workflow) return false;
    if (start && run.created_at() < *start) return false;
    if (end && !(run.created_at() < *end)) return false;
    return true;
  };
  query.newest_first = true;
  query.limit = static_cast<std::size_t>(std::stoul(ctx.query("limit").value_or("25")));
  query.count_total = false;
  // The cursor carries the filters it was made for.
  std::string filters = organization + "|" + workflow + "|" + ctx.query("status").value_or("") + "|" + ctx.query("start_date").value_or("") + "|" +
                        ctx.query("end_date").value_or("");
  std::string tag = sigv4::sha256_hex(filters).substr(0, 12);
  if (auto cursor = ctx.query("cursor")) {
    if (cursor->size() < 14 || cursor->substr(0, 12) != tag || (*cursor)[12] != '.') {
      return ctx.error(400, "", "cursor: not a cursor of this listing (cursors are valid only with the same filters)");
    }
    query.cursor = cursor->substr(13);
  }
  auto page = engine_.list(query);
  if (page.bad_cursor) return ctx.error(400, "", "cursor: not a cursor of this listing");
  json runs = json::array();
  for (const auto& run : page.items) runs.push_back(run_json(run));
  json out = {{"runs", runs}};
  if (!page.next_cursor.empty()) out["nextCursor"] = tag + "." + page.next_cursor;
  return Response::json(200, std::move(out));
}

Response Pennsieve::cancel(RequestContext& ctx) {
  auto auth = authenticate(ctx);
  if (auto* refusal = std::get_if<Response>(&auth)) return *refusal;
  if (const auto& violations = ctx.check_request(); !violations.empty()) return bad_request(ctx, violations);
  auto found = find_run(ctx, std::get<std::string>(auth), false);
  if (auto* missing = std::get_if<Response>(&found)) return *missing;
  engine::ActOptions options;
  options.fallback_state = "CANCELING";
  options.owner = engine::Owner{kApi, std::get<std::string>(auth)};
  auto result = engine_.act(ctx.run_id, "cancel", options);
  switch (result.outcome) {
    case engine::ActResult::Outcome::applied:
    case engine::ActResult::Outcome::already:
      wake_.notify_all();
      return Response::json(200, run_json(result.run));
    case engine::ActResult::Outcome::not_found:
      return ctx.error(404, "", "runId: no workflow run '" + ctx.run_id + "'");
    case engine::ActResult::Outcome::terminal:
      return ctx.error(409, "", "run " + ctx.run_id + " is already " + result.run.state());
    default:
      return ctx.error(409, "", "run " + ctx.run_id + ": " + result.message);
  }
}

// ---------------------------------------------------------------------------------------------
// The completion webhook

Response Pennsieve::webhooks(RequestContext&) {
  json out = json::array();
  std::lock_guard lock(deliveries_mutex_);
  for (const auto& d : deliveries_) {
    out.push_back({{"runId", d.run_id}, {"url", d.url}, {"state", d.state}, {"body", d.body}, {"attempts", d.attempts}});
  }
  return Response::json(200, {{"webhooks", out}});
}

void Pennsieve::webhook_loop() {
  while (!stopping_) {
    {
      std::unique_lock lock(deliveries_mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(25));
    }
    if (stopping_) break;
    std::vector<std::string> due;
    std::vector<std::string> waiting;
    {
      std::lock_guard lock(deliveries_mutex_);
      engine::Instant now = engine_.clock().now();
      for (auto& d : deliveries_) {
        if (d.state == "waiting") waiting.push_back(d.run_id);
        if (d.state == "pending" && d.next_at && !(now < *d.next_at)) due.push_back(d.run_id);
      }
    }
    for (const auto& id : waiting) {
      auto run = engine_.peek(id);
      if (!run) continue;
      engine::RunSnapshot seen = enforce(*run);
      if (!seen.terminal()) continue;
      json full = run_json(seen);
      json body = {{"uuid", full["uuid"]},
                   {"workflowInstanceId", full["workflowInstanceId"]},
                   {"name", full["name"]},
                   {"status", full["status"]},
                   {"startedAt", full["startedAt"]},
                   {"completedAt", full["completedAt"]},
                   {"completionCallbackContext", full.value("completionCallbackContext", json::object())}};
      if (full.contains("errorMessage")) body["errorMessage"] = full["errorMessage"];
      std::lock_guard lock(deliveries_mutex_);
      for (auto& d : deliveries_) {
        if (d.run_id == id && d.state == "waiting") {
          d.state = "pending";
          d.body = body;
          d.next_at = engine_.clock().now();
          due.push_back(id);
        }
      }
    }
    for (const auto& id : due) deliver(id);
  }
}

void Pennsieve::deliver(const std::string& run_id) {
  std::string url;
  json body;
  {
    std::lock_guard lock(deliveries_mutex_);
    for (auto& d : deliveries_) {
      if (d.run_id == run_id && d.state == "pending") {
        url = d.url;
        body = d.body;
      }
    }
  }
  if (url.empty()) return;
  auto parsed = parse_url(url);
  std::string payload = body.dump();
  engine::Instant now = engine_.clock().now();
  json attempt = {{"time", engine::format_timestamp(now)}, {"status", nullptr}, {"error", nullptr}};
  bool retry = false, delivered = false;
  if (!parsed) {
    attempt["error"] = "unparsable URL";
  } else if (!is_loopback_host(parsed->host) && !options_.allow_remote) {
    attempt["error"] = "delivery to " + parsed->host + " refused: runmock delivers only to loopback (--webhook-allow-remote)";
  } else if (parsed->scheme != "http") {
    attempt["error"] = "https delivery is not supported by this build";
  } else {
    std::string region = lambda_region(url).value_or(options_.region);
    std::string host = parsed->host + (parsed->port.empty() ? "" : ":" + parsed->port);
    std::string amz_date = basic_time(now);
    std::string hash = sigv4::sha256_hex(payload);
    sigv4::Request request;
    request.method = "POST";
    std::size_t q = parsed->path.find('?');
    request.path = parsed->path.substr(0, q);
    request.query = q == std::string::npos ? "" : parsed->path.substr(q + 1);
    request.headers = {{"host", host}, {"content-type", "application/json"}, {"x-amz-date", amz_date}, {"x-amz-content-sha256", hash}};
    if (!options_.session_token.empty()) request.headers.emplace_back("x-amz-security-token", options_.session_token);
    request.body = payload;
    auto signed_request = sigv4::sign(request, {options_.access_key_id, options_.secret_access_key, options_.session_token}, region, "lambda", amz_date);
    httplib::Headers headers = {{"Authorization", signed_request.authorization}, {"X-Amz-Date", amz_date}, {"X-Amz-Content-Sha256", hash}};
    if (!options_.session_token.empty()) headers.emplace("X-Amz-Security-Token", options_.session_token);
    httplib::Client client(parsed->host, parsed->port.empty() ? 80 : std::stoi(parsed->port));
    client.set_connection_timeout(options_.timeout_seconds, 0);
    client.set_read_timeout(options_.timeout_seconds, 0);
    client.set_write_timeout(options_.timeout_seconds, 0);
    auto result = client.Post(parsed->path, headers, payload, "application/json");
    if (!result) {
      attempt["error"] = "connection failed: " + httplib::to_string(result.error());
      retry = true;
    } else {
      attempt["status"] = result->status;
      if (result->status >= 200 && result->status < 300) {
        delivered = true;
      } else {
        retry = result->status == 408 || result->status == 429 || result->status >= 500;
        attempt["error"] = "HTTP " + std::to_string(result->status);
      }
    }
  }
  if (journal_) {
    http::JournalEntry entry;
    entry.time = engine::format_timestamp(now);
    entry.method = "POST";
    entry.path = url;
    entry.status = attempt["status"].is_number() ? attempt["status"].get<int>() : 0;
    entry.api = kApi;
    entry.run = run_id;
    entry.verdict = "webhook";
    entry.message = "completion webhook attempt" + (attempt["error"].is_string() ? ": " + attempt["error"].get<std::string>() : std::string());
    journal_->record(std::move(entry));
  }
  std::lock_guard lock(deliveries_mutex_);
  for (auto& d : deliveries_) {
    if (d.run_id != run_id || d.state != "pending") continue;
    d.attempts_made++;
    attempt["attempt"] = d.attempts_made;
    d.attempts.push_back(attempt);
    if (delivered) {
      d.state = "delivered";
    } else if (!retry || d.attempts_made >= options_.max_attempts) {
      d.state = "failed";
    } else {
      double delay = options_.backoff_seconds * static_cast<double>(1u << std::min(d.attempts_made - 1, 20));
      if (options_.jitter > 0) {
        jitter_state_ = jitter_state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = static_cast<double>(jitter_state_ >> 11) / static_cast<double>(1ULL << 53) * 2 - 1;
        delay *= 1 + options_.jitter * u;
      }
      d.next_at = now + std::chrono::duration_cast<engine::Duration>(std::chrono::duration<double>(delay));
    }
  }
}

}  // namespace runmock::dialects
