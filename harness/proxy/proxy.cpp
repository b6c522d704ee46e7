#include "proxy/proxy.h"

#include <memory>
#include <set>
#include <stdexcept>

#include "dialect/error_shape.h"
#include "http/json_text.h"
#include "validator/json_value.h"

namespace runmock::proxy {

using nlohmann::json;

namespace {

// How long one wait for the target's next bytes lasts before the proxy looks again (and, while
// streaming, lets the HTTP layer notice a stopping server).
constexpr std::chrono::milliseconds kReadSlice{200};

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && !http::CaseInsensitiveLess{}(a, b) && !http::CaseInsensitiveLess{}(b, a);
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equals_ignoring_case(text.substr(0, prefix.size()), prefix);
}

using NameSet = std::set<std::string, http::CaseInsensitiveLess>;

// Headers that belong to one connection, not to the message (RFC 9110 section 7.6.1), plus the
// ones the Connection header names.
NameSet connection_headers(const std::vector<std::string>& connection_values) {
  NameSet names{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization", "TE", "Trailer",
                "Transfer-Encoding", "Upgrade"};
  for (const auto& value : connection_values) {
    std::string token;
    for (char c : value + ",") {
      if (c == ',') {
        if (!token.empty()) names.insert(token);
        token.clear();
      } else if (c != ' ' && c != '\t') {
        token.push_back(c);
      }
    }
  }
  return names;
}

std::string run_id_of(const json& representation) {
  for (const char* key : {"id", "uuid"}) {
    auto it = representation.find(key);
    if (it != representation.end() && it->is_string()) return it->get<std::string>();
  }
  return "";
}

std::string header_value(const UpstreamHead& head, std::string_view name) {
  for (const auto& [n, value] : head.headers) {
    if (equals_ignoring_case(n, name)) return value;
  }
  return "";
}

// The body of an answer that goes on as it arrives: what was already read, then the rest.
http::BodyProducer stream_rest(std::shared_ptr<UpstreamCall> call, std::string already_read) {
  return [call = std::move(call), pending = std::move(already_read)](std::string& chunk) mutable {
    if (!pending.empty()) {
      chunk = std::move(pending);
      pending.clear();
      return http::BodyProgress::more;
    }
    switch (call->next(chunk, kReadSlice)) {
      case UpstreamCall::Next::end: return http::BodyProgress::complete;
      case UpstreamCall::Next::failed: return http::BodyProgress::broken;
      case UpstreamCall::Next::data:
      case UpstreamCall::Next::waiting: break;
    }
    return http::BodyProgress::more;
  };
}

// The response variant the request asks for (amperity's view), "" for the default.
std::string response_variant(const contracts::Operation& operation, const http::RequestContext& ctx) {
  for (const auto& [status, variants] : operation.response_variants) {
    auto value = variants.parameter_in == "header" ? ctx.header(variants.parameter_name) : ctx.query(variants.parameter_name);
    if (value) return *value;
  }
  return "";
}

}  // namespace

std::optional<Mode> parse_mode(std::string_view name) {
  if (name == "report") return Mode::report;
  if (name == "enforce") return Mode::enforce;
  return std::nullopt;
}

http::Dialect proxy_dialect(const dialect::DialectSpec& spec) {
  const dialect::ErrorsSpec* errors = &spec.errors;
  return {spec.api, {"/"}, [errors](const http::ErrorInfo& info) { return dialect::error_body(*errors, info); }, spec.errors.wrong_content_type};
}

Proxy::Proxy(const contracts::ApiContract& contract, const dialect::DialectSpec& spec, ProxyConfig config)
    : contract_(contract),
      spec_(spec),
      config_(std::move(config)),
      matcher_(contract),
      tracker_(contract.lifecycle(), config_.max_tracked_runs),
      refusal_status_(spec.errors.details == dialect::ErrorsSpec::Details::field_list ? 422 : spec.errors.bad_request.status) {}

void Proxy::install(http::Server& server) {
  server.add_dialect(proxy_dialect(spec_));
  layer_cors_ = server.config().cors;
  for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}) {
    server.route(contract_.name(), method, "/{path...}", [this](http::RequestContext& ctx) { return forward(ctx); });
  }
}

