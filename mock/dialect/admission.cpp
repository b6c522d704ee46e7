#include "dialect/admission.h"

#include <chrono>

namespace runmock::dialect {

using nlohmann::json;
using http::RequestContext;
using http::Response;

http::Response refuse_with(RequestContext& ctx, const Refusal& refusal, const std::map<std::string, std::string>& values, const std::string& in) {
  return ctx.refuse(refusal.status, refusal.code, fill(refusal.message, values), refusal.in.empty() ? in : refusal.in);
}

http::Response error_with(RequestContext& ctx, const Refusal& refusal, const std::map<std::string, std::string>& values) {
  return ctx.error(refusal.status, refusal.code, fill(refusal.message, values));
}

Admission::Admission(const DialectSpec& spec, const contracts::ApiContract& contract, http::jwt::Verifier verifier, const engine::Clock& clock,
                     int rate_limit)
    : spec_(spec), contract_(contract), verifier_(std::move(verifier)), clock_(clock) {
  if (spec_.rate_limit && rate_limit > 0) limiter_ = std::make_unique<mechanisms::RateLimiter>(rate_limit);
}

std::int64_t Admission::now_seconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.now().time_since_epoch()).count();
}

std::string Admission::authorization(const RequestContext& ctx, const std::string& operation) const {
  auto header = ctx.header("Authorization");
  if (header) return *header;
  if (spec_.auth.query_token.count(operation)) {
    if (auto token = ctx.query("access_token")) return "Bearer " + *token;
  }
  return "";
}

// The claims of a verified token (jwt), null for an accepted opaque bearer, or the 401.
std::variant<json, Response> Admission::authenticate(RequestContext& ctx, const std::string& operation) const {
  const AuthSpec& auth = spec_.auth;
  if (auth.kind == AuthSpec::Kind::none) return json(nullptr);
  std::string value = authorization(ctx, operation);
  std::int64_t now = now_seconds();
  if (auth.kind == AuthSpec::Kind::jwt) {
    if (auto cached = tokens_.find(value, now)) return *cached;
  }
  try {
    std::string token = http::jwt::bearer_token(value);
    if (auth.kind == AuthSpec::Kind::bearer && !verifier_.checks_signatures()) return json(nullptr);
    json claims = verifier_.verify(token, now).payload;
    if (auth.kind == AuthSpec::Kind::bearer) return json(nullptr);
    if (const schema::Schema* schema = auth.claims_schema.empty() ? nullptr : contract_.model(auth.claims_schema)) {
      std::vector<schema::ValidationError> errors;
      if (!schema->validate(claims, errors) && auth.bad_claims) {
        const auto& e = errors.front();
        return refuse_with(ctx, *auth.bad_claims, {{"where", e.instance_location.empty() ? "" : e.instance_location + ": "}, {"reason", e.message}}, "header");
      }
    }
    tokens_.store(value, claims, mechanisms::expiry_of(claims));
    return claims;
  } catch (const http::jwt::JwtError& e) {
    return refuse_with(ctx, auth.refuse, {{"reason", e.what()}}, "header");
  }
}

std::variant<Caller, Response> Admission::tenant_of(RequestContext& ctx, json claims) const {
  const TenancySpec& t = spec_.tenancy;
  Caller caller;
  if (!t.fixed.empty()) {
    caller.tenant = t.fixed;
  } else if (!t.header.empty()) {
    caller.tenant = ctx.header(t.header).value_or("");
  } else if (t.first_claim) {
    for (const auto& name : t.claims) {
      auto it = claims.is_object() ? claims.find(name) : claims.end();
      if (it != claims.end() && it->is_string() && !it->get_ref<const std::string&>().empty()) {
        caller.tenant = it->get<std::string>();
        break;
      }
    }
  } else {
    for (std::size_t i = 0; i < t.claims.size(); ++i) caller.tenant += (i ? "\n" : "") + claims.value(t.claims[i], std::string());
  }
  if (caller.tenant.empty() && t.missing) return refuse_with(ctx, *t.missing, {}, "header");
  for (const auto& m : t.match_headers) {
    std::string expected = claims.is_object() ? claims.value(m.claim, std::string()) : std::string();
    if (auto given = ctx.header(m.header); given && *given != expected) return refuse_with(ctx, m.refuse, {{"value", *given}, {"claim", expected}}, "header");
  }
  caller.claims = std::move(claims);
  return caller;
}

std::optional<Response> Admission::check_version(RequestContext& ctx, bool version_in_body) const {
  if (!spec_.version) return std::nullopt;
  const VersionSpec& v = *spec_.version;
  auto header = v.header.empty() ? std::nullopt : ctx.header(v.header);
  auto query = v.query.empty() ? std::nullopt : ctx.query(v.query);
  if (header && *header != v.value) return refuse_with(ctx, v.unsupported, {{"value", *header}, {"supported", v.value}}, "header");
  if (query && *query != v.value) return refuse_with(ctx, v.unsupported, {{"value", *query}, {"supported", v.value}}, "query");
  if (!header && !query && !version_in_body) return refuse_with(ctx, v.missing, {}, "header");
  return std::nullopt;
}

std::variant<Caller, Response> Admission::admit(RequestContext& ctx, const std::string& operation, bool version_in_body) const {
  auto claims = authenticate(ctx, operation);
  if (auto* refusal = std::get_if<Response>(&claims)) return std::move(*refusal);
  auto caller = tenant_of(ctx, std::move(std::get<json>(claims)));
  if (auto* refusal = std::get_if<Response>(&caller)) return std::move(*refusal);
  const std::string& tenant = std::get<Caller>(caller).tenant;
  if (limiter_ && !limiter_->admit(tenant)) return error_with(ctx, spec_.rate_limit->refuse, {{"limit", std::to_string(limiter_->per_second())}});
  if (auto refusal = check_version(ctx, version_in_body && spec_.version && !spec_.version->body.empty())) return std::move(*refusal);
  return caller;
}

std::optional<Response> Admission::check_body_version(RequestContext& ctx, const json& body) const {
  if (!spec_.version || spec_.version->body.empty()) return std::nullopt;
  const VersionSpec& v = *spec_.version;
  bool given = (!v.header.empty() && ctx.header(v.header)) || (!v.query.empty() && ctx.query(v.query)) || body.contains(v.body);
  if (given) return std::nullopt;
  return refuse_with(ctx, v.missing, {}, "header");
}

}  // namespace runmock::dialect
