#include "http/context.h"

#include <algorithm>
#include <cctype>

#include "loader/api_contract.h"
#include "loader/form_body.h"

namespace runmock::http {

using nlohmann::json;

json generic_error_body(const ErrorInfo& info) {
  return {{"error",
           {{"status", info.status},
            {"code", info.code},
            {"message", info.message},
            {"details", info.details},
            {"request_id", info.request_id}}}};
}

std::string default_error_code(int status) {
  switch (status) {
    case 400: return "INVALID_REQUEST";
    case 401: return "INVALID_TOKEN";
    case 403: return "FORBIDDEN";
    case 404: return "RESOURCE_NOT_FOUND";
    case 405: return "METHOD_NOT_ALLOWED";
    case 408: return "REQUEST_TIMEOUT";
    case 409: return "CONFLICT";
    case 413: return "PAYLOAD_TOO_LARGE";
    case 414: return "URI_TOO_LONG";
    case 415: return "UNSUPPORTED_MEDIA_TYPE";
    case 422: return "VALIDATION_ERROR";
    case 429: return "RATE_LIMIT_EXCEEDED";
    case 431: return "HEADERS_TOO_LARGE";
    case 501: return "NOT_IMPLEMENTED";
    case 505: return "HTTP_VERSION_NOT_SUPPORTED";
    case 502:
    case 503: return "SERVICE_UNAVAILABLE";
    default: return status >= 500 ? "INTERNAL_ERROR" : "INVALID_REQUEST";
  }
}

// ---------------------------------------------------------------------------------------------

Response Response::json(int status, nlohmann::json body) {
  Response r;
  r.status = status;
  r.json_body = std::move(body);
  return r;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  r.content_type = std::move(content_type);
  return r;
}

Response Response::empty(int status) {
  Response r;
  r.status = status;
  return r;
}

Response Response::event_stream(SseStep step, SseOptions options) {
  Response r;
  r.status = 200;
  r.stream = std::move(step);
  r.stream_options = options;
  r.content_type = "text/event-stream";
  return r;
}

Response Response::streamed(int status, BodyProducer producer, std::string content_type) {
  Response r;
  r.status = status;
  r.body_producer = std::move(producer);
  r.content_type = std::move(content_type);
  return r;
}

Response& Response::with_header(std::string name, std::string value) {
  headers.emplace_back(std::move(name), std::move(value));
  return *this;
}

// ---------------------------------------------------------------------------------------------

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
  });
}

RequestContext::RequestContext(RequestData request, const Dialect& dialect, std::string request_id, RouteContract contract,
                               std::size_t max_json_depth)
    : api(dialect.name),
      request_(std::move(request)),
      dialect_(&dialect),
      request_id_(std::move(request_id)),
      contract_(contract),
      max_json_depth_(max_json_depth) {}

std::string RequestContext::path_param(std::string_view name) const {
  auto it = request_.path_params.find(name);
  return it == request_.path_params.end() ? std::string() : it->second;
}

std::optional<std::string> RequestContext::query(std::string_view name) const {
  auto it = request_.query.find(name);
  if (it == request_.query.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> RequestContext::header(std::string_view name) const {
  auto it = request_.headers.find(name);
  if (it == request_.headers.end()) return std::nullopt;
  return it->second;
}

std::string RequestContext::content_type() const {
  auto value = header("Content-Type");
  return value ? media_type(*value) : std::string();
}

Response RequestContext::error(int status, std::string code, std::string message, json details, std::vector<Violation> violations) const {
  ErrorInfo info{status, code.empty() ? default_error_code(status) : std::move(code), std::move(message), std::move(details), request_id_,
                 std::move(violations)};
  json body;
  try {
    body = dialect_->format_error ? dialect_->format_error(info) : generic_error_body(info);
  } catch (const std::exception&) {
    body = generic_error_body(info);  // a broken formatter must not turn an error into a crash
  }
  Response r = Response::json(status, std::move(body));
  r.message = std::move(info.message);
  return r;
}

namespace {

void add_violations(std::vector<Violation>& out, const std::string& in, std::vector<schema::ValidationError> errors) {
  for (auto& e : errors) out.push_back({in, std::move(e.instance_location), std::move(e.schema_location), std::move(e.message)});
}

std::map<std::string, std::string> first_values(const auto& multimap) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : multimap) out.emplace(key, value);
  return out;
}

}  // namespace