std::vector<http::Violation> Proxy::check_request(http::RequestContext& ctx, const OperationMatch& match) const {
  if (!match.operation) return {{"route", "", "", "no operation of " + contract_.name() + " matches " + ctx.method() + " " + ctx.path()}};
  http::RequestData data;
  data.method = ctx.method();
  data.path = ctx.path();
  data.target = ctx.target();
  data.path_params = match.path_params;
  data.query = ctx.query_params();
  data.headers = ctx.headers();
  data.body = ctx.body();
  data.peer = ctx.peer();
  data.peer_port = ctx.peer_port();
  http::RequestContext checked(std::move(data), ctx.dialect(), ctx.request_id(), {&contract_, match.operation}, ctx.max_json_depth());
  return checked.check_request();
}

void Proxy::observe_runs(const OperationMatch& match, const json& body, http::RequestContext& ctx, std::vector<http::Violation>& out) {
  if (!body.is_object()) return;
  const auto& lifecycle = contract_.lifecycle();
  const json::json_pointer state(lifecycle.state_pointer());
  auto record = [&](const std::string& id, const json& representation, Observation observation, const std::string& prefix) {
    for (auto& v : tracker_.observe(id, representation, observation)) {
      out.push_back({"lifecycle", prefix + v.instance_location, "", lifecycle.resource() + " " + id + ": " + v.message});
    }
  };
  if (body.contains(state)) {
    std::string id = run_id_of(body);
    if (id.empty()) id = match.run_id;
    if (id.empty()) return;
    ctx.run_id = id;
    const std::string& method = match.operation->method;
    // Only a poll answers with the whole run; creates, cancels and list items carry a subset of its
    // fields, to which the per-state field rules do not apply (contracts/*/lifecycle.json).
    record(id, body, {method == "GET", method == "POST" && match.run_id.empty()}, "");
    return;
  }
  for (const auto& [key, items] : body.items()) {
    if (!items.is_array()) continue;
    for (std::size_t i = 0; i < items.size(); ++i) {
      const json& item = items[i];
      if (!item.is_object() || !item.contains(state)) continue;
      std::string id = run_id_of(item);
      if (!id.empty()) record(id, item, {}, "/" + schema::pointer_escape(key) + "/" + std::to_string(i));
    }
  }
}

http::Response Proxy::refuse(http::RequestContext& ctx, const OperationMatch& match, const std::vector<http::Violation>& violations) const {
  http::Response refused;
  if (!match.operation) {
    refused = ctx.error(404, "", violations.front().message);
    ctx.request_errors = violations;
  } else {
    refused = ctx.validation_error(violations);  // journals them
    if (refusal_status_ != 422) {
      json details = json::array();
      for (const auto& v : violations) details.push_back(to_json(v));
      refused = ctx.error(refusal_status_, "", refused.message, std::move(details));
    }
  }
  refused.message = "refused (enforce mode), not forwarded: " + refused.message;
  return refused;
}

httplib::Request Proxy::upstream_request(const http::RequestContext& ctx) const {
  httplib::Request request;
  request.method = ctx.method();
  request.path = config_.target.base_path + ctx.target();
  std::vector<std::string> connection;
  for (auto [it, end] = ctx.headers().equal_range("Connection"); it != end; ++it) connection.push_back(it->second);
  NameSet skipped = connection_headers(connection);
  // Host names the target; Content-Length is the layer's; without Accept-Encoding the target
  // answers with bodies the proxy can check (the proxy's own layer compresses towards the client);
  // Expect: 100-continue was answered by the proxy's layer, and the body is already here.
  skipped.insert({"Host", "Content-Length", "Accept-Encoding", "Expect"});
  for (const auto& [name, value] : ctx.headers()) {
    if (!skipped.count(name)) request.headers.emplace(name, value);
  }
  request.body = std::string(ctx.body());
  return request;
}

std::vector<std::pair<std::string, std::string>> Proxy::answer_headers(const UpstreamHead& head) const {
  std::vector<std::string> connection;
  for (const auto& [name, value] : head.headers) {
    if (equals_ignoring_case(name, "Connection")) connection.push_back(value);
  }
  NameSet skipped = connection_headers(connection);
  skipped.insert("Content-Length");
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [name, value] : head.headers) {
    if (skipped.count(name)) continue;
    // The layer sends its own request id and, when it answers CORS, its own CORS headers.
    if (equals_ignoring_case(name, "X-Request-Id")) {
      out.emplace_back("X-Upstream-Request-Id", value);
    } else if (!(layer_cors_ && starts_with_ignoring_case(name, "Access-Control-"))) {
      out.emplace_back(name, value);
    }
  }
  return out;
}

