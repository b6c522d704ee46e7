#include "verify/verifier.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include "verify/negative_cases.h"

namespace runmock::verify {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

constexpr const char* kAuthorization = "Authorization";
constexpr const char* kMalformedJson = "{\"malformed\": ";

std::map<std::string, std::string> string_map(const json& object) {
  std::map<std::string, std::string> values;
  if (object.is_object()) {
    for (const auto& [key, value] : object.items()) values[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return values;
}

// A form body as curl --data sends it: name=value pairs, percent-encoded.
std::string encode_form(const json& fields) {
  std::string body;
  for (const auto& [key, value] : fields.items()) {
    body += (body.empty() ? "" : "&") + percent_encode(key) + "=" + percent_encode(value.is_string() ? value.get<std::string>() : value.dump());
  }
  return body;
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

bool is_success(int status) { return status >= 200 && status < 300; }

const json* at_pointer(const json& document, const std::string& pointer) {
  try {
    json::json_pointer p(pointer);
    return document.contains(p) ? &document.at(p) : nullptr;
  } catch (const json::exception&) {
    return nullptr;
  }
}

// The instance location as `runmock validate` prints it: the whole document is "/".
std::string shown_pointer(const std::string& pointer) { return pointer.empty() ? "/" : pointer; }

void add_unique(std::vector<Finding>& findings, Finding finding) {
  auto same = [&](const Finding& f) {
    return f.pointer == finding.pointer && f.message == finding.message && f.schema_location == finding.schema_location;
  };
  if (std::none_of(findings.begin(), findings.end(), same)) findings.push_back(std::move(finding));
}

}  // namespace

std::vector<RequestFixture> load_request_fixtures(const fs::path& fixtures_dir, const std::string& api) {
  std::vector<fs::path> files;
  fs::path examples = fixtures_dir / api / "examples";
  if (fs::is_directory(examples)) {
    for (const auto& entry : fs::directory_iterator(examples)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<RequestFixture> fixtures;
  for (const auto& file : files) {
    std::ifstream in(file);
    json document = json::parse(in, nullptr, false);
    if (document.is_discarded() || !document.is_object()) throw std::runtime_error(file.string() + ": not a JSON fixture");
    if (document.value("direction", "") != "request") continue;
    RequestFixture fixture;
    fixture.file = "fixtures/" + api + "/examples/" + file.filename().string();
    fixture.operation = document.value("operation", "");
    fixture.variant = document.value("variant", "");
    fixture.content_type = document.value("content_type", "application/json");
    json parameters = document.value("parameters", json::object());
    fixture.path = string_map(parameters.value("path", json::object()));
    fixture.query = string_map(parameters.value("query", json::object()));
    fixture.header = string_map(parameters.value("header", json::object()));
    fixture.body = document.value("body", json(nullptr));
    fixtures.push_back(std::move(fixture));
  }
  return fixtures;
}

Verifier::Verifier(const contracts::ApiContract& contract, const ApiProfile& profile, std::vector<RequestFixture> fixtures, Target& target,
                   VerifyOptions options, std::function<void(const Check&)> on_check)
    : contract_(contract),
      profile_(profile),
      fixtures_(std::move(fixtures)),
      target_(target),
      options_(std::move(options)),
      on_check_(std::move(on_check)) {}

bool Verifier::selected(const std::string& operation) const { return options_.only.empty() || options_.only.count(operation) > 0; }

void Verifier::record(Check check) {
  if (!selected(check.operation)) return;
  check.api = profile_.api;
  if (check.outcome == Outcome::pass && !check.findings.empty()) check.outcome = Outcome::fail;
  if (on_check_) on_check_(check);
  checks_.push_back(std::move(check));
}

const contracts::Operation& Verifier::operation(const std::string& id) const {
  const auto* op = contract_.find(id);
  if (!op) throw std::logic_error("the " + profile_.api + " contract has no operation " + id);
  return *op;
}

HttpRequest Verifier::request_for(const contracts::Operation& op, const std::map<std::string, std::string>& path,
                                  const std::map<std::string, std::string>& query, const HeaderList& headers) const {
  HttpRequest request;
  request.method = op.method;
  request.path = op.path;
  for (const auto& [name, value] : path) {
    std::string placeholder = "{" + name + "}";
    if (auto at = request.path.find(placeholder); at != std::string::npos) request.path.replace(at, placeholder.size(), value);
  }
  request.query = query;
  request.headers = headers;
  return request;
}

HttpRequest Verifier::fixture_request(const RequestFixture& fixture, const std::map<std::string, std::string>& context) const {
  auto path = fixture.path;
  for (const auto& [name, value] : context) {
    if (path.count(name)) path[name] = value;
  }
  HeaderList headers;
  for (const auto& [name, value] : fixture.header) {
    bool identity = same_header_name(name, kAuthorization) ||
                    std::any_of(profile_.identity_headers.begin(), profile_.identity_headers.end(),
                                [&](const std::string& h) { return same_header_name(name, h); });
    if (!identity) headers.emplace_back(name, value);
  }
  const auto& op = operation(fixture.operation);
  HttpRequest request = request_for(op, path, fixture.query, merge_headers(std::move(headers), options_.headers));
  if (!op.request_bodies.empty() && !fixture.body.is_null()) {
    request.content_type = fixture.content_type;
    request.body = fixture.content_type == "application/x-www-form-urlencoded" ? encode_form(fixture.body) : fixture.body.dump();
  }
  return request;
}

HttpRequest Verifier::base_request(const contracts::Operation& op, const std::map<std::string, std::string>& context) const {
  for (const auto& fixture : fixtures_) {
    if (fixture.operation == op.id) return fixture_request(fixture, context);
  }
  return request_for(op, context, {}, options_.headers);
}

Verifier::Exchange Verifier::send(const HttpRequest& request) {
  return {request, target_.send(request), {request.method, target_.url(request), request.body}};
}

std::vector<Finding> Verifier::contract_findings(const contracts::Operation& op, const HttpRequest& request, const HttpReply& reply) const {
  std::vector<Finding> findings;
  if (reply.json.is_discarded()) {
    findings.push_back({"", "status " + std::to_string(reply.status) + ": the body is not JSON (Content-Type '" + reply.content_type + "')", ""});
    return findings;
  }
  std::string variant;
  for (const auto& [status, variants] : op.response_variants) {
    if (variants.parameter_in == "query" && request.query.count(variants.parameter_name)) variant = request.query.at(variants.parameter_name);
  }
  for (const auto& error : contract_.check_response_body(op, reply.status, reply.json, variant)) {
    findings.push_back({shown_pointer(error.instance_location), error.message, error.schema_location});
  }
  return findings;
}

std::vector<Finding> Verifier::expect_refusal(const contracts::Operation& op, const HttpRequest& request, const HttpReply& reply, int status,
                                              const std::string& why) const {
  bool refused = status ? reply.status == status : reply.status >= 400 && reply.status < 500;
  if (!refused) {
    std::string expected = status ? std::to_string(status) : std::string("a 4xx");
    return {{"", "expected " + expected + ", got " + std::to_string(reply.status) + " (" + why + ")", ""}};
  }
  return contract_findings(op, request, reply);
}

void Verifier::judge_refused_documented(Check& check, int status, const std::string& reason) const {
  if (status >= 400 && status < 500 && check.findings.empty()) {
    check.outcome = Outcome::skip;
    check.skip_reason = reason.empty() ? "refused with " + std::to_string(status) + " in the contract's error shape: the request names data the target does not hold"
                                       : reason;
    return;
  }
  check.findings.insert(check.findings.begin(), {"", "the documented request was answered " + std::to_string(status) + ", expected 2xx", ""});
}

std::string Verifier::state_of(const json& run) const {
  const json* state = at_pointer(run, contract_.lifecycle().state_pointer());
  return state && state->is_string() ? state->get<std::string>() : "";
}

std::vector<Check> Verifier::run() {
  check_documented_creates();
  check_lifecycles();
  check_documented_reads();
  check_cancel();
  check_negatives();
  check_isolation();
  check_operations_not_exercised();
  return checks_;
}

void Verifier::check_operations_not_exercised() {
  for (const auto& [id, reason] : profile_.not_exercised) {
    Check check;
    check.operation = id;
    check.name = "not exercised";
    check.outcome = Outcome::skip;
    check.skip_reason = reason;
    record(std::move(check));
  }
}

void Verifier::check_documented_creates() {
  const auto& create = operation(profile_.create_operation);
  const auto& lifecycle = contract_.lifecycle();
  for (const auto& fixture : fixtures_) {
    if (fixture.operation != create.id) continue;
    auto start = Clock::now();
    Check check;
    check.operation = create.id;
    check.name = "documented request " + fixture.file;
    auto exchange = send(fixture_request(fixture, {}));
    check.request = exchange.sent;
    check.findings = contract_findings(create, exchange.request, exchange.reply);
    if (!is_success(exchange.reply.status)) {
      check.seconds = seconds_since(start);
      refused_creates_.push_back({&fixture, exchange.reply.status, std::move(check)});
      continue;
    }
    const json* id = at_pointer(exchange.reply.json, profile_.run_id_pointer);
    std::string state = state_of(exchange.reply.json);
    if (!id || !id->is_string()) {
      check.findings.push_back({profile_.run_id_pointer, "the created run has no id", ""});
    } else {
      Run run;
      run.id = id->get<std::string>();
      run.path = fixture.path;
      run.path[profile_.run_id_parameter] = run.id;
      run.origin = fixture.file;
      run.last = exchange.reply.json;
      run.states.push_back(state);
      runs_.push_back(std::move(run));
      accepted_creates_.emplace_back(&fixture, exchange.request);
    }
    const auto& initial = lifecycle.initial();
    if (std::find(initial.begin(), initial.end(), state) == initial.end()) {
      check.findings.push_back({lifecycle.state_pointer(), "a new run is '" + state + "', not one of the lifecycle's initial states",
                                "contracts/" + profile_.api + "/lifecycle.json#/initial"});
    }
    check.seconds = seconds_since(start);
    record(std::move(check));
  }
}

void Verifier::follow(std::vector<Run*> runs) {
  const auto& get = operation(profile_.get_operation);
  const auto& lifecycle = contract_.lifecycle();
  const std::string rules = "contracts/" + profile_.api + "/lifecycle.json";
  auto deadline = Clock::now() + options_.timeout;
  auto busy = [&] { return std::any_of(runs.begin(), runs.end(), [](const Run* r) { return !r->confirmed; }); };
  while (busy() && Clock::now() < deadline) {
    for (Run* run : runs) {
      if (run->confirmed) continue;
      auto exchange = send(base_request(get, run->path));
      run->request = exchange.sent;
      ++run->polls;
      if (exchange.reply.status != 200) {
        add_unique(run->findings, {"", "poll answered " + std::to_string(exchange.reply.status) + ", expected 200", ""});
        run->confirmed = true;
        continue;
      }
      for (auto& finding : contract_findings(get, exchange.request, exchange.reply)) add_unique(run->findings, std::move(finding));
      const json& now = exchange.reply.json;
      for (const auto& v : lifecycle.check(now)) add_unique(run->findings, {shown_pointer(v.instance_location), v.message, rules});
      for (const auto& v : lifecycle.check_change(run->last, now)) add_unique(run->findings, {shown_pointer(v.instance_location), v.message, rules});
      std::string state = state_of(now);
      if (run->states.empty() || run->states.back() != state) run->states.push_back(state);
      run->last = now;
      // A run that ended is polled once more: a terminal state must never change.
      if (run->ended) run->confirmed = true;
      if (lifecycle.is_terminal(state)) run->ended = true;
    }
    if (busy()) std::this_thread::sleep_for(options_.poll_interval);
  }
  for (Run* run : runs) {
    if (!run->ended) {
      std::string last = run->states.empty() ? "" : run->states.back();
      char limit[32];
      std::snprintf(limit, sizeof limit, "%.1f", std::chrono::duration<double>(options_.timeout).count());
      add_unique(run->findings, {lifecycle.state_pointer(), "did not reach a terminal state within " + std::string(limit) + " s (last seen '" + last + "')", ""});
    }
  }
}

void Verifier::check_lifecycles() {
  const auto& get_id = profile_.get_operation;
  // Runs are followed even when --only leaves their checks out: later checks read ended runs.
  auto start = Clock::now();
  std::vector<Run*> runs;
  for (auto& run : runs_) runs.push_back(&run);
  follow(runs);
  double seconds = runs.empty() ? 0 : seconds_since(start) / static_cast<double>(runs.size());
  for (const auto& run : runs_) {
    Check check;
    check.operation = get_id;
    std::string path;
    for (const auto& state : run.states) path += (path.empty() ? "" : " -> ") + state;
    check.name = "lifecycle of the run created by " + run.origin;
    check.detail = path + ", " + std::to_string(run.polls) + " polls";
    check.findings = run.findings;
    check.request = run.request;
    check.seconds = seconds;
    record(std::move(check));
  }
  if (runs_.empty()) {
    Check check;
    check.operation = profile_.create_operation;
    check.name = "the target creates runs";
    check.findings.push_back({"", "the target accepted none of the documented create requests: no lifecycle to check", ""});
    record(std::move(check));
  }
  // A documented create the target refused because its configuration runs another request
  // variant than the document's (emergence: another workflow type) says so.
  for (auto& [fixture, status, check] : refused_creates_) {
    std::string reason;
    for (const auto& run : runs_) {
      auto path = run.path;
      path.erase(profile_.run_id_parameter);
      const json* variant = profile_.variant_pointer.empty() ? nullptr : at_pointer(run.last, profile_.variant_pointer);
      if (path == fixture->path && variant && variant->is_string() && !fixture->variant.empty() && *variant != fixture->variant) {
        reason = "the target's configuration runs '" + variant->get<std::string>() + "', this documented request is for '" + fixture->variant + "'";
      }
    }
    judge_refused_documented(check, status, reason);
    record(std::move(check));
  }
}

void Verifier::check_documented_reads() {
  const auto* first_run = runs_.empty() ? nullptr : &runs_.front();
  for (const auto& fixture : fixtures_) {
    const auto& op = operation(fixture.operation);
    bool names_run = fixture.path.count(profile_.run_id_parameter) > 0;
    if (op.id == profile_.create_operation || op.id == profile_.cancel_operation || profile_.not_exercised.count(op.id) || !selected(op.id)) {
      continue;
    }
    auto start = Clock::now();
    Check check;
    check.operation = op.id;
    check.name = "documented request " + fixture.file;
    if (names_run && !first_run) {
      check.findings.push_back({"", "no run to read: the target created none", ""});
      record(std::move(check));
      continue;
    }
    auto exchange = send(fixture_request(fixture, first_run ? first_run->path : std::map<std::string, std::string>{}));
    check.request = exchange.sent;
    check.findings = contract_findings(op, exchange.request, exchange.reply);
    check.seconds = seconds_since(start);
    if (!is_success(exchange.reply.status)) judge_refused_documented(check, exchange.reply.status, "");
    record(std::move(check));
  }
  for (const auto& id : profile_.other_run_reads) {
    if (!selected(id) || !first_run) continue;
    const auto& op = operation(id);
    auto start = Clock::now();
    Check check;
    check.operation = id;
    check.name = "read of the ended run created by " + first_run->origin;
    auto exchange = send(base_request(op, first_run->path));
    check.request = exchange.sent;
    if (exchange.reply.status != 200) {
      check.findings.push_back({"", "answered " + std::to_string(exchange.reply.status) + ", expected 200", ""});
    } else {
      check.findings = contract_findings(op, exchange.request, exchange.reply);
      std::string state = state_of(exchange.reply.json);
      std::string expected = first_run->states.empty() ? "" : first_run->states.back();
      if (state != expected) {
        check.findings.push_back({contract_.lifecycle().state_pointer(), "'" + state + "', but " + profile_.get_operation + " says '" + expected + "'", ""});
      }
    }
    check.seconds = seconds_since(start);
    record(std::move(check));
  }
}

void Verifier::check_cancel() {
  if (!selected(profile_.cancel_operation)) return;
  const auto& cancel = operation(profile_.cancel_operation);
  const auto& lifecycle = contract_.lifecycle();
  const std::string rules = "contracts/" + profile_.api + "/lifecycle.json";
  std::vector<const RequestFixture*> documented;
  for (const auto& fixture : fixtures_) {
    if (fixture.operation == cancel.id) documented.push_back(&fixture);
  }
  // Without a documented cancel request, a bare one still exercises cancel.
  if (documented.empty()) documented.push_back(nullptr);
  bool refused_again_checked = false;
  for (const RequestFixture* fixture : documented) {
    auto start = Clock::now();
    Check check;
    check.operation = cancel.id;
    check.name = (fixture ? "documented request " + fixture->file : std::string("cancel")) + " on a fresh run";
    if (accepted_creates_.empty()) {
      check.findings.push_back({"", "no fresh run to cancel: the target accepted no documented create", ""});
      record(std::move(check));
      continue;
    }
    const auto& [create_fixture, create_request] = accepted_creates_.front();
    auto created = send(create_request);
    check.request = created.sent;
    const json* id = at_pointer(created.reply.json, profile_.run_id_pointer);
    if (!is_success(created.reply.status) || !id || !id->is_string()) {
      check.findings.push_back({"", "could not create a fresh run (answered " + std::to_string(created.reply.status) + ")", ""});
      record(std::move(check));
      continue;
    }
    Run run;
    run.id = id->get<std::string>();
    run.path = create_fixture->path;
    run.path[profile_.run_id_parameter] = run.id;
    run.origin = create_fixture->file;
    run.last = created.reply.json;
    HttpRequest cancel_request = fixture ? fixture_request(*fixture, run.path) : base_request(cancel, run.path);
    auto cancelled = send(cancel_request);
    check.request = cancelled.sent;
    if (!is_success(cancelled.reply.status)) {
      check.findings.push_back({"", "cancel of a fresh run answered " + std::to_string(cancelled.reply.status) + ", expected 2xx", ""});
    }
    for (auto& finding : contract_findings(cancel, cancel_request, cancelled.reply)) check.findings.push_back(std::move(finding));
    if (is_success(cancelled.reply.status) && cancelled.reply.json.is_object()) {
      for (const auto& v : lifecycle.check(cancelled.reply.json)) check.findings.push_back({shown_pointer(v.instance_location), v.message, rules});
      for (const auto& v : lifecycle.check_change(run.last, cancelled.reply.json)) check.findings.push_back({shown_pointer(v.instance_location), v.message, rules});
      run.last = cancelled.reply.json;
      run.states.push_back(state_of(run.last));
      follow({&run});
      for (auto& finding : run.findings) check.findings.push_back(std::move(finding));
      std::string end = run.states.back();
      if (run.ended && end != profile_.cancelled_state) {
        check.findings.push_back({lifecycle.state_pointer(), "the cancelled run ended '" + end + "', expected '" + profile_.cancelled_state + "'", rules});
      }
    }
    check.seconds = seconds_since(start);
    bool ended = run.ended;
    record(std::move(check));

    if (refused_again_checked || !ended) continue;
    refused_again_checked = true;
    start = Clock::now();
    Check again;
    again.operation = cancel.id;
    again.name = "cancel of a run that has ended is refused";
    auto repeated = send(cancel_request);
    again.request = repeated.sent;
    again.findings = expect_refusal(cancel, cancel_request, repeated.reply, 0, "the run has ended");
    again.seconds = seconds_since(start);
    record(std::move(again));
  }
}

void Verifier::check_negatives() {
  std::map<std::string, std::string> context = runs_.empty() ? std::map<std::string, std::string>{} : runs_.front().path;
  // Bodies to derive negative cases from: JSON creates the target accepted, whose request variant
  // is the one the target ran (so the contract judges a changed body as the target should).
  std::vector<const std::pair<const RequestFixture*, HttpRequest>*> body_bases;
  for (const auto& accepted : accepted_creates_) {
    if (accepted.second.content_type != "application/json") continue;
    auto run = std::find_if(runs_.begin(), runs_.end(), [&](const Run& r) { return r.origin == accepted.first->file; });
    const json* ran = run == runs_.end() || profile_.variant_pointer.empty() ? nullptr : at_pointer(run->last, profile_.variant_pointer);
    if (ran && !accepted.first->variant.empty() && *ran != accepted.first->variant) continue;
    body_bases.push_back(&accepted);
  }
  for (const auto& op : contract_.operations()) {
    if (!selected(op.id) || profile_.not_exercised.count(op.id)) continue;
    bool creates = op.id == profile_.create_operation;
    if (creates && accepted_creates_.empty()) continue;
    HttpRequest base = creates ? accepted_creates_.front().second : base_request(op, context);
    auto refusal = [&](const std::string& name, const HttpRequest& request, int status) {
      auto start = Clock::now();
      Check check;
      check.operation = op.id;
      check.name = "negative: " + name;
      auto exchange = send(request);
      check.request = exchange.sent;
      check.findings = expect_refusal(op, request, exchange.reply, status, "the request is invalid");
      check.seconds = seconds_since(start);
      record(std::move(check));
    };

    refusal("credential missing", [&] {
      HttpRequest request = base;
      request.headers = without_header(request.headers, kAuthorization);
      return request;
    }(), 401);
    refusal("credential malformed", [&] {
      HttpRequest request = base;
      request.headers = merge_headers(request.headers, {{kAuthorization, profile_.malformed_authorization}});
      return request;
    }(), 401);

    if (creates && !body_bases.empty()) {
      HttpRequest request = body_bases.front()->second;
      request.body = kMalformedJson;
      refusal("malformed JSON body", request, 0);
      std::set<std::string> derived;
      for (const auto* body_base : body_bases) {
        request = body_base->second;
        for (const auto& body_case : derive_body_cases(contract_, op, body_base->first->body, body_base->first->variant)) {
          if (!derived.insert(body_case.name).second) continue;
          request.body = body_case.body.dump();
          refusal(body_case.name, request, 0);
        }
      }
    }
    for (const auto& query_case : derive_query_cases(contract_, op, base.query)) {
      HttpRequest request = base;
      request.query = query_case.query;
      refusal(query_case.name, request, 0);
    }
  }
}

void Verifier::check_isolation() {
  const std::string name = "tenant isolation";
  if (options_.tenant_b_headers.empty()) {
    Check check;
    check.operation = profile_.get_operation;
    check.name = name;
    check.outcome = Outcome::skip;
    check.skip_reason = "no --tenant-b-header given: another tenant's access was not checked";
    record(std::move(check));
    return;
  }
  if (runs_.empty()) {
    Check check;
    check.operation = profile_.get_operation;
    check.name = name;
    check.findings.push_back({"", "no run to hide: the target created none", ""});
    record(std::move(check));
    return;
  }
  // The newest run: the first page of a list (newest first) holds it.
  const Run& run = runs_.back();
  {
    auto start = Clock::now();
    const auto& get = operation(profile_.get_operation);
    Check check;
    check.operation = get.id;
    check.name = name + ": another tenant's read of the run is a 404";
    HttpRequest request = base_request(get, run.path);
    request.headers = merge_headers(request.headers, options_.tenant_b_headers);
    auto exchange = send(request);
    check.request = exchange.sent;
    check.findings = expect_refusal(get, request, exchange.reply, 404, "the run is another tenant's");
    check.seconds = seconds_since(start);
    record(std::move(check));
  }
  if (!selected(profile_.list_operation)) return;
  auto start = Clock::now();
  const auto& list = operation(profile_.list_operation);
  Check check;
  check.operation = list.id;
  check.name = name + ": the run is listed for its tenant, not for another";
  HttpRequest request = base_request(list, run.path);
  std::map<std::string, std::string> required_query;
  for (const auto& parameter : list.parameters) {
    if (parameter.in == "query" && parameter.required && request.query.count(parameter.name)) {
      required_query[parameter.name] = request.query.at(parameter.name);
    }
  }
  request.query = required_query;
  for (bool own_tenant : {true, false}) {
    HttpRequest as = request;
    if (!own_tenant) as.headers = merge_headers(as.headers, options_.tenant_b_headers);
    auto exchange = send(as);
    check.request = exchange.sent;
    std::string who = own_tenant ? "its tenant's" : "another tenant's";
    if (!is_success(exchange.reply.status)) {
      check.findings.push_back({"", who + " list answered " + std::to_string(exchange.reply.status) + ", expected 2xx", ""});
      continue;
    }
    for (auto& finding : contract_findings(list, as, exchange.reply)) check.findings.push_back(std::move(finding));
    const json* items = at_pointer(exchange.reply.json, profile_.list_items_pointer);
    bool listed = items && items->is_array() && std::any_of(items->begin(), items->end(), [&](const json& item) {
                    const json* id = at_pointer(item, profile_.run_id_pointer);
                    return id && *id == run.id;
                  });
    if (listed != own_tenant) {
      check.findings.push_back({profile_.list_items_pointer, std::string("run '") + run.id + (own_tenant ? "' is missing from " : "' appears in ") + who + " list", ""});
    }
  }
  check.seconds = seconds_since(start);
  record(std::move(check));
}

}  // namespace runmock::verify