const JsonText& RequestContext::body_as(const std::string& media) const {
  if (parsed_ && parsed_->first == media) return parsed_->second;
  JsonText result;
  if (media == "application/x-www-form-urlencoded") {
    if (auto bad = find_invalid_utf8(request_.body); bad != std::string_view::npos) {
      result.error = "not valid UTF-8 (offset " + std::to_string(bad) + ")";
    } else {
      result.value = contracts::decode_form(request_.body);
      for (const auto& [key, value] : result.value.items()) {
        if (find_invalid_utf8(key) != std::string_view::npos ||
            (value.is_string() && find_invalid_utf8(value.get_ref<const std::string&>()) != std::string_view::npos)) {
          result = JsonText{nullptr, "not valid UTF-8 once percent-decoded (field " + dump_json(key) + ")"};
          break;
        }
      }
    }
  } else {
    result = parse_json_text(request_.body, max_json_depth_);
  }
  parsed_.emplace(media, std::move(result));
  return parsed_->second;
}

const std::vector<Violation>& RequestContext::check_request(const std::string& variant) {
  contract_violations_.clear();
  if (!contract_.contract || !contract_.operation) return contract_violations_;
  const auto& contract = *contract_.contract;
  const auto& op = *contract_.operation;
  std::vector<Violation>& out = contract_violations_;
  add_violations(out, "path", contract.check_parameters(op, "path", first_values(request_.path_params)));
  add_violations(out, "query", contract.check_parameters(op, "query", first_values(request_.query)));
  add_violations(out, "header", contract.check_parameters(op, "header", first_values(request_.headers)));
  bool takes_body = !op.request_bodies.empty() || !op.request_variants.empty();
  if (!takes_body) return out;
  if (request_.body.empty()) {
    if (op.body_required) out.push_back({"body", "", "", "missing required request body"});
    return out;
  }
  std::string media = content_type();
  if (media.empty()) media = "application/json";
  if (variant.empty() && !op.request_bodies.count(media)) {
    std::string accepted;
    for (const auto& [type, schema] : op.request_bodies) accepted += (accepted.empty() ? "" : ", ") + type;
    out.push_back({"header", "/Content-Type", "", "content type '" + media + "' is not accepted (" + accepted + ")"});
    return out;
  }
  const JsonText& parsed = body_as(media);
  if (!parsed.ok()) {
    out.push_back({"body", "", "", "request body is " + parsed.error});
    return out;
  }
  add_violations(out, "body", contract.check_request_body(op, parsed.value, media, variant));
  return out;
}

Response RequestContext::refuse(int status, std::string code, std::string message, std::string in, json details) {
  request_errors.push_back({std::move(in), "", "", message});
  return error(status, std::move(code), std::move(message), std::move(details));
}

Response RequestContext::validation_error(const std::vector<Violation>& violations) {
  if (&violations != &contract_violations_) request_errors.insert(request_errors.end(), violations.begin(), violations.end());
  // The journal gets them all (it caps and tallies them); the answer lists the first few, capped,
  // so that a request cannot make an answer many times its own size.
  std::vector<Violation> listed;
  for (std::size_t i = 0; i < violations.size() && i < kMaxListedViolations; ++i) cap_texts(listed.emplace_back(violations[i]));
  json details = json::array();
  for (const auto& v : listed) details.push_back(to_json(v));
  std::string message = "the request does not match the contract";
  if (contract_.operation) message += " of " + contract_.operation->id;
  if (!listed.empty()) {
    const Violation& first = listed.front();
    message += ": " + first.in + (first.instance_location.empty() ? "" : " " + first.instance_location) + ": " + first.message;
    std::string more = " (and " + std::to_string(violations.size() - 1) + " more";
    if (violations.size() > listed.size()) message += more + "; only the first " + std::to_string(listed.size()) + " are listed)";
    else if (violations.size() > 1) message += more + ")";
  }
  return error(422, "VALIDATION_ERROR", std::move(message), std::move(details), std::move(listed));
}

ParsedBody parse_json_body(RequestContext& ctx, const std::vector<std::string>& accepted) {
  ParsedBody out;
  std::string media = ctx.content_type();
  out.media_type = media;
  std::string list;
  for (const auto& a : accepted) list += (list.empty() ? "" : " or ") + a;
  int wrong_type = ctx.dialect().wrong_content_type_status;
  auto refuse = [&](int status, const char* in, std::string message) {
    out.error = ctx.refuse(status, "", std::move(message), in);
    out.error->check = false;
  };
  if (ctx.body().empty() && media.empty()) {
    refuse(400, "body", "the request has no body: send " + list);
    return out;
  }
  if (media.empty()) {
    refuse(wrong_type, "header", "the request has no Content-Type: send " + list);
    return out;
  }
  if (std::find(accepted.begin(), accepted.end(), media) == accepted.end()) {
    refuse(wrong_type, "header", "Content-Type '" + media + "' is not accepted here: send " + list);
    return out;
  }
  if (ctx.body().empty()) {
    refuse(400, "body", "the request body is empty: send " + list);
    return out;
  }
  const JsonText& parsed = ctx.body_as(media);
  if (!parsed.ok()) {
    refuse(400, "body", "the request body is " + parsed.error);
    return out;
  }
  out.value = parsed.value;
  return out;
}

}  // namespace runmock::http
