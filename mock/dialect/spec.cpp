#include "dialect/spec.h"

#include <yaml-cpp/yaml.h>

#include <fstream>
#include <sstream>

#include "loader/yaml_bounds.h"
#include "loader/yaml_json.h"
#include "scenario/yaml_marks.h"
#include "validator/validator.h"

namespace runmock::dialect {

using nlohmann::json;

namespace {

// A problem at a JSON Pointer of the file; turned into file:line:col by the loader.
struct SpecError {
  std::string pointer;
  std::string message;
};

std::string read_text(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DialectError(file.string() + ": cannot read the file");
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::string location(const std::filesystem::path& file, const YAML::Mark& mark) {
  return file.string() + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

const json& member(const json& object, const char* key) {
  static const json kNull;
  auto it = object.find(key);
  return it == object.end() ? kNull : *it;
}

// object[key] when object is an object that has it, else `fallback` (sections are optional).
template <typename T>
T value_of(const json& object, const char* key, T fallback) {
  return object.is_object() ? object.value(key, fallback) : fallback;
}

std::string text_of(const json& object, const char* key, std::string fallback = "") {
  const json& v = member(object, key);
  return v.is_string() ? v.get<std::string>() : fallback;
}

Refusal refusal_of(const json& spec, int default_status = 400) {
  Refusal r;
  r.status = value_of(spec, "status", default_status);
  r.code = text_of(spec, "code");
  r.message = text_of(spec, "message");
  r.in = text_of(spec, "in");
  return r;
}

std::optional<Refusal> optional_refusal(const json& object, const char* key) {
  const json& v = member(object, key);
  if (!v.is_object()) return std::nullopt;
  return refusal_of(v);
}

Setting setting_of(const json& value) {
  if (value.is_object() && value.contains("option")) return {nullptr, value["option"].get<std::string>()};
  return {value, ""};
}

std::vector<std::string> strings(const json& value) {
  std::vector<std::string> out;
  if (value.is_array()) {
    for (const auto& v : value) out.push_back(v.get<std::string>());
  }
  return out;
}

// --- the sections ---

Roles roles_of(const json& spec) {
  return {text_of(spec, "create"), text_of(spec, "get"), text_of(spec, "status"), text_of(spec, "list"),
          text_of(spec, "cancel"), text_of(spec, "events"), text_of(spec, "webhook")};
}

std::map<std::string, OptionSpec> options_of(const json& spec) {
  std::map<std::string, OptionSpec> out;
  if (!spec.is_object()) return out;
  for (const auto& [name, o] : spec.items()) {
    OptionSpec option;
    option.name = name;
    option.flag = text_of(o, "flag");
    option.help = text_of(o, "help");
    option.type = text_of(o, "type", "string");
    option.default_value = member(o, "default");
    if (o.contains("enum")) option.allowed = o["enum"].get<std::vector<json>>();
    if (o.contains("minimum")) option.minimum = o["minimum"].get<double>();
    if (o.contains("maximum")) option.maximum = o["maximum"].get<double>();
    option.env = text_of(o, "env");
    option.fallback = text_of(o, "fallback");
    out.emplace(name, std::move(option));
  }
  return out;
}

AuthSpec auth_of(const json& spec) {
  AuthSpec auth;
  std::string kind = text_of(spec, "kind", "none");
  auth.kind = kind == "jwt" ? AuthSpec::Kind::jwt : kind == "bearer" ? AuthSpec::Kind::bearer : kind == "api_key" ? AuthSpec::Kind::api_key
              : kind == "basic" ? AuthSpec::Kind::basic : AuthSpec::Kind::none;
  auth.claims_schema = text_of(spec, "claims_schema");
  for (const auto& op : strings(member(spec, "query_token"))) auth.query_token.insert(op);
  auth.header = text_of(spec, "header");
  if (spec.contains("refuse")) auth.refuse = refusal_of(spec["refuse"], 401);
  auth.refuse.in = auth.refuse.in.empty() ? "header" : auth.refuse.in;
  auth.bad_claims = optional_refusal(spec, "bad_claims");
  return auth;
}

TenancySpec tenancy_of(const json& spec) {
  TenancySpec t;
  t.claims = strings(member(spec, "claims"));
  t.first_claim = value_of(spec, "first_claim", false);
  t.header = text_of(spec, "header");
  t.fixed = text_of(spec, "fixed");
  t.missing = optional_refusal(spec, "missing");
  t.seed_default = member(spec, "seed_default");
  for (const auto& m : member(spec, "match_headers").is_array() ? spec["match_headers"] : json::array()) {
    t.match_headers.push_back({m["header"].get<std::string>(), m["claim"].get<std::string>(), refusal_of(m["refuse"], 403)});
  }
  return t;
}

std::optional<VersionSpec> version_of(const json& spec) {
  if (!spec.is_object()) return std::nullopt;
  return VersionSpec{text_of(spec, "value"),         text_of(spec, "header"), text_of(spec, "query"), text_of(spec, "body"),
                     refusal_of(spec["unsupported"]), refusal_of(spec["missing"])};
}

ErrorsSpec errors_of(const json& spec) {
  ErrorsSpec e;
  e.body = member(spec, "body");
  std::string details = text_of(spec, "details", "field-list");
  e.details = details == "joined" ? ErrorsSpec::Details::joined : details == "first-and-count" ? ErrorsSpec::Details::first_and_count
                                                                                                 : ErrorsSpec::Details::field_list;
  const json& bad = member(spec, "bad_request");
  e.bad_request = bad.is_object() ? refusal_of(bad) : Refusal{};
  e.bad_request_one = text_of(bad, "message_one");
  if (spec.contains("one_of")) e.one_of = std::make_pair(spec["one_of"]["key"].get<std::string>(), spec["one_of"]["message"].get<std::string>());
  e.wrong_content_type = value_of(spec, "wrong_content_type", 415);
  const json& messages = member(spec, "messages");
  if (messages.is_object()) {
    for (const auto& [name, r] : messages.items()) e.messages[name] = refusal_of(r);
  }
  return e;
}

ConfigurationSpec configurations_of(const json& spec) {
  ConfigurationSpec c;
  if (!spec.is_object()) return c;
  const json& from = member(spec, "from");
  if (from.contains("path")) c.from = ConfigurationSpec::From::path, c.name = from["path"].get<std::string>();
  if (from.contains("body")) c.from = ConfigurationSpec::From::body, c.name = from["body"].get<std::string>();
  c.required = optional_refusal(spec, "required");
  c.variant = text_of(spec, "variant");
  c.scope = value_of(spec, "scope", false);
  for (const auto& k : member(spec, "kinds").is_array() ? spec["kinds"] : json::array()) {
    json fields = k;
    fields.erase("prefix");
    c.kinds.push_back({k["prefix"].get<std::string>(), std::move(fields)});
  }
  c.unknown_kind = optional_refusal(spec, "unknown_kind");
  c.seed_unknown_kind = text_of(spec, "seed_unknown_kind");
  for (const auto& check : member(spec, "checks").is_array() ? spec["checks"] : json::array()) {
    c.checks.push_back({check["when"].get<std::string>(), check["require_body"].get<std::string>(), refusal_of(check["refuse"])});
  }
  return c;
}

CreateSpec create_of(const json& spec) {
  CreateSpec c;
  if (spec.contains("data")) c.data = Expr::compile(spec["data"], "/create/data");
  const json& answer = member(spec, "answer");
  c.status = answer.contains("status") ? setting_of(answer["status"]) : Setting{201, ""};
  c.representation = text_of(answer, "representation");
  const json& seed = member(spec, "seed");
  if (seed.contains("request_default")) c.seed_request_default = seed["request_default"];
  c.seed_configuration_default = text_of(seed, "configuration_default");
  return c;
}

std::map<std::string, OperationSpec> operations_of(const json& spec) {
  std::map<std::string, OperationSpec> out;
  if (!spec.is_object()) return out;
  for (const auto& [op, o] : spec.items()) {
    OperationSpec s;
    s.representation = text_of(o, "representation");
    if (o.contains("views")) {
      const json& v = o["views"];
      s.views = ViewsSpec{v["query"].get<std::string>(), v["default"].get<std::string>(), v["variants"].get<std::map<std::string, std::string>>()};
    }
    out.emplace(op, std::move(s));
  }
  return out;
}

ListSpec::Filter filter_of(const json& f) {
  ListSpec::Filter filter;
  filter.query = f["query"].get<std::string>();
  if (value_of(f, "state", false)) filter.on = ListSpec::Filter::On::state;
  if (f.contains("data")) filter.on = ListSpec::Filter::On::data, filter.pointer = f["data"].get<std::string>();
  if (f.contains("created")) filter.on = ListSpec::Filter::On::created, filter.from = f["created"] == "from";
  if (f.contains("ended")) filter.on = ListSpec::Filter::On::ended, filter.from = f["ended"] == "from";
  filter.partial = text_of(f, "timestamp") == "partial";
  filter.always = value_of(f, "always", false);
  return filter;
}

void paging_of(const json& p, ListSpec& list) {
  list.paging = text_of(p, "style", "offset") == "cursor" ? ListSpec::Paging::cursor : ListSpec::Paging::offset;
  const json& limit = member(p, "limit");
  list.limit_query = text_of(limit, "query", "limit");
  list.limit_default = value_of(limit, "default", std::size_t{50});
  if (limit.contains("maximum")) list.limit_maximum = limit["maximum"].get<std::size_t>();
  list.offset_query = text_of(member(p, "offset"), "query", "offset");
  const json& cursor = member(p, "cursor");
  list.cursor_query = text_of(cursor, "query");
  list.cursor_out = text_of(cursor, "out");
  list.cursor_bound = value_of(cursor, "bound_to_filters", false);
  list.wrong_filters = optional_refusal(cursor, "wrong_filters");
  list.bad_cursor = optional_refusal(p, "bad_cursor");
  const json& total = member(p, "total");
  list.total_query = text_of(total, "query");
  list.total_out = text_of(total, "out");
}

std::map<std::string, ListSpec> lists_of(const json& spec) {
  std::map<std::string, ListSpec> out;
  if (!spec.is_object()) return out;
  for (const auto& [op, l] : spec.items()) {
    ListSpec list;
    for (const auto& f : l["filters"]) list.filters.push_back(filter_of(f));
    list.bad_timestamp = optional_refusal(l, "bad_timestamp");
    if (l.contains("window_order")) {
      const json& w = l["window_order"];
      list.window_order = std::make_pair(w["from"].get<std::string>(), w["to"].get<std::string>());
      list.window_refuse = refusal_of(w["refuse"]);
    }
    list.newest_first = text_of(l, "order", "newest") == "newest";
    paging_of(member(l, "paging"), list);
    const json& envelope = member(l, "envelope");
    list.items = text_of(envelope, "items", "items");
    list.envelope_total = text_of(envelope, "total");
    list.envelope_limit = text_of(envelope, "limit");
    list.envelope_offset = text_of(envelope, "offset");
    list.item = text_of(l, "item");
    out.emplace(op, std::move(list));
  }
  return out;
}

std::map<std::string, ActionSpec> actions_of(const json& spec) {
  std::map<std::string, ActionSpec> out;
  if (!spec.is_object()) return out;
  for (const auto& [op, a] : spec.items()) {
    ActionSpec action;
    action.action = a["action"].get<std::string>();
    const json& fallback = member(a, "fallback");
    action.fallback_state = text_of(fallback, "state");
    action.fallback_then = text_of(fallback, "then");
    action.fallback_set = member(fallback, "set");
    action.not_found = refusal_of(a["not_found"], 404);
    action.terminal = refusal_of(a["terminal"], 409);
    action.refused = refusal_of(a["refused"], 409);
    out.emplace(op, std::move(action));
  }
  return out;
}

std::optional<EventsSpec> events_of(const json& spec) {
  if (!spec.is_object()) return std::nullopt;
  EventsSpec e;
  e.operation = spec["operation"].get<std::string>();
  e.representation = spec["representation"].get<std::string>();
  e.copy = value_of(spec, "copy", std::map<std::string, std::string>{});
  e.status_fields = strings(member(spec, "status_fields"));
  const json& part = member(spec, "part");
  e.part_key = text_of(part, "key");
  e.part_event = text_of(part, "event");
  e.part_field = text_of(part, "field");
  e.part_item = text_of(part, "item");
  e.retry_ms = value_of(spec, "retry_ms", 3000);
  e.gone = member(spec, "gone");
  return e;
}

std::optional<WebhookSpec> webhook_of(const json& spec) {
  if (!spec.is_object()) return std::nullopt;
  WebhookSpec w;
  w.url_pointer = spec["url"].get<std::string>();
  w.representation = spec["representation"].get<std::string>();
  w.policy = setting_of(member(spec, "policy"));
  w.allow_remote = setting_of(member(spec, "allow_remote"));
  w.bad_url = refusal_of(spec["bad_url"]);
  w.bad_url_loopback = text_of(spec["bad_url"], "loopback");
  const json& sigv4 = spec["signing"]["sigv4"];
  w.region = setting_of(member(sigv4, "region"));
  w.access_key_id = setting_of(member(sigv4, "access_key_id"));
  w.secret_access_key = setting_of(member(sigv4, "secret_access_key"));
  w.session_token = setting_of(member(sigv4, "session_token"));
  const json& retries = member(spec, "retries");
  w.max_attempts = setting_of(member(retries, "max_attempts"));
  w.backoff_seconds = setting_of(member(retries, "backoff_seconds"));
  w.jitter = setting_of(member(retries, "jitter"));
  w.timeout_seconds = setting_of(member(retries, "timeout_seconds"));
  return w;
}

int fraction_digits_of(const json& spec) {
  const json& digits = member(spec, "fraction_digits");
  return digits.is_number_integer() ? digits.get<int>() : -1;
}

// --- checks against the contract ---

void require_operation(const contracts::ApiContract& contract, const std::string& id, const std::string& pointer) {
  if (id.empty() || contract.find(id)) return;
  std::string known;
  for (const auto& op : contract.operations()) known += (known.empty() ? "" : ", ") + op.id;
  throw SpecError{pointer, "'" + id + "' is not an operationId of " + contract.name() + "'s openapi.yaml (its operations: " + known + ")"};
}

void check_against_contract(const DialectSpec& d, const contracts::ApiContract& contract) {
  const std::pair<const char*, const std::string*> roles[] = {{"create", &d.roles.create}, {"get", &d.roles.get}, {"status", &d.roles.status},
                                                              {"list", &d.roles.list},     {"cancel", &d.roles.cancel}, {"events", &d.roles.events}};
  for (const auto& [role, id] : roles) require_operation(contract, *id, std::string("/roles/") + role);
  for (const auto& [op, spec] : d.operations) require_operation(contract, op, "/operations/" + op);
  for (const auto& [op, spec] : d.lists) require_operation(contract, op, "/lists/" + op);
  for (const auto& [op, spec] : d.actions) require_operation(contract, op, "/actions/" + op);
  for (const auto& op : d.auth.query_token) require_operation(contract, op, "/auth/query_token");
  if (d.roles.create.empty() || d.roles.get.empty()) throw SpecError{"/roles", "a dialect needs at least the create and get roles"};
  if (!d.auth.claims_schema.empty() && !contract.model(d.auth.claims_schema)) {
    throw SpecError{"/auth/claims_schema", "no schema '" + d.auth.claims_schema + "' under " + contract.name() + "'s schemas/"};
  }
}

void check_names(const DialectSpec& d, const std::set<std::string>& known_hooks) {
  auto representation = [&](const std::string& name, const std::string& pointer) {
    if (!name.empty() && !d.representations.contains(name)) throw SpecError{pointer, "no representation '" + name + "'"};
  };
  representation(d.create.representation, "/create/answer/representation");
  for (const auto& [op, spec] : d.operations) {
    representation(spec.representation, "/operations/" + op + "/representation");
    if (spec.views) {
      for (const auto& [view, name] : spec.views->variants) representation(name, "/operations/" + op + "/views/variants/" + view);
    }
  }
  for (const auto& [op, spec] : d.lists) representation(spec.item, "/lists/" + op + "/item");
  if (d.events) representation(d.events->representation, "/mechanisms/events/representation");
  if (d.webhook) representation(d.webhook->representation, "/mechanisms/webhook/representation");
  const std::pair<const char*, const std::string*> hooks[] = {{"validate_create", &d.hooks.validate_create}, {"resolve_create", &d.hooks.resolve_create},
                                                              {"observe", &d.hooks.observe}, {"seed", &d.hooks.seed}};
  for (const auto& [kind, name] : hooks) {
    if (!name->empty() && !known_hooks.count(*name)) throw SpecError{std::string("/hooks/") + kind, "no hook '" + *name + "' (runmock's hooks are in mock/hooks/)"};
  }
  if (!d.create.data && d.hooks.validate_create.empty()) throw SpecError{"/create", "create needs `data` (or a validate_create hook that builds it)"};
}

DialectSpec build(const json& doc, const std::filesystem::path& file, const contracts::ApiContract& contract, const HookLookup& represent_hooks,
                  const std::set<std::string>& known_hooks) {
  DialectSpec d;
  d.file = file;
  d.api = doc["api"].get<std::string>();
  if (d.api != contract.name()) throw SpecError{"/api", "the dialect says api '" + d.api + "', but its folder is " + contract.name() + "'s"};
  d.prefixes = strings(member(doc, "prefixes"));
  d.roles = roles_of(member(doc, "roles"));
  d.options = options_of(member(doc, "options"));
  d.auth = auth_of(member(doc, "auth"));
  d.tenancy = tenancy_of(member(doc, "tenancy"));
  d.version = version_of(member(doc, "version_parameter"));
  d.errors = errors_of(member(doc, "errors"));
  d.fraction_digits = fraction_digits_of(member(doc, "timestamps"));
  d.configurations = configurations_of(member(doc, "configurations"));
  d.run_id_template = text_of(member(doc, "ids"), "run");
  d.part_id_template = text_of(member(doc, "ids"), "part");
  d.create = create_of(member(doc, "create"));
  d.representations = Representations::compile(member(doc, "representations"), "/representations", represent_hooks);
  d.operations = operations_of(member(doc, "operations"));
  d.lists = lists_of(member(doc, "lists"));
  d.actions = actions_of(member(doc, "actions"));
  const json& mechanisms = member(doc, "mechanisms");
  if (mechanisms.contains("rate_limit")) {
    const json& r = mechanisms["rate_limit"];
    d.rate_limit = RateLimitSpec{setting_of(r["requests_per_second"]), refusal_of(r["refuse"], 429)};
  }
  d.events = events_of(member(mechanisms, "events"));
  d.webhook = webhook_of(member(mechanisms, "webhook"));
  const json& hooks = member(doc, "hooks");
  d.hooks = {text_of(hooks, "validate_create"), text_of(hooks, "resolve_create"), text_of(hooks, "observe"), text_of(hooks, "seed")};
  check_against_contract(d, contract);
  check_names(d, known_hooks);
  return d;
}

// The file's schema errors, each as "file:line:col: where: message".
void check_schema(const json& doc, const std::filesystem::path& schema_file, const std::filesystem::path& file, const scenario::YamlMarks& marks) {
  schema::SchemaRegistry registry;
  schema::Schema checker = registry.compile_document(contracts::read_document(schema_file), {true});
  std::vector<schema::ValidationError> errors;
  if (checker.validate(doc, errors)) return;
  const auto& e = errors.front();
  std::string where = e.instance_location.empty() ? "" : scenario::readable_path(e.instance_location) + ": ";
  std::string more = errors.size() > 1 ? " (and " + std::to_string(errors.size() - 1) + " more)" : "";
  throw DialectError(location(file, marks.find(e.instance_location)) + ": " + where + e.message + more);
}

}  // namespace

std::string fill(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    auto open = text.find('{', at);
    auto close = open == std::string::npos ? std::string::npos : text.find('}', open);
    if (close == std::string::npos) {
      out += text.substr(at);
      break;
    }
    out += text.substr(at, open - at);
    auto it = values.find(text.substr(open + 1, close - open - 1));
    out += it == values.end() ? text.substr(open, close - open + 1) : it->second;
    at = close + 1;
  }
  return out;
}

DialectSpec load_dialect(const std::filesystem::path& file, const std::filesystem::path& schema_file, const contracts::ApiContract& contract,
                         const HookLookup& represent_hooks, const std::set<std::string>& known_hooks) {
  std::string text = read_text(file);
  YAML::Node root;
  scenario::YamlMarks marks;
  json doc;
  try {
    root = contracts::load_yaml(text);
    marks = scenario::collect_marks(root, text);
    doc = contracts::yaml_to_json(root, text);
  } catch (const YAML::Exception& e) {
    throw DialectError(location(file, e.mark) + ": not valid YAML: " + e.msg);
  } catch (const contracts::YamlBoundsError& e) {
    throw DialectError(location(file, e.mark()) + ": " + e.what());
  }
  if (!doc.is_object()) throw DialectError(file.string() + ":1:1: a dialect file is a mapping that starts with 'version: 1'");
  for (const auto& [key, mark] : marks.duplicate_keys) throw DialectError(location(file, mark) + ": duplicate key '" + key + "'");
  check_schema(doc, schema_file, file, marks);
  try {
    return build(doc, file, contract, represent_hooks, known_hooks);
  } catch (const SpecError& e) {
    throw DialectError(location(file, marks.find(e.pointer)) + ": " + (e.pointer.empty() ? "" : scenario::readable_path(e.pointer) + ": ") + e.message);
  } catch (const TemplateError& e) {
    throw DialectError(location(file, marks.find(e.pointer)) + ": " + scenario::readable_path(e.pointer) + ": " + e.what());
  } catch (const std::exception& e) {
    // A value of a type the schema allows but the section cannot use (the schema is the first guard).
    throw DialectError(file.string() + ":1:1: " + e.what());
  }
}

}  // namespace runmock::dialect