std::string Proxy::unchecked_reason(const UpstreamHead& head) const {
  const std::string content_type = header_value(head, "Content-Type");
  const std::string encoding = header_value(head, "Content-Encoding");
  const std::string length = header_value(head, "Content-Length");
  if (!http::is_json_media_type(http::media_type(content_type))) {
    return (content_type.empty() ? std::string("answer without Content-Type") : "answer of type " + http::media_type(content_type)) +
           " streamed through unchecked";
  }
  if (!encoding.empty() && !equals_ignoring_case(encoding, "identity")) return encoding + "-encoded answer streamed through unchecked";
  if (!length.empty() && length.size() <= 18 && length.find_first_not_of("0123456789") == std::string::npos &&
      std::stoull(length) > config_.max_checked_body_bytes) {
    return "answer of " + length + " bytes (over the " + std::to_string(config_.max_checked_body_bytes) +
           "-byte check limit) streamed through unchecked";
  }
  return "";
}

void Proxy::check_answer(http::RequestContext& ctx, const OperationMatch& match, int status, const std::string& body,
                         std::vector<http::Violation>& out) {
  if (!match.operation) return;
  http::JsonText parsed = http::parse_json_text(body, ctx.max_json_depth());
  if (!parsed.ok()) {
    out.push_back({"body", "", "", "the answer's body is " + parsed.error});
    return;
  }
  for (auto& e : contract_.check_response_body(*match.operation, status, parsed.value, response_variant(*match.operation, ctx))) {
    out.push_back({"body", std::move(e.instance_location), std::move(e.schema_location), std::move(e.message)});
  }
  if (status / 100 == 2) observe_runs(match, parsed.value, ctx, out);
}

http::Response Proxy::forward(http::RequestContext& ctx) {
  if (ctx.path() == "/__runmock" || ctx.path().starts_with(http::kAdminPrefix)) {
    return ctx.refuse(404, "", "runmock proxy has no admin route " + ctx.method() + " " + ctx.path(), "route");
  }
  OperationMatch match = matcher_.match(ctx.method(), ctx.path());
  ctx.run_id = match.run_id;
  std::vector<http::Violation> request_violations = check_request(ctx, match);
  if (!request_violations.empty() && config_.mode == Mode::enforce) {
    return refuse(ctx, match, request_violations).with_header(kViolationsHeader, std::to_string(request_violations.size()));
  }
  ctx.request_errors = std::move(request_violations);

  auto call = std::make_shared<UpstreamCall>(config_.target, upstream_request(ctx), config_.timeout);
  auto unreachable = [&](const std::string& reason) {
    ctx.verdict = http::verdict::error;
    return ctx.error(502, "", "upstream " + config_.target.origin + config_.target.base_path + ctx.target() + ": " + reason);
  };
  std::optional<UpstreamHead> head = call->head();
  if (!head) return unreachable(call->failure());

  http::Response out;
  out.status = head->status;
  out.headers = answer_headers(*head);
  const bool has_body = ctx.method() != "HEAD" && out.status >= 200 && out.status != 204 && out.status != 304 &&
                        header_value(*head, "Content-Length") != "0";
  std::string unchecked = has_body ? unchecked_reason(*head) : "";
  std::string body;
  // A JSON answer is read whole (up to the check limit) and checked before it goes on.
  for (bool reading = has_body && unchecked.empty(); reading;) {
    switch (call->next(body, kReadSlice)) {
      case UpstreamCall::Next::data:
        if (body.size() > config_.max_checked_body_bytes) {
          unchecked = "answer over the " + std::to_string(config_.max_checked_body_bytes) + "-byte check limit streamed through unchecked";
          reading = false;
        }
        break;
      case UpstreamCall::Next::waiting: break;
      case UpstreamCall::Next::end: reading = false; break;
      case UpstreamCall::Next::failed: return unreachable(call->failure() + " after " + std::to_string(body.size()) + " bytes of the answer");
    }
  }
  if (!unchecked.empty()) {
    out.body_producer = stream_rest(call, std::move(body));
    out.message = std::move(unchecked);
  } else if (has_body) {
    check_answer(ctx, match, out.status, body, ctx.response_errors);
    out.body = std::move(body);
  }
  std::size_t violations = ctx.request_errors.size() + ctx.response_errors.size();
  if (violations > 0) out.with_header(kViolationsHeader, std::to_string(violations));
  return out;
}

}  // namespace runmock::proxy
